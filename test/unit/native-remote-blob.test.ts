// Large remote objects and an unreachable remote, driven by the requests AIStore's Python SDK sends (named
// at each; python/aistore/sdk): blob-download of a ~20 MB object in parallel ranges, byte-exact and never
// visible half-written; prefetch with a blob-threshold; a prefetch while the remote is stopped ends with
// a clear error and loses nothing already cached, and evicting then needs no remote at all.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { LS } from '../../src/common/aisapi';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, startNativeGateway, waitForJob } from '../helpers/native';
import { pseudoRandomBytes } from '../helpers/data';
import { countingProxy, CountingProxy } from '../helpers/servers';
import { removeDir } from '../helpers/temp';

/** sdk/types.py JobArgs.as_dict(). */
const jobArgs = (id: string, kind = '') => ({ ID: id, Kind: kind, DaemonID: '', Bck: null, Buckets: null });

/** sdk/bucket.py Bucket.list_objects(flags=[CACHED]) as JSON: the names of the cached copies. */
async function cachedNames(v1: string, bucket: string): Promise<string[]> {
  const value = { prefix: '', pagesize: 0, uuid: '', props: '', continuation_token: '', flags: String(LS.cached), target: '' };
  const r = await request('GET', `${v1}/buckets/${bucket}?provider=aws`, { json: { action: 'list', name: '', value } });
  assert.equal(r.status, 200, r.body.toString());
  return ((r.json as any).entries ?? []).map((e: any) => e.name);
}

/** sdk/job.py Job.get_details(): the job's one snap (qryxstats). */
async function snapOf(v1: string, id: string): Promise<any> {
  const r = await request('GET', `${v1}/cluster?what=qryxstats`, { json: jobArgs(id) });
  assert.equal(r.status, 200, r.body.toString());
  return Object.values(r.json as Record<string, any[]>)[0][0];
}

describe('blob-download and prefetch of large remote objects', () => {
  let remote: TestGateway;
  let proxy: CountingProxy;
  let gw: TestGateway;
  let v1: string;
  /** The Range headers of the GETs that reached the remote. */
  const ranges: string[] = [];
  const big = pseudoRandomBytes(20 * 1024 * 1024 + 12345, 77);
  const mid = pseudoRandomBytes(3 * 1024 * 1024 + 7, 78);

  before(async () => {
    ({ gw: remote } = await startNativeGateway({ defaultChecksum: 'md5' }));
    proxy = await countingProxy(remote.url, (req) => {
      if (req.method === 'GET' && req.headers.range) ranges.push(`${decodeURIComponent(req.url!.split('?')[0])} ${req.headers.range}`);
      return false;
    });
    ({ gw, v1 } = await startNativeGateway({ remote: { endpoint: `${proxy.url}/s3`, accessKey: 'test', secretKey: 'test' } }));
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'blobs/big.bin', Body: big }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'blobs/mid.bin', Body: mid }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'blobs/small.txt', Body: 'small' }));
  });
  after(async () => {
    await gw?.dispose();
    await proxy?.close();
    await remote?.dispose();
  });

  /** sdk/obj/object.py Object.blob_download(chunk_size, num_workers, latest): POST /v1/objects/BUCKET, the name in the ActionMsg. */
  const blobDownload = (key: string, value: Record<string, unknown> = { 'latest-ver': false }) =>
    request('POST', `${v1}/objects/cloud?provider=aws`, { json: { action: 'blob-download', name: key, value } });

  test('blob-download of a ~20 MB object: parallel ranges, byte-exact, never visible half-written', async () => {
    ranges.length = 0;
    const r = await blobDownload('blobs/big.bin', { 'latest-ver': false, 'chunk-size': 1024 * 1024, 'num-workers': 4 });
    assert.equal(r.status, 200, r.body.toString());
    const id = r.body.toString();
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{8,}$/);

    // sdk/job.py Job.wait() for blob-download: wait_single_node, the snaps until one has ended. Meanwhile
    // the object is either absent or whole.
    let snap = await snapOf(v1, id);
    let sawRunning = false;
    while (snap['end-time'] === '0001-01-01T00:00:00Z') {
      sawRunning = true;
      const head = await request('HEAD', `${v1}/objects/cloud/blobs/big.bin?provider=aws`);
      if (head.headers['ais-present'] === 'true') assert.equal(head.headers['content-length'], String(big.length), 'no partial object');
      else assert.equal(head.headers['ais-present'], 'false');
      await new Promise((resolve) => setTimeout(resolve, 5));
      snap = await snapOf(v1, id);
    }
    assert.ok(sawRunning, 'the job was seen running');
    assert.deepEqual([snap.kind, snap.err, snap.aborted, snap.stats['loc-objs'], snap.stats['loc-bytes']], ['blob-download', '', false, '1', String(big.length)]);
    assert.equal((await waitForJob(v1, id)).err, '');

    // 21 ranges of 1 MiB (the last one short), each asked once.
    const asked = ranges.filter((x) => x.startsWith('/s3/cloud/blobs/big.bin '));
    assert.equal(asked.length, Math.ceil(big.length / (1024 * 1024)), asked.join('\n'));
    assert.ok(asked.includes(`/s3/cloud/blobs/big.bin bytes=0-${1024 * 1024 - 1}`), asked[0]);
    assert.ok(asked.includes(`/s3/cloud/blobs/big.bin bytes=${20 * 1024 * 1024}-${big.length - 1}`));

    assert.deepEqual(await cachedNames(v1, 'cloud'), ['blobs/big.bin']);
    const got = await request('GET', `${v1}/objects/cloud/blobs/big.bin?provider=aws`);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(big), 'byte-exact');

    // In the cluster already: nothing to do (200, no job id); the remote's object missing: 404; an ais bucket: 400.
    const again = await blobDownload('blobs/big.bin');
    assert.deepEqual([again.status, again.body.length], [200, 0]);
    assertAisError(await blobDownload('blobs/nope.bin'), 404, /s3:\/\/cloud\/blobs\/nope\.bin does not exist/);
    assertAisError(await blobDownload(''), 400, /object name is missing/);
    assert.equal((await request('POST', `${v1}/buckets/local?provider=ais`, { json: { action: 'create-bck' } })).status, 200);
    const ais = await request('POST', `${v1}/objects/local?provider=ais`, { json: { action: 'blob-download', name: 'x', value: {} } });
    assertAisError(ais, 400, /^blob-download: expecting remote bucket \(have ais:\/\/local\)$/);
  });

  test('blob-download with latest-ver reads the new version of a changed object; stopping it leaves the old copy', async () => {
    const newer = Buffer.from(big);
    newer.write('a newer version', 5 * 1024 * 1024);
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'blobs/big.bin', Body: newer }));

    // Stopped at once (sdk/job.py Job.abort(): PUT /v1/cluster {"action": "stop"}): the old copy stays whole.
    const stopped = await blobDownload('blobs/big.bin', { 'latest-ver': true, 'chunk-size': 64 * 1024, 'num-workers': 1 });
    assert.equal(stopped.status, 200);
    const sid = stopped.body.toString();
    assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', name: '', value: jobArgs(sid) } })).status, 200);
    const st = await waitForJob(v1, sid);
    assert.equal(st.aborted, true);
    // Its last range GETs wind down before it ends; the next download is then a fresh one.
    while ((await waitForJob(v1, sid)).end_time === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok((await request('GET', `${v1}/objects/cloud/blobs/big.bin?provider=aws`)).body.equals(big), 'the old copy, untouched');

    const r = await blobDownload('blobs/big.bin', { 'latest-ver': true, 'chunk-size': 4 * 1024 * 1024 });
    assert.equal(r.status, 200);
    assert.equal((await waitForJob(v1, r.body.toString())).err, '');
    assert.ok((await request('GET', `${v1}/objects/cloud/blobs/big.bin?provider=aws`)).body.equals(newer), 'the new version');
  });

  test('prefetch with a blob-threshold reads the objects at or above it in ranges, the rest whole', async () => {
    ranges.length = 0;
    // sdk/multiobj/object_group.py ObjectGroup.prefetch(blob_threshold=...): PrefetchMsg.as_dict() with blob-threshold.
    const value = { objnames: ['blobs/mid.bin', 'blobs/small.txt'], coer: false, 'latest-ver': false, 'blob-threshold': 2 * 1024 * 1024 };
    const r = await request('POST', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'prefetch-listrange', name: '', value } });
    assert.equal(r.status, 200, r.body.toString());
    const id = r.body.toString();
    const st = await waitForJob(v1, id);
    assert.equal(st.err, '');
    const snap = await snapOf(v1, id);
    assert.deepEqual([snap.stats['loc-objs'], snap.stats['loc-bytes']], ['2', String(mid.length + 5)]);
    assert.match(snap.ctlmsg, /cfg\(list:\[blobs\/mid\.bin blobs\/small\.txt\], blob-threshold:2MiB\)/);
    // The 3 MiB object in 4 MiB chunks is one range (bytes=0-...); the small one was read whole (no Range).
    assert.deepEqual(ranges, [`/s3/cloud/blobs/mid.bin bytes=0-${mid.length - 1}`]);
    assert.ok((await request('GET', `${v1}/objects/cloud/blobs/mid.bin?provider=aws`)).body.equals(mid));
    assert.equal((await request('GET', `${v1}/objects/cloud/blobs/small.txt?provider=aws`)).body.toString(), 'small');
  });
});

describe('a remote that stops answering', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  let v1: string;
  let remoteDir = '';

  before(async () => {
    remote = await startTestGateway({ defaultChecksum: 'md5' });
    remoteDir = remote.dataDir;
    ({ gw, v1 } = await startNativeGateway({ remote: { endpoint: remote.s3Endpoint, accessKey: 'test', secretKey: 'test' } }));
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'flaky' }));
    for (let i = 0; i < 6; i++) await remote.s3.send(new PutObjectCommand({ Bucket: 'flaky', Key: `f-${i}`, Body: `bytes of f-${i}` }));
  });
  after(async () => {
    await gw?.dispose();
    removeDir(remoteDir);
  });

  const prefetch = (value: object) =>
    request('POST', `${v1}/buckets/flaky?provider=aws`, { json: { action: 'prefetch-listrange', name: '', value: { ...value, coer: false, 'latest-ver': false } } });

  test('a prefetch while the remote is stopped ends with a clear error and loses nothing cached; evict needs no remote', async () => {
    const first = await prefetch({ template: 'f-{0..2}' });
    assert.equal((await waitForJob(v1, first.body.toString())).err, '');
    assert.deepEqual(await cachedNames(v1, 'flaky'), ['f-0', 'f-1', 'f-2']);

    remote.s3.destroy();
    await remote.close(); // the remote's port now refuses connections

    // A template (the names one by one), and latest-ver over what is cached: each ends with the error.
    for (const value of [{ template: 'f-{0..5}' }, { objnames: ['f-0', 'f-1'], 'latest-ver': true }]) {
      const r = await request('POST', `${v1}/buckets/flaky?provider=aws`, { json: { action: 'prefetch-listrange', name: '', value: { coer: false, 'latest-ver': false, ...value } } });
      assert.equal(r.status, 200, r.body.toString());
      const st = await waitForJob(v1, r.body.toString());
      assert.equal(st.aborted, false);
      assert.match(st.err, /^prefetch s3:\/\/flaky\/f-\d: aws-error\[\w+: cannot reach http:\/\/127\.0\.0\.1:\d+\/s3/, st.err);
    }
    // A prefix walk lists the remote first: the listing's error.
    const all = await prefetch({ template: '' });
    const st = await waitForJob(v1, all.body.toString());
    assert.match(st.err, /^list-objects s3:\/\/flaky: aws-error\[\w+: cannot reach/, st.err);

    // Nothing cached was lost: listed and read from the cluster alone.
    assert.deepEqual(await cachedNames(v1, 'flaky'), ['f-0', 'f-1', 'f-2']);
    for (let i = 0; i < 3; i++) assert.equal((await request('GET', `${v1}/objects/flaky/f-${i}?provider=aws`)).body.toString(), `bytes of f-${i}`);

    // Evict never touches the remote: by names, by template, and the whole bucket with keep_bck_md.
    const ev = await request('DELETE', `${v1}/buckets/flaky?provider=aws`, { json: { action: 'evict-listrange', name: '', value: { objnames: ['f-0'] } } });
    assert.equal(ev.status, 200, ev.body.toString());
    assert.equal((await waitForJob(v1, ev.body.toString())).err, '');
    const evt = await request('DELETE', `${v1}/buckets/flaky?provider=aws`, { json: { action: 'evict-listrange', name: '', value: { template: 'f-{1..1}' } } });
    assert.equal((await waitForJob(v1, evt.body.toString())).err, '');
    assert.deepEqual(await cachedNames(v1, 'flaky'), ['f-2']);
    const keep = await request('DELETE', `${v1}/buckets/flaky?provider=aws&keep_bck_md=true`, { json: { action: 'evict-remote-bck' } });
    assert.equal(keep.status, 200, keep.body.toString());
    assert.deepEqual(await cachedNames(v1, 'flaky'), []);
  });
});
