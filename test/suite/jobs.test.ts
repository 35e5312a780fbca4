// Jobs in the extension host against the runner's gateway, through the commands as callers run them:
// on the AIStore cluster each is a server-side job (copy-bck, copy-listrange with prepend, delete by
// template, summary), on the same gateway added as a plain S3 endpoint the extension runs them itself;
// both kinds end up in the Jobs view's tree, running first and finished below.
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';
import type { StartedJob } from '../../src/commands/jobs';
import type { AisBucketsApi } from '../../src/extension';
import type { KeptSummary } from '../../src/jobs/summaries';
import type { JobsNode } from '../../src/views/jobs';
import type { FolderNode } from '../../src/views/model';
import { bucketNode, commandError, objectNode } from '../helpers/clusters';
import { listKeys } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';

const key = (i: number) => `img-${String(i).padStart(4, '0')}.png`;

async function fill(client: ClusterClient, bucket: BucketRef, n: number, prefix = ''): Promise<void> {
  await client.createBucket(bucket).catch(() => undefined);
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) => {
        const body = Buffer.from(`${prefix}${key(i + j)}`);
        return client.putObject(bucket, prefix + key(i + j), { stream: Readable.from([body]), size: body.length });
      }),
    );
  }
}


describe('jobs', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let cluster: string;
  let url: string;
  let client: ClusterClient;
  const ais = (name: string): BucketRef => ({ name, provider: 'ais' });

  before(async function () {
    ({ api, cluster, url, client } = await activateWithGateway(this));
    await fill(client, ais('jobs-suite'), 300);
    await fill(client, ais('jobs-suite'), 20, 'sub/');
  });
  after(async () => {
    for (const b of ['jobs-suite', 'jobs-suite-copy', 'jobs-suite-picked']) await client.deleteBucket(ais(b)).catch(() => undefined);
  });

  it('Copy Bucket on AIStore is one copy-bck job, shown in the Jobs view and finished there', async () => {
    const started = await vscode.commands.executeCommand<StartedJob>('aisBuckets.copyBucket', bucketNode(cluster, 'jobs-suite', 'ais'), { to: ais('jobs-suite-copy') });
    assert.ok(started && !started.id.startsWith('local-'), 'the cluster runs it');
    const job = await started.done;
    assert.equal(job.error, undefined);
    assert.equal(job.objects, 320);
    assert.deepEqual((await listKeys(client, ais('jobs-suite-copy'))).sort(), (await listKeys(client, ais('jobs-suite'))).sort());
    const roots = (await api.jobs.state()).find((c) => c.clusterName === cluster);
    const entry = roots?.jobs.find((j) => j.info.id === started.id);
    assert.ok(entry, 'the Jobs view has it');
    const tree = api.jobsView as unknown as vscode.TreeView<JobsNode>;
    assert.ok(tree, 'the view exists');
  });

  it('a job started elsewhere (the CLI, another user) shows after Refresh; a copy onto its source is refused', async () => {
    const jobs = client.jobs!;
    const id = await jobs.copyBucket(ais('jobs-suite'), ais('jobs-suite-elsewhere'), { dryRun: true });
    await vscode.commands.executeCommand('aisBuckets.jobs.refresh');
    const entry = api.jobs.find(cluster, id);
    assert.ok(entry, 'the Jobs view lists it');
    assert.equal(entry.runner, 'cluster');
    assert.equal((await api.jobs.whenEnded(cluster, id)).objects, 320);
    const err = await commandError('aisBuckets.copyBucket', bucketNode(cluster, 'jobs-suite', 'ais'), { to: ais('jobs-suite') });
    assert.match(err.message, /is the source bucket/);
  });

  it('Copy to… a folder: objects by name and a folder by prefix, names kept below the selection', async () => {
    const nodes = [objectNode(cluster, 'jobs-suite', 'ais', key(1)), objectNode(cluster, 'jobs-suite', 'ais', key(2)), { type: 'folder', clusterName: cluster, bucket: ais('jobs-suite'), prefix: 'sub/' } as FolderNode];
    const started = await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.copyTo', nodes[0], nodes, { clusterName: cluster, bucket: ais('jobs-suite-picked'), prefix: 'in/' });
    assert.equal(started.length, 2, 'one job for the objects, one for the folder');
    for (const s of started) assert.equal((await s.done).error, undefined);
    const keys = (await listKeys(client, ais('jobs-suite-picked'))).sort();
    assert.deepEqual(keys, [`in/${key(1)}`, `in/${key(2)}`, ...Array.from({ length: 20 }, (_, i) => `in/sub/${key(i)}`)].sort());
  });

  it('Show Summary counts a bucket and a folder, and a refresh forgets it', async () => {
    const s = await vscode.commands.executeCommand<KeptSummary>('aisBuckets.showSummary', bucketNode(cluster, 'jobs-suite', 'ais'), { quiet: true });
    assert.equal(s.objects, 320);
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket: ais('jobs-suite'), prefix: 'sub/' };
    assert.equal((await vscode.commands.executeCommand<KeptSummary>('aisBuckets.showSummary', folder, { quiet: true })).objects, 20);
    assert.equal(api.tree.summaries.get(cluster, ais('jobs-suite'))?.objects, 320);
    api.tree.refresh(bucketNode(cluster, 'jobs-suite', 'ais'));
    assert.equal(api.tree.summaries.get(cluster, ais('jobs-suite')), undefined);
  });

  it('Delete by Template deletes exactly what matches; a malformed template is refused', async () => {
    const err = await commandError('aisBuckets.deleteByTemplate', bucketNode(cluster, 'jobs-suite-copy', 'ais'), 'img-{0..}.png');
    assert.match(err.message, /Not a template AIStore takes/);
    const started = await vscode.commands.executeCommand<StartedJob>('aisBuckets.deleteByTemplate', bucketNode(cluster, 'jobs-suite-copy', 'ais'), 'img-{0000..0099}.png');
    assert.equal((await started.done).error, undefined);
    const left = (await listKeys(client, ais('jobs-suite-copy'))).sort();
    assert.equal(left.length, 220);
    assert.ok(!left.includes(key(99)) && left.includes(key(100)));
  });

  it('on a plain S3 endpoint the extension runs the copy, the delete and the summary itself', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'jobs-s3', endpoint: `${url}/s3`, kind: 's3' });
    try {
      const s3 = await api.registry.client('jobs-s3');
      assert.equal(s3.jobs, undefined);
      const src = { name: 'jobs-suite', provider: 's3' };
      const dst = { name: 'jobs-suite-s3copy', provider: 's3' };
      const started = await vscode.commands.executeCommand<StartedJob>('aisBuckets.copyBucket', { type: 'bucket', clusterName: 'jobs-s3', bucket: src }, { to: dst, prefix: 'sub/' });
      assert.ok(started.id.startsWith('local-'), 'run here');
      const job = await started.done;
      assert.equal(job.objects, 20, job.error);
      assert.deepEqual((await listKeys(s3, dst)).sort(), Array.from({ length: 20 }, (_, i) => `sub/${key(i)}`));
      const sum = await vscode.commands.executeCommand<KeptSummary>('aisBuckets.showSummary', { type: 'bucket', clusterName: 'jobs-s3', bucket: src }, { quiet: true });
      assert.equal(sum.objects, 320);
      const del = await vscode.commands.executeCommand<StartedJob>('aisBuckets.deleteByTemplate', { type: 'bucket', clusterName: 'jobs-s3', bucket: dst }, 'sub/img-{0000..0009}.png');
      assert.equal((await del.done).objects, 10);
      assert.equal((await listKeys(s3, dst)).length, 10);
      const state = (await api.jobs.state()).find((c) => c.clusterName === 'jobs-s3');
      assert.equal(state?.kind, 's3');
      assert.ok(state && state.jobs.length >= 2 && state.jobs.every((j) => j.runner === 'extension'));
      await s3.deleteObjects(dst, await listKeys(s3, dst));
      await s3.deleteBucket(dst);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'jobs-s3');
    }
  });
});
