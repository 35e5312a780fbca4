// A bucket's index on disk (indexfile.ts) and in memory (keyindex.ts): a clean close writes it and the next
// start reads it; changes after it are replayed from the journal after a crash (a store dropped without
// close); a torn, damaged or stale index, or one missing its journal, is rebuilt from the object files.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { initChecksums } from '../../src/gateway/checksum';
import { KeyIndex } from '../../src/gateway/store/keyindex';
import { compareKeys } from '../../src/gateway/store/keys';
import { Store } from '../../src/gateway/store/store';
import type { BucketRef, ObjectSummary } from '../../src/gateway/store/types';
import { objectFilePath, writeObjectFiles } from '../helpers/objectfiles';
import { makeTempDir, removeDir } from '../helpers/temp';

const from = (s: string) => Readable.from([Buffer.from(s)]);
const b: BucketRef = { provider: 'ais', name: 'idx' };

type Seen = Map<string, { size: number; etag: string; mtime: number; version: string; atime: number }>;

/** The whole listing, paged. */
async function listAll(store: Store, page = 97): Promise<Seen> {
  const out: Seen = new Map();
  let startAfter: string | undefined;
  for (;;) {
    const p = await store.listObjects(b, { maxKeys: page, startAfter });
    for (const o of p.objects) out.set(o.key, { size: o.size, etag: o.etag, mtime: o.mtime, version: o.version, atime: o.atime });
    if (!p.isTruncated) return out;
    startAfter = p.last;
  }
}

/** What the listing must show: key → size, etag, mtime, version (atime aside). */
function sameObjects(seen: Seen, want: Seen, what: string) {
  const strip = (m: Seen) => [...m].map(([k, v]) => [k, v.size, v.etag, v.mtime, v.version]);
  assert.deepEqual(strip(seen), strip(new Map([...want].sort(([x], [y]) => compareKeys(x, y)))), what);
}

describe('KeyIndex', () => {
  test('matches a sorted reference through random sets, deletes and seeks (chunks split and empty)', () => {
    const idx = new KeyIndex();
    const ref = new Map<string, number>();
    const alphabet = ['a', 'b', 'z', '/', 'é', '\uffff', '\ud83d\ude00', '\ue000'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const key = () => Array.from({ length: 1 + rnd(4) }, () => alphabet[rnd(alphabet.length)]).join('');
    // Checksums kept as bytes (lowercase hex up to 16 bytes, empty) or as strings; ETags the same or not.
    const hexOf = (n: number) => (n % 5 === 0 ? '' : n.toString(16).padStart(16, '0').repeat(1 + (n % 2)));
    const sum = (k: string, size: number): ObjectSummary => {
      const value = size % 3 === 0 ? `v${size}` : size % 3 === 1 ? hexOf(size) : hexOf(size).repeat(4);
      return { key: k, size, mtime: 1.7e12 + size, atime: 1.7e12, etag: size % 2 ? value : `e${size}-2`, checksum: { type: 'xxhash', value }, version: String(size) };
    };
    for (let i = 0; i < 20_000; i++) {
      const k = key();
      if (rnd(3) === 0) assert.equal(idx.delete(k), ref.delete(k));
      else {
        idx.set(k, sum(k, i));
        ref.set(k, i);
      }
      if (i % 1000 === 0) {
        const sorted = [...ref.keys()].sort(compareKeys);
        assert.deepEqual([...idx.entries()].map((e) => e.key), sorted);
        const probe = key();
        assert.deepEqual([...idx.from(probe, true)].map((e) => e.key), sorted.filter((x) => compareKeys(x, probe) >= 0));
        assert.deepEqual([...idx.from(probe, false)].map((e) => e.key), sorted.filter((x) => compareKeys(x, probe) > 0));
      }
    }
    assert.equal(idx.size, ref.size);
    for (const [k, v] of ref) assert.deepEqual(idx.get(k), sum(k, v));
    for (const k of [...ref.keys()]) idx.delete(k);
    assert.equal(idx.size, 0);
    assert.deepEqual([...idx.entries()], []);
    // Loaded from a sorted list: refused when not sorted.
    const many = Array.from({ length: 5000 }, (_, i) => sum(`k${String(i).padStart(5, '0')}`, i));
    assert.equal(KeyIndex.fromSorted(many)?.size, 5000);
    assert.equal(KeyIndex.fromSorted([many[1], many[0]]), undefined);
    const odd = { ...sum('odd', 1), version: 'v-odd', etag: 'other' };
    const one = KeyIndex.fromSorted([odd])!;
    assert.deepEqual(one.get('odd'), odd);
  });
});

describe('bucket index file', () => {
  let tmp: string;
  let data: string;
  let bucketDir: string;
  /** The objects as the store reported them when written. */
  const want: Seen = new Map();
  let touched: { key: string; atime: number };

  const open = (opts: { indexJournalLimit?: number } = {}) => Store.open(data, { defaultChecksum: 'xxhash', ...opts });
  const put = async (store: Store, key: string, body: string) => {
    const m = await store.putObject(b, key, from(body));
    want.set(key, { size: m.size, etag: m.etag, mtime: m.mtime, version: m.version, atime: m.atime });
  };
  const indexFiles = () => fs.readdirSync(bucketDir).filter((f) => f.startsWith('index.')).sort();

  before(async () => {
    await initChecksums();
    tmp = makeTempDir('index');
    data = path.join(tmp, 'data');
    bucketDir = path.join(data, 'buckets', 'ais', 'idx');
  });
  after(() => removeDir(tmp));

  test('a clean close writes the index; the next start lists from it exactly, with the atimes it kept', async () => {
    let store = await open();
    await store.createBucket(b);
    for (let i = 0; i < 300; i++) await put(store, i % 3 ? `dir/${i % 7}/obj-${i}` : `top ${i}`, 'x'.repeat(i));
    await new Promise((r) => setTimeout(r, 5));
    const got = await store.getObject(b, 'top 3');
    got.stream.destroy();
    touched = { key: 'top 3', atime: got.meta.atime };
    assert.ok(touched.atime > want.get('top 3')!.atime);
    await store.close();
    assert.ok(indexFiles().includes('index.snap'), indexFiles().join());
    store = await open();
    const seen = await listAll(store);
    sameObjects(seen, want, 'listing after a clean restart');
    // The trailer holds the write's atime; only the index file kept the read's.
    assert.equal(seen.get(touched.key)!.atime, touched.atime, 'the listing came from the index file');
    await store.close();
  });

  test('puts, overwrites, renames and deletes after the snapshot are listed after a crash (no close)', async () => {
    const store = await open();
    for (let i = 0; i < 40; i++) await put(store, `late/${i}`, `late ${i}`);
    await put(store, 'top 0', 'overwritten');
    assert.equal(want.get('top 0')!.version, '2');
    for (const k of ['dir/1/obj-1', 'late/7', 'top 6']) {
      await store.deleteObject(b, k);
      want.delete(k);
    }
    const moved = await store.renameObject(b, 'late/8', 'moved/8');
    want.delete('late/8');
    want.set('moved/8', { size: moved.size, etag: moved.etag, mtime: moved.mtime, version: moved.version, atime: moved.atime });
    // Crash: this store is dropped without close; a new one opens the same data.
    const next = await open();
    const seen = await listAll(next);
    sameObjects(seen, want, 'listing after a crash');
    assert.equal(seen.get(touched.key)!.atime, touched.atime, 'the snapshot was used, the journal replayed on it');
    await next.close();
    // The close wrote a snapshot with the replayed changes: the journals before it are gone.
    assert.equal(indexFiles().filter((f) => f.startsWith('index.journal.')).length, 1, indexFiles().join());
  });

  // Each damage would give a wrong listing if the index were trusted: it must be rebuilt from the files.
  const damages: [string, (store: Store) => Promise<void>][] = [
    ['a torn index file (cut short)', async () => {
      const f = path.join(bucketDir, 'index.snap');
      fs.truncateSync(f, fs.statSync(f).size - 200);
    }],
    ['a damaged index file (one byte flipped)', async () => {
      const f = path.join(bucketDir, 'index.snap');
      const buf = fs.readFileSync(f);
      buf[Math.floor(buf.length / 2)] ^= 0x20;
      fs.writeFileSync(f, buf);
    }],
    ['an index whose journals are gone', async (store) => {
      await put(store, 'late/journaled', 'in a journal that is then lost');
      for (const f of indexFiles()) if (f.startsWith('index.journal.')) fs.rmSync(path.join(bucketDir, f));
    }],
    ['a journal damaged before its last record', async (store) => {
      await put(store, 'late/first', 'one');
      await put(store, 'late/second', 'two');
      const journal = indexFiles().filter((f) => f.startsWith('index.journal.')).sort((x, y) => Number(x.split('.').pop()) - Number(y.split('.').pop())).pop()!;
      const f = path.join(bucketDir, journal);
      const buf = fs.readFileSync(f);
      buf[20] ^= 0x01; // inside the first record's JSON
      fs.writeFileSync(f, buf);
    }],
    ['objects changed by another program', async () => {
      await writeObjectFiles(bucketDir, 1, () => 'outside/added', () => Buffer.from('by hand'));
      const m = JSON.parse(fs.readFileSync(objectFilePath(bucketDir, 'outside/added')).subarray(7, -8).toString());
      want.set('outside/added', { size: 7, etag: m.etag, mtime: m.mtime, version: '1', atime: m.atime });
      fs.rmSync(objectFilePath(bucketDir, 'dir/2/obj-2'));
      want.delete('dir/2/obj-2');
    }],
    ['a data dir without index files (an older gateway)', async () => {
      for (const f of indexFiles()) fs.rmSync(path.join(bucketDir, f));
    }],
  ];
  for (const [what, damage] of damages) {
    test(`${what} is detected and rebuilt; the listing is exact`, async () => {
      let store = await open();
      await listAll(store);
      // A read the index file alone records: a trusted index would show this atime.
      const got = await store.getObject(b, touched.key);
      got.stream.destroy();
      await store.close();
      store = await open();
      assert.equal((await listAll(store)).get(touched.key)!.atime, got.meta.atime);
      // The damage happens with the store dropped (a crash), or after its close.
      await damage(store);
      const next = await open();
      const seen = await listAll(next);
      sameObjects(seen, want, `listing after ${what}`);
      assert.notEqual(seen.get(touched.key)!.atime, got.meta.atime, 'rebuilt from the trailers, not read from the index');
      await next.close();
      assert.ok(indexFiles().includes('index.snap'), 'a new index file after the rebuild');
    });
  }

  test('the snapshot is rewritten every N journal records; a crash after that replays only the rest', async () => {
    let store = await open({ indexJournalLimit: 25 });
    await listAll(store);
    for (let i = 0; i < 110; i++) await put(store, `bulk/${i}`, String(i));
    // Snapshots run in the background: wait for the journals to be trimmed (at most the current two).
    for (const deadline = Date.now() + 10_000; indexFiles().filter((f) => f.startsWith('index.journal.')).length > 2; ) {
      assert.ok(Date.now() < deadline, `journals not trimmed: ${indexFiles().join()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    store = await open();
    sameObjects(await listAll(store), want, 'listing after a crash with periodic snapshots');
    await store.close();
  });

  test('a deleted bucket stays deleted; one made again under its name starts empty', async () => {
    let store = await open();
    await store.deleteBucket(b, { force: true });
    await store.createBucket(b);
    await put(store, 'again', 'a');
    await store.close();
    store = await open();
    sameObjects(await listAll(store), new Map([['again', want.get('again')!]]), 'the new bucket');
    await store.close();
  });
});
