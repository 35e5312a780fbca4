// A remote bucket in the extension host, with real parts only: a gateway as "the cloud", and a second
// gateway whose aws provider is that cloud, added as a cluster. The tree says which objects the cluster
// caches, Show Cached… filters them, Prefetch turns objects cached, Evict turns them back, Get Latest
// Version fetches what changed remotely; each is an AIStore job.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import { S3ClusterClient } from '../../src/client/s3';
import type { StartedJob } from '../../src/commands/jobs';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode, FolderNode, ObjectNode, TreeNode } from '../../src/views/model';
import { activateWithGateway, extension, findChild, labelOf } from '../helpers/extension-host';
import { type GatewayProcess, startGatewayProcess } from '../helpers/program';

describe('remote buckets', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let tmp: string;
  let cloud: GatewayProcess;
  let cache: GatewayProcess;
  let cloudS3: S3ClusterClient;
  const CLUSTER = 'cache-cluster';
  const BUCKET = { name: 'remote-data', provider: 's3' };
  const keys = ['a.txt', 'b.txt', 'docs/c.txt', 'docs/d.txt'];

  before(async function () {
    ({ api } = await activateWithGateway(this));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-remote-'));
    const script = path.join(extension().extensionPath, 'dist', 'gateway.js');
    cloud = await startGatewayProcess(script, ['--data', path.join(tmp, 'cloud')]);
    cloudS3 = new S3ClusterClient({ kind: 's3', endpoint: `${cloud.url}/s3`, accessKey: 'cloud', secretKey: 'cloud' });
    await cloudS3.createBucket(BUCKET);
    for (const k of keys) await cloudS3.putObject(BUCKET, k, { stream: Readable.from([Buffer.from(`v1 ${k}`)]), size: `v1 ${k}`.length });
    cache = await startGatewayProcess(script, ['--data', path.join(tmp, 'cache'), '--aws-endpoint', `${cloud.url}/s3`, '--aws-access-key', 'cloud', '--aws-secret-key', 'cloud']);
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: CLUSTER, endpoint: cache.url, kind: 'ais' });
  });
  after(async () => {
    await vscode.commands.executeCommand('aisBuckets.removeCluster', CLUSTER).then(undefined, () => undefined);
    cloudS3?.dispose();
    await cache?.kill();
    await cloud?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function bucketNode(): Promise<BucketNode> {
    const cluster = await findChild(api, undefined, CLUSTER);
    const aws = await findChild(api, cluster, 'aws');
    return (await findChild(api, aws, BUCKET.name)) as BucketNode;
  }

  /** The bucket's rows (and docs/'s) as "label: description". */
  async function rows(): Promise<string[]> {
    const out: string[] = [];
    const visit = async (n: TreeNode) => {
      for (const c of await api.tree.getChildren(n)) {
        out.push(`${labelOf(api, c)}: ${api.tree.getTreeItem(c).description ?? ''}`);
        if (c.type === 'folder') await visit(c);
      }
    };
    await visit(await bucketNode());
    return out;
  }

  const cachedOf = (r: string[]) => r.filter((x) => / · cached$/.test(x)).map((x) => x.split(':')[0]).sort();

  it('a remote bucket shows which objects are cached; Prefetch on a selection caches them, as one job', async () => {
    api.tree.refresh();
    const bucket = await bucketNode();
    assert.match(String(api.tree.getTreeItem(bucket).contextValue), /\.remote$/);
    assert.deepEqual(cachedOf(await rows()), [], 'nothing is cached yet');
    const objects = (await api.tree.getChildren(bucket)).filter((n): n is ObjectNode => n.type === 'object');
    const started = await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.prefetch', objects[0], objects, { quiet: true });
    assert.equal(started.length, 1);
    const job = await started[0].done;
    assert.equal(job.error, undefined);
    assert.equal(job.kind, 'prefetch-listrange');
    api.tree.refresh();
    assert.deepEqual(cachedOf(await rows()), ['a.txt', 'b.txt']);
  });

  it('Show Cached… filters the bucket: cached only, not cached only, all', async () => {
    const bucket = await bucketNode();
    await vscode.commands.executeCommand('aisBuckets.showCached', bucket, 'cached');
    assert.deepEqual((await api.tree.getChildren(await bucketNode())).map((n) => labelOf(api, n)).filter((l) => l !== 'docs/'), ['a.txt', 'b.txt']);
    assert.match(String(api.tree.getTreeItem(await bucketNode()).description), /cached only/);
    await vscode.commands.executeCommand('aisBuckets.showCached', bucket, 'notCached');
    const notCached = (await api.tree.getChildren(await bucketNode())).map((n) => labelOf(api, n));
    assert.ok(!notCached.includes('a.txt') && !notCached.includes('b.txt'), notCached.join(', '));
    await vscode.commands.executeCommand('aisBuckets.showCached', bucket, 'all');
  });

  it('Prefetch a folder and Evict the bucket: the cloud keeps every object', async () => {
    const bucket = await bucketNode();
    const docs = (await api.tree.getChildren(bucket)).find((n): n is FolderNode => n.type === 'folder')!;
    const [prefetched] = await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.prefetch', docs, [docs], { quiet: true });
    assert.equal((await prefetched.done).error, undefined);
    api.tree.refresh();
    assert.deepEqual(cachedOf(await rows()), ['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    const [evicted] = await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.evict', bucket, [bucket], { quiet: true });
    assert.equal((await evicted.done).error, undefined);
    api.tree.refresh();
    assert.deepEqual(cachedOf(await rows()), []);
    const page = await cloudS3.listObjects(BUCKET, { folders: false });
    assert.deepEqual(page.objects.map((o) => o.key).sort(), [...keys].sort(), 'the cloud keeps them');
  });

  it('Get Latest Version fetches what changed remotely, and the changed filter shows it first', async () => {
    const bucket = await bucketNode();
    const a = (await api.tree.getChildren(bucket)).find((n): n is ObjectNode => n.type === 'object' && n.key === 'a.txt')!;
    await (await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.prefetch', a, [a], { quiet: true }))[0].done;
    await cloudS3.putObject(BUCKET, 'a.txt', { stream: Readable.from([Buffer.from('v2 a.txt, longer')]), size: 'v2 a.txt, longer'.length });
    await vscode.commands.executeCommand('aisBuckets.showCached', bucket, 'changed');
    const changed = (await api.tree.getChildren(await bucketNode())).filter((n) => n.type === 'object');
    assert.deepEqual(changed.map((n) => `${labelOf(api, n)}: ${api.tree.getTreeItem(n).description}`.replace(/ · (just now|[^·]* ago)/, '')), ['a.txt: 8 B · changed remotely']);
    const [latest] = await vscode.commands.executeCommand<StartedJob[]>('aisBuckets.getLatestVersion', changed[0], changed, { quiet: true });
    assert.equal((await latest.done).error, undefined);
    await vscode.commands.executeCommand('aisBuckets.showCached', bucket, 'all');
    const client = await api.registry.client(CLUSTER);
    const got = await client.getObject({ name: BUCKET.name, provider: 'aws' }, 'a.txt');
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'v2 a.txt, longer');
  });
});
