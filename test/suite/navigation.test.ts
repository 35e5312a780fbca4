// Go to Key and substring search, run as commands in the real VS Code on a bucket of 20,000 objects of the
// runner's gateway: how few listings Go to Key takes and the path the tree reveals (the row shown and
// selected in the workbench: test/e2e/ui/goto.ui.mjs), and every name a search finds.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { ClusterClient, ListObjectsOptions } from '../../src/client/cluster';
import { nodeId, type BucketNode, type FolderNode, type ObjectNode, type TreeNode } from '../../src/views/model';
import { bodyOf } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';

const ref = { name: 'twenty', provider: 'ais' };
const keys = Array.from({ length: 20000 }, (_, i) => `items/${String(i).padStart(5, '0')}.dat`);

describe('Go to Key and search in a bucket of 20,000 objects', function () {
  this.timeout(300_000);
  let api: AisBucketsApi;
  let cluster: string;
  let client: ClusterClient;
  const bucket = (name: string): BucketNode => ({ type: 'bucket', clusterName: cluster, bucket: { name, provider: 'ais' } });

  before(async function () {
    ({ api, cluster, client } = await activateWithGateway(this));
    await client.createBucket(ref);
    for (let i = 0; i < keys.length; i += 200) await Promise.all(keys.slice(i, i + 200).map((k) => client.putObject(ref, k, bodyOf(k))));
    // Made behind the tree's back, maybe after the tree listed the buckets: Go to Key must find it anyway.
  });

  it('goes to a key in a bucket of 20,000 objects with a few listings, and the tree reveals it', async () => {
    const calls: ListObjectsOptions[] = [];
    const list = client.listObjects;
    client.listObjects = (b, o) => {
      if (b.name === 'twenty') calls.push(o ?? {});
      return list.call(client, b, o);
    };
    try {
      await vscode.commands.executeCommand('aisBuckets.clusters.focus');
      const node = (await vscode.commands.executeCommand('aisBuckets.goToKey', bucket('twenty'), 'items/12345.dat')) as TreeNode;
      assert.equal(node.type, 'object');
      assert.equal((node as ObjectNode).key, 'items/12345.dat');
      assert.ok(calls.length <= 3, `${calls.length} list requests`);
      assert.ok(calls.some((c) => c.startAfter !== undefined), 'a start-after listing');
      // reveal resolved; the renderer reports the selection back only when the view is drawn
      const selected = () => (api.treeView.selection as TreeNode[]).map(nodeId);
      for (let i = 0; i < 50 && !selected().includes(nodeId(node)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(selected(), [nodeId(node)], 'the tree selects the key it went to');
      // the path TreeView.reveal walks: object → folder → bucket → provider → cluster
      let up: TreeNode | undefined = node;
      const chain: string[] = [];
      while (up) {
        chain.push(up.type);
        up = api.tree.getParent(up) ?? undefined;
      }
      assert.deepEqual(chain, ['object', 'folder', 'bucket', 'provider', 'cluster']);
      // the folder's rows: "Show from the start", then the key
      const folder = api.tree.getParent(node) as FolderNode;
      assert.equal(folder.prefix, 'items/');
      const rows = await api.tree.getChildren(folder);
      assert.equal(api.tree.getTreeItem(rows[0]).label, 'Show from the start…');
      assert.equal(nodeId(rows[1]), nodeId(node));
    } finally {
      client.listObjects = list;
    }
  });

  it('finds names by substring across the 20,000-object bucket', async () => {
    const found = (await vscode.commands.executeCommand('aisBuckets.searchBucket', bucket('twenty'), '1234')) as string[];
    const expected = keys.filter((k) => k.includes('1234'));
    assert.deepEqual(found, expected);
    assert.ok(found.includes('items/11234.dat') && found.includes('items/01234.dat'));
  });
});
