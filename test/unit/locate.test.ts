// Go to Key in the tree model: a key deep in a big bucket is found with one listing per level, pages
// start just before the name (start-after), a bare prefix lands on its first name, "Show from the start"
// goes back, filters that hide the name are dropped, and missing names say so.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClusterClient, ListObjectsOptions } from '../../src/client/cluster';
import { LoadMoreNode, nameBefore, nodeId, TreeModel } from '../../src/views/model';

test('nameBefore sorts just before the name', () => {
  for (const n of ['a', 'k/12345', 'dir/', 'x0', 'ü', 'b\u{1F600}', 'a\u0000']) {
    const b = nameBefore(n);
    assert.ok(Buffer.compare(Buffer.from(b), Buffer.from(n)) < 0, n);
  }
});

for (const kind of ['ais', 's3'] as const) {
  test(`${kind}: locate a key among 3000 objects with a few listings`, async () => {
    const gw = await startTestGateway();
    const client: ClusterClient = createClusterClient(kind === 'ais' ? { kind, endpoint: gw.url } : { kind, endpoint: gw.s3Endpoint });
    const calls: ListObjectsOptions[] = [];
    const list = client.listObjects.bind(client);
    client.listObjects = (b, o) => {
      calls.push(o ?? {});
      return list(b, o);
    };
    const model = new TreeModel(
      { clusters: async () => [{ type: 'cluster', clusterName: 'c', endpoint: gw.url, kind }], client: async () => client },
      { pageSize: () => 100 },
    );
    const b = { name: 'big', provider: kind === 'ais' ? 'ais' : 's3' };
    try {
      await client.createBucket(b);
      const keys = Array.from({ length: 3000 }, (_, i) => `d/sub/${String(i).padStart(5, '0')}.bin`);
      keys.push('a.txt', 'd/readme', 'zz/last');
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => client.putObject(b, k, { open: () => Readable.from([Buffer.from(k)]), size: k.length })));
      }

      calls.length = 0;
      const r = await model.locate('c', b, 'd/sub/02345.bin');
      assert.equal(r.node.type, 'object');
      assert.equal(r.node.type === 'object' && r.node.key, 'd/sub/02345.bin');
      assert.ok(calls.length <= 3, `listings: ${calls.length}`);
      assert.ok(calls.some((c) => c.startAfter && c.startAfter < 'd/sub/02345.bin'), JSON.stringify(calls));
      // the path up is known (TreeView.reveal walks getParent)
      const folder = model.parentOf(r.node)!;
      assert.equal(folder.type === 'folder' && folder.prefix, 'd/sub/');
      assert.equal(model.parentOf(model.parentOf(folder)!)!.type, 'bucket');
      // the folder's rows: "Show from the start", the key first, then a page of names after it
      const rows = await model.children(folder);
      assert.equal(rows[0].type, 'loadMore');
      assert.equal((rows[0] as LoadMoreNode).from !== undefined, true);
      assert.equal(nodeId(rows[1]), nodeId(r.node));
      assert.equal(model.item(rows[0]).label, 'Show from the start…');
      assert.notEqual(nodeId(rows[0]), nodeId(rows[rows.length - 1]), 'two "more" rows, two ids');
      // again: already loaded, no listing
      calls.length = 0;
      await model.locate('c', b, 'd/sub/02350.bin');
      assert.equal(calls.length, 0);
      // a bare prefix lands on its first name; a folder with a trailing slash is the folder
      const p = await model.locate('c', b, 'd/sub/0299');
      assert.equal(p.byPrefix, true);
      assert.equal(p.node.type === 'object' && p.node.key, 'd/sub/02990.bin');
      const f = await model.locate('c', b, 'd/sub/');
      assert.equal(f.node.type, 'folder');
      assert.equal((await model.locate('c', b, 'zz/last')).node.type, 'object');
      // a filter that hides the name is dropped
      model.setFilter(model.parentOf(f.node) as never, 'x');
      assert.equal((await model.locate('c', b, 'd/readme')).node.type, 'object');
      // missing names
      await assert.rejects(model.locate('c', b, 'd/sub/99999.bin'), /Nothing named "d\/sub\/99999\.bin"/);
      await assert.rejects(model.locate('c', b, 'nope/x'), /No folder "nope\/"/);
      await assert.rejects(model.locate('c', { ...b, name: 'other' }, 'x'), /No bucket/);
      // A bucket made after the tree listed the buckets (by another tool) is found: the list is read again.
      const later = { ...b, name: 'made-later' };
      await client.createBucket(later);
      await client.putObject(later, 'k', { open: () => Readable.from([Buffer.from('k')]), size: 1 });
      const fresh = await model.locate('c', later, 'k');
      assert.equal(fresh.node.type === 'object' && fresh.node.key, 'k');
      // "Show from the start" lists from the first name again
      await model.loadMore(rows[0] as LoadMoreNode);
      const again = await model.children(folder);
      assert.equal(model.item(again[0]).label, '00000.bin');
    } finally {
      client.dispose();
      await gw.dispose();
    }
  });
}
