// Shards are read in place: one member of a ~200 MB .tar streams from its own offset (a walk of a few
// headers, positional reads), so the gateway's memory does not grow with the shard; a few large members
// list in a few reads. The gateway runs in this process, so this process's RSS is the gateway's.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { PassThrough } from 'node:stream';
import * as tarStream from 'tar-stream';
import { LS } from '../../src/common/aisapi';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { nativeCalls, startNativeGateway } from '../helpers/native';

const MB = 1024 * 1024;
/** Four members, the one read last in the archive. */
const MEMBERS = [
  { name: 'part-0.bin', size: 60 * MB },
  { name: 'part-1.bin', size: 60 * MB },
  { name: 'part-2.bin', size: 60 * MB },
  { name: 'last.bin', size: 20 * MB + 12_345 },
];

/** A member's bytes, made as they are streamed: a 64 KB block varied by its index. */
function* chunksOf(seed: number, size: number): Generator<Buffer> {
  const block = crypto.createHash('sha512').update(String(seed)).digest();
  const base = Buffer.alloc(64 * 1024);
  for (let i = 0; i < base.length; i += block.length) block.copy(base, i);
  for (let off = 0, n = 0; off < size; off += base.length, n++) {
    const c = Buffer.from(base.subarray(0, Math.min(base.length, size - off)));
    c.writeUInt32LE(n, 0);
    yield c;
  }
}

describe('native API /v1: shards are read in place (memory)', () => {
  let gw: TestGateway;
  let v1: string;
  const { createBucket } = nativeCalls(() => v1);
  const sha = new Map<string, string>();

  before(async () => {
    ({ gw, v1 } = await startNativeGateway());
    await createBucket('mem');
    // Streamed into the PUT: this test never holds the shard.
    const pack = tarStream.pack();
    const body = new PassThrough();
    (pack as unknown as NodeJS.ReadableStream).pipe(body);
    const sent = request('PUT', `${v1}/objects/mem/big.tar`, { body });
    for (const [i, m] of MEMBERS.entries()) {
      const h = crypto.createHash('sha256');
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: m.name, size: m.size }, (e) => (e ? reject(e) : resolve()));
        const write = async () => {
          for (const c of chunksOf(i, m.size)) {
            h.update(c);
            if (!entry.write(c)) await new Promise<void>((r) => entry.once('drain', () => r()));
          }
          (entry as unknown as NodeJS.WritableStream).end(); // streamx's types want an argument
        };
        write().catch(reject);
      });
      sha.set(m.name, h.digest('hex'));
    }
    pack.finalize();
    assert.equal((await sent).status, 200);
  });
  after(() => gw.dispose());

  /** GET ?archpath= read as it streams (hashed, not kept), with the RSS peak seen meanwhile. */
  function streamMember(name: string): Promise<{ sha: string; bytes: number; peak: number; status: number }> {
    return new Promise((resolve, reject) => {
      const h = crypto.createHash('sha256');
      let bytes = 0;
      let peak = process.memoryUsage().rss;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      // sdk Object.get_reader(archive_config=ArchiveConfig(archpath=name)).
      http
        .get(`${v1}/objects/mem/big.tar?provider=ais&archpath=${name}&archregx=`, (res) => {
          res.on('data', (c: Buffer) => {
            h.update(c);
            bytes += c.length;
          });
          res.on('end', () => {
            clearInterval(timer);
            resolve({ sha: h.digest('hex'), bytes, peak: Math.max(peak, process.memoryUsage().rss), status: res.statusCode ?? 0 });
          });
          res.on('error', reject);
        })
        .on('error', reject);
    });
  }

  test('one member at the end of a ~200 MB .tar: its exact bytes, and RSS grows by a few MB at most', async () => {
    await streamMember('part-0.bin'); // warm: code compiled, buffers pooled
    global.gc?.();
    const before = process.memoryUsage().rss;
    const got = await streamMember('last.bin');
    assert.equal(got.status, 200);
    assert.equal(got.bytes, MEMBERS[3].size);
    assert.equal(got.sha, sha.get('last.bin'));
    const grew = (got.peak - before) / MB;
    console.log(`# RSS before ${(before / MB).toFixed(1)} MB, peak +${grew.toFixed(1)} MB while streaming ${(got.bytes / MB).toFixed(1)} MB`);
    assert.ok(grew < 8, `RSS grew by ${grew.toFixed(1)} MB`);
  });

  test('a few large members list in a few reads: well under a second', async () => {
    const t = Date.now();
    const r = await request('GET', `${v1}/buckets/mem?provider=ais`, { json: { action: 'list', value: { prefix: 'big.tar', flags: String(LS.archDir) } } });
    const ms = Date.now() - t;
    const names = ((r.json as { entries: { name: string; size: string }[] }).entries ?? []).map((e) => [e.name, Number(e.size)]);
    assert.deepEqual(names.slice(1), [...MEMBERS].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => [`big.tar/${m.name}`, m.size]));
    assert.ok(ms < 500, `listed in ${ms} ms`);
  });
});
