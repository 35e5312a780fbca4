// The gateway's AIStore-native API (/v1) for objects: PUT/GET/HEAD/DELETE with AIStore's headers, ranges,
// checksum validation, rename, custom props, the same objects through /s3, and redirect mode (every object
// request 307 to the target).
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { request, Reply } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway } from '../helpers/native';
import { AisClusterClient } from '../../src/client/ais/client';
import { pseudoRandomBytes } from '../helpers/data';

describe('native API /v1: objects', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket } = nativeCalls(() => v1);
  before(async () => ({ gw, v1 } = await startNativeGateway()));
  after(() => gw.dispose());

  test('PUT/GET/HEAD/DELETE objects with Ais-Checksum-*, Ais-Version, Ais-Atime', async () => {
    await createBucket('objs');
    const data = pseudoRandomBytes(300_000, 7);
    const xx = checksumOf('xxhash', data);
    const t0 = Date.now();
    const p = await put('objs', 'dir/file.bin', data, { 'Ais-Checksum-Type': 'xxhash', 'Ais-Checksum-Value': xx, 'Content-Type': 'application/json' });
    assert.equal(p.status, 200);
    assert.equal(p.headers['ais-checksum-type'], 'xxhash');
    assert.equal(p.headers['ais-checksum-value'], xx);
    assert.equal(p.headers['ais-version'], '1');

    const g = await request('GET', `${v1}/objects/objs/dir/file.bin?provider=ais`);
    assert.equal(g.status, 200);
    assert.ok(g.body.equals(data), 'bytes round-trip');
    assert.equal(g.headers['content-type'], 'application/octet-stream');
    assert.equal(g.headers['content-length'], String(data.length));
    assert.equal(g.headers['ais-checksum-type'], 'xxhash');
    assert.equal(g.headers['ais-checksum-value'], checksumOf('xxhash', g.body));
    assert.match(String(g.headers['ais-atime']), /^\d{19}$/, 'Unix nanoseconds');
    const atimeMs = Number(BigInt(String(g.headers['ais-atime'])) / 1_000_000n);
    assert.ok(atimeMs >= t0 - 1000 && atimeMs <= Date.now() + 1000);

    const h = await request('HEAD', `${v1}/objects/objs/dir/file.bin`);
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-length'], String(data.length));
    assert.equal(h.headers['ais-checksum-value'], xx);
    assert.equal(h.headers['ais-version'], '1');
    assert.equal(h.headers['ais-present'], 'true');
    assert.equal(h.headers['ais-name'], 'dir/file.bin');
    assert.equal(h.headers['ais-bucket-provider'], 'ais');

    // HEAD V2 (api/object.go HeadObjectV2 sends `props`): only what was asked, plus size and presence.
    const v2 = await request('HEAD', `${v1}/objects/objs/dir/file.bin?props=name,size,checksum,last-modified,etag`);
    assert.equal(v2.status, 200);
    assert.equal(v2.headers['content-length'], String(data.length));
    assert.equal(v2.headers['ais-present'], 'true');
    assert.equal(v2.headers['ais-checksum-value'], xx);
    assert.equal(v2.headers['ais-atime'], undefined, 'atime not asked for');
    assert.equal(v2.headers['ais-version'], undefined, 'version not asked for');
    assert.ok(Math.abs(Date.parse(String(v2.headers['last-modified'])) - Date.now()) < 60_000);
    assert.match(String(v2.headers.etag), /^"[0-9a-f]+"$/);
    assertAisError(await request('HEAD', `${v1}/objects/objs/dir/file.bin?props=name,cached`), 400, /invalid property "cached"/);

    // A second PUT (md5 given this time) bumps the version.
    const data2 = pseudoRandomBytes(1000, 9);
    const md5 = checksumOf('md5', data2);
    assert.equal((await put('objs', 'dir/file.bin', data2, { 'Ais-Checksum-Type': 'md5', 'Ais-Checksum-Value': md5 })).status, 200);
    assert.equal((await request('HEAD', `${v1}/objects/objs/dir/file.bin`)).headers['ais-version'], '2');

    // A mismatching checksum is refused and stores nothing: not a new object, not an overwrite.
    const wrong = checksumOf('xxhash', 'something else');
    const bad = await put('objs', 'dir/file.bin', data, { 'Ais-Checksum-Type': 'xxhash', 'Ais-Checksum-Value': wrong });
    const e = assertAisError(bad, 400, /BAD DATA CHECKSUM/);
    assert.equal(e.tcode, 'ErrBadCksum');
    const still = await request('GET', `${v1}/objects/objs/dir/file.bin`);
    assert.ok(still.body.equals(data2), 'the previous object is intact');
    assert.equal(still.headers['ais-version'], '2');
    assertAisError(await put('objs', 'fresh', data, { 'Ais-Checksum-Type': 'sha256', 'Ais-Checksum-Value': '00'.repeat(32) }), 400);
    assertAisError(await request('HEAD', `${v1}/objects/objs/fresh`), 404);
    assertAisError(await put('objs', 'fresh', data, { 'Ais-Checksum-Type': 'crc64', 'Ais-Checksum-Value': '00' }), 400, /invalid checksum type/);

    // Missing objects and buckets.
    const nf = assertAisError(await request('GET', `${v1}/objects/objs/nope`), 404, /ais:\/\/objs\/nope does not exist/);
    assert.equal(nf.tcode, 'ErrNotFound');
    assertAisError(await request('GET', `${v1}/objects/nosuchbucket/x`), 404, /bucket "ais:\/\/nosuchbucket" does not exist/);
    assertAisError(await request('DELETE', `${v1}/objects/objs/nope`), 404);

    assert.equal((await request('DELETE', `${v1}/objects/objs/dir/file.bin`)).status, 200);
    assertAisError(await request('GET', `${v1}/objects/objs/dir/file.bin`), 404);

    // Names with spaces, percent signs and non-ASCII letters survive the URL.
    const odd = 'a b/100%/ünï ✓.txt';
    assert.equal((await put('objs', odd, 'odd')).status, 200);
    const back = await request('GET', `${v1}/objects/objs/${encodeURIComponent(odd).replace(/%2F/g, '/')}`);
    assert.equal(back.body.toString(), 'odd');
    const oddHead = await request('HEAD', `${v1}/objects/objs/${encodeURIComponent(odd).replace(/%2F/g, '/')}`);
    assert.equal(Buffer.from(String(oddHead.headers['ais-name']), 'latin1').toString('utf8'), odd, 'Ais-Name carries the UTF-8 name');
  });

  test('Range reads: 206 with Content-Range, suffix and open ranges, 416; range checksum with enable_read_range', async () => {
    await createBucket('ranges');
    const data = pseudoRandomBytes(10_000, 3);
    await put('ranges', 'r', data);
    const get = (range: string) => request('GET', `${v1}/objects/ranges/r`, { headers: { range } });
    let r = await get('bytes=100-199');
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(data.subarray(100, 200)));
    assert.equal(r.headers['content-range'], 'bytes 100-199/10000');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.headers['ais-checksum-value'], checksumOf('xxhash', data), 'without enable_read_range: the object checksum');
    r = await get('bytes=-50');
    assert.ok(r.body.equals(data.subarray(9950)));
    r = await get('bytes=9990-');
    assert.ok(r.body.equals(data.subarray(9990)));
    r = await get('bytes=9990-20000');
    assert.ok(r.body.equals(data.subarray(9990)));
    r = await get('bytes=10000-');
    assertAisError(r, 416);
    assert.equal(r.headers['content-range'], 'bytes */10000');
    assertAisError(await get('bytes=0-1,5-6'), 416, /multi-range/);

    await request('PATCH', `${v1}/buckets/ranges`, { json: { action: 'set-bprops', value: { checksum: { enable_read_range: true } } } });
    r = await get('bytes=100-199');
    assert.ok(r.body.equals(data.subarray(100, 200)));
    assert.equal(r.headers['ais-checksum-value'], checksumOf('xxhash', data.subarray(100, 200)), 'the range checksum');
  });

  test('validate_warm_get: a copy that no longer matches its checksum is refused', async () => {
    await createBucket('warm');
    const data = pseudoRandomBytes(50_000, 4);
    await put('warm', 'w', data);
    // Rot the object's bytes on disk (the first data byte), keeping its metadata.
    const h = crypto.createHash('sha256').update('w').digest('hex');
    const fd = fs.openSync(path.join(gw.dataDir, 'buckets', 'ais', 'warm', 'objects', h.slice(0, 2), h), 'r+');
    fs.writeSync(fd, Buffer.from([data[0] ^ 0x55]), 0, 1, 0);
    fs.closeSync(fd);
    const unchecked = await request('GET', `${v1}/objects/warm/w`);
    assert.equal(unchecked.status, 200, 'not validated by default');
    assert.equal(unchecked.body[0], data[0] ^ 0x55);
    await request('PATCH', `${v1}/buckets/warm`, { json: { action: 'set-bprops', value: { checksum: { validate_warm_get: true } } } });
    const e = assertAisError(await request('GET', `${v1}/objects/warm/w`), 500, /BAD DATA CHECKSUM: xxhash\(/);
    assert.equal(e.tcode, 'ErrBadCksum');
    await put('warm', 'fine', 'intact');
    assert.equal((await request('GET', `${v1}/objects/warm/fine`)).body.toString(), 'intact', 'good copies pass');
  });

  test('rename-obj moves an object within its bucket', async () => {
    await createBucket('ren');
    await put('ren', 'old/name', 'payload');
    const r = await request('POST', `${v1}/objects/ren/old/name`, { json: { action: 'rename-obj', name: 'new/name' } });
    assert.equal(r.status, 200);
    assertAisError(await request('GET', `${v1}/objects/ren/old/name`), 404);
    assert.equal((await request('GET', `${v1}/objects/ren/new/name`)).body.toString(), 'payload');
    assertAisError(await request('POST', `${v1}/objects/ren/missing`, { json: { action: 'rename-obj', name: 'x' } }), 404);
    assertAisError(await request('POST', `${v1}/objects/ren/new/name`, { json: { action: 'rename-obj' } }), 400, /new object name/);
  });

  test('objects written through /v1 and /s3 are the same objects', async () => {
    await createBucket('shared');
    const data = pseudoRandomBytes(70_000, 11);
    await put('shared', 'from-native', data);
    const out = await gw.s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'from-native' }));
    assert.ok(Buffer.from(await out.Body!.transformToByteArray()).equals(data));
    await gw.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'from-s3', Body: data }));
    const g = await request('GET', `${v1}/objects/shared/from-s3`);
    assert.ok(g.body.equals(data));
    assert.equal(g.headers['ais-checksum-value'], checksumOf('xxhash', data));
  });

  // cmn/objattrs.go ToHeader: one `Ais-Custom-Md: k=v` per custom key on HEAD and GET (what api/object.go
  // SetObjectCustomProps sets), merged unless ?set-new-custom=true.
  test('custom props: PATCH sets them, HEAD and GET return them as Ais-Custom-Md k=v', async () => {
    await createBucket('cprops');
    await put('cprops', 'obj', 'bytes stay');
    assert.equal((await request('PATCH', `${v1}/objects/cprops/obj`, { json: { action: '', value: { color: 'blue', size: 'xl' } } })).status, 200);
    const customOf = (r: Reply) => String(r.headers['ais-custom-md'] ?? '').split(/,\s*/).filter(Boolean).sort();
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj`)), ['color=blue', 'size=xl']);
    const g = await request('GET', `${v1}/objects/cprops/obj`);
    assert.equal(g.body.toString(), 'bytes stay');
    assert.deepEqual(customOf(g), ['color=blue', 'size=xl']);
    await request('PATCH', `${v1}/objects/cprops/obj?set-new-custom=true`, { json: { action: '', value: { shape: 'round' } } });
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj`)), ['shape=round']);
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj?props=custom`)), ['shape=round'], 'HEAD V2 props=custom');
    assert.equal((await request('HEAD', `${v1}/objects/cprops/obj?props=size`)).headers['ais-custom-md'], undefined);
  });
});

// ais/proxy.go httpobjdelete, httpobjpatch and httpobjpost (rename-obj, via redirectAction) answer 307 to the
// object's target like GET/PUT/HEAD do; control requests (buckets, cluster) are served by the proxy.
describe('native API /v1 in redirect mode: every object request goes to the target', () => {
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ redirect: true });
    assert.equal((await request('POST', `${gw.url}/v1/buckets/rd`, { json: { action: 'create-bck' } })).status, 200);
  });
  after(() => gw.dispose());

  test('DELETE, PATCH and POST of an object are 307 to the target (GET 301) and change nothing on the proxy', async () => {
    const target = `${gw.targetUrl}/v1/objects/rd/o`;
    assert.equal((await request('PUT', target, { body: 'kept' })).status, 200);
    for (const [method, json] of [
      ['DELETE', undefined],
      ['PATCH', { action: '', value: { k: 'v' } }],
      ['POST', { action: 'rename-obj', name: 'moved' }],
    ] as const) {
      const r = await request(method, `${gw.url}/v1/objects/rd/o?provider=ais`, json ? { json } : {});
      assert.equal(r.status, 307, method);
      const loc = new URL(String(r.headers.location));
      assert.equal(`${loc.origin}${loc.pathname}`, target, method);
      assert.equal(loc.searchParams.get('provider'), 'ais');
    }
    // GET alone is 301 (ais/proxy.go httpobjget: http.StatusMovedPermanently), to the same place.
    const get = await request('GET', `${gw.url}/v1/objects/rd/o?provider=ais`);
    assert.equal(get.status, 301);
    assert.equal(new URL(String(get.headers.location)).pathname, '/v1/objects/rd/o');
    assert.equal((await request('HEAD', `${gw.url}/v1/objects/rd/o`)).status, 307);
    const head = await request('HEAD', target);
    assert.equal(head.status, 200, 'the 307s deleted and renamed nothing');
    assert.equal(head.headers['ais-custom-md'], undefined, 'and set no props');
  });

  test("the extension's AIS client follows them: custom props, rename, delete", async () => {
    const client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    const bucket = { name: 'rd', provider: 'ais' };
    try {
      await client.putObject(bucket, 'c/one', { open: () => Readable.from([Buffer.from('one')]), size: 3 });
      await client.setObjectMetadata(bucket, 'c/one', { userMeta: { color: 'blue' } });
      assert.equal((await request('HEAD', `${gw.targetUrl}/v1/objects/rd/c/one`)).headers['ais-custom-md'], 'color=blue');
      assert.deepEqual((await client.headObject(bucket, 'c/one')).userMeta, { color: 'blue' });
      await client.renameObject(bucket, 'c/one', 'c/two');
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'c/' })).objects.map((o) => o.key), ['c/two']);
      await client.deleteObject(bucket, 'c/two');
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'c/' })).objects, []);
    } finally {
      client.dispose();
    }
  });
});
