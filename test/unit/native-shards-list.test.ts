// Listing with shards opened (LsArchDir, api/apc/lsmsg.go): each shard, then its members as SHARD/MEMBER
// entries flagged EntryInArch (cmn/objlist.go; xact/xs/lso.go), sorted, with sizes; JSON and msgpack, and
// paging through shards as pages page, including shards of 100,000 members. Each request is the one
// AIStore's Python SDK sends (sdk/bucket.py list_objects with ListObjectsMsg.as_dict, flags=[ARCH_DIR]).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import * as tarStream from 'tar-stream';
import { ENTRY, LS } from '../../src/common/aisapi';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway } from '../helpers/native';
import { sampleMembers, tarOf, tgzOf, zipOf } from './shard-fixtures';

/** ListObjectFlag.join_flags([ARCH_DIR]) as the SDK sends it: a decimal string. */
const ARCH_DIR = String(LS.archDir);

describe('native API /v1: listing shards (LsArchDir)', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket } = nativeCalls(() => v1);
  const members = sampleMembers();
  const sortedNames = members.map((m) => m.name).sort();

  before(async () => ({ gw, v1 } = await startNativeGateway()));
  after(() => gw.dispose());

  /** sdk/bucket.py Bucket.list_objects(): ListObjectsMsg.as_dict(), Accept: application/msgpack (or JSON). */
  const list = (bucket: string, value: Record<string, unknown>, msgpack = false) =>
    request('GET', `${v1}/buckets/${bucket}?provider=ais`, {
      json: { action: 'list', value: { prefix: '', pagesize: 0, uuid: '', props: '', continuation_token: '', flags: ARCH_DIR, target: '', ...value } },
      headers: msgpack ? { accept: 'application/msgpack' } : {},
    });

  /** sdk/bucket.py list_all_objects(): pages until the token is empty. */
  async function listAll(bucket: string, value: Record<string, unknown> = {}, msgpack = false): Promise<{ entries: any[]; pages: number }> {
    const entries: any[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await list(bucket, { ...value, continuation_token: token }, msgpack);
      assert.equal(r.status, 200, r.body.toString().slice(0, 300));
      if (msgpack) {
        const m = msgpackDecode(r.body) as any;
        entries.push(...m.Entries.map((e: any) => ({ name: e.n, size: e.s ?? 0, flags: e.f ?? 0 })));
        token = m.ContinuationToken;
      } else {
        const j = r.json as any;
        entries.push(...(j.entries ?? []).map((e: any) => ({ name: e.name, size: Number(e.size ?? 0), flags: e.flags ?? 0 })));
        token = j.continuation_token;
      }
      pages++;
      assert.ok(pages < 100_000, 'the listing ends');
    } while (token);
    return { entries, pages };
  }

  test('each shard is followed by its members, sorted, sized, flagged EntryInArch; the shard EntryIsArchive', async () => {
    await createBucket('ls');
    await put('ls', 'a.txt', 'plain');
    await put('ls', 'b.tar', await tarOf([...members].reverse()));
    await put('ls', 'c.zip', await zipOf(members));
    await put('ls', 'd.tar.gz', await tgzOf(members));
    await put('ls', 'e.txt', 'also plain');
    const sizes = new Map(members.map((m) => [m.name, m.data.length]));
    const want = ['a.txt', 'b.tar', ...sortedNames.map((n) => `b.tar/${n}`), 'c.zip', ...sortedNames.map((n) => `c.zip/${n}`), 'd.tar.gz', ...sortedNames.map((n) => `d.tar.gz/${n}`), 'e.txt'];
    for (const msgpack of [false, true]) {
      const { entries } = await listAll('ls', {}, msgpack);
      assert.deepEqual(entries.map((e) => e.name), want, msgpack ? 'msgpack' : 'JSON');
      for (const e of entries) {
        const [shard, member] = e.name.split(/(?<=\.(?:tar|zip|tar\.gz))\//);
        if (member !== undefined) {
          assert.equal(e.flags, ENTRY.isCached | ENTRY.inArch, e.name);
          assert.equal(e.size, sizes.get(member), `${e.name} size`);
        } else if (/\.(tar|zip|tar\.gz)$/.test(shard)) assert.equal(e.flags, ENTRY.isCached | ENTRY.isArchive, e.name);
        else assert.equal(e.flags, ENTRY.isCached, e.name);
      }
    }
    // Without the flag, shards are objects like the others.
    const plain = (await request('GET', `${v1}/buckets/ls?provider=ais`, { json: { action: 'list', value: { props: 'name' } } })).json as any;
    assert.deepEqual(plain.entries.map((e: any) => e.name), ['a.txt', 'b.tar', 'c.zip', 'd.tar.gz', 'e.txt']);
  });

  test('paging: pages of 1..7 entries end inside shards and right after them, and add up to the whole listing', async () => {
    const whole = (await listAll('ls')).entries.map((e) => e.name);
    for (const pagesize of [1, 2, 3, 7]) {
      const entries: string[] = [];
      let token = '';
      do {
        const r = (await list('ls', { pagesize, continuation_token: token })).json as any;
        assert.ok(r.entries.length <= pagesize, `a page of ${pagesize} holds ${r.entries.length}`);
        assert.ok(r.entries.length > 0 || !r.continuation_token, 'no empty page before the end');
        entries.push(...r.entries.map((e: any) => e.name));
        token = r.continuation_token;
        if (token) assert.equal(token, r.entries[r.entries.length - 1].name, 'the token is the last name');
      } while (token);
      assert.deepEqual(entries, whole, `pagesize ${pagesize}`);
    }
    // sdk/bucket.py list_archive(): prefix = the shard's name, flags=[ARCH_DIR].
    const one = await listAll('ls', { prefix: 'c.zip' });
    assert.deepEqual(one.entries.map((e) => e.name), ['c.zip', ...sortedNames.map((n) => `c.zip/${n}`)]);
  });

  test('a shard that cannot be read fails the page in words that name it; a name of no shard format is an object', async () => {
    await createBucket('broken');
    await put('broken', 'ok.tar', await tarOf(members.slice(0, 2)));
    await put('broken', 'x.tar', Buffer.alloc(2048, 'x'));
    await put('broken', 'y.bin', await tarOf(members.slice(0, 2)));
    assertAisError(await list('broken', {}), 400, /failed to list ais:\/\/broken\/x\.tar: archive\/tar: invalid tar header/);
    const r = (await list('broken', { prefix: 'y' })).json as any;
    assert.deepEqual(r.entries.map((e: any) => [e.name, e.flags]), [['y.bin', ENTRY.isCached]]);
  });

  /** A TAR of `n` one-byte members named m-NNNNNN, in the order given, streamed into a PUT. */
  async function putBigTar(bucket: string, key: string, order: number[]): Promise<void> {
    const pack = tarStream.pack();
    const body = new PassThrough();
    (pack as any).pipe(body);
    const sent = request('PUT', `${v1}/objects/${bucket}/${key}`, { body });
    for (const i of order) {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: `m-${String(i).padStart(6, '0')}`, size: 1, mtime: new Date(0) }, Buffer.from('x'), (e) => (e ? reject(e) : resolve())),
      );
    }
    pack.finalize();
    assert.equal((await sent).status, 200);
  }

  test('100,000 members: pages of 10,000 in member order, bounded memory; an ordered TAR resumes where a page ended', async () => {
    await createBucket('big');
    const n = 100_000;
    // Shuffled: every page must pick the smallest names past the token from the whole shard.
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = (i * 7919 + 13) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    await putBigTar('big', 'shuffled.tar', order);
    await putBigTar('big', 'sorted.tar', Array.from({ length: n }, (_, i) => i));

    for (const shard of ['shuffled.tar', 'sorted.tar']) {
      const rss0 = process.memoryUsage().rss;
      let peak = 0;
      const t0 = Date.now();
      const names: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const r = await list('big', { prefix: shard, pagesize: 10_000, continuation_token: token }, true);
        assert.equal(r.status, 200);
        const m = msgpackDecode(r.body) as any;
        assert.ok(m.Entries.length <= 10_000);
        for (const e of m.Entries) names.push(e.n);
        token = m.ContinuationToken;
        pages++;
        peak = Math.max(peak, process.memoryUsage().rss - rss0);
      } while (token);
      const ms = Date.now() - t0;
      assert.equal(names.length, n + 1, shard);
      assert.equal(names[0], shard);
      for (let i = 0; i < n; i++) assert.equal(names[i + 1], `${shard}/m-${String(i).padStart(6, '0')}`);
      assert.equal(pages, 11);
      // A page's worth of names is what the gateway holds, not the shard's 100,000 (plus the test's own list).
      assert.ok(peak < 64 * 1024 * 1024, `${shard}: RSS grew by ${(peak / 1048576).toFixed(1)} MB`);
      console.log(`# ${shard}: ${n} members in ${pages} pages, ${ms} ms, RSS +${(peak / 1048576).toFixed(1)} MB`);
    }
  });
});
