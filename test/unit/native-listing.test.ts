// The gateway's AIStore-native API (/v1) listing objects: the JSON and msgpack shapes of cmn/objlist.go
// (LsoRes, LsoEnt), paging, prefixes, flags, custom metadata, and list-buckets under a bucket's path.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { checksumOf } from '../../src/gateway/checksum';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway } from '../helpers/native';

const LsNameOnly = 16;
const LsNoRecursion = 2048;
const LsNoDirs = 8192;
const EntryIsCached = 64;
const EntryIsDir = 256;

describe('native API /v1: listing objects', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket, list } = nativeCalls(() => v1);
  before(async () => ({ gw, v1 } = await startNativeGateway()));
  after(() => gw.dispose());

  test('list objects: JSON and msgpack shapes, paging, prefix, start_after, props, no-recursion', async () => {
    await createBucket('lst');
    const keys = ['a/1', 'a/2', 'a/b/3', 'a/b/4', 'c', 'd/5', 'e'];
    for (const k of keys) await put('lst', k, `data of ${k}`);

    // JSON: LsoRes {uuid, continuation_token, entries, flags}; LsoEnt json tags, size a string.
    let r = await list('lst', { props: 'name,size,checksum,atime,version,copies' });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    let res = r.json as any;
    assert.deepEqual(Object.keys(res).sort(), ['continuation_token', 'entries', 'flags', 'uuid']);
    assert.match(res.uuid, /^[A-Za-z0-9]{9,}$/);
    assert.equal(res.continuation_token, '');
    assert.equal(res.flags, 0);
    assert.deepEqual(res.entries.map((e: any) => e.name), keys);
    const e0 = res.entries[0];
    assert.equal(e0.size, String('data of a/1'.length), 'size is json:"size,string"');
    assert.equal(e0.checksum, checksumOf('xxhash', 'data of a/1'));
    assert.match(e0.atime, /^\d\d [A-Z][a-z]{2} \d\d \d\d:\d\d UTC$/, 'RFC822 (Go) by default');
    assert.equal(e0.version, '1');
    assert.equal(e0.copies, 1);
    assert.equal(e0.flags, EntryIsCached);
    for (const e of res.entries) for (const k of Object.keys(e)) assert.ok(['name', 'size', 'checksum', 'atime', 'version', 'copies', 'flags'].includes(k), k);

    // Default props: name and size only (+cached flag).
    r = await list('lst', {});
    res = r.json as any;
    assert.deepEqual(Object.keys(res.entries[0]).sort(), ['flags', 'name', 'size']);
    r = await list('lst', { flags: String(LsNameOnly) });
    assert.deepEqual(Object.keys((r.json as any).entries[0]).sort(), ['flags', 'name']);

    // msgpack: LsoRes keys UUID, ContinuationToken, Entries, Flags; entries n cs a v s c f, s an integer.
    r = await list('lst', { props: 'name,size,checksum,atime,version' }, true);
    assert.equal(r.headers['content-type'], 'application/msgpack');
    const mp = msgpackDecode(r.body) as any;
    assert.deepEqual(Object.keys(mp), ['UUID', 'ContinuationToken', 'Entries', 'Flags']);
    assert.equal(typeof mp.UUID, 'string');
    assert.equal(mp.ContinuationToken, '');
    assert.equal(mp.Flags, 0);
    assert.equal(mp.Entries.length, keys.length);
    const m0 = mp.Entries[0];
    assert.equal(m0.n, 'a/1');
    assert.equal(m0.s, 'data of a/1'.length, 'msgpack size is an integer');
    assert.equal(typeof m0.s, 'number');
    assert.equal(m0.cs, checksumOf('xxhash', 'data of a/1'));
    assert.equal(typeof m0.a, 'string');
    assert.equal(m0.v, '1');
    assert.equal(m0.f, EntryIsCached);
    for (const k of Object.keys(m0)) assert.ok(['n', 'cs', 'a', 'v', 't', 'm', 's', 'c', 'f'].includes(k), k);

    // Paging: pagesize + continuation_token, the uuid carried across pages.
    const seen: string[] = [];
    let token = '';
    let uuid = '';
    let pages = 0;
    do {
      r = await list('lst', { pagesize: 3, continuation_token: token, uuid }, true);
      const page = msgpackDecode(r.body) as any;
      if (uuid) assert.equal(page.UUID, uuid);
      uuid = page.UUID;
      seen.push(...page.Entries.map((e: any) => e.n));
      token = page.ContinuationToken;
      assert.ok(page.Entries.length <= 3);
      pages++;
    } while (token);
    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);

    // prefix, start_after
    assert.deepEqual(((await list('lst', { prefix: 'a/b/' })).json as any).entries.map((e: any) => e.name), ['a/b/3', 'a/b/4']);
    assert.deepEqual(((await list('lst', { start_after: 'a/b/4' })).json as any).entries.map((e: any) => e.name), ['c', 'd/5', 'e']);

    // No recursion (folder view): direct children, and dirs as "name/" entries flagged EntryIsDir.
    r = await list('lst', { flags: String(LsNoRecursion) });
    assert.deepEqual(
      (r.json as any).entries.map((e: any) => [e.name, e.flags]),
      [['a/', EntryIsDir], ['c', EntryIsCached], ['d/', EntryIsDir], ['e', EntryIsCached]],
    );
    r = await list('lst', { prefix: 'a/', flags: LsNoRecursion }); // a number is accepted too
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['a/1', 'a/2', 'a/b/']);
    r = await list('lst', { prefix: 'a', flags: String(LsNoRecursion) });
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['a/1', 'a/2', 'a/b/'], 'prefix "a" lists the directory a/');
    r = await list('lst', { flags: String(LsNoRecursion | LsNoDirs) });
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['c', 'e']);
    // Paging a folder view.
    const folder: string[] = [];
    token = '';
    do {
      const page = (await list('lst', { flags: String(LsNoRecursion), pagesize: 1, continuation_token: token })).json as any;
      folder.push(...page.entries.map((e: any) => e.name));
      token = page.continuation_token;
    } while (token);
    assert.deepEqual(folder, ['a/', 'c', 'd/', 'e']);

    assertAisError(await list('lst', { flags: 'lots' }), 400, /flags/);
    assertAisError(await list('nosuch', {}), 404, /does not exist/);
  });

  // cmn/objlist_utils.go CustomMD2S: "[ETag:67c24314d6587da16bfa50dd4d2f6a0a LastModified:2023-09-20T21:04:51Z]".
  test('list objects: custom-md in AIStore\'s "[k:v k:v]" form, the ETag unquoted', async () => {
    await createBucket('custom');
    const put = await gw.s3.send(new PutObjectCommand({ Bucket: 'custom', Key: 'o', Body: 'custom md' }));
    const etag = put.ETag!.replace(/"/g, '');
    const e = ((await list('custom', { props: 'name,custom' })).json as any).entries[0];
    assert.equal(e['custom-md'], `[ETag:${etag}]`);
    const m = (msgpackDecode((await list('custom', { props: 'name,custom' }, true)).body) as any).Entries[0];
    assert.equal(m.m, `[ETag:${etag}]`);
  });

  // ais/proxy.go httpbckget: {"action":"list"} without a value is list-buckets, also under a bucket's path
  // (api.QueryBuckets); with a value (an LsoMsg) or without any message (curl) it lists objects.
  test('GET /v1/buckets/NAME: "list" without a value lists that bucket, with a value its objects', async () => {
    await createBucket('qb');
    await put('qb', 'x', 'x');
    const r = await request('GET', `${v1}/buckets/qb?provider=ais`, { json: { action: 'list' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, [{ name: 'qb', provider: 'ais', namespace: { uuid: '', name: '' } }]);
    assert.deepEqual((await request('GET', `${v1}/buckets/nosuchqb?provider=ais`, { json: { action: 'list' } })).json, []);
    assert.deepEqual(((await request('GET', `${v1}/buckets/qb?provider=ais`)).json as any).entries.map((e: any) => e.name), ['x']);
    assert.deepEqual(((await list('qb', {})).json as any).entries.map((e: any) => e.name), ['x']);
  });
});
