// The extension against a local cluster of one proxy and three targets (`gateway.js --targets 3`): every
// object request is redirected by the proxy to the target AIStore's HRW picks, so uploads (a folder, and a
// file large enough for a multipart upload), the tree's merged listing, a download in parallel ranges,
// an object opened as a document, a shard's members and a batch delete all cross several targets.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import { fsUri } from '../../src/fs/provider';
import type { BucketNode, FolderNode, ObjectNode, TreeNode } from '../../src/views/model';
import { activateWithGateway, extension, findChild } from '../helpers/extension-host';
import { type GatewayProcess, startGatewayProcess } from '../helpers/program';

/** Files under `dir` (recursively), the targets' object data among them. */
function filesUnder(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).length;
}

describe('a local cluster of three targets', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let tmp: string;
  let proc: GatewayProcess;
  const CLUSTER = 'three-targets';
  const bucket = { name: 'spread', provider: 'ais' };

  before(async function () {
    ({ api } = await activateWithGateway(this));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-multinode-'));
    proc = await startGatewayProcess(path.join(extension().extensionPath, 'dist', 'gateway.js'), ['--targets', '3', '--data', path.join(tmp, 'cluster')]);
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: CLUSTER, endpoint: proc.url, kind: 'ais' });
    await (await api.registry.client(CLUSTER)).createBucket(bucket);
  });
  after(async () => {
    await vscode.commands.executeCommand('aisBuckets.removeCluster', CLUSTER).then(undefined, () => undefined);
    await proc?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads, lists, downloads, opens and deletes across the targets', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'set'), { recursive: true });
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(src, 'set', `f-${String(i).padStart(2, '0')}.txt`), `file ${i}\n`);
    // Above the 16 MiB part size: a multipart upload, each part and the completion sent through the proxy.
    const big = crypto.randomBytes(40 * 1024 * 1024 + 123);
    fs.writeFileSync(path.join(src, 'big.bin'), big);
    const up = (await vscode.commands.executeCommand('aisBuckets.upload', { clusterName: CLUSTER, bucket, prefix: '' }, [vscode.Uri.file(path.join(src, 'set')), vscode.Uri.file(path.join(src, 'big.bin'))], {
      overwrite: 'overwrite',
      quiet: true,
    })) as { files: number };
    assert.equal(up.files, 31);
    // HRW put the objects on every target (each has its own data dir under the cluster's).
    const perTarget = ['t0', 't1', 't2'].map((t) => filesUnder(path.join(tmp, 'cluster', t)));
    assert.ok(
      perTarget.every((n) => n > 0),
      `objects on every target: ${perTarget.join(', ')}`,
    );

    // The tree lists the bucket merged from the three targets, sorted.
    const cluster = await findChild(api, undefined, CLUSTER);
    const ais = await findChild(api, cluster, 'ais');
    const bucketNode = (await findChild(api, ais, bucket.name)) as BucketNode;
    const top = await api.tree.getChildren(bucketNode);
    assert.deepEqual(
      top.map((n) => api.tree.getTreeItem(n).label),
      ['set/', 'big.bin'],
    );
    const folder = top[0] as FolderNode;
    const files = (await api.tree.getChildren(folder)) as ObjectNode[];
    assert.deepEqual(
      files.map((n) => api.tree.getTreeItem(n).label),
      Array.from({ length: 30 }, (_, i) => `f-${String(i).padStart(2, '0')}.txt`),
    );

    // A download in parallel ranges, each ranged GET redirected; the bytes are the same.
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const bigNode = top[1] as ObjectNode;
    await vscode.commands.executeCommand('aisBuckets.download', bigNode, undefined, vscode.Uri.file(out), { overwrite: 'overwrite', quiet: true });
    assert.ok(fs.readFileSync(path.join(out, 'big.bin')).equals(big), 'the 40 MB object round-trips');
    await vscode.commands.executeCommand('aisBuckets.download', folder, undefined, vscode.Uri.file(out), { overwrite: 'overwrite', quiet: true });
    assert.equal(fs.readFileSync(path.join(out, 'set', 'f-17.txt'), 'utf8'), 'file 17\n');

    // The `ais:` file system reads and writes through the redirects too.
    const uri = fsUri({ cluster: CLUSTER, bucket, key: 'set/f-03.txt' });
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), 'file 3\n');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('changed\n'));
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), 'changed\n');

    // One delete-listrange for all: every target deletes its share.
    await vscode.commands.executeCommand('aisBuckets.deleteObjects', files[0], files, { confirm: false });
    api.tree.refresh(bucketNode);
    const left = (await api.tree.getChildren(bucketNode)) as TreeNode[];
    assert.deepEqual(
      left.map((n) => api.tree.getTreeItem(n).label),
      ['big.bin'],
    );
  });
});
