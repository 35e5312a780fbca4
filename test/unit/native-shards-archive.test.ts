// Building shards with the archive job: PUT /v1/buckets/SRC {"action": "archive", "value": ArchiveBckMsg},
// from names and from a template, into .tar, .tar.gz, .zip and .tar.lz4, appending, in another bucket, with
// AIStore's refusals; a job of kind "archive" in what=status and qryxstats; a stop leaves no shard. Each
// request is the one AIStore's Python SDK sends (sdk/multiobj/object_group.py ObjectGroup.archive(),
// ArchiveMultiObj.as_dict(): the selection, archname, isbn, aate, coer, mime when given, tobck).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LS } from '../../src/common/aisapi';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway, waitForJob } from '../helpers/native';
import { untar } from './shard-fixtures';

/** sdk/types.py JobArgs.as_dict. */
const jobArgs = (id: string, kind = '') => ({ ID: id, Kind: kind, DaemonID: '', Bck: null, Buckets: null });
const bodyOf = (i: number) => Buffer.from(`object ${i} `.repeat(1 + (i % 5)));

describe('native API /v1: the archive job (shards from objects)', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket } = nativeCalls(() => v1);
  before(async () => {
    ({ gw, v1 } = await startNativeGateway());
    await createBucket('src');
    for (let i = 0; i < 20; i++) assert.equal((await put('src', `obj-${String(i).padStart(4, '0')}`, bodyOf(i))).status, 200);
    await put('src', 'dir/nested.txt', 'nested');
  });
  after(() => gw.dispose());

  /** ObjectGroup.archive(archive_name, mime, to_bck, include_source_name, allow_append, continue_on_err). */
  const archive = (bucket: string, selection: Record<string, unknown>, opts: { archname: string; mime?: string; tobck?: string; isbn?: boolean; aate?: boolean }) =>
    request('PUT', `${v1}/buckets/${bucket}?provider=ais`, {
      json: {
        action: 'archive',
        value: {
          ...selection,
          archname: opts.archname,
          isbn: opts.isbn ?? false,
          aate: opts.aate ?? false,
          coer: false,
          ...(opts.mime ? { mime: opts.mime } : {}),
          tobck: { name: opts.tobck ?? bucket, provider: 'ais', namespace: { uuid: '', name: '' } },
        },
      },
    });

  /** Archives and waits (sdk/job.py Job.wait), returning the job's status. */
  async function archived(bucket: string, selection: Record<string, unknown>, opts: Parameters<typeof archive>[2]) {
    const r = await archive(bucket, selection, opts);
    assert.equal(r.status, 200, r.body.toString());
    const ids = r.body.toString().split(','); // object_group.py _parse_job_ids
    assert.equal(ids.length, 1);
    return { id: ids[0], status: await waitForJob(v1, ids[0]) };
  }

  /** sdk Object.get_reader(archive_config=ArchiveConfig(archpath=...)). */
  const member = (bucket: string, shard: string, name: string) =>
    request('GET', `${v1}/objects/${bucket}/${shard}?provider=ais&archpath=${encodeURIComponent(name)}&archregx=`);

  /** Every member of a shard, in archive order, by the multi-member GET (archregx="" + prefix: all). */
  async function membersOf(bucket: string, shard: string) {
    const r = await request('GET', `${v1}/objects/${bucket}/${shard}?provider=ais&archmode=prefix&archpath=&archregx=`);
    assert.equal(r.status, 200, r.body.toString());
    return untar(r.body);
  }

  test('from names into a .tar: each object a member, byte for byte; kind "archive" in status and qryxstats', async () => {
    const names = ['obj-0003', 'obj-0001', 'dir/nested.txt'];
    const { id, status } = await archived('src', { objnames: names }, { archname: 'out/names.tar' });
    assert.deepEqual([status.kind, status.err, status.aborted], ['archive', '', false]);
    const got = await membersOf('src', 'out/names.tar');
    assert.deepEqual(got.map((m) => m.name), names, 'in the order listed');
    assert.ok(got[0].data.equals(bodyOf(3)) && got[1].data.equals(bodyOf(1)));
    assert.equal((await member('src', 'out/names.tar', 'dir/nested.txt')).body.toString(), 'nested');

    // sdk/job.py Job.get_details(): qryxstats; the shard is the job's one object, its bytes the shard's size.
    const snaps = (await request('GET', `${v1}/cluster?what=qryxstats`, { json: jobArgs(id) })).json as Record<string, any[]>;
    const [snap] = Object.values(snaps)[0];
    const head = await request('HEAD', `${v1}/objects/src/out/names.tar`);
    assert.deepEqual([snap.kind, snap.stats['loc-objs'], snap.stats['loc-bytes'], snap.is_idle, snap.bck.name], ['archive', '1', head.headers['content-length'], true, 'src']);
    assert.match(snap.ctlmsg, /^ais:\/\/src \[list:\[obj-0003 obj-0001 dir\/nested\.txt\], flags:\]$/);
    // The latest job of the kind, by kind alone (sdk/cluster.py get_job_status? GetOneXactionStatus).
    const latest = (await request('GET', `${v1}/cluster?what=status`, { json: { kind: 'archive' } })).json as any;
    assert.equal(latest.kind, 'archive');
    // Listed with LsArchDir, the shard shows its members.
    const ls = (await request('GET', `${v1}/buckets/src?provider=ais`, { json: { action: 'list', value: { prefix: 'out/names.tar', flags: String(LS.archDir) } } })).json as any;
    assert.deepEqual(ls.entries.map((e: any) => e.name), ['out/names.tar', 'out/names.tar/dir/nested.txt', 'out/names.tar/obj-0001', 'out/names.tar/obj-0003']);
  });

  test('from a template into .tar.gz, .zip and .tar.lz4 in another bucket, names under the source bucket with isbn', async () => {
    await createBucket('shards');
    const want = [0, 3, 6, 9].map((i) => ({ name: `src/obj-${String(i).padStart(4, '0')}`, data: bodyOf(i) }));
    for (const archname of ['t.tar.gz', 't.tgz', 't.zip', 't.tar.lz4']) {
      const { status } = await archived('src', { template: 'obj-{0000..0009..3}' }, { archname, tobck: 'shards', isbn: true });
      assert.equal(status.err, '', archname);
      assert.equal((await request('HEAD', `${v1}/objects/src/${archname}`)).status, 404, 'not in the source bucket');
      const got = await membersOf('shards', archname);
      assert.deepEqual(got.map((m) => m.name), want.map((w) => w.name), archname);
      for (let i = 0; i < want.length; i++) assert.ok(got[i].data.equals(want[i].data), `${archname}: ${want[i].name}`);
    }
    // A .tar.gz is a gzip of a TAR any reader takes (node:zlib and tar-stream here).
    const tgz = (await request('GET', `${v1}/objects/shards/t.tar.gz`)).body;
    assert.deepEqual((await untar(zlib.gunzipSync(tgz))).map((m) => m.name), want.map((w) => w.name));
    // The ZIP stores its members (zip.FileHeader's default method, as AIStore writes).
    const zip = (await request('GET', `${v1}/objects/shards/t.zip`)).body;
    assert.equal(zip.readUInt16LE(8), 0, 'method 0: stored');
  });

  test('appending (aate): a .tar keeps its members and gains the new ones; .tar.gz and .zip too; none yet is a new shard', async () => {
    for (const archname of ['app.tar', 'app.tar.gz', 'app.zip']) {
      const first = await archived('src', { objnames: ['obj-0001', 'obj-0002'] }, { archname, aate: true });
      assert.equal(first.status.err, '');
      const before = (await request('GET', `${v1}/objects/src/${archname}`)).body;
      const second = await archived('src', { template: 'obj-{0010..0012}' }, { archname, aate: true });
      assert.equal(second.status.err, '', archname);
      const got = await membersOf('src', archname);
      assert.deepEqual(got.map((m) => m.name), ['obj-0001', 'obj-0002', 'obj-0010', 'obj-0011', 'obj-0012'], archname);
      for (const m of got) assert.ok(m.data.equals(bodyOf(Number(m.name.slice(4)))), `${archname}: ${m.name}`);
      if (archname === 'app.tar') {
        const after = (await request('GET', `${v1}/objects/src/${archname}`)).body;
        const end = before.length - 1024; // the first shard's members, before its two zero blocks
        assert.ok(after.subarray(0, end).equals(before.subarray(0, end)), 'the old members are kept byte for byte');
      }
    }
    // Without aate the shard is written anew.
    await archived('src', { objnames: ['obj-0005'] }, { archname: 'app.tar' });
    assert.deepEqual((await membersOf('src', 'app.tar')).map((m) => m.name), ['obj-0005']);
  });

  test('refusals: no shard extension, a mime other than the extension, a destination that is not there; missing names', async () => {
    assertAisError(await archive('src', { objnames: ['obj-0001'] }, { archname: 'x.txt' }), 400, /^unknown filename extension \("x\.txt", "\.txt"\)$/);
    assertAisError(await archive('src', { objnames: ['obj-0001'] }, { archname: 'x.tar', mime: 'zip' }), 400, /^mime mismatch "zip" vs "\.tar"$/);
    assertAisError(await archive('src', { objnames: ['obj-0001'] }, { archname: 'x.tar', mime: 'bogus' }), 400, /^unknown mime type "bogus"$/);
    assertAisError(await archive('src', { objnames: ['obj-0001'] }, { archname: 'x.tar', tobck: 'nosuch' }), 404, /bucket "ais:\/\/nosuch" does not exist/);
    assertAisError(await archive('nosuch', { objnames: ['obj-0001'] }, { archname: 'x.tar' }), 404);
    assertAisError(await archive('src', {}, { archname: 'x.tar' }), 400, /objnames|template/);
    // A listed name that is not there is the job's error; the others are archived.
    const some = await archived('src', { objnames: ['obj-0001', 'nosuch-object'] }, { archname: 'some.tar' });
    assert.match(some.status.err, /ais:\/\/src\/nosuch-object does not exist/);
    assert.deepEqual((await membersOf('src', 'some.tar')).map((m) => m.name), ['obj-0001']);
    // Nothing to archive: the job fails ("empty") and there is no shard. Its err is cos.Errs: the first error
    // and a count (the listed names that were not there come first).
    const none = await archived('src', { objnames: ['nosuch-1', 'nosuch-2'] }, { archname: 'none.tar' });
    assert.match(none.status.err, /ais:\/\/src\/nosuch-1 does not exist \(and 2 more errors\)$/);
    assertAisError(await request('HEAD', `${v1}/objects/src/none.tar`), 404);
    const empty = await archived('src', { template: 'nothing-{0..9}' }, { archname: 'none.tar' });
    assert.match(empty.status.err, /^x-archive\[[A-Za-z0-9]+\]: empty ais:\/\/src\/none\.tar$/);
    assertAisError(await request('HEAD', `${v1}/objects/src/none.tar`), 404);
  });

  test('a stop midway: aborted, no shard (nor a temp file) left; an old shard stays as it was', async () => {
    await createBucket('large');
    // Bytes gzip cannot shrink, so a .tar.gz being written grows as a .tar does.
    const big = crypto.randomBytes(256 * 1024);
    for (let i = 0; i < 400; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => put('large', `big-${String(i + j).padStart(4, '0')}`, big)));
    const tmp = path.join(gw.dataDir, 'tmp');
    for (const archname of ['stopped.tar', 'stopped.tar.gz', 'stopped.zip']) {
      const r = await archive('large', { template: 'big-{0000..0399}' }, { archname });
      const id = r.body.toString();
      // Midway: the shard is being written into its temp file.
      for (let t = Date.now(); !fs.readdirSync(tmp).some((f) => fs.statSync(path.join(tmp, f)).size > 1024 * 1024); ) {
        assert.ok(Date.now() - t < 10_000, 'the job writes its shard');
        await new Promise((res) => setTimeout(res, 2));
      }
      // sdk/job.py Job.abort(): PUT /v1/cluster {"action": "stop", "value": JobArgs.as_dict()}
      assert.equal((await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(id, 'archive') } })).status, 200);
      const status = await waitForJob(v1, id);
      assert.equal(status.aborted, true, archname);
      assertAisError(await request('HEAD', `${v1}/objects/large/${archname}`), 404);
    }
    // Stopping an append leaves the shard it appended to untouched.
    await archived('large', { objnames: ['big-0000'] }, { archname: 'keep.tar' });
    const before = (await request('GET', `${v1}/objects/large/keep.tar`)).body;
    const r = await archive('large', { template: 'big-{0001..0399}' }, { archname: 'keep.tar', aate: true });
    await request('PUT', `${v1}/cluster`, { json: { action: 'stop', value: jobArgs(r.body.toString()) } });
    assert.equal((await waitForJob(v1, r.body.toString())).aborted, true);
    assert.ok((await request('GET', `${v1}/objects/large/keep.tar`)).body.equals(before));
    for (let t = Date.now(); fs.readdirSync(tmp).length > 0; ) {
      assert.ok(Date.now() - t < 5000, `temp files left: ${fs.readdirSync(tmp)}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  });
});
