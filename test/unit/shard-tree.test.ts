// The inside of shards in the tree model, against a real gateway: a shard expands into its members, paged,
// WebDataset samples group under their key, a member's bytes come through archpath, and a missing member,
// a corrupt shard and a missing shard each say what is wrong.
import { Readable } from 'node:stream';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClientError, type ClusterClient } from '../../src/client/cluster';
import { shardFormatOf } from '../../src/client/shards';
import { groupMembers, sampleKeyOf } from '../../src/views/shardnodes';
import { type LoadMoreNode, type MessageNode, type ObjectNode, type SampleNode, TreeModel, type TreeNode } from '../../src/views/model';
import { sampleMembers, tarOf, tgzOf, zipOf } from './shard-fixtures';

async function bytesOf(client: ClusterClient, key: string, member: string): Promise<Buffer> {
  const { body } = await client.shards.open({ name: 'ds', provider: 'ais' }, key, member);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('WebDataset keys and groups: members sharing a key, in shard order', () => {
  assert.equal(sampleKeyOf('a/0001.seg.png'), 'a/0001');
  assert.equal(sampleKeyOf('a.b/0001.jpg'), 'a.b/0001');
  assert.equal(sampleKeyOf('README'), 'README');
  assert.equal(sampleKeyOf('.hidden'), '.hidden');
  const groups = groupMembers(['0001.jpg', '0001.cls', '0002.jpg', 'notes.txt', '0003.jpg', '0003.json'].map((name) => ({ name, size: 1 })));
  assert.deepEqual(
    groups.map((g) => [g.key, g.members.length]),
    [
      ['0001', 2],
      ['0002', 1],
      ['notes', 1],
      ['0003', 2],
    ],
  );
  assert.equal(shardFormatOf('x/train-0001.tar.gz'), '.tar.gz');
  assert.equal(shardFormatOf('x/a.TGZ'), '.tgz');
  assert.equal(shardFormatOf('x/a.txt'), undefined);
  assert.equal(shardFormatOf('.tar'), undefined);
});

test('a shard expands in the tree: members, samples, paging, archpath reads, errors', async () => {
  const gw = await startTestGateway();
  const client = createClusterClient({ kind: 'ais', endpoint: gw.url });
  let pageSize = 1000;
  const model = new TreeModel({ clusters: async () => [{ type: 'cluster', clusterName: 'gw', endpoint: gw.url, kind: 'ais' }], client: async () => client }, { pageSize: () => pageSize });
  try {
    const bucket = { name: 'ds', provider: 'ais' };
    await client.createBucket(bucket);
    const members = sampleMembers();
    await client.putObject(bucket, 'train/shard-0.tar', { stream: Readable.from([await tarOf(members)]) });
    await client.putObject(bucket, 'train/shard-1.zip', { stream: Readable.from([await zipOf(members)]) });
    await client.putObject(bucket, 'train/shard-2.tgz', { stream: Readable.from([await tgzOf(members)]) });
    await client.putObject(bucket, 'train/broken.tar', { stream: Readable.from([Buffer.from('not a tar at all, just text that is long enough'.repeat(20))]) });
    await client.putObject(bucket, 'train/shard-0.tar.bak', { stream: Readable.from([Buffer.from('a neighbour whose name starts like the shard')]) });

    const [cluster] = await model.children();
    const [provider] = await model.children(cluster);
    const [bucketNode] = (await model.children(provider)).filter((n) => n.type === 'bucket');
    const [folder] = await model.children(bucketNode);
    const inFolder = await model.children(folder);
    const shard = inFolder.find((n): n is ObjectNode => n.type === 'object' && n.key === 'train/shard-0.tar')!;
    assert.equal(model.item(shard).collapsible, true, 'a shard row expands');
    assert.match(model.item(shard).contextValue, /^object\.shard/);
    const plain = inFolder.find((n): n is ObjectNode => n.type === 'object' && n.key === 'train/shard-0.tar.bak')!;
    assert.equal(model.item(plain).collapsible, false);

    for (const key of ['train/shard-0.tar', 'train/shard-1.zip', 'train/shard-2.tgz']) {
      const node = inFolder.find((n): n is ObjectNode => n.type === 'object' && n.key === key)!;
      const rows = await model.children(node);
      // a/001.{jpg,json} and a/002.{jpg,json} are samples; the others stand alone.
      assert.deepEqual(
        rows.map((r) => model.item(r).label),
        ['a/001', 'a/002', 'bin/blob.bin', 'empty.txt', `long/${'x'.repeat(120)}/name.txt`],
        key,
      );
      const sample = rows[0] as SampleNode;
      assert.equal(sample.type, 'sample');
      assert.match(model.item(sample).description ?? '', /jpg, json/);
      const inSample = await model.children(sample);
      assert.deepEqual(
        inSample.map((r) => model.item(r).label),
        ['001.jpg', '001.json'],
      );
      assert.equal(model.parentOf(inSample[0])?.type, 'sample');
      const blob = rows[2];
      assert.equal(blob.type, 'member');
      assert.match(model.item(blob).description ?? '', /68\.4 KiB/);
      assert.deepEqual(await bytesOf(client, key, 'bin/blob.bin'), members[4].data, `${key}: the member's bytes`);
      assert.deepEqual(await bytesOf(client, key, 'a/002.json'), Buffer.from('{"n":2}'));
    }

    // Paging: two members a page, "Load more…" until the end, the same rows as in one page.
    pageSize = 2;
    model.invalidate();
    const again = (await model.children(folder)).find((n): n is ObjectNode => n.type === 'object' && n.key === 'train/shard-0.tar')!;
    let rows = await model.children(again);
    let pages = 1;
    while (rows[rows.length - 1].type === 'loadMore') {
      await model.loadMore(rows[rows.length - 1] as LoadMoreNode);
      rows = await model.children(again);
      pages++;
      assert.ok(pages < 10, 'paging ends');
    }
    assert.ok(pages >= 3, `paged (${pages} pages)`);
    assert.deepEqual(
      rows.map((r) => model.item(r).label),
      ['a/001', 'a/002', 'bin/blob.bin', 'empty.txt', `long/${'x'.repeat(120)}/name.txt`],
    );

    // A member the shard lacks, a missing shard, a shard that is no archive.
    await assert.rejects(bytesOf(client, 'train/shard-0.tar', 'a/999.jpg'), (e: unknown) => e instanceof ClientError && e.kind === 'not-found' && /no member "a\/999\.jpg"/.test(e.message));
    await assert.rejects(client.shards.list(bucket, 'train/none.tar'), (e: unknown) => e instanceof ClientError && e.kind === 'not-found');
    const broken = (await model.children(folder)).find((n): n is ObjectNode => n.type === 'object' && n.key === 'train/broken.tar')!;
    const brokenRows: TreeNode[] = await model.children(broken);
    assert.equal(brokenRows.length, 1);
    assert.equal(brokenRows[0].type, 'error');
    assert.match((brokenRows[0] as MessageNode).detail ?? '', /invalid tar header/);
  } finally {
    client.dispose();
    await gw.close();
  }
});

