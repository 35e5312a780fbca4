// How much of a .tar the gateway reads to find one member: the headers' read-ahead follows how far apart
// they lie. In a shard of members larger than the 256 KB window, a window per header would read a quarter
// of the shard or more to reach its last member; there each header is read on its own, so the walk reads
// little more than the headers. In a shard of small members the window still serves many headers per read.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { walkShard } from '../../src/common/archive/reader';
import { ShardFile } from '../../src/gateway/archive/source';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { nativeCalls, startNativeGateway } from '../helpers/native';
import { FixtureMember, tarOf } from './shard-fixtures';

const KB = 1024;
const MB = 1024 * KB;

/** 40 members of 0.5–1.5 MB, then a 4 KB one: ~40 MB. */
function largeMembers(): FixtureMember[] {
  const members: FixtureMember[] = [];
  for (let i = 0; i < 40; i++) members.push({ name: `big-${String(i).padStart(2, '0')}.bin`, data: crypto.randomBytes(MB / 2 + ((i * 7919 * KB) % MB)) });
  members.push({ name: 'last.txt', data: Buffer.from('the last member\n'.repeat(256)) });
  return members;
}

/** This process's /proc/self/io rchar: every byte its read(2)s returned, from files or sockets. */
function rchar(): number {
  return Number(/rchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
}

describe('shards: finding a member reads little more than the headers', () => {
  let dir: string;
  let large: Buffer;
  let small: Buffer;
  const largeList = largeMembers();
  const smallList = Array.from({ length: 2000 }, (_, i) => ({ name: `s-${String(i).padStart(4, '0')}`, data: crypto.randomBytes(KB + ((i * 977) % (3 * KB))) }));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shard-readahead-'));
    large = await tarOf(largeList);
    small = await tarOf(smallList);
    fs.writeFileSync(path.join(dir, 'large.tar'), large);
    fs.writeFileSync(path.join(dir, 'small.tar'), small);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Walks a shard file to `name` and reads that member; the file's bytes read and read calls. */
  async function findMember(file: string, name: string): Promise<{ bytes: number; reads: number; data: Buffer }> {
    const fh = await fsp.open(file);
    let reads = 0;
    // The handle's reads counted: ShardFile calls read() only.
    const counted = { read: (...args: Parameters<typeof fh.read>) => (reads++, fh.read(...args)), close: () => fh.close() } as unknown as fsp.FileHandle;
    const shard = new ShardFile(counted, (await fh.stat()).size);
    let data: Buffer | undefined;
    try {
      await walkShard(shard, '.tar', async (m, open) => {
        if (m.name !== name) return;
        const parts: Buffer[] = [];
        for await (const c of await open()) parts.push(c as Buffer);
        data = Buffer.concat(parts);
        return true;
      });
    } finally {
      await shard.close();
    }
    assert.ok(data, `${name} found`);
    return { bytes: shard.bytesRead, reads, data };
  }

  test('the last member of a .tar of 1 MB members: the walk reads under 2% of the shard', async () => {
    const last = largeList[largeList.length - 1];
    const r = await findMember(path.join(dir, 'large.tar'), last.name);
    assert.ok(r.data.equals(last.data));
    const walk = r.bytes - last.data.length;
    assert.ok(walk < large.length * 0.02, `read ${walk} bytes of headers to find the last member of ${large.length} (${((100 * walk) / large.length).toFixed(1)}%)`);
  });

  test('the last member of a .tar of 1–4 KB members: headers are read through the window, a few reads in all', async () => {
    const last = smallList[smallList.length - 1];
    const r = await findMember(path.join(dir, 'small.tar'), last.name);
    assert.ok(r.data.equals(last.data));
    // 256 KB windows over ~6 MB: about 25 reads; one read per header would be 2000.
    assert.ok(r.reads < Math.ceil(small.length / (256 * KB)) + 10, `${r.reads} reads for ${smallList.length} headers in ${small.length} bytes`);
    assert.ok(r.bytes < small.length * 1.1, `read ${r.bytes} of ${small.length} bytes`);
  });

  describe('through the gateway (in this process: its rchar is the gateway\'s)', { skip: !fs.existsSync('/proc/self/io') && 'no /proc/self/io' }, () => {
    let gw: TestGateway;
    let v1: string;
    const { put, createBucket } = nativeCalls(() => v1);

    before(async () => {
      ({ gw, v1 } = await startNativeGateway());
      assert.equal((await createBucket('ra')).status, 200);
      assert.equal((await put('ra', 'large.tar', large)).status, 200);
    });
    after(() => gw.dispose());

    test('GET ?archpath= of the last member: the process reads under 2% of the shard', async () => {
      const last = largeList[largeList.length - 1];
      const url = `${v1}/objects/ra/large.tar?provider=ais&archpath=${last.name}`;
      assert.equal((await request('GET', url)).status, 200); // the gateway's first request opens its index
      const before = rchar();
      const r = await request('GET', url);
      const read = rchar() - before;
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(last.data));
      // The member's bytes are read twice (the gateway from its file, this client from the socket).
      const walk = read - 2 * last.data.length;
      assert.ok(walk < large.length * 0.02, `read ${read} bytes for a ${last.data.length}-byte member of a ${large.length}-byte shard`);
    });
  });
});
