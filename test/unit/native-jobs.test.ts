// The gateway's jobs (AIStore xactions) on the wire: copy-bck, copy-listrange, delete-listrange by
// template, summary-bck, and the queries AIStore's clients poll them with (what=status, status_all,
// running_all, qryxstats) and stop. Each request is the one AIStore's Python SDK sends (named at each).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway, waitForJob } from '../helpers/native';

/** sdk/types.py JobArgs.as_dict: the Go field names of xact.ArgsMsg, matched by QueryMsg's tags in any case. */
const jobArgs = (id: string, kind = '') => ({ ID: id, Kind: kind, DaemonID: '', Bck: null, Buckets: null });

/** The bytes of object i: its own content, of a size that varies. */
const bodyOf = (i: number) => Buffer.alloc(100 + (i % 7) * 300, `object-${i}|`);

describe('native API /v1: jobs', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket, list } = nativeCalls(() => v1);
  before(async () => ({ gw, v1 } = await startNativeGateway()));
  after(() => gw.dispose());

  async function fill(bucket: string, n: number, name = (i: number) => `obj-${String(i).padStart(5, '0')}`): Promise<number> {
    await createBucket(bucket);
    let bytes = 0;
    for (let i = 0; i < n; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 50); j++) {
        bytes += bodyOf(j).length;
        batch.push(put(bucket, name(j), bodyOf(j)));
      }
      for (const r of await Promise.all(batch)) assert.equal(r.status, 200);
    }
    return bytes;
  }

  async function names(bucket: string): Promise<string[]> {
    const out: string[] = [];
    let token = '';
    do {
      const r = (await list(bucket, { pagesize: 1000, continuation_token: token })).json as any;
      out.push(...(r.entries ?? []).map((e: any) => e.name));
      token = r.continuation_token;
    } while (token);
    return out;
  }

  /** sdk/bucket.py Bucket.copy(): POST with TCBMsg.as_dict() and bck_to=PROVIDER/@#/NAME/. */
  const copyBck = (src: string, dst: string, value: Record<string, unknown> = {}) =>
    request('POST', `${v1}/buckets/${src}?provider=ais&bck_to=${encodeURIComponent(`ais/@#/${dst}/`)}`, {
      json: { action: 'copy-bck', value: { prefix: '', prepend: '', dry_run: false, force: false, 'latest-ver': false, synchronize: false, ...value } },
    });

  /** sdk/job.py Job.get_details(): qryxstats, snaps keyed by target id. */
  const snapsOf = async (id: string) => {
    const r = await request('GET', `${v1}/cluster?what=qryxstats`, { json: jobArgs(id) });
    assert.equal(r.status, 200, r.body.toString());
    return r.json as Record<string, any[]>;
  };

  test('copy-bck copies 2,000 objects server-side in the background; GETs stay prompt meanwhile', async () => {
    const bytes = await fill('src', 2000);
    const r = await copyBck('src', 'dst');
    assert.equal(r.status, 200);
    const id = r.body.toString();
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{8,}$/, 'a job id as the whole body (ais/proxy.go writeXid)');

    // sdk/cluster.py Cluster.list_running_jobs(): JobQuery.as_dict() with show_active.
    const running = await request('GET', `${v1}/cluster?what=running_all`, { json: { kind: '', node: '', show_active: true } });
    assert.equal(running.status, 200);
    assert.ok((running.json as string[]).includes(`copy-bck[${id}]`), running.body.toString());

    // Other requests are served while the copy runs.
    let worst = 0;
    let whileRunning = 0;
    for (let i = 0; i < 20; i++) {
      const t = Date.now();
      const g = await request('GET', `${v1}/objects/src/obj-00001`);
      worst = Math.max(worst, Date.now() - t);
      assert.equal(g.status, 200);
      const s = (await request('GET', `${v1}/cluster?what=status`, { json: jobArgs(id) })).json as any;
      if (s.end_time === 0) whileRunning++;
    }
    assert.ok(whileRunning > 0, 'some GETs were made while the copy ran');
    assert.ok(worst < 1000, `a GET during the copy took ${worst} ms`);

    const status = await waitForJob(v1, id);
    assert.deepEqual([status.kind, status.uuid, status.err, status.aborted], ['copy-bck', id, '', false]);
    const snaps = await snapsOf(id);
    // One target in the cluster map, and its snaps under its id.
    const smap = (await request('GET', `${v1}/daemon?what=smap`)).json as any;
    assert.deepEqual(Object.keys(snaps), Object.keys(smap.tmap));
    const [snap] = Object.values(snaps)[0];
    assert.equal(snap.id, id);
    assert.equal(snap.kind, 'copy-bck');
    assert.deepEqual(snap.stats['loc-objs'], '2000');
    assert.deepEqual(snap.stats['loc-bytes'], String(bytes));
    assert.deepEqual([snap['src-bck'].name, snap['dst-bck'].name, snap.bck.name], ['src', 'dst', 'src']);
    assert.equal(snap.aborted, false);
    assert.notEqual(snap['end-time'], '0001-01-01T00:00:00Z');
    assert.ok(Date.parse(snap['start-time']) <= Date.parse(snap['end-time']));

    const copied = await names('dst');
    assert.equal(copied.length, 2000);
    for (let i = 0; i < 2000; i += 1) {
      const g = await request('GET', `${v1}/objects/dst/${copied[i]}`);
      assert.ok(g.body.equals(bodyOf(Number(copied[i].slice(4)))), `bytes of dst/${copied[i]}`);
    }
  });

  test('copy-bck: dry run counts without writing, prefix and prepend, onto itself and without bck_to are 400', async () => {
    await fill('dry', 30, (i) => (i < 10 ? `a/${i}` : `b/${i}`));
    const dry = await copyBck('dry', 'dry-out', { dry_run: true });
    const ds = await waitForJob(v1, dry.body.toString());
    assert.equal(ds.err, '');
    const [snap] = Object.values(await snapsOf(dry.body.toString()))[0];
    assert.equal(snap.stats['loc-objs'], '30');
    assertAisError(await request('HEAD', `${v1}/buckets/dry-out`), 404);

    const some = await copyBck('dry', 'dry-out', { prefix: 'a/', prepend: 'copy/' });
    await waitForJob(v1, some.body.toString());
    assert.deepEqual((await names('dry-out')).sort(), Array.from({ length: 10 }, (_, i) => `copy/a/${i}`).sort());

    assertAisError(await copyBck('dry', 'dry'), 400, /cannot copy-bck bucket "ais:\/\/dry" onto itself/);
    assertAisError(await request('POST', `${v1}/buckets/dry`, { json: { action: 'copy-bck', value: {} } }), 400, /missing "bck_to" query parameter/);
    assertAisError(await copyBck('nosuch', 'x'), 404, /bucket "ais:\/\/nosuch" does not exist/);
    assertAisError(await copyBck('dry', 'x', { synchronize: true, prepend: 'p/' }), 400, /incompatible with the request to synchronize/);
  });

  test('a stop midway: aborted, only whole objects in the destination; stopping again or an unknown job is 200', async () => {
    const big = Buffer.alloc(256 * 1024, 'B');
    await createBucket('large');
    for (let i = 0; i < 400; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => put('large', `big-${String(i + j).padStart(4, '0')}`, big)));
    }
    const id = (await copyBck('large', 'large-copy')).body.toString();
    for (let t = Date.now(); ; ) {
      const [snap] = Object.values(await snapsOf(id))[0];
      if (Number(snap.stats['loc-objs']) > 0) break;
      assert.ok(Date.now() - t < 30_000, 'the copy makes progress');
    }
    // sdk/job.py Job.abort(): PUT /v1/cluster {"action": "stop", "value": JobArgs.as_dict()}
    const stop = await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(id, 'copy-bck') } });
    assert.equal(stop.status, 200, stop.body.toString());
    const status = await waitForJob(v1, id);
    assert.equal(status.aborted, true);
    const [snap] = Object.values(await snapsOf(id))[0];
    assert.equal(snap.aborted, true);
    assert.equal(snap['abort-err'], 'user abort');
    const copied = await names('large-copy');
    assert.ok(copied.length < 400, `stopped before the end: ${copied.length} copied`);
    for (const n of copied) {
      const g = await request('GET', `${v1}/objects/large-copy/${n}`);
      assert.ok(g.body.equals(big), `${n} is whole`);
    }
    assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(id) } })).status, 200);
    assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs('nosuchjob1', 'copy-bck') } })).status, 200);
    assertAisError(await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs('') } }), 400, /expecting a valid kind and\/or UUID/);
    assertAisError(await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs('', 'nosuch-kind') } }), 400, /invalid xaction \(job\) kind "nosuch-kind"/);
  });

  test('a parallel copy: 2,000 objects byte-exact; a stop midway leaves whole objects only, and the job ends after the copies in flight', async () => {
    const bytes = await fill('par', 2000);
    const whole = await copyBck('par', 'par-all', { 'num-workers': 32 });
    assert.equal(whole.status, 200, whole.body.toString());
    assert.equal((await waitForJob(v1, whole.body.toString())).err, '');
    const [all] = Object.values(await snapsOf(whole.body.toString()))[0];
    assert.deepEqual([all.stats['loc-objs'], all.stats['loc-bytes']], ['2000', String(bytes)]);
    const copied = await names('par-all');
    assert.equal(copied.length, 2000);
    for (let i = 0; i < copied.length; i += 50) {
      const got = await Promise.all(copied.slice(i, i + 50).map((n) => request('GET', `${v1}/objects/par-all/${n}`)));
      got.forEach((g, j) => assert.ok(g.body.equals(bodyOf(Number(copied[i + j].slice(4)))), `bytes of par-all/${copied[i + j]}`));
    }

    // Objects large enough that a stop lands while 16 copies are in flight.
    const size = 128 * 1024;
    const body = (i: number) => Buffer.alloc(size, `big-${i}|`);
    await createBucket('par-big');
    for (let i = 0; i < 2000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => put('par-big', `big-${String(i + j).padStart(4, '0')}`, body(i + j))));
    }
    const id = (await copyBck('par-big', 'par-stopped', { 'num-workers': 16 })).body.toString();
    for (let t = Date.now(); ; ) {
      const [snap] = Object.values(await snapsOf(id))[0];
      if (Number(snap.stats['loc-objs']) >= 100) break;
      assert.ok(Date.now() - t < 60_000, 'the copy makes progress');
    }
    assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(id, 'copy-bck') } })).status, 200);
    // waitForJob returns once aborted is set; the job's end_time waits for the copies in flight.
    for (let t = Date.now(); ; ) {
      const s = (await request('GET', `${v1}/cluster?what=status`, { json: jobArgs(id) })).json as any;
      if (s.end_time > 0) {
        assert.equal(s.aborted, true);
        break;
      }
      assert.ok(Date.now() - t < 30_000, 'the stopped job ends');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [snap] = Object.values(await snapsOf(id))[0];
    const counted = Number(snap.stats['loc-objs']);
    assert.equal(snap.stats['loc-bytes'], String(counted * size), 'bytes of finished copies only');
    const landed = await names('par-stopped');
    assert.ok(landed.length < 2000, `stopped before the end: ${landed.length} copied`);
    // What was in flight at the stop finished whole, uncounted; nothing started after it.
    assert.ok(landed.length >= counted && landed.length <= counted + 16, `${landed.length} copied, ${counted} counted`);
    for (const n of landed) {
      const g = await request('GET', `${v1}/objects/par-stopped/${n}`);
      assert.ok(g.body.equals(body(Number(n.slice(4)))), `${n} is whole`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await names('par-stopped'), landed, 'nothing lands after the job ended');
    assert.deepEqual(fs.readdirSync(path.join(gw.dataDir, 'tmp')), [], 'no temp file left behind');

    // delete-listrange runs in parallel too: every name of the template, and only those.
    await put('par-all', 'keep', 'k');
    const del = await request('DELETE', `${v1}/buckets/par-all`, { json: { action: 'delete-listrange', value: { template: 'obj-{00000..01999}', 'num-workers': 8 } } });
    assert.equal(del.status, 200);
    assert.equal((await waitForJob(v1, del.body.toString())).err, '');
    const [ds] = Object.values(await snapsOf(del.body.toString()))[0];
    assert.equal(ds.stats['loc-objs'], '2000');
    assert.deepEqual(await names('par-all'), ['keep']);
    assertAisError(await copyBck('par', 'x', { 'num-workers': 'many' }), 400, /"num-workers" must be an integer/);
  });

  test('delete-listrange by template: steps and several ranges; a malformed template is 400; a million names are never listed', async () => {
    await fill('tpl', 0);
    for (const a of [0, 1, 2, 3, 4]) for (const b of [0, 1, 2]) await put('tpl', `s-${a}-${b}.tar`, 'x');
    await put('tpl', 'keep', 'k');
    // sdk/multiobj/object_group.py ObjectGroup.delete(): DELETE {"action": "delete-listrange", "value": {"template": ...}}
    const del = await request('DELETE', `${v1}/buckets/tpl?provider=ais`, { json: { action: 'delete-listrange', value: { template: 's-{0..4..2}-{1..2}.tar' } } });
    assert.equal(del.status, 200);
    const st = await waitForJob(v1, del.body.toString());
    assert.deepEqual([st.kind, st.err, st.aborted], ['delete-listrange', '', false]);
    assert.deepEqual(
      (await names('tpl')).sort(),
      ['keep', 's-0-0.tar', 's-1-0.tar', 's-1-1.tar', 's-1-2.tar', 's-2-0.tar', 's-3-0.tar', 's-3-1.tar', 's-3-2.tar', 's-4-0.tar'],
    );

    const bad = (template: string) => request('DELETE', `${v1}/buckets/tpl`, { json: { action: 'delete-listrange', value: { template } } });
    assertAisError(await bad('shard-{0..}.tar'), 400, /strconv\.ParseInt: parsing "": invalid syntax/);
    assertAisError(await bad('shard-{9..0}.tar'), 400, /invalid 'bash' template "shard-\{9\.\.0\}\.tar": 'start' cannot be greater than 'end'/);
    assertAisError(await bad('shard-{0..9..0}.tar'), 400, /'step' is non-positive/);
    assertAisError(await bad('shard-}0..9{.tar'), 400, /invalid 'bash' template/);

    // A million keys: answered at once, the job runs on; a stop ends it.
    const t = Date.now();
    const million = await bad('shard-{0000000..0999999}.tar');
    assert.equal(million.status, 200);
    assert.ok(Date.now() - t < 2000, 'answered before the range is walked');
    const id = million.body.toString();
    assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(id) } })).status, 200);
    assert.equal((await waitForJob(v1, id)).aborted, true);
    assert.ok((await names('tpl')).includes('keep'));

    // A prefix template deletes what is listed under it.
    const pre = await bad('s-1-');
    await waitForJob(v1, pre.body.toString());
    assert.deepEqual((await names('tpl')).filter((n) => n.startsWith('s-1-')), []);
  });

  test('copy-listrange by names and by template into a new bucket', async () => {
    await fill('lr', 20, (i) => `f-${String(i).padStart(2, '0')}.txt`);
    // sdk/multiobj/object_group.py ObjectGroup.copy(): TCMultiObj.as_dict()
    const copy = (value: Record<string, unknown>) =>
      request('POST', `${v1}/buckets/lr?provider=ais`, {
        json: { action: 'copy-listrange', value: { ...value, prefix: '', prepend: '', dry_run: false, force: false, 'latest-ver': false, synchronize: false, tobck: { name: 'lr-out', provider: 'ais' }, coer: false } },
      });
    const byNames = await copy({ objnames: ['f-00.txt', 'f-05.txt'] });
    assert.equal(byNames.status, 200);
    await waitForJob(v1, byNames.body.toString());
    const byTemplate = await copy({ template: 'f-{10..19..3}.txt' });
    const st = await waitForJob(v1, byTemplate.body.toString());
    assert.equal(st.err, '');
    // An idle-before-finishing kind: sdk/job.py waits for is_idle on every snap.
    const [snap] = Object.values(await snapsOf(byTemplate.body.toString()))[0];
    assert.deepEqual([snap.kind, snap.is_idle, snap.stats['loc-objs']], ['copy-listrange', true, '4']);
    assert.deepEqual((await names('lr-out')).sort(), ['f-00.txt', 'f-05.txt', 'f-10.txt', 'f-13.txt', 'f-16.txt', 'f-19.txt']);
    for (const n of await names('lr-out')) {
      const g = await request('GET', `${v1}/objects/lr-out/${n}`);
      assert.ok(g.body.equals(bodyOf(Number(n.slice(2, 4)))));
    }
  });

  test('summary-bck: 202 and a job id, then the result; HEAD with bsumm_remote does the same in headers', async () => {
    const bytes = await fill('sum', 25);
    // sdk/bucket.py Bucket.summary(): GET {"action": "summary-bck", "value": BsummCtrlMsg}
    const value = { uuid: '', prefix: '', cached: true, present: true };
    const first = await request('GET', `${v1}/buckets/sum?provider=ais`, { json: { action: 'summary-bck', value } });
    assert.equal(first.status, 202);
    const id = first.body.toString().replace(/"/g, '');
    let r;
    for (let t = Date.now(); ; ) {
      r = await request('GET', `${v1}/buckets/sum?provider=ais`, { json: { action: 'summary-bck', value: { ...value, uuid: id } } });
      if (r.status === 200) break;
      assert.equal(r.status, 202);
      assert.ok(Date.now() - t < 30_000);
    }
    const [summ] = r.json as any[];
    assert.deepEqual([summ.name, summ.provider], ['sum', 'ais']);
    assert.deepEqual(summ.ObjCount, { obj_count_present: '25', obj_count_remote: '0' });
    assert.equal(summ.TotalSize.size_all_present_objs, String(bytes));
    assert.equal(summ.ObjSize.obj_max_size, 100 + 6 * 300);
    assert.equal(summ.ObjSize.obj_min_size, 100);
    assert.equal(summ.is_present, true);

    assertAisError(await request('GET', `${v1}/buckets/sum`, { json: { action: 'summary-bck', value: { ...value, uuid: 'nosuchjob1' } } }), 404, /summary-bck job nosuchjob1 does not exist/);

    // sdk/bucket.py Bucket.info(): HEAD ?bsumm_remote=true, then again with uuid= until 200.
    const head = await request('HEAD', `${v1}/buckets/sum?provider=ais&presence=0&bsumm_remote=true`);
    assert.equal(head.status, 202);
    assert.ok(head.headers['ais-bucket-props']);
    const hid = String(head.headers['ais-xaction-id']);
    let h;
    for (let t = Date.now(); ; ) {
      h = await request('HEAD', `${v1}/buckets/sum?provider=ais&presence=0&bsumm_remote=true&uuid=${hid}`);
      if (h.status === 200) break;
      assert.ok(Date.now() - t < 30_000);
    }
    const info = JSON.parse(String(h.headers['ais-bucket-summ']));
    assert.deepEqual(info.ObjCount, { obj_count_present: '25', obj_count_remote: '0' });
    assert.equal(info.is_present, true);
  });

  test('queries: an unknown id is 404 in AIStore words; status_all lists every job; no running job is []', async () => {
    const unknown = assertAisError(await request('GET', `${v1}/cluster?what=status`, { json: jobArgs('nosuchjob1') }), 404);
    assert.match(unknown.message as string, /^p\[[A-Za-z]+\]: x-\[nosuchjob1\] does not exist$/);
    assertAisError(await request('GET', `${v1}/cluster?what=qryxstats`, { json: jobArgs('nosuchjob1') }), 404, /"x-\[nosuchjob1\]" not found/);
    assertAisError(await request('GET', `${v1}/cluster?what=status`, { json: { kind: 'rebalance' } }), 404, /nl \[.*x-rebalance\] does not exist/);
    assertAisError(await request('GET', `${v1}/cluster?what=qryxstats`, { json: { kind: 'nosuch' } }), 400, /invalid xaction \(job\) kind "nosuch"/);

    // sdk/cluster.py Cluster.list_jobs_status(): status_all with JobQuery.as_dict()
    const all = await request('GET', `${v1}/cluster?what=status_all`, { json: { kind: 'copy-bck', node: '', show_active: false } });
    const statuses = all.json as any[];
    assert.ok(statuses.length >= 3 && statuses.every((s) => s.kind === 'copy-bck' && typeof s.end_time === 'number'));
    const none = await request('GET', `${v1}/cluster?what=status_all`, { json: { kind: 'copy-bck', show_active: true } });
    assert.equal(none.body.toString(), '[]');
    const idle = await request('GET', `${v1}/cluster?what=running_all`, { json: { kind: '', node: '', show_active: true } });
    assert.equal(idle.body.toString(), '[]');
    // The latest job of a kind, by kind alone.
    const latest = (await request('GET', `${v1}/cluster?what=status`, { json: { kind: 'copy-listrange' } })).json as any;
    assert.equal(latest.kind, 'copy-listrange');
    const snaps = (await request('GET', `${v1}/cluster?what=qryxstats`, { json: { kind: 'summary-bck', bck: { name: 'sum', provider: 'ais' } } })).json as Record<string, any[]>;
    assert.equal(Object.values(snaps)[0].length, 2);
  });
});
