// The extension against a cluster of several nodes, as a person uses one: a local cluster of one proxy and
// three target processes (`node dist/gateway.js --targets 3`), added with Add Cluster. Its bucket lists the
// objects of all three targets in one listing, paged (Load more…) across them; a click opens an object (the
// proxy answers with a redirect to its target, the only way its bytes come back); a file dropped from the
// Explorer lands on its target and reads back byte for byte; Delete removes one. Then one target is killed:
// the cluster map drops it, the tree lists what the other two hold, and opening one of its objects says
// which target is down. Each result is checked on the cluster and on each target.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway } from '../lib/gateway.mjs';
import { until } from '../lib/until.mjs';

const CLUSTER = 'three-targets';
const BUCKET = 'spread';
const KEYS = Array.from({ length: 12 }, (_, i) => `obj-${String(i).padStart(2, '0')}.txt`);
const PAGE = 5; // the tree's page size here: 12 objects take three pages, each merged over the targets
const UPLOAD = 'multinode-upload.bin';
const textOf = (key) => `${key}: one object of a three-target cluster\n`;

/** The cluster map's targets: [{ id, url }]. */
async function smapTargets(url) {
  const smap = await (await fetch(`${url}/v1/cluster?what=smap`)).json();
  return Object.values(smap.tmap).map((n) => ({ id: n.daemon_id, url: n.public_net.direct_url }));
}

/** The keys a target holds: asked of the target itself (its own S3 listing), not of the proxy. */
async function keysOn(targetUrl) {
  const xml = await (await fetch(`${targetUrl}/s3/${BUCKET}?list-type=2`)).text();
  return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
}

/** The labels of the rows right below the bucket's row, once two reads 250 ms apart agree. */
async function bucketChildren(wb) {
  const read = async () => {
    const info = await wb.rowInfo();
    const at = info.findIndex((r, i) => r.label === BUCKET && info.slice(0, i).some((c) => c.label === CLUSTER));
    if (at < 0) return [];
    const out = [];
    for (let j = at + 1; j < info.length && info[j].level > info[at].level; j++) if (info[j].level === info[at].level + 1) out.push(info[j].label);
    return out;
  };
  let last = await read();
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    await wb.page.waitForTimeout(250);
    const now = await read();
    if (now.length && JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

/** The bucket's rows in the tree, every page loaded (Load more… clicked until there is none). */
async function bucketRows(wb, { pages } = {}) {
  await wb.expandRow(BUCKET, { under: CLUSTER });
  for (let clicks = 0; ; clicks++) {
    const labels = await bucketChildren(wb);
    if (!labels.includes('Load more…')) {
      if (pages !== undefined) assert.equal(clicks + 1, pages, `the listing took ${clicks + 1} pages: ${labels}`);
      return labels;
    }
    assert.ok(clicks < 10, `Load more… does not end: ${labels}`);
    assert.equal(labels.length - 1, (clicks + 1) * PAGE, `each page adds ${PAGE} rows: ${labels}`);
    await calm(wb); // a tooltip over "Load more…" would take the click
    await (await wb.row('Load more…', { under: BUCKET })).click();
    await until('the next page', async () => JSON.stringify(await bucketChildren(wb)) !== JSON.stringify(labels));
  }
}

/** The mouse off the tree and its tooltip gone: the tooltip of the row last under it covers the rows below. */
async function calm(wb) {
  await wb.page.mouse.move(900, 700);
  const shown = wb.page.locator('.workbench-hover:visible, .monaco-hover:visible');
  for (const until = Date.now() + 5_000; (await shown.count()) && Date.now() < until; ) await wb.page.waitForTimeout(100);
}

async function editorText(wb) {
  const lines = wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').last();
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

export default [
  {
    name: 'a cluster of three targets: one merged listing paged across them, open, upload and delete through redirects; a killed target',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      fs.mkdirSync(wb.artifactsDir, { recursive: true });
      const dataDir = fs.mkdtempSync(path.join(ctx.work, 'multinode-'));
      const upload = path.join(ctx.workspace, UPLOAD);
      const uploaded = crypto.randomBytes(300 * 1024 + 7);
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      let gw;
      try {
        // The cluster starts (its three targets first) while the view opens.
        [gw] = await Promise.all([startGateway({ dataDir, logFile: path.join(wb.artifactsDir, 'gateway-multinode.log'), args: ['--targets', '3'] }), wb.openView()]);
        assert.equal(gw.targets.length, 3);
        const mapped = await smapTargets(gw.url);
        assert.deepEqual(mapped.map((t) => t.id).sort(), gw.targets.map((t) => t.id).sort(), 'the cluster map lists the three targets');
        assert.equal((await fetch(`${gw.s3Endpoint}/${BUCKET}`, { method: 'PUT' })).status, 200);
        await Promise.all(KEYS.map(async (k) => assert.equal((await fetch(`${gw.s3Endpoint}/${BUCKET}/${k}`, { method: 'PUT', body: textOf(k) })).status, 200, k)));
        // Where HRW put each object, by each target's own listing: every key on exactly one, on 2 or 3 targets.
        const on = new Map();
        for (const t of mapped) for (const k of await keysOn(t.url)) on.set(k, [...(on.get(k) ?? []), t.id]);
        assert.deepEqual([...on.keys()].sort(), KEYS);
        assert.ok([...on.values()].every((ids) => ids.length === 1), `each object on one target: ${JSON.stringify([...on])}`);
        const spread = new Set([...on.values()].flat());
        assert.ok(spread.size >= 2, `the objects are spread over the targets: ${JSON.stringify([...on])}`);
        // ...and in those targets' own data dirs.
        for (const t of gw.targets) assert.equal(fs.existsSync(path.join(t.dataDir, 'buckets', 'ais', BUCKET)), true, `t[${t.id}] has the bucket`);

        // A small page, so that the listing's pages each merge the three targets' names.
        fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(settingsBefore), 'aisBuckets.pageSize': PAGE }, null, 2));
        await wb.runCommand('AIS Buckets: Add Cluster…');
        await wb.answerAddCluster(gw.url, CLUSTER);
        await wb.expandPath(CLUSTER, 'ais');
        await wb.row(BUCKET, { under: CLUSTER });
        await wb.screenshot('cluster-added');
        assert.deepEqual(await bucketRows(wb, { pages: 3 }), KEYS, 'one listing of every target, in name order, no name twice');
        await calm(wb);
        await wb.screenshot('listing-merged-all-pages');

        // Open an object: its bytes come from its target (the proxy redirects every object GET).
        const opened = KEYS[7];
        await (await wb.row(opened, { under: BUCKET })).click();
        await until(`${opened} in an editor`, async () => (await editorText(wb)).includes(textOf(opened).trim()));
        await wb.screenshot('object-opened');

        // Upload: a file dropped from the Explorer onto the bucket (a PUT the proxy redirects to its target).
        fs.writeFileSync(upload, uploaded);
        await wb.dragFromExplorer(UPLOAD, BUCKET, { under: CLUSTER });
        if (await wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
          await wb.dialogButton('Keep xxhash and Upload');
        }
        const told = await wb.waitForNotification(/^Uploaded multinode-upload\.bin/, 30_000);
        const back = Buffer.from(await (await fetch(`${gw.s3Endpoint}/${BUCKET}/${UPLOAD}`)).arrayBuffer());
        const at = back.findIndex((b, i) => b !== uploaded[i]);
        assert.ok(back.equals(uploaded), `the object reads back byte for byte: ${back.length} bytes of ${uploaded.length}, first difference at ${at}`);
        assert.equal(told, 'Uploaded multinode-upload.bin (300 KiB) to ais://spread.');
        const holders = [];
        for (const t of mapped) if ((await keysOn(t.url)).includes(UPLOAD)) holders.push(t.id);
        assert.equal(holders.length, 1, `the upload is on one target: ${holders}`);
        // The tree shows it (a refresh of the bucket: its first page again) before the next click there.
        await until('the upload in the tree', async () => (await bucketChildren(wb)).includes(UPLOAD));
        await calm(wb);
        await wb.screenshot('uploaded');

        // Delete one object from its context menu.
        const deleted = KEYS[2];
        await wb.contextMenu(deleted, 'Delete', { under: BUCKET });
        assert.equal(await wb.dialogMessage(), `Delete "${deleted}" from ais://${BUCKET}?`);
        await wb.dialogButton('Delete');
        assert.equal(await wb.waitForNotification(new RegExp(`^Deleted ${deleted.replace('.', '\\.')}`)), `Deleted ${deleted} from ais://${BUCKET}.`);
        assert.equal((await fetch(`${gw.s3Endpoint}/${BUCKET}/${deleted}`, { method: 'HEAD' })).status, 404);
        await wb.waitForNoRow(deleted);
        on.delete(deleted);
        on.set(UPLOAD, holders);
        // Kill the target of a text object the tree shows (the upload and the delete refreshed it to its
        // first page): SIGKILL, no goodbye. The others keep what they hold.
        const shown = (await bucketChildren(wb)).filter((k) => KEYS.includes(k));
        const gone = shown[0];
        const victim = gw.targets.find((t) => t.id === on.get(gone)[0]);
        const lost = [...on.keys()].filter((k) => on.get(k)[0] === victim.id).sort();
        const kept = [...on.keys()].filter((k) => on.get(k)[0] !== victim.id).sort();
        assert.ok(kept.length, `objects on the other targets too: ${JSON.stringify([...on])}`);
        process.kill(victim.pid, 'SIGKILL');
        await until('the cluster map without the killed target', async () => (await smapTargets(gw.url)).length === 2, 10_000);

        // Its objects still show until a refresh; opening one says which target is down.
        await wb.page.keyboard.press('Escape');
        await (await wb.row(gone, { under: BUCKET })).click();
        const err = await wb.waitForNotification(/^Cannot open /, 20_000);
        assert.match(err, new RegExp(`^Cannot open ais://${CLUSTER}/ais/${BUCKET}/${gone}: .* is on target t\\[${victim.id}\\], which is down \\(its process exited \\(SIGKILL\\)\\)`));
        // The whole message in the picture: the notification expanded.
        const item = wb.page.locator('.notifications-center .notification-list-item', { hasText: 'Cannot open' }).first();
        await item.hover();
        await item.locator('.codicon-notifications-expand').first().click({ timeout: 5_000 }).catch(() => undefined);
        await calm(wb);
        await wb.screenshot('object-on-killed-target');

        // A refresh lists what the two live targets hold; their objects read as before.
        await wb.rowAction(BUCKET, 'Refresh', { under: CLUSTER });
        await until('the refreshed listing', async () => !(await bucketChildren(wb)).includes(gone));
        assert.deepEqual(await bucketRows(wb), kept, 'the listing of the two live targets');
        await calm(wb);
        await wb.screenshot('listing-after-kill');
        const survivor = kept.find((k) => k !== UPLOAD);
        assert.equal(await (await fetch(`${gw.s3Endpoint}/${BUCKET}/${survivor}`)).text(), textOf(survivor));
        for (const k of lost) assert.equal((await fetch(`${gw.s3Endpoint}/${BUCKET}/${k}`, { method: 'HEAD' })).status, 503, k);
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the harness's comes after the cluster is gone
        throw e;
      } finally {
        await wb.removeCluster(CLUSTER).catch(() => undefined);
        fs.writeFileSync(settingsFile, settingsBefore);
        await gw?.child.stop();
        fs.rmSync(upload, { force: true });
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  },
];
