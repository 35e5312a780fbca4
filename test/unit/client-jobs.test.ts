// The extension's side of jobs, against a real gateway: the AIStore client's jobs (copy-bck with a dry run
// and a prefix, copy-listrange with names, templates and prepend, delete-listrange by template, the
// summary job, list/get/stop), the board that watches them (and stops asking once none runs), and the
// client-side fallbacks an S3 endpoint gets (one DeleteObjects per 1000 keys, CopyObject per key).
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { AisClusterClient } from '../../src/client/ais/client';
import { jobsFromSnaps } from '../../src/client/ais/jobs';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';
import { isRunning } from '../../src/client/jobs';
import { S3ClusterClient } from '../../src/client/s3';
import { parseTemplate, rangeNames, templateMatcher } from '../../src/common/template';
import { JobBoard } from '../../src/jobs/board';
import { copySelected, countSelected, deleteSelected, templateFilter } from '../../src/jobs/clientside';
import { jobDescription, outcomeOf } from '../../src/jobs/items';
import { listKeys } from '../helpers/data';
import type { TestGateway } from '../helpers/gateway';
import { startNativeGateway } from '../helpers/native';

const ais = (name: string): BucketRef => ({ name, provider: 'ais' });
const bodyOf = (i: number) => Buffer.from(`object ${i} `.repeat(1 + (i % 5)));
const key = (i: number) => `obj-${String(i).padStart(5, '0')}`;

async function fill(client: ClusterClient, bucket: BucketRef, n: number, name = key): Promise<number> {
  await client.createBucket(bucket).catch(() => undefined);
  let bytes = 0;
  for (let i = 0; i < n; i += 64) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(n, i + 64); j++) {
      bytes += bodyOf(j).length;
      batch.push(client.putObject(bucket, name(j), { open: () => Readable.from([bodyOf(j)]), size: bodyOf(j).length }));
    }
    await Promise.all(batch);
  }
  return bytes;
}


async function waitEnded(client: AisClusterClient, id: string) {
  for (;;) {
    const job = await client.jobs.get(id);
    assert.ok(job, `job ${id} is known`);
    if (!isRunning(job)) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('template matcher', () => {
  test('accepts every name a range template produces, and rejects near misses', () => {
    for (const t of ['shard-{0000..0120..3}.tar', 'a-{0..9}-b-{10..12}.bin', 'x@0099.txt', 'img-{8..12}.png']) {
      const sel = parseTemplate(t);
      assert.equal(sel.kind, 'range');
      const match = templateMatcher(sel);
      const produced = [...rangeNames(sel as Extract<typeof sel, { kind: 'range' }>)];
      for (const n of produced) assert.ok(match(n), `${t} matches ${n}`);
      const set = new Set(produced);
      for (const miss of ['shard-0001.tar', 'shard-121.tar', 'shard-0123.tar', 'shard-0000.tar.gz', 'a-10-b-10.bin', 'x0100.txt', 'img-7.png', 'img-08.png', 'img-13.png']) {
        if (!set.has(miss)) assert.equal(match(miss), false, `${t} does not match ${miss}`);
      }
    }
  });

  test('a prefix template matches by prefix', () => {
    const f = templateFilter('logs/2025/');
    assert.equal(f.prefix, 'logs/2025/');
    assert.equal(f.matches, undefined);
  });

  test('malformed templates are refused in AIStore words', () => {
    assert.throws(() => parseTemplate('a-{0..}'), /invalid 'bash' template|ParseInt/);
    assert.throws(() => parseTemplate('a-{9..1}'), /'start' cannot be greater than 'end'/);
  });
});

describe('jobs from qryxstats', () => {
  test('a job on several targets is summed; it runs while any target runs it', () => {
    const snap = (end: string, objs: number, out = 0) => ({ id: 'j1', kind: 'copy-bck', bck: { name: 'a', provider: 'ais' }, 'dst-bck': { name: 'b', provider: 'ais' }, 'start-time': '2026-12-07T10:00:00Z', 'end-time': end, stats: { 'loc-objs': String(objs), 'loc-bytes': String(objs * 10), 'out-objs': String(out), 'out-bytes': String(out * 10) } });
    const running = jobsFromSnaps({ t1: [snap('0001-01-01T00:00:00Z', 5, 2)], t2: [snap('2026-12-07T10:00:05Z', 3)] });
    assert.equal(running.length, 1);
    assert.equal(running[0].objects, 10);
    assert.equal(running[0].bytes, 100);
    assert.ok(isRunning(running[0]));
    assert.deepEqual(running[0].destination, { name: 'b', provider: 'ais' });
    const done = jobsFromSnaps({ t1: [snap('2026-12-07T10:00:04Z', 5)], t2: [snap('2026-12-07T10:00:05Z', 3)] });
    assert.equal(done[0].ended?.toISOString(), '2026-12-07T10:00:05.000Z');
    assert.deepEqual(jobsFromSnaps(null), []);
    assert.deepEqual(jobsFromSnaps({ t1: null }), []);
  });
});

describe('AIStore jobs through the client', () => {
  let gw: TestGateway;
  let client: AisClusterClient;
  let s3: S3ClusterClient;
  let bytes: number;
  const N = 1500;
  before(async () => {
    ({ gw } = await startNativeGateway());
    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    s3 = new S3ClusterClient({ kind: 's3', endpoint: `${gw.url}/s3` });
    bytes = await fill(client, ais('src'), N);
  });
  after(() => {
    client.dispose();
    s3.dispose();
    gw.dispose();
  });

  test('a dry run counts the objects and bytes and copies nothing; the copy then copies them all', async () => {
    const dry = await waitEnded(client, await client.jobs.copyBucket(ais('src'), ais('dst'), { dryRun: true }));
    assert.equal(dry.objects, N);
    assert.equal(dry.bytes, bytes);
    assert.equal((await client.listBuckets('ais')).some((b) => b.name === 'dst'), false, 'a dry run creates no bucket');
    const id = await client.jobs.copyBucket(ais('src'), ais('dst'));
    const job = await waitEnded(client, id);
    assert.equal(outcomeOf(job), 'done', job.error);
    assert.equal(job.objects, N);
    assert.deepEqual(job.destination, ais('dst'));
    assert.deepEqual((await listKeys(client, ais('dst'))).sort(), (await listKeys(client, ais('src'))).sort());
    const got = await client.getObject(ais('dst'), key(7));
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), bodyOf(7));
    assert.ok((await client.jobs.list()).some((j) => j.id === id), 'the job list has it');
  });

  test('copy-listrange by names and by template, with prepend', async () => {
    const byNames = await waitEnded(client, await client.jobs.copyObjects(ais('src'), ais('picked'), { names: [key(1), key(2)] }, { prepend: 'x/' }));
    assert.equal(byNames.objects, 2, byNames.error);
    const byTemplate = await waitEnded(client, await client.jobs.copyObjects(ais('src'), ais('picked'), { template: 'obj-{00010..00019}' }));
    assert.equal(byTemplate.objects, 10, byTemplate.error);
    const keys = await listKeys(client, ais('picked'));
    assert.deepEqual(keys.sort(), [`x/${key(1)}`, `x/${key(2)}`, ...Array.from({ length: 10 }, (_, i) => key(10 + i))].sort());
  });

  test('delete by template deletes exactly the matching objects', async () => {
    await fill(client, ais('del'), 300);
    const job = await waitEnded(client, await client.jobs.deleteObjects(ais('del'), { template: 'obj-{00000..00199..2}' }));
    assert.equal(outcomeOf(job), 'done', job.error);
    const left = new Set(await listKeys(client, ais('del')));
    assert.equal(left.size, 200);
    for (let i = 0; i < 200; i += 2) assert.equal(left.has(key(i)), false);
    assert.ok(left.has(key(1)) && left.has(key(299)));
  });

  test('summary of a bucket and of a prefix', async () => {
    let jobId = '';
    const s = await client.jobs.summary(ais('src'), { onJob: (id) => (jobId = id) });
    assert.deepEqual(s, { objects: N, bytes });
    assert.ok(jobId);
    const sub = await client.jobs.summary(ais('src'), { prefix: 'obj-000' });
    assert.equal(sub.objects, 100);
  });

  test('stop midway leaves whole objects only; stopping an ended or unknown job is no error', async () => {
    await fill(client, ais('big'), 3000);
    const id = await client.jobs.copyBucket(ais('big'), ais('big-copy'));
    await client.jobs.stop(id, 'copy-bck');
    const job = await waitEnded(client, id);
    assert.equal(job.aborted, true);
    for (const k of await listKeys(client, ais('big-copy'))) {
      const head = await client.headObject(ais('big-copy'), k);
      assert.equal(head.size, bodyOf(Number(k.slice(4))).length, `${k} is whole`);
    }
    await client.jobs.stop(id, 'copy-bck');
    await client.jobs.stop('nosuchjob1', 'copy-bck');
    assert.equal(await client.jobs.get('nosuchjob1'), undefined);
  });

  test('the board watches a started job to its end, then stops asking', async () => {
    const board = new JobBoard({ clusters: async () => [{ clusterName: 'gw', kind: 'ais' }], client: async () => client });
    let changes = 0;
    board.onDidChange(() => changes++);
    const id = await client.jobs.copyBucket(ais('src'), ais('dst2'));
    await board.started('gw', id, { kind: 'copy-bck', bucket: ais('src'), destination: ais('dst2'), title: 'Copy src → dst2' });
    const ended = await board.whenEnded('gw', id);
    assert.equal(ended.objects, N);
    assert.equal(board.find('gw', id)?.title, 'Copy src → dst2');
    assert.match(jobDescription(ended), /^Done: 1,500 objects/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(board.polling, false, 'no job runs: the board does not poll');
    assert.ok(changes >= 2);
    const state = await board.state();
    assert.equal(state[0].jobs[0].info.id, id, 'the newest finished job first');
    board.dispose();
  });

  test('S3 fallbacks: count, copy key by key, delete a template one request per 1000 keys', async () => {
    const board = new JobBoard({ clusters: async () => [{ clusterName: 's3', kind: 's3' }], client: async () => s3 });
    const src = { name: 'src', provider: 's3' };
    assert.deepEqual(await countSelected(s3, src, { prefix: '' }), { objects: N, bytes });
    const copy = board.runLocal('s3', { kind: 'copy-bck', bucket: src }, async (control) => {
      await s3.createBucket({ name: 's3copy', provider: 's3' });
      await copySelected({ source: { client: s3, bucket: src }, destination: { client: s3, bucket: { name: 's3copy', provider: 's3' }, sameCluster: true }, filter: templateFilter('obj-{00100..01299}'), prepend: 'c/' }, control);
    });
    const copied = await copy.done;
    assert.equal(copied.objects, 1200, copied.error);
    const keys = await listKeys(s3, { name: 's3copy', provider: 's3' });
    assert.equal(keys.length, 1200);
    assert.ok(keys.every((k) => k.startsWith('c/obj-')));

    // Count the DeleteObjects requests the gateway sees.
    let deletes = 0;
    const origDelete = s3.deleteObjects.bind(s3);
    s3.deleteObjects = (b, k, o) => {
      deletes++;
      return origDelete(b, k, o);
    };
    const del = board.runLocal('s3', { kind: 'delete-listrange', bucket: { name: 's3copy', provider: 's3' } }, (control) => deleteSelected(s3, { name: 's3copy', provider: 's3' }, templateFilter('c/obj-{00100..01299}'), control));
    const deleted = await del.done;
    s3.deleteObjects = origDelete;
    assert.equal(deleted.objects, 1200, deleted.error);
    assert.equal(deletes, 2, '1200 keys: two requests');
    assert.deepEqual(await listKeys(s3, { name: 's3copy', provider: 's3' }), []);

    // Stop: the local job ends as stopped, with what it did so far.
    const slow = board.runLocal('s3', { kind: 'copy-bck', bucket: src }, async (control) => {
      await s3.createBucket({ name: 's3slow', provider: 's3' });
      await copySelected({ source: { client: s3, bucket: src }, destination: { client: s3, bucket: { name: 's3slow', provider: 's3' }, sameCluster: true }, filter: { prefix: '' } }, control);
    });
    await new Promise((r) => setTimeout(r, 100));
    await board.stop('s3', slow.id);
    const stopped = await slow.done;
    assert.equal(outcomeOf(stopped), 'stopped');
    assert.ok(stopped.objects < N, `stopped before the end (${stopped.objects})`);
    board.dispose();
  });
});
