// Shards in the extension host against the runner's gateway: the tree expands a shard into its files and
// samples, a member opens as a read-only document (the shard is not downloaded), members and a whole shard
// download into a folder (a name that escapes the folder is never written), and Create Shard from
// Selection… runs AIStore's archive job whose shard then lists the objects packed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';
import type { MemberDownloadResult } from '../../src/commands/shards';
import type { StartedJob } from '../../src/commands/jobs';
import type { AisBucketsApi } from '../../src/extension';
import type { FolderNode, MemberNode, MessageNode, ObjectNode, SampleNode, TreeNode } from '../../src/views/model';
import { objectNode } from '../helpers/clusters';
import { activateWithGateway } from '../helpers/extension-host';

async function tarOf(members: { name: string; data: Buffer }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const m of members) await new Promise<void>((resolve, reject) => pack.entry({ name: m.name, size: m.data.length }, m.data, (e) => (e ? reject(e) : resolve())));
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe('shards', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let cluster: string;
  let client: ClusterClient;
  let url: string;
  const bucket: BucketRef = { name: 'shards-suite', provider: 'ais' };
  const members = [
    { name: 'train/0001.jpg', data: Buffer.from('jpeg bytes 0001') },
    { name: 'train/0001.json', data: Buffer.from('{"label": 1}\n') },
    { name: 'train/0002.jpg', data: Buffer.from('jpeg bytes 0002') },
    { name: 'train/0002.json', data: Buffer.from('{"label": 2}\n') },
    { name: '../escape.txt', data: Buffer.from('must not land outside') },
  ];
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-shards-'));
    dirs.push(d);
    return d;
  };

  before(async function () {
    ({ api, cluster, client, url } = await activateWithGateway(this));
    await client.createBucket(bucket).catch(() => undefined);
    const tar = await tarOf(members);
    await client.putObject(bucket, 'sets/ds-000.tar', { stream: Readable.from([tar]), size: tar.length });
    const tgz = zlib.gzipSync(await tarOf(members.slice(0, 4)));
    await client.putObject(bucket, 'sets/ds-001.tgz', { stream: Readable.from([tgz]), size: tgz.length });
    for (const k of ['raw/a.txt', 'raw/b.txt', 'raw/sub/c.txt']) await client.putObject(bucket, k, { stream: Readable.from([Buffer.from(`content of ${k}`)]) });
  });
  after(async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    const keys = ['sets/ds-000.tar', 'sets/ds-001.tgz', 'raw/a.txt', 'raw/b.txt', 'raw/sub/c.txt', 'raw.tar', 'picked.zip', 'raw-s3.tar.gz'];
    await client.deleteObjects(bucket, keys).catch(() => undefined);
    await client.deleteBucket(bucket).catch(() => undefined);
  });

  async function shardRows(): Promise<TreeNode[]> {
    const shard = objectNode(cluster, bucket.name, 'ais', 'sets/ds-000.tar');
    api.tree.refresh(shard);
    return api.tree.getChildren(shard);
  }

  it('a shard expands into samples and files; a member opens read-only with its bytes', async () => {
    const rows = await shardRows();
    const labels = rows.map((r) => api.tree.getTreeItem(r).label);
    // AIStore names a member SHARD/MEMBER by path.Join, which takes "../escape.txt" out of the shard: not listed.
    assert.deepEqual(labels, ['train/0001', 'train/0002']);
    const sample = rows[0] as SampleNode;
    const files = (await api.tree.getChildren(sample)) as MemberNode[];
    assert.deepEqual(
      files.map((f) => api.tree.getTreeItem(f).label),
      ['0001.jpg', '0001.json'],
    );
    const item = api.tree.getTreeItem(files[1]);
    assert.equal(item.command?.command, 'aisBuckets.openMember');
    await vscode.commands.executeCommand('aisBuckets.openMember', files[1], { preview: false });
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, 'an editor opened');
    assert.equal(doc.uri.scheme, 'ais-shard');
    assert.equal(path.basename(doc.uri.path), '0001.json');
    assert.equal(doc.getText(), '{"label": 1}\n');
    // Read-only: a write is refused, and the shard is unchanged.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('x'))), /read-only/i);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Download… of a sample and Extract Shard… write the files, nothing outside the folder', async () => {
    const rows = await shardRows();
    const dir = tempDir();
    const one = await vscode.commands.executeCommand<MemberDownloadResult>('aisBuckets.downloadMembers', rows[1], [rows[1]], vscode.Uri.file(dir));
    assert.equal(one.files, 2);
    assert.equal(fs.readFileSync(path.join(dir, 'train/0002.json'), 'utf8'), '{"label": 2}\n');
    assert.equal(fs.existsSync(path.join(dir, 'train/0001.jpg')), false, 'only the sample chosen');

    const all = tempDir();
    const shard = objectNode(cluster, bucket.name, 'ais', 'sets/ds-000.tar');
    const res = await vscode.commands.executeCommand<MemberDownloadResult>('aisBuckets.extractShard', shard, [shard], vscode.Uri.file(all));
    assert.equal(res.files, 4);
    for (const m of members.slice(0, 4)) assert.deepEqual(fs.readFileSync(path.join(all, m.name)), m.data);
    assert.equal(fs.existsSync(path.join(all, '..', 'escape.txt')), false);
    assert.deepEqual(fs.readdirSync(all), ['train'], 'no partial files left');
  });

  it('Create Shard from Selection…: a folder by its prefix, objects by name, as an archive job', async () => {
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket, prefix: 'raw/' };
    const started = await vscode.commands.executeCommand<StartedJob>('aisBuckets.createShard', folder, [folder], { name: 'raw.tar' });
    assert.ok(started && !started.id.startsWith('local-'), 'AIStore runs it');
    const job = await started.done;
    assert.equal(job.error, undefined);
    const page = await client.shards.list(bucket, 'raw.tar');
    assert.deepEqual(
      page.members.map((m) => m.name).sort(),
      ['raw/a.txt', 'raw/b.txt', 'raw/sub/c.txt'],
    );
    const picked = [objectNode(cluster, bucket.name, 'ais', 'raw/a.txt'), objectNode(cluster, bucket.name, 'ais', 'raw/sub/c.txt')];
    const second = await vscode.commands.executeCommand<StartedJob>('aisBuckets.createShard', picked[0], picked, { name: 'picked.zip' });
    assert.equal((await second.done).error, undefined);
    const { body } = await client.shards.open(bucket, 'picked.zip', 'raw/sub/c.txt');
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'content of raw/sub/c.txt');
    const entry = api.jobs.find(cluster, second.id);
    assert.ok(entry, 'the Jobs view has it');
  });

  it('on a plain S3 endpoint: ranged reads list and open; a .tgz is listed only when asked; Create Shard runs here', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'shards-s3', endpoint: `${url}/s3`, kind: 's3' });
    try {
      const s3 = { name: bucket.name, provider: 's3' };
      const shard: ObjectNode = { type: 'object', clusterName: 'shards-s3', bucket: s3, key: 'sets/ds-000.tar', entry: { key: 'sets/ds-000.tar', size: 0 }, parentPrefix: 'sets/' };
      const rows = await api.tree.getChildren(shard);
      // Read by this client from the TAR's headers, names as the archive holds them: "../escape.txt" too.
      assert.deepEqual(
        rows.map((r) => api.tree.getTreeItem(r).label),
        ['train/0001', 'train/0002', '../escape.txt'],
      );
      const all = tempDir();
      const res = await vscode.commands.executeCommand<MemberDownloadResult>('aisBuckets.extractShard', shard, [shard], vscode.Uri.file(all));
      assert.equal(res.files, 4);
      assert.deepEqual(res.unsafe, ['../escape.txt'], 'the name that climbs out is not written');
      assert.equal(fs.existsSync(path.join(all, '..', 'escape.txt')), false);
      assert.deepEqual(fs.readFileSync(path.join(all, 'train/0002.jpg')), members[2].data);

      // A .tgz has no index: one row says so; its command lists it by reading it whole.
      const tgz: ObjectNode = { ...shard, key: 'sets/ds-001.tgz', entry: { key: 'sets/ds-001.tgz', size: 300 } };
      const [ask] = (await api.tree.getChildren(tgz)) as MessageNode[];
      const item = api.tree.getTreeItem(ask);
      assert.match(String(item.label), /Listing reads the whole shard \(300 B\): click to list/);
      assert.equal(item.command?.command, 'aisBuckets.listWholeShard');
      await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
      assert.deepEqual(
        (await api.tree.getChildren(tgz)).map((r) => api.tree.getTreeItem(r).label),
        ['train/0001', 'train/0002'],
      );

      // Create Shard from Selection… on S3: packed and uploaded by this window, as a job of its own.
      const folder: FolderNode = { type: 'folder', clusterName: 'shards-s3', bucket: s3, prefix: 'raw/' };
      const started = await vscode.commands.executeCommand<StartedJob>('aisBuckets.createShard', folder, [folder], { name: 'raw-s3.tar.gz' });
      assert.ok(started.id.startsWith('local-'), 'run here');
      const job = await started.done;
      assert.equal(job.error, undefined);
      assert.equal(job.objects, 3);
      const s3client = await api.registry.client('shards-s3');
      const page = await s3client.shards.list(s3, 'raw-s3.tar.gz', { fullRead: true });
      assert.deepEqual(
        page.members.map((m) => m.name).sort(),
        ['raw/a.txt', 'raw/b.txt', 'raw/sub/c.txt'],
      );
      const { body } = await s3client.shards.open(s3, 'raw-s3.tar.gz', 'raw/b.txt');
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'content of raw/b.txt');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'shards-s3');
    }
  });
});
