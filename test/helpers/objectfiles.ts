// Object files written straight into a bucket's objects/ directory, in the store's own format (its
// trailer encoder, its key-to-path rule): for tests and benches that need many objects faster than PUTs.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checksumOf, initChecksums } from '../../src/common/checksum';
import { encodeTrailer } from '../../src/gateway/store/objectfile';
import type { ObjectMeta } from '../../src/gateway/store/types';

export function objectFilePath(bucketDir: string, key: string): string {
  const h = crypto.createHash('sha256').update(key, 'utf8').digest('hex');
  return path.join(bucketDir, 'objects', h.slice(0, 2), h);
}

/** Writes `count` objects named keyOf(i), each holding bodyOf(i) (xxhash checksums, version 1). */
export async function writeObjectFiles(
  bucketDir: string,
  count: number,
  keyOf: (i: number) => string,
  bodyOf: (i: number) => Buffer = () => Buffer.from('x'),
): Promise<void> {
  await initChecksums();
  const made = new Set<string>();
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const body = bodyOf(i);
    const sum = checksumOf('xxhash', body);
    const meta: ObjectMeta = { key, size: body.length, mtime: now, atime: now, checksum: { type: 'xxhash', value: sum }, etag: sum, version: '1', userMeta: {} };
    const file = objectFilePath(bucketDir, key);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(file, Buffer.concat([body, encodeTrailer(meta)]));
  }
}
