// Every command of the extension, run with arguments in the real VS Code against the runner's gateway.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode, ClusterNode, TreeNode } from '../../src/views/model';
import { activate, testGateway } from './env';
import { startTestGateway } from '../helpers/gateway';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-suite-'));

describe('commands', function () {
  let api: AisBucketsApi;
  let cluster: string;
  let url: string;
  const node = (bucket: string): BucketNode => ({ type: 'bucket', clusterName: cluster, bucket: { name: bucket, provider: 'ais' } });

  before(async function () {
    const gw = testGateway();
    if (!gw) return this.skip();
    cluster = gw.cluster;
    url = gw.url;
    api = await activate<AisBucketsApi>();
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('adds a cluster after testing it; keys go to SecretStorage, never to settings', async () => {
    const name = await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'second', endpoint: url, kind: 'ais', accessKey: 'AKIAEXAMPLE', secretKey: 'very-secret' });
    assert.equal(name, 'second');
    try {
      const saved = vscode.workspace.getConfiguration('aisBuckets').get<unknown[]>('clusters') ?? [];
      const text = JSON.stringify(saved);
      assert.match(text, /"name":"second"/);
      assert.doesNotMatch(text, /very-secret|AKIAEXAMPLE/);
      const entry = await api.registry.entry('second');
      assert.equal(entry?.spec.secretKey, 'very-secret');
      const roots = await api.tree.getChildren();
      assert.ok(roots.some((r) => r.type === 'cluster' && r.clusterName === 'second'));
    } finally {
      assert.equal(await vscode.commands.executeCommand('aisBuckets.removeCluster', 'second'), true);
    }
    assert.equal(await api.registry.entry('second'), undefined);
  });

  it('refuses to add an endpoint that does not answer, with the reason', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'bad', endpoint: 'http://127.0.0.1:9', kind: 'ais' })),
      /Cannot reach http:\/\/127\.0\.0\.1:9/,
    );
    assert.equal(await api.registry.entry('bad'), undefined);
  });

  it('imports ~/.s3cfg-style files: an AIS gateway behind /s3, re-import updates instead of duplicating', async () => {
    const host = new URL(url).host;
    const cfg = path.join(tmp, 's3cfg');
    fs.writeFileSync(cfg, `[default]\naccess_key = K1\nsecret_key = S1\nhost_base = ${host}/s3\nhost_bucket = ${host}/s3\nuse_https = False\nmultipart_chunk_size_mb = 7\n`);
    const name = (await vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg)) as string;
    try {
      const entry = await api.registry.entry(name);
      assert.equal(entry?.spec.kind, 'ais');
      assert.equal(entry?.spec.endpoint, url);
      assert.equal(entry?.spec.multipartChunkSizeMb, 7);
      assert.equal(entry?.spec.secretKey, 'S1');
      fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('S1', 'S2'));
      assert.equal(await vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg), name);
      const all = (vscode.workspace.getConfiguration('aisBuckets').get<{ name: string }[]>('clusters') ?? []).filter((c) => c.name === name);
      assert.equal(all.length, 1);
      assert.equal((await api.registry.entry(name))?.spec.secretKey, 'S2');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', name);
    }
    fs.writeFileSync(cfg, '[default]\nhost_base =\n');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg)), /line 2: host_base is empty/);
  });

  it('creates and deletes buckets, refusing invalid names', async () => {
    const target = { clusterName: cluster, provider: 'ais' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.createBucket', target, 'made-by-test'), 'made-by-test');
    const client = await api.registry.client(cluster);
    assert.ok((await client.listBuckets('ais')).some((b) => b.name === 'made-by-test'));
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aisBuckets.createBucket', target, 'bad name')), /" " is not allowed/);
    assert.equal(await vscode.commands.executeCommand('aisBuckets.deleteBucket', node('made-by-test'), { confirm: false }), true);
    assert.ok(!(await client.listBuckets('ais')).some((b) => b.name === 'made-by-test'));
  });

  it('edits bucket checksum properties and the cluster default, as the cluster reports them', async () => {
    const after = (await vscode.commands.executeCommand('aisBuckets.editChecksum', node('photos'), { type: 'md5', validate_warm_get: true })) as { type: string };
    assert.equal(after.type, 'md5');
    // What the cluster itself says, over its native API:
    const res = await fetch(`${url}/v1/buckets/photos?provider=ais`, { method: 'HEAD' });
    const props = JSON.parse(res.headers.get('ais-bucket-props') ?? '{}');
    assert.equal(props.checksum.type, 'md5');
    assert.equal(props.checksum.validate_warm_get, true);
    const doc = (await vscode.commands.executeCommand('aisBuckets.showBucketProps', node('photos'))) as string;
    assert.equal(JSON.parse(doc).checksum.type, 'md5');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aisBuckets.editChecksum', node('photos'), { type: 'crc64' })));

    const clusterNode: ClusterNode = { type: 'cluster', clusterName: cluster, endpoint: url, kind: 'ais' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.setClusterChecksum', clusterNode, 'sha256'), 'sha256');
    const cfg = (await (await fetch(`${url}/v1/cluster?what=cluster_config`)).json()) as { checksum: { type: string } };
    assert.equal(cfg.checksum.type, 'sha256');
    await vscode.commands.executeCommand('aisBuckets.setClusterChecksum', clusterNode, 'xxhash');
  });

  it('uploads files and a folder, downloads them back byte for byte, deletes objects', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'tree', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'one.txt'), 'one\n');
    fs.writeFileSync(path.join(src, 'tree', 'a b.txt'), 'spaces\n');
    fs.writeFileSync(path.join(src, 'tree', 'sub', 'ünï.bin'), crypto.randomBytes(70_000));
    const dest = node('photos');
    const result = (await vscode.commands.executeCommand('aisBuckets.upload', dest, [vscode.Uri.file(path.join(src, 'one.txt')), vscode.Uri.file(path.join(src, 'tree'))])) as { files: number };
    assert.equal(result.files, 3);
    const client = await api.registry.client(cluster);
    const keys = (await client.listObjects({ name: 'photos', provider: 'ais' }, { folders: false })).objects.map((o) => o.key);
    for (const k of ['one.txt', 'tree/a b.txt', 'tree/sub/ünï.bin']) assert.ok(keys.includes(k), `${k} in ${keys}`);

    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const folder: TreeNode = { type: 'folder', clusterName: cluster, bucket: { name: 'photos', provider: 'ais' }, prefix: 'tree/' };
    await vscode.commands.executeCommand('aisBuckets.download', folder, undefined, vscode.Uri.file(out));
    assert.deepEqual(fs.readFileSync(path.join(out, 'tree', 'sub', 'ünï.bin')), fs.readFileSync(path.join(src, 'tree', 'sub', 'ünï.bin')));
    assert.equal(fs.readFileSync(path.join(out, 'tree', 'a b.txt'), 'utf8'), 'spaces\n');

    const deleted = await vscode.commands.executeCommand('aisBuckets.deleteObjects', folder, undefined, { confirm: false });
    assert.equal(deleted, 2);
    const left = (await client.listObjects({ name: 'photos', provider: 'ais' }, { folders: false })).objects.map((o) => o.key);
    assert.ok(!left.some((k) => k.startsWith('tree/')));
  });

  it('downloads a large object in ranges (the download worker, in this extension host) byte for byte', async () => {
    const src = path.join(tmp, 'big-src');
    fs.mkdirSync(src);
    const data = crypto.randomBytes(40 * 1024 * 1024 + 123); // above the 16 MiB part size: ranged, three ranges
    fs.writeFileSync(path.join(src, 'big.bin'), data);
    const folder: TreeNode = { type: 'folder', clusterName: cluster, bucket: { name: 'photos', provider: 'ais' }, prefix: 'big/' };
    await vscode.commands.executeCommand('aisBuckets.upload', folder, [vscode.Uri.file(path.join(src, 'big.bin'))]);
    const out = path.join(tmp, 'big-out');
    fs.mkdirSync(out);
    try {
      await vscode.commands.executeCommand('aisBuckets.download', folder, undefined, vscode.Uri.file(out));
      const got = fs.readFileSync(path.join(out, 'big', 'big.bin'));
      assert.equal(got.length, data.length);
      assert.equal(crypto.createHash('sha256').update(got).digest('hex'), crypto.createHash('sha256').update(data).digest('hex'));
      assert.deepEqual(fs.readdirSync(path.join(out, 'big')), ['big.bin'], 'no temp file left beside it');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.deleteObjects', folder, undefined, { confirm: false });
    }
  });

  it('accepts a real drop of local files on a bucket', async () => {
    const file = path.join(tmp, 'dropped.txt');
    fs.writeFileSync(file, 'dropped on a bucket\n');
    const data = new vscode.DataTransfer();
    data.set('text/uri-list', new vscode.DataTransferItem(vscode.Uri.file(file).toString()));
    await api.dragAndDrop.handleDrop(node('empty'), data, new vscode.CancellationTokenSource().token);
    const client = await api.registry.client(cluster);
    const { body } = await client.getObject({ name: 'empty', provider: 'ais' }, 'dropped.txt');
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'dropped on a bucket\n');
    await client.deleteObject({ name: 'empty', provider: 'ais' }, 'dropped.txt');
  });

  it('lists and aborts multipart uploads', async () => {
    const client = await api.registry.client(cluster);
    const uploadId = await client.createMultipartUpload({ name: 'demo', provider: 'ais' }, 'pending.bin');
    const listed = (await vscode.commands.executeCommand('aisBuckets.multipartUploads', node('demo'), { abort: 'none' })) as { uploadId: string }[];
    assert.ok(listed.some((u) => u.uploadId === uploadId));
    const after = (await vscode.commands.executeCommand('aisBuckets.multipartUploads', node('demo'), { abort: 'all' })) as unknown[];
    assert.deepEqual(after, []);
  });

  it('creates folders and copies object URIs', async () => {
    assert.equal(await vscode.commands.executeCommand('aisBuckets.createFolder', node('demo'), 'made'), 'made/');
    const folder = (await api.tree.getChildren(node('demo'))).find((n) => n.type === 'folder' && n.prefix === 'made/');
    assert.ok(folder, 'the new folder shows in the tree');
    assert.equal(await vscode.commands.executeCommand('aisBuckets.deleteObjects', folder, undefined, { confirm: false }), 1);
    const obj: TreeNode = { type: 'object', clusterName: cluster, bucket: { name: 'demo', provider: 'ais' }, key: 'hello.txt', entry: { key: 'hello.txt', size: 32 }, parentPrefix: '' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.copyObjectUri', obj), 'ais://demo/hello.txt');
    assert.equal(await vscode.env.clipboard.readText(), 'ais://demo/hello.txt');
  });

  it('copies objects dragged between buckets in the tree, server-side, keeping names below the dragged folder', async () => {
    const client = await api.registry.client(cluster);
    const folder: TreeNode = { type: 'folder', clusterName: cluster, bucket: { name: 'demo', provider: 'ais' }, prefix: 'docs/' };
    const data = new vscode.DataTransfer();
    data.set('application/vnd.code.tree.aisbuckets.clusters', new vscode.DataTransferItem([folder]));
    await api.dragAndDrop.handleDrop(node('photos'), data, new vscode.CancellationTokenSource().token);
    const keys = (await client.listObjects({ name: 'photos', provider: 'ais' }, { folders: false })).objects.map((o) => o.key);
    assert.ok(keys.includes('docs/guide.md') && keys.includes('docs/notes/today.txt'), `copied keys in ${keys}`);
    const { body } = await client.getObject({ name: 'photos', provider: 'ais' }, 'docs/guide.md');
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    assert.match(Buffer.concat(chunks).toString(), /^# Guide/);
    for (const k of ['docs/guide.md', 'docs/notes/today.txt']) await client.deleteObject({ name: 'photos', provider: 'ais' }, k);
  });

  it('deletes a non-empty bucket of a plain S3 endpoint after emptying it', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'plain-s3', endpoint: `${url}/s3`, kind: 's3' });
    try {
      const s3 = await api.registry.client('plain-s3');
      await s3.createBucket({ name: 's3-full', provider: 's3' });
      for (const k of ['a', 'b/c']) await s3.putObject({ name: 's3-full', provider: 's3' }, k, { stream: Readable.from([Buffer.from(k)]), size: k.length });
      const target: BucketNode = { type: 'bucket', clusterName: 'plain-s3', bucket: { name: 's3-full', provider: 's3' } };
      assert.equal(await vscode.commands.executeCommand('aisBuckets.deleteBucket', target, { confirm: false }), true);
      assert.ok(!(await s3.listBuckets()).some((b) => b.name === 's3-full'));
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'plain-s3');
    }
  });

  it('removes a remote bucket of an AIS cluster from the cluster, leaving the cloud bucket and its objects', async () => {
    // Two real gateways: "cloud" plays the S3 service behind the cluster's aws provider.
    const cloud = await startTestGateway();
    const ais = await startTestGateway({ remote: { endpoint: cloud.s3Endpoint, accessKey: 'test', secretKey: 'test' } });
    try {
      await cloud.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await cloud.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'stays' }));
      await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'with-cloud', endpoint: ais.url, kind: 'ais' });
      const client = await api.registry.client('with-cloud');
      assert.equal((await client.headObject({ name: 'kept', provider: 'aws' }, 'k')).size, 5); // now in the cluster
      const target: BucketNode = { type: 'bucket', clusterName: 'with-cloud', bucket: { name: 'kept', provider: 'aws' } };
      assert.equal(await vscode.commands.executeCommand('aisBuckets.deleteBucket', target, { confirm: false }), true);
      const left = await cloud.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }));
      assert.equal(await left.Body?.transformToString(), 'stays');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'with-cloud');
      await ais.dispose();
      await cloud.dispose();
    }
  });

  it('starts and stops the embedded gateway as the cluster "local"', async () => {
    const started = (await vscode.commands.executeCommand('aisBuckets.startLocalGateway')) as string;
    assert.match(started, /^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      assert.equal((await fetch(`${started}/v1/health`)).status, 200);
      // It runs with the keys the extension generated and keeps in SecretStorage: unsigned requests are
      // refused, while the tree below (the extension's own clients) works.
      assert.equal((await fetch(`${started}/s3`)).status, 403);
      assert.equal((await fetch(`${started}/v1/buckets`, { method: 'GET' })).status, 403);
      const roots = await api.tree.getChildren();
      const local = roots.find((r) => r.type === 'cluster' && r.clusterName === 'local');
      assert.ok(local, 'the local cluster shows in the tree');
      assert.equal(api.tree.getTreeItem(local).contextValue, 'cluster.embedded.ais');
      assert.ok((await api.tree.getChildren(local)).some((p) => p.type === 'provider' && p.provider === 'ais'));
    } finally {
      await vscode.commands.executeCommand('aisBuckets.stopLocalGateway');
    }
    assert.ok(!(await api.tree.getChildren()).some((r) => r.type === 'cluster' && r.clusterName === 'local'));
    await assert.rejects(fetch(`${started}/v1/health`));
  });
});
