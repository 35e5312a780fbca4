// Test data in and out: bodies to put, reproducible bytes, streams and objects read back whole.
import { Readable } from 'node:stream';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';

/** A body for ClusterClient.putObject that can be opened again (for retries and redirects). */
export function bodyOf(data: string | Buffer): { open: () => Readable; size: number } {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return { open: () => Readable.from([b]), size: b.length };
}

/** `n` bytes from a linear congruential generator: the same bytes for the same seed, on every run. */
export function pseudoRandomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** An object's bytes through the client, as UTF-8 text. */
export async function readObjectText(client: ClusterClient, bucket: BucketRef, key: string): Promise<string> {
  return (await readAll((await client.getObject(bucket, key)).body)).toString();
}

/** Every key of a bucket (under `prefix`), by the client's own paged listing. */
export async function listKeys(client: ClusterClient, bucket: BucketRef, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.listObjects(bucket, { prefix, folders: false, pageSize: 1000, token });
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextToken;
  } while (token);
  return keys;
}
