// The Clusters tree, computed by the real extension in the real VS Code against the runner's gateway.
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { ClusterClient } from '../../src/client/cluster';
import type { AisBucketsApi } from '../../src/extension';
import type { TreeNode } from '../../src/views/model';
import { activateWithGateway, findChild, labelOf } from '../helpers/extension-host';
import { closedPort, silentServer } from '../helpers/servers';

async function children(api: AisBucketsApi, node?: TreeNode): Promise<TreeNode[]> {
  return api.tree.getChildren(node);
}

describe('tree', function () {
  let api: AisBucketsApi;
  let cluster: string;
  let client: ClusterClient;

  before(async function () {
    ({ api, cluster, client } = await activateWithGateway(this));
  });

  it('shows the cluster, its providers, buckets, folders and objects', async () => {
    const c = await findChild(api, undefined, cluster);
    assert.equal(api.tree.getTreeItem(c).contextValue, 'cluster.transient.ais');
    const ais = await findChild(api, c, 'ais');
    const buckets = (await children(api, ais)).map((b) => labelOf(api, b));
    for (const name of ['demo', 'photos', 'empty']) assert.ok(buckets.includes(name), `bucket ${name} in [${buckets}]`);
    const demo = await findChild(api, ais, 'demo');
    const top = (await children(api, demo)).map((n) => labelOf(api, n));
    assert.deepEqual(top, ['docs/', 'hello.txt']);
    const hello = await findChild(api, demo, 'hello.txt');
    const item = api.tree.getTreeItem(hello);
    // short in the row, the full values in a Markdown tooltip, what the row is for a screen reader
    assert.match(String(item.description), /^32 B · (just now|\d+ (min|h|d|mo) ago|\d{4}-\d\d-\d\d)$/);
    assert.equal(item.tooltip, undefined, 'resolved on hover, not carried by every row');
    const resolved = await api.tree.resolveTreeItem(item, hello);
    assert.ok(resolved.tooltip instanceof vscode.MarkdownString, 'a Markdown tooltip');
    assert.match(resolved.tooltip.value, /Checksum: xxhash:[0-9a-f]{16}/);
    assert.match(item.accessibilityInformation?.label ?? '', /^object hello\.txt, 32 bytes, modified /);
    assert.deepEqual(item.command?.arguments?.[1], { fromTree: true }, 'a click opens as the Explorer does (open.ts)');
    const docs = await findChild(api, demo, 'docs/');
    assert.deepEqual((await children(api, docs)).map((n) => labelOf(api, n)), ['notes/', 'guide.md']);
    const empty = await findChild(api, ais, 'empty');
    assert.deepEqual((await children(api, empty)).map((n) => labelOf(api, n)), ['Empty: Upload…']);
  });

  it('pages a big folder with "Load more…" and filters by prefix', async () => {
    const bucket = { name: 'paged', provider: 'ais' };
    await client.createBucket(bucket);
    for (let i = 0; i < 7; i++) await client.putObject(bucket, `k${i}`, { stream: Readable.from([Buffer.from(String(i))]), size: 1 });
    await vscode.commands.executeCommand('aisBuckets.refresh');
    await vscode.workspace.getConfiguration('aisBuckets').update('pageSize', 3, vscode.ConfigurationTarget.Global);
    try {
      const ais = await findChild(api, await findChild(api, undefined, cluster), 'ais');
      const paged = await findChild(api, ais, 'paged');
      let kids = await children(api, paged);
      assert.deepEqual(kids.map((k) => labelOf(api, k)), ['k0', 'k1', 'k2', 'Load more…']);
      await vscode.commands.executeCommand('aisBuckets.loadMore', kids[3]);
      kids = await children(api, paged);
      assert.deepEqual(kids.map((k) => labelOf(api, k)), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'Load more…']);
      await vscode.commands.executeCommand('aisBuckets.loadMore', kids[6]);
      assert.deepEqual((await children(api, paged)).map((k) => labelOf(api, k)), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);

      await vscode.commands.executeCommand('aisBuckets.filter', paged, 'k5');
      assert.equal(api.tree.getTreeItem(paged).description, 'filter: k5*');
      assert.equal(api.tree.getTreeItem(paged).contextValue, 'bucket.filtered');
      // AIStore lists folder-style by directory, so a page may end before the filter is exhausted:
      // "Load more…" can follow, but no other object may show.
      assert.deepEqual((await children(api, paged)).filter((k) => k.type === 'object').map((k) => labelOf(api, k)), ['k5']);
      await vscode.commands.executeCommand('aisBuckets.clearFilter', paged);
      assert.equal((await children(api, paged)).length, 4);
    } finally {
      await vscode.workspace.getConfiguration('aisBuckets').update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows an error node, not an empty tree, for a cluster that cannot be reached', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'nowhere', endpoint: await closedPort(), kind: 'ais', skipProbe: true });
    try {
      const c = await findChild(api, undefined, 'nowhere');
      const kids = await children(api, c);
      assert.equal(kids.length, 1);
      assert.equal(kids[0].type, 'error');
      assert.match(labelOf(api, kids[0]), /Cannot reach http:\/\/127\.0\.0\.1:\d+: nothing listens on that port/);
      assert.equal(api.tree.getTreeItem(kids[0]).command?.command, 'aisBuckets.retry');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'nowhere');
    }
  });

  it('times out on an endpoint that accepts connections and never answers', async () => {
    const silent = await silentServer();
    await vscode.workspace.getConfiguration('aisBuckets').update('requestTimeoutSeconds', 1, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'silent', endpoint: silent.url, kind: 'ais', skipProbe: true });
    try {
      const c = await findChild(api, undefined, 'silent');
      const started = Date.now();
      const kids = await children(api, c);
      assert.ok(Date.now() - started < 10_000, 'the tree must not hang');
      assert.equal(kids[0].type, 'error');
      assert.match(labelOf(api, kids[0]), /did not answer/);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'silent');
      await vscode.workspace.getConfiguration('aisBuckets').update('requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      await silent.close();
    }
  });
});
