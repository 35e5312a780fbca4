// A remote bucket as a person meets it: a gateway plays the cloud, a second gateway's aws provider caches
// it, and that cluster is added with Add Cluster. The rows say "not cached"; a click on one
// (a cold GET) and Prefetch on a selection of three turn them cached (a job in the Jobs view); Show Cached… narrows the bucket to what is cached;
// Evict on the bucket (asked first) turns everything back to "not cached", and the cloud keeps it all.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway } from '../lib/gateway.mjs';

const CLUSTER = 'cache';
const BUCKET = 'remote-data';
const KEYS = ['a.txt', 'b.txt', 'c.txt', 'd.txt'];

async function ownGateway(wb, ctx, name, args = []) {
  fs.mkdirSync(wb.artifactsDir, { recursive: true });
  return startGateway({ dataDir: path.join(ctx.work, `gateway-${name}-${Date.now()}`), logFile: path.join(wb.artifactsDir, `gateway-${name}.log`), args });
}

/** Each object row of the bucket: label → description. */
async function objectRows(wb) {
  const rows = await wb.rowInfo();
  return Object.fromEntries(rows.filter((r) => KEYS.includes(r.label)).map((r) => [r.label, r.description.replace(/^.* · /, '')]));
}

async function waitForRows(wb, want, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const now = await objectRows(wb);
    if (JSON.stringify(now) === JSON.stringify(want)) return now;
    if (Date.now() > deadline) throw new Error(`rows ${JSON.stringify(now)}, not ${JSON.stringify(want)}`);
    await wb.page.waitForTimeout(300);
  }
}

async function refreshBucket(wb) {
  await wb.rowAction(BUCKET, 'Refresh', { under: 'aws' });
}

export default [
  {
    name: 'A remote bucket shows what is cached; Prefetch a selection, Show Cached…, Evict the bucket',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const cloud = await ownGateway(wb, ctx, 'cloud');
      const cache = await ownGateway(wb, ctx, 'cache', ['--aws-endpoint', cloud.s3Endpoint, '--aws-access-key', 'cloud', '--aws-secret-key', 'cloud']);
      try {
        assert.equal((await fetch(`${cloud.s3Endpoint}/${BUCKET}`, { method: 'PUT' })).status, 200);
        for (const k of KEYS) assert.equal((await fetch(`${cloud.s3Endpoint}/${BUCKET}/${k}`, { method: 'PUT', body: `cloud ${k}\n` })).status, 200);
        await wb.openView();
        await wb.runCommand('AIS Buckets: Add Cluster…');
        await wb.answerAddCluster(cache.url, CLUSTER);
        await wb.expandPath(CLUSTER, 'aws', BUCKET);
        await waitForRows(wb, { 'a.txt': 'not cached', 'b.txt': 'not cached', 'c.txt': 'not cached', 'd.txt': 'not cached' });
        await wb.screenshot('remote-not-cached');

        // A click opens a.txt: the cluster reads it from the cloud and keeps it (a cold GET caches).
        await (await wb.row('a.txt', { under: BUCKET })).click();
        await refreshBucket(wb);
        await waitForRows(wb, { 'a.txt': 'cached', 'b.txt': 'not cached', 'c.txt': 'not cached', 'd.txt': 'not cached' });
        // Then a.txt to c.txt selected (click, Shift+click) and Prefetch: a.txt is cached already, so
        // the job fetches the other two.
        await (await wb.row('a.txt', { under: BUCKET })).click();
        await (await wb.row('c.txt', { under: BUCKET })).click({ modifiers: ['Shift'] });
        await wb.contextMenu('c.txt', 'Prefetch', { under: BUCKET });
        await wb.waitForNotification(/^Fetched 2 objects/, 60_000);
        await waitForRows(wb, { 'a.txt': 'cached', 'b.txt': 'cached', 'c.txt': 'cached', 'd.txt': 'not cached' });
        await wb.screenshot('remote-prefetched');

        await wb.contextMenu(BUCKET, 'Show Cached…', { under: 'aws' });
        await wb.quickPick('cached only');
        await waitForRows(wb, { 'a.txt': 'cached', 'b.txt': 'cached', 'c.txt': 'cached' });
        const bucketRow = (await wb.rowInfo()).find((r) => r.label === BUCKET);
        assert.match(bucketRow.description, /cached only/);
        await wb.screenshot('remote-cached-only');
        await wb.contextMenu(BUCKET, 'Show Cached…', { under: 'aws' });
        await wb.quickPick('all objects');

        await wb.contextMenu(BUCKET, 'Evict from Cluster', { under: 'aws' });
        assert.match(await wb.dialogMessage(), /^Evict every cached object under s3:\/\/remote-data\?/);
        await wb.dialogButton('Evict');
        await wb.waitForNotification(/^Evicted /, 60_000);
        await refreshBucket(wb);
        await waitForRows(wb, { 'a.txt': 'not cached', 'b.txt': 'not cached', 'c.txt': 'not cached', 'd.txt': 'not cached' });
        await wb.screenshot('remote-evicted');
        // The cloud keeps every object.
        const listing = await (await fetch(`${cloud.s3Endpoint}/${BUCKET}?list-type=2`)).text();
        for (const k of KEYS) assert.match(listing, new RegExp(`<Key>${k}</Key>`));
      } finally {
        await wb.removeCluster(CLUSTER).catch(() => undefined);
        await cache.child.stop();
        await cloud.child.stop();
      }
    },
  },
];
