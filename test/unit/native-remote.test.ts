// The `aws` provider as a real remote backend: a second real gateway plays the remote S3 service, the
// gateway under test lists its buckets under `aws`, reads objects through (cold GET, cached, validated)
// and writes through to it. Also: a bare bucket name under two providers is ambiguous, and destroy-bck of an
// aws bucket evicts only the in-cluster copy.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { GatewayError } from '../../src/gateway/errors';
import { s3RemoteOf, startTestGateway, TestGateway } from '../helpers/gateway';
import { request, Reply } from '../helpers/http';
import { assertAisError } from '../helpers/native';
import { pseudoRandomBytes } from '../helpers/data';

const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');
const LsCached = 1;
const EntryIsCached = 64;

function aisError(r: Reply, status: number, pattern?: RegExp): void {
  assert.equal(r.status, status, r.body.toString());
  if (pattern) assert.match((r.json as any).message, pattern);
}

describe('aws provider backed by a second gateway', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  let v1: string;
  const data = pseudoRandomBytes(200_000, 5);

  before(async () => {
    await initChecksums();
    // md5 buckets on the remote: its S3 ETags are then MD5s, which is what cold GET validates against.
    remote = await startTestGateway({ defaultChecksum: 'md5' });
    gw = await startTestGateway({ remote: s3RemoteOf(remote) });
    v1 = `${gw.url}/v1`;
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'big.bin', Body: data }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'docs/readme.txt', Body: 'hello' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'docs/deep/x.txt', Body: 'x' }));
  });
  after(async () => {
    await gw?.dispose();
    await remote?.dispose();
  });

  test('lists the remote buckets under aws, with presence filters', async () => {
    const bcks = (p: string) => request('GET', `${v1}/buckets?${p}`, { json: { action: 'list' } }).then((r) => r.json as any[]);
    assert.deepEqual((await bcks('provider=aws')).filter((b) => b.name === 'cloud'), [{ name: 'cloud', provider: 'aws', namespace: { uuid: '', name: '' } }]);
    assert.ok((await bcks('provider=s3')).some((b) => b.name === 'cloud'), 's3 is aws');
    assert.ok((await bcks('')).some((b) => b.name === 'cloud' && b.provider === 'aws'), 'all providers');
    assert.ok((await bcks('provider=aws&presence=5')).some((b) => b.name === 'cloud'), 'outside the cluster before first access');
    assert.ok(!(await bcks('provider=aws&presence=2')).some((b) => b.name === 'cloud'), 'not present before first access');
    // First access adds it (AIStore adds remote buckets to its metadata on first access).
    const head = await request('HEAD', `${v1}/buckets/cloud?provider=aws`);
    assert.equal(head.status, 200);
    const props = JSON.parse(String(head.headers['ais-bucket-props']));
    assert.equal(props.provider, 'aws');
    assert.ok((await bcks('provider=aws&presence=2')).some((b) => b.name === 'cloud'), 'present after access');
    aisError(await request('HEAD', `${v1}/buckets/nosuch?provider=aws`), 404);
    // The configured backends, as api/cluster.go GetConfiguredBackends reads them, and in the config.
    assert.deepEqual((await request('GET', `${v1}/cluster?what=backends`)).json, ['aws']);
    assert.deepEqual(((await request('GET', `${v1}/cluster?what=cluster_config`)).json as any).backend, { aws: {} });
  });

  test('lists remote objects, marking what is cached; cold GET reads through and caches', async () => {
    const list = async (value: object) =>
      msgpackDecode((await request('GET', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'list', value }, headers: { accept: 'application/msgpack' } })).body) as any;
    let page = await list({ props: 'name,size,checksum' });
    assert.deepEqual(page.Entries.map((e: any) => [e.n, e.s, e.f ?? 0]), [
      ['big.bin', data.length, 0],
      ['docs/deep/x.txt', 1, 0],
      ['docs/readme.txt', 5, 0],
    ]);
    assert.equal((await list({ flags: String(LsCached) })).Entries.length, 0, 'nothing cached yet');

    const g = await request('GET', `${v1}/objects/cloud/big.bin?provider=aws`);
    assert.equal(g.status, 200);
    assert.ok(g.body.equals(data), 'bytes read through');
    assert.equal(g.headers['ais-checksum-type'], 'xxhash', 'cached under the local bucket checksum');
    assert.equal(g.headers['ais-checksum-value'], checksumOf('xxhash', data));

    page = await list({ props: 'name,size,cached' });
    assert.equal(page.Entries.find((e: any) => e.n === 'big.bin').f, EntryIsCached);
    // Names and sizes alone are the remote's page as it is, no cache state (apc.LsoMsg.WantOnlyRemoteProps).
    page = await list({ props: 'name,size' });
    assert.equal(page.Entries.find((e: any) => e.n === 'big.bin').f, undefined);
    assert.deepEqual((await list({ flags: String(LsCached) })).Entries.map((e: any) => e.n), ['big.bin']);
    const head = await request('HEAD', `${v1}/objects/cloud/big.bin?provider=aws`);
    assert.equal(head.headers['ais-present'], 'true');

    // Cached: served even when the remote copy changes underneath (no version check by default), and a
    // Range read of a not-yet-cached object caches the whole object.
    const r = await request('GET', `${v1}/objects/cloud/docs/readme.txt?provider=aws`, { headers: { range: 'bytes=1-3' } });
    assert.equal(r.status, 206);
    assert.equal(r.body.toString(), 'ell');
    assert.deepEqual((await list({ flags: String(LsCached) })).Entries.map((e: any) => e.n), ['big.bin', 'docs/readme.txt']);

    // Evicting drops the cached copy only; the remote keeps the object (api/object.go EvictObject).
    const ev = await request('DELETE', `${v1}/objects/cloud/docs/readme.txt?provider=aws`, { json: { action: 'evict-listrange', name: 'cloud/docs/readme.txt' } });
    assert.equal(ev.status, 200);
    assert.deepEqual((await list({ flags: String(LsCached) })).Entries.map((e: any) => e.n), ['big.bin']);
    assert.equal((await request('GET', `${v1}/objects/cloud/docs/readme.txt?provider=aws`)).body.toString(), 'hello');
    aisError(await request('DELETE', `${v1}/objects/cloud/docs/readme.txt?provider=ais`, { json: { action: 'evict-listrange' } }), 400, /not a remote bucket/);

    // A remote object never read: HEAD answers from the remote, not present here.
    const cold = await request('HEAD', `${v1}/objects/cloud/docs/deep/x.txt?provider=aws`);
    assert.equal(cold.status, 200);
    assert.equal(cold.headers['ais-present'], 'false');
    assert.equal(cold.headers['content-length'], '1');

    // Paging a folder view of the remote bucket (continuation through the remote's listing).
    const names: string[] = [];
    let token = '';
    do {
      const p = await list({ flags: String(2048), pagesize: 1, continuation_token: token });
      names.push(...p.Entries.map((e: any) => e.n));
      token = p.ContinuationToken;
    } while (token);
    assert.deepEqual(names, ['big.bin', 'docs/']);
    const inDocs = await list({ flags: String(2048), prefix: 'docs/', props: 'name,cached' });
    assert.deepEqual(inDocs.Entries.map((e: any) => [e.n, e.f ?? 0]), [['docs/deep/', 256], ['docs/readme.txt', EntryIsCached]]);

    aisError(await request('GET', `${v1}/objects/cloud/missing?provider=aws`), 404, /does not exist/);
    aisError(await request('GET', `${v1}/objects/cloud/missing`), 404, /bucket "ais:\/\/cloud" does not exist/);
  });

  test('writes and deletes go through to the remote', async () => {
    const up = pseudoRandomBytes(150_000, 8);
    const p = await request('PUT', `${v1}/objects/cloud/up/loaded.bin?provider=aws`, {
      body: up,
      headers: { 'Ais-Checksum-Type': 'sha256', 'Ais-Checksum-Value': checksumOf('sha256', up) },
    });
    assert.equal(p.status, 200, p.body.toString());
    const out = await remote.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'up/loaded.bin' }));
    assert.ok(Buffer.from(await out.Body!.transformToByteArray()).equals(up), 'the remote has the bytes');
    assert.equal(out.ETag, `"${md5(up)}"`);

    // A bad checksum reaches neither the cache nor the remote.
    const bad = await request('PUT', `${v1}/objects/cloud/up/bad.bin?provider=aws`, {
      body: up,
      headers: { 'Ais-Checksum-Type': 'md5', 'Ais-Checksum-Value': md5('other') },
    });
    aisError(bad, 400, /BAD DATA CHECKSUM/);
    await assert.rejects(remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: 'up/bad.bin' })), (e: S3ServiceException) => e.$metadata.httpStatusCode === 404);

    assert.equal((await request('DELETE', `${v1}/objects/cloud/up/loaded.bin?provider=aws`)).status, 200);
    await assert.rejects(remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: 'up/loaded.bin' })), (e: S3ServiceException) => e.$metadata.httpStatusCode === 404);
    aisError(await request('GET', `${v1}/objects/cloud/up/loaded.bin?provider=aws`), 404);
    aisError(await request('DELETE', `${v1}/objects/cloud/up/loaded.bin?provider=aws`), 404);

    // Buckets created under aws are created on the remote.
    assert.equal((await request('POST', `${v1}/buckets/made-here?provider=aws`, { json: { action: 'create-bck' } })).status, 200);
    assert.ok((await remote.cluster.findBuckets('made-here')).length === 1);
  });

  test('content type, user metadata and standard headers survive the read-through and the write-through', async () => {
    await remote.s3.send(
      new PutObjectCommand({
        Bucket: 'cloud',
        Key: 'meta.txt',
        Body: 'with metadata',
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
        Metadata: { owner: 'alice' },
      }),
    );
    const ref = { provider: 'aws' as const, name: 'cloud' };
    const cold = await gw.cluster.headObject(ref, 'meta.txt');
    assert.equal(cold.present, false);
    assert.equal(cold.contentType, 'text/plain');
    assert.deepEqual(cold.userMeta, { owner: 'alice' });
    const { stream } = await gw.cluster.getObject(ref, 'meta.txt');
    stream.destroy();
    const cached = await gw.cluster.headObject(ref, 'meta.txt');
    assert.equal(cached.present, true);
    assert.equal(cached.contentType, 'text/plain');
    assert.deepEqual(cached.userMeta, { owner: 'alice' });
    assert.equal(cached.headers?.['cache-control'], 'max-age=60');

    const { Readable } = await import('node:stream');
    const meta = await gw.cluster.putObject(ref, 'written.txt', Readable.from([Buffer.from('written')]), {
      contentType: 'text/markdown',
      userMeta: { team: 'blue' },
      headers: { 'content-disposition': 'attachment' },
    });
    assert.equal(meta.etag, md5('written'), "the remote's ETag");
    const out = await remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: 'written.txt' }));
    assert.equal(out.ContentType, 'text/markdown');
    assert.deepEqual(out.Metadata, { team: 'blue' });
    assert.equal(out.ContentDisposition, 'attachment');
  });

  test("the remote's ETag is the object's ETag for S3 clients, cached or not, read or written here", async () => {
    const etagOf = async (key: string) => {
      const listed = (await gw.s3.send(new ListObjectsV2Command({ Bucket: 'cloud', Prefix: key }))).Contents?.find((o) => o.Key === key)?.ETag;
      const head = (await gw.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: key }))).ETag;
      return { listed, head };
    };
    const body = pseudoRandomBytes(30_000, 21);
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'tag.bin', Body: body }));
    const want = `"${md5(body)}"`;
    assert.deepEqual(await etagOf('tag.bin'), { listed: want, head: want }, 'not cached yet');
    const got = await gw.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'tag.bin' }));
    assert.equal(got.ETag, want, 'the cold GET');
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
    assert.deepEqual(await etagOf('tag.bin'), { listed: want, head: want }, 'cached (under an xxhash bucket)');

    const written = pseudoRandomBytes(20_000, 22);
    const put = await gw.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'tag2.bin', Body: written }));
    assert.equal(put.ETag, `"${md5(written)}"`);
    assert.deepEqual(await etagOf('tag2.bin'), { listed: put.ETag, head: put.ETag }, 'written through');
    const back = await gw.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'tag2.bin', IfMatch: put.ETag }));
    assert.ok(Buffer.from(await back.Body!.transformToByteArray()).equals(written), 'If-Match with the ETag PUT returned');
  });

  test('validate_cold_get refuses bytes that do not match the remote MD5, and caches nothing', async () => {
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'rotten', Body: data }));
    // Rot the remote's copy on disk: it still claims the original MD5 as its ETag.
    const file = path.join(remote.dataDir, 'buckets', 'ais', 'cloud', 'objects');
    const name = crypto.createHash('sha256').update('rotten').digest('hex');
    const fd = fs.openSync(path.join(file, name.slice(0, 2), name), 'r+');
    fs.writeSync(fd, Buffer.from([data[0] ^ 0xff]), 0, 1, 0);
    fs.closeSync(fd);

    const r = await request('GET', `${v1}/objects/cloud/rotten?provider=aws`);
    assert.equal(r.status, 502, r.body.toString());
    assert.match((r.json as any).message, /BAD DATA CHECKSUM/);
    const cached = (await request('GET', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'list', value: { flags: String(LsCached) } } })).json as any;
    assert.ok(!cached.entries.some((e: any) => e.name === 'rotten'), 'nothing cached');

    // Without validation the same read succeeds (so it was the validation that refused it).
    const off = await request('PATCH', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'set-bprops', value: { checksum: { validate_cold_get: false } } } });
    assert.equal(off.status, 200);
    const g = await request('GET', `${v1}/objects/cloud/rotten?provider=aws`);
    assert.equal(g.status, 200);
    assert.equal(g.body[0], data[0] ^ 0xff);
    await request('PATCH', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'set-bprops', value: { checksum: { validate_cold_get: true } } } });
  });

  test('validate_warm_get: a rotten cached copy is dropped and read through again from the remote', async () => {
    const fresh = pseudoRandomBytes(40_000, 12);
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'warm.bin', Body: fresh }));
    assert.ok((await request('GET', `${v1}/objects/cloud/warm.bin?provider=aws`)).body.equals(fresh));
    const h = crypto.createHash('sha256').update('warm.bin').digest('hex');
    const fd = fs.openSync(path.join(gw.dataDir, 'buckets', 'aws', 'cloud', 'objects', h.slice(0, 2), h), 'r+');
    fs.writeSync(fd, Buffer.from([fresh[0] ^ 0x0f]), 0, 1, 0);
    fs.closeSync(fd);
    assert.equal((await request('GET', `${v1}/objects/cloud/warm.bin?provider=aws`)).body[0], fresh[0] ^ 0x0f, 'the cache serves its copy unchecked');
    await request('PATCH', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'set-bprops', value: { checksum: { validate_warm_get: true } } } });
    const g = await request('GET', `${v1}/objects/cloud/warm.bin?provider=aws`);
    assert.equal(g.status, 200);
    assert.ok(g.body.equals(fresh), 'recovered from the remote');
    await request('PATCH', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'set-bprops', value: { checksum: { validate_warm_get: false } } } });
    assert.ok((await request('GET', `${v1}/objects/cloud/warm.bin?provider=aws`)).body.equals(fresh), 'and the cache now holds good bytes');
  });

  test('a bare name under two providers is ambiguous; under one it resolves', async () => {
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'twin' }));
    assert.equal((await request('POST', `${v1}/buckets/twin?provider=ais`, { json: { action: 'create-bck' } })).status, 200);
    await assert.rejects(gw.cluster.resolveBucket('twin'), (e: GatewayError) => {
      assert.equal(e.status, 404);
      assert.equal(e.code, 'AmbiguousBucketName');
      assert.match(e.message, /ambiguous bucket name "twin": matches ais:\/\/twin, s3:\/\/twin/);
      return true;
    });
    assert.deepEqual(await gw.cluster.resolveBucket('cloud'), { provider: 'aws', name: 'cloud' });
    assert.equal((await request('POST', `${v1}/buckets/solo?provider=ais`, { json: { action: 'create-bck' } })).status, 200);
    assert.deepEqual(await gw.cluster.resolveBucket('solo'), { provider: 'ais', name: 'solo' });
    await assert.rejects(gw.cluster.resolveBucket('nowhere'), (e: GatewayError) => e.code === 'NoSuchBucket');
    // Creating through the S3 API a name that another provider already has is refused, naming it.
    await assert.rejects(gw.cluster.createBucket({ provider: 'ais', name: 'cloud' }, {}, { unique: true }), (e: GatewayError) => {
      assert.equal(e.code, 'BucketAlreadyExists');
      assert.match(e.message, /s3:\/\/cloud/);
      return true;
    });
  });

  test('an unreachable remote fails aws requests with a clear error and leaves ais buckets usable', async () => {
    const offline = await startTestGateway({ remote: { endpoint: 'http://127.0.0.1:1/s3', accessKey: 'k', secretKey: 's' } });
    try {
      const base = `${offline.url}/v1`;
      assert.equal((await request('POST', `${base}/buckets/local`, { json: { action: 'create-bck' } })).status, 200);
      assert.deepEqual(await offline.cluster.resolveBucket('local'), { provider: 'ais', name: 'local' });
      assert.equal((await request('PUT', `${base}/objects/local/k`, { body: 'v' })).status, 200);
      const r = await request('GET', `${base}/buckets?provider=aws`, { json: { action: 'list' } });
      assert.equal(r.status, 502);
      assert.match((r.json as any).message, /aws-error\[.*127\.0\.0\.1:1/);
    } finally {
      await offline.dispose();
    }
  });

  test('without a remote, the aws provider is a clear error', async () => {
    const lone = await startTestGateway();
    try {
      const r = await request('GET', `${lone.url}/v1/buckets?provider=aws`, { json: { action: 'list' } });
      aisError(r, 400, /aws backend is missing/);
    } finally {
      await lone.dispose();
    }
  });
});

// ais/proxy.go httpbckdelete + ais/tgttxn.go destroyBucket: destroy-bck of a remote bucket evicts it from the
// cluster completely; the cloud bucket and its objects stay (there is no backend call to delete a bucket).
describe('native destroy-bck of an aws bucket', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    remote = await startTestGateway();
    gw = await startTestGateway({ remote: s3RemoteOf(remote) });
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'keepme' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'keepme', Key: 'k', Body: 'remote bytes' }));
  });
  after(async () => {
    await gw?.dispose();
    await remote?.dispose();
  });

  test('evicts the in-cluster copy and leaves the remote bucket and objects alone', async () => {
    const v1 = `${gw.url}/v1`;
    assert.equal((await request('GET', `${v1}/objects/keepme/k?provider=aws`)).body.toString(), 'remote bytes', 'cold GET caches it');
    const present = async () => (await request('GET', `${v1}/buckets?provider=aws&presence=2`, { json: { action: 'list' } })).json as any[];
    assert.deepEqual((await present()).map((b) => b.name), ['keepme']);
    assert.equal((await request('DELETE', `${v1}/buckets/keepme?provider=aws`, { json: { action: 'destroy-bck' } })).status, 200);
    assert.deepEqual(await present(), [], 'no longer in the cluster');
    const out = await remote.s3.send(new GetObjectCommand({ Bucket: 'keepme', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'remote bytes', 'the remote object is still there');
    assertAisError(await request('DELETE', `${v1}/buckets/nosuchremote?provider=aws`, { json: { action: 'destroy-bck' } }), 404);
  });

  // ais/proxy.go _checkObjMv: rename-obj is for ais buckets; a remote one is ErrUnsupp (501), nothing moves.
  test('rename-obj in a remote bucket is refused (501) and moves nothing', async () => {
    const v1 = `${gw.url}/v1`;
    const e = assertAisError(await request('POST', `${v1}/objects/keepme/k?provider=aws`, { json: { action: 'rename-obj', name: 'k2' } }), 501, /not supported for remote buckets \(s3:\/\/keepme\)/);
    assert.equal(e.tcode, 'ErrUnsupp');
    const out = await remote.s3.send(new GetObjectCommand({ Bucket: 'keepme', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'remote bytes');
  });
});
