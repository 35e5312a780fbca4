// A remote (aws) bucket's cache state on the gateway, driven by the requests AIStore's Python SDK sends
// (named at each; python/aistore/sdk): the list flags LsCached, LsNotCached, LsDiff and props=cached
// before and after prefetch and evict, LsDiff once the remote object is overwritten or deleted, prefetch
// by template waited on with what=status, evict, evict-remote-bck with and without keep_bck_md, and a
// GET of the latest version. A second real gateway plays the cloud.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ENTRY, LS } from '../../src/common/aisapi';
import { s3RemoteOf, TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, startNativeGateway, waitForJob } from '../helpers/native';

/** sdk/types.py JobArgs.as_dict(). */
const jobArgs = (id: string, kind = '') => ({ ID: id, Kind: kind, DaemonID: '', Bck: null, Buckets: null });
const bodyOf = (name: string, gen = 1) => Buffer.from(`${name} generation ${gen} `.repeat(20 + name.length));

interface Entry {
  name: string;
  flags: number;
  size?: number;
  custom?: string;
}

describe('aws bucket cache state: list flags, prefetch, evict, latest version', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  let v1: string;
  const names = Array.from({ length: 10 }, (_, i) => `obj-${String(i).padStart(2, '0')}`);

  before(async () => {
    // md5 buckets on the remote: its ETags are MD5s, which cold GETs validate against.
    ({ gw: remote } = await startNativeGateway({ defaultChecksum: 'md5' }));
    ({ gw, v1 } = await startNativeGateway({ remote: s3RemoteOf(remote) }));
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud' }));
    for (const n of [...names, 'docs/a.txt']) await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: n, Body: bodyOf(n) }));
  });
  after(async () => {
    await gw?.dispose();
    await remote?.dispose();
  });

  /**
   * sdk/bucket.py Bucket.list_objects(): GET /v1/buckets/NAME with ListObjectsMsg.as_dict() (flags a decimal
   * string) and Accept: application/msgpack; `json` reads the JSON reply instead (api/ls.go without msgpack).
   */
  async function list(bucket: string, flags: number, props = '', opts: { json?: boolean; prefix?: string; provider?: string } = {}): Promise<Entry[]> {
    const value = { prefix: opts.prefix ?? '', pagesize: 0, uuid: '', props, continuation_token: '', flags: String(flags), target: '' };
    const r = await request('GET', `${v1}/buckets/${bucket}?provider=${opts.provider ?? 'aws'}`, {
      json: { action: 'list', name: '', value },
      headers: opts.json ? {} : { accept: 'application/msgpack' },
    });
    assert.equal(r.status, 200, r.body.toString());
    if (opts.json) return ((r.json as any).entries ?? []).map((e: any) => ({ name: e.name, flags: e.flags ?? 0, size: e.size && Number(e.size), custom: e['custom-md'] }));
    assert.equal(r.headers['content-type'], 'application/msgpack');
    return ((msgpackDecode(r.body) as any).Entries ?? []).map((e: any) => ({ name: e.n, flags: e.f ?? 0, size: e.s, custom: e.m }));
  }
  const namesOf = (entries: Entry[]) => entries.map((e) => e.name);
  const flagsOf = (entries: Entry[]) => Object.fromEntries(entries.map((e) => [e.name, e.flags]));

  /** sdk/multiobj/object_group.py ObjectGroup.prefetch(): POST ActionMsg {prefetch-listrange, PrefetchMsg.as_dict()}. */
  async function prefetch(selection: object, opts: { latest?: boolean; blobThreshold?: number } = {}): Promise<string> {
    const value: Record<string, unknown> = { ...selection, coer: false, 'latest-ver': !!opts.latest };
    if (opts.blobThreshold) value['blob-threshold'] = opts.blobThreshold;
    const r = await request('POST', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'prefetch-listrange', name: '', value } });
    assert.equal(r.status, 200, r.body.toString());
    return r.body.toString();
  }

  /** sdk/multiobj/object_group.py ObjectGroup.evict(): DELETE ActionMsg {evict-listrange, object selection}. */
  async function evict(selection: object): Promise<string> {
    const r = await request('DELETE', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'evict-listrange', name: '', value: selection } });
    assert.equal(r.status, 200, r.body.toString());
    return r.body.toString();
  }

  /** sdk/job.py Job.wait() for a terminal kind: Job.status() (what=status) until end_time; then the job's snap (qryxstats). */
  async function waitDone(id: string): Promise<{ err: string; objs: number; bytes: number; kind: string }> {
    const status = await waitForJob(v1, id);
    const snaps = (await request('GET', `${v1}/cluster?what=qryxstats`, { json: jobArgs(id) })).json as Record<string, any[]>;
    const [snap] = Object.values(snaps)[0];
    return { err: status.err, objs: Number(snap.stats['loc-objs']), bytes: Number(snap.stats['loc-bytes']), kind: status.kind };
  }

  /** sdk/obj/object.py Object.get_reader(latest=...): GET /v1/objects/B/O (?latest-ver=true). */
  const get = (key: string, query = '') => request('GET', `${v1}/objects/cloud/${key}?provider=aws${query}`);
  const remoteHas = async (key: string) => (await remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: key }))).ContentLength;

  test('list flags before and after a prefetch by template and an evict, as JSON and msgpack', async () => {
    // Nothing cached yet: LsCached lists nothing, LsNotCached everything, props=cached flags nothing.
    assert.deepEqual(await list('cloud', LS.cached), []);
    assert.deepEqual(namesOf(await list('cloud', LS.notCached)), ['docs/a.txt', ...names]);
    assert.deepEqual(Object.values(flagsOf(await list('cloud', 0, 'name,size,cached'))), Array(11).fill(0));

    const id = await prefetch({ template: 'obj-{00..04}' });
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{8,}$/, 'the job id as the whole body');
    const done = await waitDone(id);
    assert.deepEqual([done.kind, done.err, done.objs], ['prefetch-listrange', '', 5]);
    assert.equal(done.bytes, names.slice(0, 5).reduce((n, k) => n + bodyOf(k).length, 0));

    for (const json of [false, true]) {
      const cached = await list('cloud', LS.cached, '', { json });
      assert.deepEqual(namesOf(cached), names.slice(0, 5), `LsCached (json: ${json})`);
      assert.ok(cached.every((e) => e.flags === ENTRY.isCached && e.size === bodyOf(e.name).length));
      assert.deepEqual(namesOf(await list('cloud', LS.notCached, '', { json })), ['docs/a.txt', ...names.slice(5)], `LsNotCached (json: ${json})`);
      // props=cached: EntryIsCached on each cached entry, and only there.
      const flags = flagsOf(await list('cloud', 0, 'name,cached', { json }));
      assert.deepEqual(flags, { 'docs/a.txt': 0, ...Object.fromEntries(names.map((n, i) => [n, i < 5 ? ENTRY.isCached : 0])) });
      // No props: names and sizes, the remote's page as it is (apc.LsoMsg.WantOnlyRemoteProps): no cache state.
      assert.ok((await list('cloud', 0, '', { json })).every((e) => e.flags === 0 && e.size === bodyOf(e.name).length));
    }
    // The prefetched copies are read from the cluster: the GET is served with the remote's bytes.
    assert.ok((await get('obj-03')).body.equals(bodyOf('obj-03')));

    // A second prefetch of the same has nothing to do: it counts nothing.
    assert.equal((await waitDone(await prefetch({ template: 'obj-{00..04}' }))).objs, 0);

    // Evict by names, one of them not cached: not an error; the remote keeps every object.
    const ev = await waitDone(await evict({ objnames: ['obj-00', 'obj-01', 'obj-07'] }));
    assert.deepEqual([ev.kind, ev.err, ev.objs], ['evict-listrange', '', 2]);
    assert.deepEqual(namesOf(await list('cloud', LS.cached)), ['obj-02', 'obj-03', 'obj-04']);
    assert.deepEqual(namesOf(await list('cloud', LS.notCached, '', { json: true })), ['docs/a.txt', 'obj-00', 'obj-01', ...names.slice(5)]);
    for (const n of ['obj-00', 'obj-01', 'obj-07']) assert.equal(await remoteHas(n), bodyOf(n).length, `the remote still has ${n}`);

    // Evict by template.
    assert.equal((await waitDone(await evict({ template: 'obj-{02..03}' }))).err, '');
    assert.deepEqual(namesOf(await list('cloud', LS.cached)), ['obj-04']);
    // A cold GET leaves the object cached.
    assert.ok((await get('obj-06')).body.equals(bodyOf('obj-06')));
    assert.deepEqual(namesOf(await list('cloud', LS.cached)), ['obj-04', 'obj-06']);
    await waitDone(await evict({ template: '' })); // the whole bucket
    assert.deepEqual(await list('cloud', LS.cached), []);
  });

  test('prefetch and evict refuse an ais bucket; a listed name the remote lacks is a prefetch error, a templated one is not', async () => {
    assert.equal((await request('POST', `${v1}/buckets/local?provider=ais`, { json: { action: 'create-bck' } })).status, 200);
    const pf = await request('POST', `${v1}/buckets/local?provider=ais`, { json: { action: 'prefetch-listrange', value: { template: 'x', coer: false, 'latest-ver': false } } });
    assertAisError(pf, 400, /^prefetch-listrange: expecting remote bucket \(have ais:\/\/local\)$/);
    const ev = await request('DELETE', `${v1}/buckets/local?provider=ais`, { json: { action: 'evict-listrange', value: { template: 'x' } } });
    assertAisError(ev, 400, /^evict-remote-bck: expecting remote bucket \(have ais:\/\/local\)$/);
    assertAisError(await request('POST', `${v1}/buckets/nosuch?provider=aws`, { json: { action: 'prefetch-listrange', value: { template: 'x' } } }), 404);

    const listed = await waitDone(await prefetch({ objnames: ['obj-08', 'missing-1'] }));
    assert.equal(listed.objs, 1);
    assert.match(listed.err, /s3:\/\/cloud\/missing-1 does not exist/);
    const templated = await waitDone(await prefetch({ template: 'missing-{1..3}' }));
    assert.deepEqual([templated.err, templated.objs], ['', 0]);
    await waitDone(await evict({ objnames: ['obj-08'] }));
  });

  test('LsDiff after the remote object is overwritten and after it is deleted; the 400s AIStore answers', async () => {
    const keys = ['d-same', 'd-changed', 'd-resized', 'd-gone'];
    for (const k of keys) await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: k, Body: bodyOf(k) }));
    assert.equal((await waitDone(await prefetch({ objnames: keys }))).objs, 4);
    // Same size, other bytes (a new ETag); another size; gone.
    const changed = Buffer.from(bodyOf('d-changed').toString().replace(/generation 1/g, 'generation 2'));
    assert.equal(changed.length, bodyOf('d-changed').length);
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'd-changed', Body: changed }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'd-resized', Body: bodyOf('d-resized', 22) }));
    await remote.s3.send(new DeleteObjectCommand({ Bucket: 'cloud', Key: 'd-gone' }));

    for (const json of [false, true]) {
      const diff = await list('cloud', LS.diff, 'name,size,custom', { json, prefix: 'd-' });
      assert.deepEqual(flagsOf(diff), {
        'd-changed': ENTRY.isCached | ENTRY.verChanged,
        'd-gone': ENTRY.isCached | ENTRY.verRemoved,
        'd-resized': ENTRY.isCached | ENTRY.verChanged,
        'd-same': ENTRY.isCached,
      }, `LsDiff (json: ${json})`);
      // The copy's size is listed (the cluster's), the custom-md is the remote's listing.
      assert.equal(diff.find((e) => e.name === 'd-resized')!.size, bodyOf('d-resized').length);
      assert.equal(diff.find((e) => e.name === 'd-gone')!.size, bodyOf('d-gone').length);
      assert.match(diff.find((e) => e.name === 'd-same')!.custom!, /^\[ETag:[0-9a-f]{32} LastModified:\S+\]$/);
    }
    // Without LsDiff a changed size still shows (wanted_lso.go setWanted), a same-size change does not,
    // and the copy the remote no longer lists is not listed.
    assert.deepEqual(flagsOf(await list('cloud', 0, 'name,size,cached', { prefix: 'd-' })), {
      'd-changed': ENTRY.isCached,
      'd-resized': ENTRY.isCached | ENTRY.verChanged,
      'd-same': ENTRY.isCached,
    });
    assert.deepEqual(namesOf(await list('cloud', LS.cached, '', { prefix: 'd-' })), ['d-changed', 'd-gone', 'd-resized', 'd-same']);

    // ais/plstcx.go _checkVerChanged and _lsofc: all 400s.
    const refused = async (flags: number, props: string, provider: string, pattern: RegExp) => {
      const r = await request('GET', `${v1}/buckets/${provider === 'ais' ? 'local' : 'cloud'}?provider=${provider}`, { json: { action: 'list', value: { props, flags: String(flags) } } });
      assertAisError(r, 400, pattern);
    };
    await refused(LS.diff, 'name,size', 'aws', /cannot perform remote versions check \(or diff vs remote bucket\) without listing "custom" \(object property\)/);
    await refused(LS.diff | LS.cached, 'name,custom', 'aws', /when apc.LsCached \(CLI '--cached'\) is set/);
    await refused(LS.diff | LS.notCached, 'name,custom', 'aws', /when apc.LsNotCached \(CLI '--not-cached'\) is set/);
    await refused(LS.diff, 'name,custom', 'ais', /bucket ais:\/\/local does not provide remote versioning info/);
    await refused(LS.notCached, '', 'ais', /^ais:\/\/local is not a remote bucket - cannot list 'not cached' objects$/);

    // A GET serves the copy as it is; with latest-ver, the remote's new version (and caches it).
    assert.ok((await get('d-changed')).body.equals(bodyOf('d-changed')), 'the cached copy, unchecked');
    const latest = await get('d-changed', '&latest-ver=true');
    assert.equal(latest.status, 200);
    assert.ok(latest.body.equals(changed), 'latest-ver reads the new version');
    assert.ok((await get('d-changed')).body.equals(changed), 'and keeps it');
    assert.ok((await get('d-resized', '&latest-ver=true')).body.equals(bodyOf('d-resized', 22)));
    assert.ok((await get('d-same', '&latest-ver=true')).body.equals(bodyOf('d-same')));
    assert.deepEqual(flagsOf(await list('cloud', LS.diff, 'name,size,custom', { prefix: 'd-' })), {
      'd-changed': ENTRY.isCached,
      'd-gone': ENTRY.isCached | ENTRY.verRemoved,
      'd-resized': ENTRY.isCached,
      'd-same': ENTRY.isCached,
    });
    // Gone remotely: latest-ver is a 404 and keeps the copy; with synchronize it removes the copy too.
    assert.ok((await get('d-gone')).body.equals(bodyOf('d-gone')), 'without latest-ver, the copy');
    assertAisError(await get('d-gone', '&latest-ver=true'), 404, /s3:\/\/cloud\/d-gone does not exist/);
    assert.ok(namesOf(await list('cloud', LS.cached, '', { prefix: 'd-' })).includes('d-gone'));
    assertAisError(await get('d-gone', '&latest-ver=true&synchronize=true'), 404);
    assert.deepEqual(namesOf(await list('cloud', LS.cached, '', { prefix: 'd-' })), ['d-changed', 'd-resized', 'd-same']);

    // prefetch with latest-ver reads a changed object again; without it, a cached one is left alone.
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'd-same', Body: bodyOf('d-same', 3) }));
    assert.equal((await waitDone(await prefetch({ objnames: ['d-same'] }))).objs, 0);
    assert.ok((await get('d-same')).body.equals(bodyOf('d-same')));
    const again = await waitDone(await prefetch({ objnames: ['d-same', 'd-changed'] }, { latest: true }));
    assert.deepEqual([again.err, again.objs, again.bytes], ['', 1, bodyOf('d-same', 3).length]);
    assert.ok((await get('d-same')).body.equals(bodyOf('d-same', 3)));
    await waitDone(await evict({ template: 'd-' }));
  });

  test('evict-remote-bck with keep_bck_md keeps the bucket and its props; without, the bucket leaves the cluster', async () => {
    // sdk/bucket.py Bucket.evict(keep_md): DELETE ?keep_bck_md=True|False {"action": "evict-remote-bck"}
    const evictBucket = (bucket: string, keepMd: boolean, provider = 'aws') =>
      request('DELETE', `${v1}/buckets/${bucket}?provider=${provider}&keep_bck_md=${keepMd ? 'True' : 'False'}`, { json: { action: 'evict-remote-bck', name: '', value: null } });
    const present = async () => ((await request('GET', `${v1}/buckets?provider=aws&presence=2`, { json: { action: 'list' } })).json as any[]).map((b) => b.name);
    const checksumType = async () => JSON.parse(String((await request('HEAD', `${v1}/buckets/cloud?provider=aws`)).headers['ais-bucket-props'])).checksum.type;
    const setProps = await request('PATCH', `${v1}/buckets/cloud?provider=aws`, { json: { action: 'set-bprops', value: { checksum: { type: 'sha256' } } } });
    assert.equal(setProps.status, 200);

    await waitDone(await prefetch({ template: 'obj-{00..02}' }));
    assert.equal((await list('cloud', LS.cached)).length, 3);
    const kept = await evictBucket('cloud', true);
    assert.equal(kept.status, 200, kept.body.toString());
    assert.deepEqual(await list('cloud', LS.cached), [], 'no copies left');
    assert.ok((await present()).includes('cloud'), 'still in the cluster');
    assert.equal(await checksumType(), 'sha256', 'its props kept');
    const jobs = (await request('GET', `${v1}/cluster?what=status_all`, { json: { kind: 'evict-remote-bck', node: '', show_active: false } })).json as any[];
    assert.ok(jobs.some((j) => j.kind === 'evict-remote-bck' && j.end_time > 0 && j.err === ''), 'the job that ran is on record');
    for (const n of names.slice(0, 3)) assert.equal(await remoteHas(n), bodyOf(n).length);

    await waitDone(await prefetch({ template: 'obj-{00..02}' }));
    assert.equal((await evictBucket('cloud', false)).status, 200);
    assert.ok(!(await present()).includes('cloud'), 'no longer in the cluster');
    assert.equal(await checksumType(), 'xxhash', 'added again on access, with the defaults');
    assert.deepEqual(await list('cloud', LS.cached), []);
    for (const n of names.slice(0, 3)) assert.equal(await remoteHas(n), bodyOf(n).length, 'the remote keeps its objects');

    // A bucket not in the cluster is nothing to evict (ais/proxy.go: dontHeadRemote, 404 swallowed).
    assert.equal((await evictBucket('never-seen', false)).status, 200);
    assertAisError(await evictBucket('local', false, 'ais'), 400, /^evict-remote-bck: expecting remote bucket \(have ais:\/\/local\)$/);
  });
});
