import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3RemoteOf, startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClusterClient, ClusterConnection } from '../../src/client/cluster';
import { closedPort } from '../helpers/servers';
import { bodyOf } from '../helpers/data';
import { BucketNode, ClusterNode, ClusterSource, FolderNode, LoadMoreNode, MessageNode, ObjectNode, ProviderNode, TreeModel, TreeNode, escapeMarkdown, markdownLines, nodeId, objectAccessibilityLabel, providerDescription } from '../../src/views/model';
import { formatAge, formatAgeInWords, shortEndpoint } from '../../src/objects/format';
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
    // host:port, not the whole URL; no word twice
    assert.equal(model.item(local).description, `embedded · ${new URL(gw.url).host}`);
    assert.equal(model.item(local).accessibilityLabel, `cluster local, the embedded gateway at ${gw.url}`);
    assert.match(model.item(local).tooltip, new RegExp(`^AIStore cluster ${gw.url}\nThe embedded gateway`));

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
    // "ais" with "AIS" beside it said the same twice; "aws" with "AWS S3" keeps what is new
    assert.deepEqual(providers.map((p) => [model.item(p).label, model.item(p).description]), [['ais', undefined], ['aws', 'S3']]);
    assert.equal(model.item(providers[1]).accessibilityLabel, 'provider aws, AWS S3 buckets');
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
    // short in the row (a side bar is ~300 px), the full values in the tooltip, what it is for a screen reader
    assert.equal(readmeItem.description, '20 B · just now');
    const later = new Date(readme.entry.mtime!.getTime() + 3 * 60_000 + 10_000);
    assert.equal(model.item(readme, later).description, '20 B · 3 min ago');
    assert.equal(model.item(readme, later).accessibilityLabel, 'object readme.md, 20 bytes, modified 3 minutes ago');
    assert.match(readmeItem.tooltip, /^ais:\/\/alpha\/readme\.md\nSize: 20 B \(20 bytes\)\nModified: \d{4}-\d\d-\d\dT[\d:.]+Z \(just now\)\nChecksum: xxhash:[0-9a-f]{16}/);
    assert.match(readmeItem.markdownTooltip ?? '', /^\*\*ais:\/\/alpha\/readme\\\.md\*\* {2}\nSize: 20 B \\\(20 bytes\\\) {2}\nModified: /);
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
    const nothing = await model.children(many);
    assert.deepEqual(labels(model, nothing), ['Nothing starts with "zzz"']);
    assert.deepEqual(model.item(nothing[0]).command, { command: 'aisBuckets.clearFilter', title: 'Clear Filter', arguments: [many] });
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
    // an empty bucket says so and offers the next step: a click uploads, a drop on the row too (dnd.ts)
    const betaKids = await model.children(beta);
    assert.deepEqual(labels(model, betaKids), ['Empty: Upload…']);
    const emptyItem = model.item(betaKids[0]);
    assert.equal(emptyItem.description, 'or drop files');
    assert.deepEqual(emptyItem.command, { command: 'aisBuckets.upload', title: 'Upload Files…', arguments: [beta] });
    assert.equal(emptyItem.accessibilityLabel, 'Empty: Upload… or drop files');
    assert.equal(model.item(beta).accessibilityLabel, 'bucket beta');
    assert.notEqual(nodeId(alpha), nodeId(s3Alpha));
  } finally {
    src.dispose();
    await gw.dispose();
    await remote.dispose();
  }
});

test('a cluster without buckets offers Create Bucket in its place', async () => {
  const gw = await startTestGateway();
  const src = source([{ type: 'cluster', clusterName: 'fresh', endpoint: gw.url, kind: 'ais', connection: { kind: 'ais', endpoint: gw.url } }]);
  const model = new TreeModel(src);
  try {
    const [fresh] = await model.children();
    const [ais] = (await model.children(fresh)) as ProviderNode[];
    const kids = await model.children(ais);
    assert.deepEqual(labels(model, kids), ['No buckets: Create Bucket…']);
    const item = model.item(kids[0]);
    assert.deepEqual(item.command, { command: 'aisBuckets.createBucket', title: 'Create Bucket…', arguments: [ais] });
    assert.equal(item.icon, 'add');
    assert.equal(model.item(fresh).description, new URL(gw.url).host);
    assert.equal(model.item(fresh).accessibilityLabel, `cluster fresh, AIStore at ${gw.url}`);
  } finally {
    src.dispose();
    await gw.dispose();
  }
});

test('short descriptions: relative dates, host:port, providers without a repeated word, Markdown escaped', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const cases: [number, string, string][] = [
    [10_000, 'just now', 'just now'],
    [60_000, '1 min ago', '1 minute ago'],
    [3 * 60_000 + 20_000, '3 min ago', '3 minutes ago'],
    [59 * 60_000, '59 min ago', '59 minutes ago'],
    [3600_000, '1 h ago', '1 hour ago'],
    [5 * 3600_000 + 59 * 60_000, '5 h ago', '5 hours ago'],
    [86400_000, '1 d ago', '1 day ago'],
    [2 * 86400_000 + 3600_000, '2 d ago', '2 days ago'],
    [45 * 86400_000, '1 mo ago', '1 month ago'],
    [200 * 86400_000, '6 mo ago', '6 months ago'],
  ];
  for (const [ms, short, words] of cases) {
    assert.equal(formatAge(ago(ms), now), short, `${ms} ms`);
    assert.equal(formatAgeInWords(ago(ms), now), words, `${ms} ms`);
  }
  // a year back, or ahead (clock skew): the date itself
  assert.match(formatAge(ago(400 * 86400_000), now), /^2025-10-2\d$/);
  assert.match(formatAgeInWords(ago(400 * 86400_000), now), /^on 2025-10-2\d$/);
  assert.match(formatAge(new Date(now.getTime() + 3600_000), now), /^2026-11-2\d$/);
  assert.equal(formatAge(new Date(now.getTime() + 20_000), now), 'just now');
  assert.equal(formatAge(undefined, now), '');

  assert.equal(shortEndpoint('http://127.0.0.1:51080'), '127.0.0.1:51080');
  assert.equal(shortEndpoint('https://s3.eu-central-1.amazonaws.com/'), 's3.eu-central-1.amazonaws.com');
  assert.equal(shortEndpoint('https://minio.lab:443/s3'), 'minio.lab/s3');
  assert.equal(shortEndpoint('not a url'), 'not a url');

  assert.equal(providerDescription('ais', 'AIS'), '');
  assert.equal(providerDescription('aws', 'AWS S3'), 'S3');
  assert.equal(providerDescription('gcp', 'Google Cloud'), 'Google Cloud');
  assert.equal(providerDescription('s3', 'S3'), '');

  assert.equal(escapeMarkdown('a_b*c [x](y) <b> `k` #1'), 'a\\_b\\*c \\[x\\]\\(y\\) \\<b\\> \\`k\\` \\#1');
  assert.equal(markdownLines(['ais://b/_k', 'Size: 1 B']), '**ais://b/\\_k**  \nSize: 1 B');
  const entry = { key: 'k', size: 32, mtime: ago(3 * 60_000) };
  assert.equal(objectAccessibilityLabel('readme.txt', entry, now), 'object readme.txt, 32 bytes, modified 3 minutes ago');
  assert.equal(objectAccessibilityLabel('one', { key: 'one', size: 1 }, now), 'object one, 1 byte');
  assert.equal(objectAccessibilityLabel('big', { key: 'big', size: 3 * 1024 * 1024 }, now), 'object big, 3.00 MiB');
});

test('paging far keeps a window of pages: Load previous… brings the page above back, the same names, on AIS and S3', async () => {
  const gw = await startTestGateway();
  const src = source([
    { type: 'cluster', clusterName: 'native', endpoint: gw.url, kind: 'ais', connection: { kind: 'ais', endpoint: gw.url } },
    { type: 'cluster', clusterName: 'over-s3', endpoint: gw.s3Endpoint, kind: 's3', connection: { kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' } },
  ]);
  const model = new TreeModel(src, { pageSize: () => 4 });
  try {
    const setup = await src.client('native');
    await setup.createBucket({ name: 'paged', provider: 'ais' });
    // 26 names, two of them folders between the objects: pages mix both.
    const names: string[] = [];
    for (let i = 0; i < 24; i++) {
      const key = `k${String(i).padStart(2, '0')}`;
      await setup.putObject({ name: 'paged', provider: 'ais' }, key, bodyOf(key));
      names.push(key);
    }
    for (const dir of ['k05x/', 'k17x/']) {
      await setup.putObject({ name: 'paged', provider: 'ais' }, `${dir}inner`, bodyOf('x'));
      names.push(dir);
    }
    names.sort();
    for (const cluster of ['native', 'over-s3']) {
      const [clusterNode] = (await model.children()).filter((c) => c.type === 'cluster' && c.clusterName === cluster);
      const [provider] = (await model.children(clusterNode)) as ProviderNode[];
      const bucket = ((await model.children(provider)) as BucketNode[]).find((b) => b.bucket.name === 'paged')!;
      const shown = async () => labels(model, await model.children(bucket));
      const rowsOf = (l: string[]) => l.filter((x) => !x.endsWith('…'));
      const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

      // Down to the end: never more than three pages of rows, and every name met once, in order.
      const seen: string[] = [];
      let kids = await model.children(bucket);
      seen.push(...rowsOf(labels(model, kids)));
      let windows = 0;
      while (kids.at(-1)?.type === 'loadMore' && !(kids.at(-1) as LoadMoreNode).previous) {
        const before = new Set(rowsOf(labels(model, kids)));
        await model.loadMore(kids.at(-1) as LoadMoreNode);
        kids = await model.children(bucket);
        const rows = rowsOf(labels(model, kids));
        assert.ok(rows.length <= 12, `${cluster}: ${rows.length} rows shown at once`);
        seen.push(...rows.filter((r) => !before.has(r)));
        windows++;
      }
      assert.equal(windows, 6, `${cluster}: 26 names in pages of 4`);
      assert.deepEqual([...seen].sort(byName), names.map((n) => n).sort(byName), cluster);
      assert.equal(seen.length, 26, cluster);
      // The window at the end: the last three pages, "Load previous…" above them with how many come before.
      let l = await shown();
      assert.equal(l[0], 'Load previous…', cluster);
      assert.equal(model.item(kids[0]).description, '16 before these', cluster);
      assert.equal(rowsOf(l).length, 10, cluster);

      // Back up to the top: each step brings back exactly the page above, and drops the bottom one.
      for (let step = 0; step < 4; step++) {
        const top = kids[0] as LoadMoreNode;
        assert.equal(top.previous, true);
        const firstBefore = rowsOf(labels(model, kids))[0];
        await model.loadMore(top);
        kids = await model.children(bucket);
        l = labels(model, kids);
        const rows = rowsOf(l);
        assert.equal(rows.length, 12, `${cluster}: three whole pages after going back`);
        assert.equal(rows[4], firstBefore, `${cluster}: the page above ends where the window began`);
        assert.equal(l.at(-1), 'Load more…', cluster);
      }
      l = await shown();
      assert.notEqual(l[0], 'Load previous…', `${cluster}: at the start, nothing above`);
      assert.deepEqual(rowsOf(l), seen.slice(0, 12), cluster);
      assert.equal(model.item(kids.at(-1)!).description, '12 shown', cluster);
      // And down again past the window: the bottom row counts from the first shown.
      await model.loadMore(kids.at(-1) as LoadMoreNode);
      kids = await model.children(bucket);
      assert.equal(model.item(kids.at(-1)!).description, '5–16 shown', cluster);
      assert.deepEqual(rowsOf(labels(model, kids)), seen.slice(4, 16), cluster);
    }
  } finally {
    src.dispose();
    await gw.dispose();
  }
});
