import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3RemoteOf, startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClusterClient, ClusterConnection } from '../../src/client/cluster';
import { closedPort } from '../helpers/servers';
import { bodyOf } from '../helpers/data';
import { BucketNode, ClusterNode, ClusterSource, FolderNode, LoadMoreNode, MessageNode, ObjectNode, ProviderNode, TreeModel, TreeNode, nodeId } from '../../src/views/model';
import { parentPrefix } from '../../src/objects/names';

function source(clusters: (ClusterNode & { connection: ClusterConnection })[]): ClusterSource & { dispose(): void } {
  const clients = new Map<string, ClusterClient>();
  return {
    clusters: async () => clusters.map(({ connection: _c, ...node }) => node),
    client: async (name) => {
      let c = clients.get(name);
      if (!c) {
        const spec = clusters.find((x) => x.clusterName === name);
        if (!spec) throw new Error(`no cluster ${name}`);
        c = createClusterClient(spec.connection);
        clients.set(name, c);
      }
      return c;
    },
    dispose: () => clients.forEach((c) => c.dispose()),
  };
}

const labels = (model: TreeModel, nodes: TreeNode[]) => nodes.map((n) => model.item(n).label);

test('tree data from a real gateway: clusters, providers, buckets, folders, objects, paging, filter, errors', async () => {
  // A second gateway plays the remote S3 service behind the first one's `aws` provider.
  const remote = await startTestGateway();
  await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud-data' }));
  await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud-data', Key: 'logs/day1.log', Body: 'log' }));
  const gw = await startTestGateway({ remote: s3RemoteOf(remote) });
  const broken = await closedPort();
  let pageSize = 10;
  const src = source([
    { type: 'cluster', clusterName: 'local', endpoint: gw.url, kind: 'ais', embedded: true, connection: { kind: 'ais', endpoint: gw.url } },
    { type: 'cluster', clusterName: 'gone', endpoint: broken, kind: 'ais', connection: { kind: 'ais', endpoint: broken } },
    { type: 'cluster', clusterName: 'via-s3', endpoint: gw.s3Endpoint, kind: 's3', connection: { kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' } },
  ]);
  const model = new TreeModel(src, { pageSize: () => pageSize });
  try {
    const setup = await src.client('local');
    for (const b of ['alpha', 'beta']) await setup.createBucket({ name: b, provider: 'ais' });
    const alphaRef = { name: 'alpha', provider: 'ais' };
    for (const k of ['docs/a.txt', 'docs/b.txt', 'docs/sub/c.txt', 'img/1.png', 'readme.md']) await setup.putObject(alphaRef, k, bodyOf(`content of ${k}`));
    for (let i = 0; i < 25; i++) await setup.putObject(alphaRef, `many/f${String(i).padStart(2, '0')}`, bodyOf(String(i)));

    const clusters = await model.children();
    assert.deepEqual(labels(model, clusters), ['local', 'gone', 'via-s3']);
    const [local, gone, viaS3] = clusters as ClusterNode[];
    assert.equal(model.item(local).contextValue, 'cluster.embedded.ais');
    assert.equal(model.item(local).icon, 'vm');

    // an unreachable cluster is an error node with Retry, not an empty tree
    const goneKids = await model.children(gone);
    assert.equal(goneKids.length, 1);
    const err = goneKids[0] as MessageNode;
    assert.equal(err.type, 'error');
    assert.match(err.message, /^Cannot reach http:\/\/127\.0\.0\.1:\d+: nothing listens on that port\.$/);
    assert.match(err.detail ?? '', /Check the endpoint address/);
    assert.equal(err.parent, gone);
    const errItem = model.item(err);
    assert.equal(errItem.command?.command, 'aisBuckets.retry');
    assert.equal(errItem.iconColor, 'error');

    // providers as the cluster reports them: ais and the configured aws backend
    const providers = (await model.children(local)) as ProviderNode[];
    assert.deepEqual(providers.map((p) => p.provider), ['ais', 'aws']);
    assert.deepEqual(providers.map((p) => model.item(p).contextValue), ['provider.create', 'provider']);
    assert.deepEqual(labels(model, await model.children(providers[0])), ['alpha', 'beta']);
    const awsBuckets = (await model.children(providers[1])) as BucketNode[];
    assert.deepEqual(awsBuckets.map((b) => [b.bucket.name, b.bucket.provider]), [['cloud-data', 'aws']]);
    const cloudKids = await model.children(awsBuckets[0]);
    assert.deepEqual(labels(model, cloudKids), ['logs/']);
    assert.deepEqual(labels(model, await model.children(cloudKids[0])), ['day1.log']);

    // bucket → folders first, then objects, with size/time/checksum text
    const alpha = (await model.children(providers[0]))[0] as BucketNode;
    const top = await model.children(alpha);
    assert.deepEqual(labels(model, top), ['docs/', 'img/', 'many/', 'readme.md']);
    const readme = top[3] as ObjectNode;
    const readmeItem = model.item(readme);
    assert.equal(readmeItem.description?.split(' · ')[0], '20 B');
    assert.match(readmeItem.description ?? '', /^20 B · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    assert.match(readmeItem.tooltip, /^ais:\/\/alpha\/readme\.md\nSize: 20 B \(20 bytes\)\nModified: .*\nChecksum: xxhash:[0-9a-f]{16}/);
    assert.equal(model.parentOf(readme), alpha);
    const docs = top[0] as FolderNode;
    const docsKids = await model.children(docs);
    assert.deepEqual(labels(model, docsKids), ['sub/', 'a.txt', 'b.txt']);
    assert.equal(parentPrefix((docsKids[0] as FolderNode).prefix), 'docs/');
    assert.equal(model.item(docsKids[0]).tooltip, 'ais://alpha/docs/sub/');

    // pages of 10 with "Load more…"
    const many = top[2] as FolderNode;
    let kids = await model.children(many);
    assert.equal(kids.length, 11);
    const more = kids[10] as LoadMoreNode;
    assert.equal(more.type, 'loadMore');
    assert.equal(model.item(more).label, 'Load more…');
    assert.equal(model.item(more).description, '10 shown');
    await model.loadMore(more);
    kids = await model.children(many);
    assert.equal(kids.length, 21);
    await model.loadMore(kids[20] as LoadMoreNode);
    kids = await model.children(many);
    assert.deepEqual(labels(model, kids), Array.from({ length: 25 }, (_, i) => `f${String(i).padStart(2, '0')}`));

    // filter by name prefix on a folder and on a bucket
    model.setFilter(many, 'f2');
    assert.deepEqual(labels(model, await model.children(many)), ['f20', 'f21', 'f22', 'f23', 'f24']);
    assert.equal(model.item(many).description, 'filter: f2*');
    assert.equal(model.item(many).contextValue, 'folder.filtered');
    model.setFilter(many, 'zzz');
    assert.deepEqual(labels(model, await model.children(many)), ['Nothing starts with "zzz"']);
    model.setFilter(many, '');
    assert.equal((await model.children(many)).length, 11);
    model.setFilter(alpha, 'd');
    assert.deepEqual(labels(model, await model.children(alpha)), ['docs/']);
    model.setFilter(alpha, '');

    // pages are cached until invalidated
    await setup.putObject(alphaRef, 'docs/new.txt', bodyOf('new'));
    assert.deepEqual(labels(model, await model.children(docs)), ['sub/', 'a.txt', 'b.txt']);
    model.invalidate(docs);
    assert.deepEqual(labels(model, await model.children(docs)), ['sub/', 'a.txt', 'b.txt', 'new.txt']);
    await setup.putObject(alphaRef, 'zz.txt', bodyOf('z'));
    model.invalidate(readme);
    assert.ok(labels(model, await model.children(alpha)).includes('zz.txt'));

    // bucket lists page too: one per page here
    pageSize = 1;
    model.invalidate(providers[0]);
    let buckets = await model.children(providers[0]);
    assert.deepEqual(labels(model, buckets), ['alpha', 'Load more…']);
    await model.loadMore(buckets[1] as LoadMoreNode);
    buckets = await model.children(providers[0]);
    assert.deepEqual(labels(model, buckets), ['alpha', 'beta']);
    pageSize = 10;

    // a plain S3 endpoint (here the gateway's own /s3): one provider, same folders
    const s3Providers = (await model.children(viaS3)) as ProviderNode[];
    assert.deepEqual(s3Providers.map((p) => [p.provider, p.info.label]), [['s3', 'S3']]);
    assert.equal(model.item(s3Providers[0]).contextValue, 'provider.create');
    const s3Buckets = (await model.children(s3Providers[0])) as BucketNode[];
    assert.ok(s3Buckets.some((b) => b.bucket.name === 'alpha') && s3Buckets.some((b) => b.bucket.name === 'beta'));
    const s3Alpha = s3Buckets.find((b) => b.bucket.name === 'alpha')!;
    assert.deepEqual(labels(model, await model.children(s3Alpha)), ['docs/', 'img/', 'many/', 'readme.md', 'zz.txt']);
    const s3Readme = (await model.children(s3Alpha))[3] as ObjectNode;
    assert.match(model.item(s3Readme).tooltip, /^s3:\/\/alpha\/readme\.md\n/);

    // an empty bucket says so
    const beta = (await model.children(providers[0]))[1] as BucketNode;
    assert.deepEqual(labels(model, await model.children(beta)), ['Empty']);
    assert.notEqual(nodeId(alpha), nodeId(s3Alpha));
  } finally {
    src.dispose();
    await gw.dispose();
    await remote.dispose();
  }
});
