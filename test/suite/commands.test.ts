// Every command of the extension, run with arguments in the real VS Code against the runner's gateway
// (Go to Key and search, which need a bucket of their own of 20,000 objects: navigation.test.ts).
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { ClusterClient } from '../../src/client/cluster';
import { FileUploadJournal } from '../../src/client/transfer/journal';
import { TransferCancelled } from '../../src/client/transfer/limits';
import { uploadFile } from '../../src/client/transfer/upload';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode, ClusterNode, FolderNode, ObjectNode, TreeNode } from '../../src/views/model';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bodyOf, readObjectText } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';
import { s3RemoteOf, startTestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { makeTempDir, removeDir } from '../helpers/temp';

const tmp = makeTempDir('suite');

describe('commands', function () {
  let api: AisBucketsApi;
  let cluster: string;
  let url: string;
  let client: ClusterClient;
  const node = (bucket: string): BucketNode => ({ type: 'bucket', clusterName: cluster, bucket: { name: bucket, provider: 'ais' } });
  const object = (b: string, key: string, size = 0): ObjectNode => ({
    type: 'object',
    clusterName: cluster,
    bucket: { name: b, provider: 'ais' },
    key,
    entry: { key, size },
    parentPrefix: key.slice(0, key.lastIndexOf('/') + 1),
  });

  before(async function () {
    ({ api, cluster, url, client } = await activateWithGateway(this));
  });

  after(() => removeDir(tmp));

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
    fs.writeFileSync(cfg, `[default]\naccess_key = K1\nsecret_key = s3cfgSecret/0000000000000000000000001\nhost_base = ${host}/s3\nhost_bucket = ${host}/s3\nuse_https = False\nmultipart_chunk_size_mb = 7\n`);
    const name = (await vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg)) as string;
    try {
      const entry = await api.registry.entry(name);
      assert.equal(entry?.spec.kind, 'ais');
      assert.equal(entry?.spec.endpoint, url);
      assert.equal(entry?.spec.multipartChunkSizeMb, 7);
      assert.equal(entry?.spec.secretKey, 's3cfgSecret/0000000000000000000000001');
      fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('Secret/0000000000000000000000001', 'Secret/0000000000000000000000002'));
      assert.equal(await vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg), name);
      const all = (vscode.workspace.getConfiguration('aisBuckets').get<{ name: string }[]>('clusters') ?? []).filter((c) => c.name === name);
      assert.equal(all.length, 1);
      assert.equal((await api.registry.entry(name))?.spec.secretKey, 's3cfgSecret/0000000000000000000000002');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', name);
    }
    fs.writeFileSync(cfg, '[default]\nhost_base =\n');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aisBuckets.importS3cfg', cfg)), /line 2: host_base is empty/);
  });

  it('creates and deletes buckets, refusing invalid names', async () => {
    const target = { clusterName: cluster, provider: 'ais' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.createBucket', target, 'made-by-test'), 'made-by-test');
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
    const doc = (await vscode.commands.executeCommand('aisBuckets.showBucketPropsJson', node('photos'))) as string;
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
    // A drop asks the md5 question of a bucket that is not md5, in a modal nobody here answers (the UI tests do).
    const settings = vscode.workspace.getConfiguration('aisBuckets');
    await settings.update('offerMd5', false, vscode.ConfigurationTarget.Global);
    try {
      await api.dragAndDrop.handleDrop(node('empty'), data, new vscode.CancellationTokenSource().token);
    } finally {
      await settings.update('offerMd5', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(await readObjectText(client, { name: 'empty', provider: 'ais' }, 'dropped.txt'), 'dropped on a bucket\n');
    await client.deleteObject({ name: 'empty', provider: 'ais' }, 'dropped.txt');
  });

  it('lists and aborts multipart uploads', async () => {
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

  it('copies a presigned URL that plain HTTP can fetch, and the gateway refuses it once expired', async () => {
    await client.createBucket({ name: 'share', provider: 'ais' });
    await client.putObject({ name: 'share', provider: 'ais' }, 'docs/hello world.txt', bodyOf('presigned bytes'));
    // The runner's cluster has no keys: a link signed with nothing would fail where auth is on, so it says why instead.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', object('share', 'docs/hello world.txt'), 60)), /has no S3 keys: a presigned URL is signed/);
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'signer', endpoint: url, kind: 'ais', accessKey: 'AKIASIGNER', secretKey: 'signer-secret', skipProbe: true });
    const signed = (b: string, key: string): ObjectNode => ({ ...object(b, key), clusterName: 'signer' });
    const link = (await vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', signed('share', 'docs/hello world.txt'), 60)) as string;
    assert.match(link, /X-Amz-Credential=AKIASIGNER%2F/);
    assert.equal(await vscode.env.clipboard.readText(), link);
    assert.match(link, /\/s3\/share\/docs\/hello%20world\.txt\?.*X-Amz-Expires=60/);
    const got = await request('GET', link);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'presigned bytes');
    const short = (await vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', signed('share', 'docs/hello world.txt'), 1)) as string;
    await vscode.commands.executeCommand('aisBuckets.removeCluster', 'signer');
    await new Promise((r) => setTimeout(r, 2100));
    const refused = await request('GET', short);
    assert.equal(refused.status, 403);
    assert.match(refused.body.toString(), /Request has expired/);
  }).timeout(300_000);

  it('edits content type and user metadata in place; the gateway reads them back', async () => {
    await client.putObject({ name: 'share', provider: 'ais' }, 'meta.json', bodyOf('{"a":1}'), { contentType: 'text/plain', userMeta: { old: 'x' } });
    const before = await request('HEAD', `${url}/s3/share/meta.json`);
    await vscode.commands.executeCommand('aisBuckets.editMetadata', object('share', 'meta.json'), { contentType: 'application/json', userMeta: { owner: 'team-a', stage: 'raw' } });
    const after = await request('HEAD', `${url}/s3/share/meta.json`);
    assert.equal(after.headers['content-type'], 'application/json');
    assert.equal(after.headers['x-amz-meta-owner'], 'team-a');
    assert.equal(after.headers['x-amz-meta-stage'], 'raw');
    assert.equal(after.headers['x-amz-meta-old'], undefined);
    assert.equal(after.headers['etag'], before.headers['etag'], 'same bytes');
    // user metadata only: AIStore's own API (PATCH set-custom)
    await vscode.commands.executeCommand('aisBuckets.editMetadata', object('share', 'meta.json'), { contentType: 'application/json', userMeta: { owner: 'team-b' } });
    const again = await request('HEAD', `${url}/s3/share/meta.json`);
    assert.equal(again.headers['x-amz-meta-owner'], 'team-b');
    assert.equal(again.headers['x-amz-meta-stage'], undefined);
    assert.equal(again.headers['content-type'], 'application/json');
  }).timeout(300_000);

  it('renames a folder (AIStore native rename) and an object; the gateway lists the new names', async () => {
    const ref = { name: 'share', provider: 'ais' };
    for (const k of ['old/a.txt', 'old/sub/b.txt', 'old/sub/c.txt']) await client.putObject(ref, k, bodyOf(k));
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket: { name: 'share', provider: 'ais' }, prefix: 'old/' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.rename', folder, 'new/place'), 3);
    const listed = await request('GET', `${url}/s3/share?list-type=2&prefix=`);
    const names = [...listed.body.toString().matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    assert.ok(['new/place/a.txt', 'new/place/sub/b.txt', 'new/place/sub/c.txt'].every((k) => names.includes(k)), names.join(' '));
    assert.ok(!names.some((k) => k.startsWith('old/')));
    assert.equal((await request('GET', `${url}/s3/share/new/place/sub/b.txt`)).body.toString(), 'old/sub/b.txt');
    assert.equal(await vscode.commands.executeCommand('aisBuckets.rename', object('share', 'new/place/a.txt'), 'renamed.txt'), 1);
    assert.equal((await request('HEAD', `${url}/s3/share/renamed.txt`)).status, 200);
    assert.equal((await request('HEAD', `${url}/s3/share/new/place/a.txt`)).status, 404);
  }).timeout(300_000);

  it('resumes a journalled upload cut off half-way: only the missing parts, right checksum', async () => {
    assert.ok(api.uploadJournal, 'the extension keeps an upload journal');
    const ref = { name: 'share', provider: 'ais' };
    const file = path.join(tmp, 'half.bin');
    const data = crypto.randomBytes(26 * 1024 * 1024);
    fs.writeFileSync(file, data);
    // Another process (a killed extension host) wrote the journal: a fresh journal object on the same file.
    const writer = new FileUploadJournal(api.uploadJournal.file);
    const abort = new AbortController();
    let sent = 0;
    const orig = client.uploadPart;
    client.uploadPart = async (...a) => {
      const etag = await orig.apply(client, a);
      if (++sent === 3) abort.abort();
      return etag;
    };
    try {
      await assert.rejects(uploadFile(client, ref, file, 'half.bin', { partSize: 5 * 1024 * 1024, partConcurrency: 1, signal: abort.signal, journal: writer }), TransferCancelled);
      const entry = (await api.uploadJournal.list()).find((e) => e.key === 'half.bin');
      assert.ok(entry);
      assert.equal(entry.parts.length, 3);
      const parts: number[] = [];
      client.uploadPart = async (...a) => {
        parts.push(a[3]);
        return orig.apply(client, a);
      };
      const done = (await vscode.commands.executeCommand('aisBuckets.resumeUploads', [entry.uploadId])) as string[];
      assert.deepEqual(done, [entry.uploadId]);
      assert.deepEqual(parts.sort(), [4, 5, 6]);
    } finally {
      client.uploadPart = orig;
    }
    const got = await request('GET', `${url}/s3/share/half.bin`);
    assert.equal(crypto.createHash('sha256').update(got.body).digest('hex'), crypto.createHash('sha256').update(data).digest('hex'));
    assert.match(String(got.headers['etag']), /-6"?$/);
    assert.equal((await api.uploadJournal.list()).some((e) => e.key === 'half.bin'), false);
  }).timeout(300_000);

  it('copies objects dragged between buckets in the tree, server-side, keeping names below the dragged folder', async () => {
    const folder: TreeNode = { type: 'folder', clusterName: cluster, bucket: { name: 'demo', provider: 'ais' }, prefix: 'docs/' };
    const data = new vscode.DataTransfer();
    data.set('application/vnd.code.tree.aisbuckets.clusters', new vscode.DataTransferItem([folder]));
    await api.dragAndDrop.handleDrop(node('photos'), data, new vscode.CancellationTokenSource().token);
    const keys = (await client.listObjects({ name: 'photos', provider: 'ais' }, { folders: false })).objects.map((o) => o.key);
    assert.ok(keys.includes('docs/guide.md') && keys.includes('docs/notes/today.txt'), `copied keys in ${keys}`);
    assert.match(await readObjectText(client, { name: 'photos', provider: 'ais' }, 'docs/guide.md'), /^# Guide/);
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
    const ais = await startTestGateway({ remote: s3RemoteOf(cloud) });
    try {
      await cloud.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await cloud.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'stays' }));
      await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'with-cloud', endpoint: ais.url, kind: 'ais' });
      const withCloud = await api.registry.client('with-cloud');
      assert.equal((await withCloud.headObject({ name: 'kept', provider: 'aws' }, 'k')).size, 5); // now in the cluster
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
