// AIStore jobs as a person runs them from the tree and watches them in the Jobs view: Copy Bucket… of
// 10,000 objects (the dry run's count asked first) followed to its end, a copy of 30,000 stopped midway
// with the row's Stop, Delete by Template… (a malformed template refused as typed, the count asked before
// anything is deleted), and Show Summary of a bucket of 30,000 objects, in a notification and the
// bucket's tooltip. Every result is checked on the gateway itself.
import assert from 'node:assert/strict';
import http from 'node:http';
import { docsShot } from '../lib/docs.mjs';

const pad = (i, n = 5) => String(i).padStart(n, '0');

/** PUTs `count` small objects through the gateway's S3 side, 64 at a time on kept-alive connections. */
async function seed(ctx, bucket, count, name = (i) => `obj-${pad(i)}`, body = (i) => `object ${i}\n`) {
  const url = new URL(ctx.gateway.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const put = (path, data) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path, method: 'PUT', agent, headers: { 'content-length': Buffer.byteLength(data) } }, (res) => {
        res.resume();
        // 409: the bucket is there already (a retried test).
        res.on('end', () => (res.statusCode === 200 || (res.statusCode === 409 && !data) ? resolve() : reject(new Error(`PUT ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(data);
    });
  await put(`/s3/${bucket}`, '');
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) {
      const i = next++;
      await put(`/s3/${bucket}/${name(i)}`, body(i));
    }
  }));
  agent.destroy();
}

/** A GET with a JSON body (AIStore's list action), which fetch does not send. */
function getJson(url, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, json: () => JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** How many objects a bucket holds, by AIStore's listing. */
async function countObjects(ctx, bucket, prefix = '') {
  let n = 0;
  let token = '';
  do {
    const res = await getJson(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { action: 'list', value: { prefix, pagesize: 10000, continuation_token: token, props: 'name' } });
    if (res.status === 404) return 0;
    const page = res.json();
    n += (page.entries ?? []).length;
    token = page.continuation_token ?? '';
  } while (token);
  return n;
}

async function dropBucket(ctx, bucket) {
  await fetch(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) }).catch(() => undefined);
}

/** Expands the Jobs view (collapsed until a job is started from this window) when it is collapsed. */
async function showJobsView(wb) {
  const header = wb.viewPane('Jobs').locator('.pane-header').first();
  const expanded = async (ms) => {
    for (const until = Date.now() + ms; Date.now() < until; await wb.page.waitForTimeout(200)) if ((await header.getAttribute('aria-expanded')) === 'true') return true;
    return (await header.getAttribute('aria-expanded')) === 'true';
  };
  // A job started here opens the view itself (a moment later): a click then would close it again.
  for (let attempt = 1; !(await expanded(3_000)); attempt++) {
    if (attempt > 3) throw new Error('the Jobs view stays collapsed');
    await header.click();
  }
}

/** The Jobs view's row whose label starts with `label`: { label, description }, waiting until `until` says yes. */
async function jobRow(wb, label, until = () => true, timeout = 120_000) {
  await showJobsView(wb);
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = (await wb.rowInfo('Jobs')).find((r) => r.label.startsWith(label));
    if (last && until(last)) return last;
    if (Date.now() > deadline) throw new Error(`Jobs view: no row "${label}" as wanted; last seen ${JSON.stringify(last)}; rows ${JSON.stringify(await wb.rowLabels('Jobs'))}`);
    await wb.page.waitForTimeout(250);
  }
}

/** Drags the side bar's edge to `width` px, so that the Jobs view's rows show their progress in full. */
async function widenSideBar(wb, width = 720) {
  const box = await wb.page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  await wb.page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
  await wb.page.mouse.down();
  await wb.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 8 });
  await wb.page.mouse.up();
}

/** Opens Copy Bucket… on a bucket's row and answers: a new bucket by name, no prefix. */
async function copyToNewBucket(wb, ctx, source, target) {
  await wb.contextMenu(source, 'Copy Bucket…', { under: 'ais' });
  await wb.waitForQuickInputTitle(/^Copy Bucket ais:\/\/.* \(1\/\d\)$/);
  await wb.waitForQuickInputIdle();
  await wb.waitForQuickPickItem(/New bucket…$/);
  await wb.quickPick(/New bucket…$/, { filter: false });
  await wb.waitForQuickInputTitle(/\(2\/\d\)$/);
  await wb.typeInput(target);
  await wb.page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle(/\(3\/\d\)$/);
  await wb.page.keyboard.press('Enter'); // no prefix: the whole bucket
}

const SRC = 'jobs-src';
// The big bucket, seeded once for the summary and the stopped copy. The copy runs at about 3,000 objects a
// second on 2 cores and the Stop lands after 1,000 to 9,000 of them (seen): 30,000 leave it midway with room,
// and the summary counts over 30 of the gateway's job pages and 3 of AIStore's largest listing pages. Each
// object costs the seeding 0.3-0.5 ms of the gateway's CPU (more connections do not help): 100,000 took 25-40 s.
const BIG = 'jobs-30k';
const BIG_COUNT = 30_000;
const seedBig = async (ctx) => {
  if ((await countObjects(ctx, BIG)) !== BIG_COUNT) await seed(ctx, BIG, BIG_COUNT, (i) => `shard-${pad(i, 6)}.tar`, (i) => 'x'.repeat(1 + (i % 10)));
};

export default [
  {
    name: 'Copy Bucket… of 10,000 objects: the dry run counts them first, the job is watched in the Jobs view to its end, Reveal Bucket',
    timeout: 6 * 60_000,
    async run(wb, ctx) {
      const DST = 'jobs-dst';
      await seed(ctx, SRC, 10_000);
      try {
        await wb.openView();
        await widenSideBar(wb);
        await wb.expandPath(ctx.cluster, 'ais');
        await copyToNewBucket(wb, ctx, SRC, DST);
        assert.match(await wb.dialogMessage(), /^Copy 10,000 objects \([\d.]+ KiB\) from ais:\/\/jobs-src to ais:\/\/jobs-dst\?/);
        assert.equal(await countObjects(ctx, DST), 0, 'the dry run copied nothing');
        await wb.screenshot('copy-bucket-dry-run-count');
        await wb.dialogButton('Copy');

        // The job shows at once in the Jobs view, running, with what it has done so far.
        const running = await jobRow(wb, 'Copy jobs-src → jobs-dst', () => true, 30_000);
        await wb.screenshot('copy-bucket-job-running');
        const done = await jobRow(wb, 'Copy jobs-src → jobs-dst', (r) => r.description.startsWith('Done'));
        assert.match(done.description, /^Done: 10,000 objects · [\d.]+ KiB in \d+:\d\d$/, `running row was ${JSON.stringify(running)}`);
        // The dry run is a job too, finished below.
        await jobRow(wb, 'Dry run: copy jobs-src → jobs-dst', (r) => /^Done: 10,000 objects/.test(r.description), 10_000);
        const told = await wb.waitForNotification(/^Copied 10,000 objects/, 30_000);
        assert.match(told, /^Copied 10,000 objects \([\d.]+ KiB\) from ais:\/\/jobs-src to ais:\/\/jobs-dst\.$/);
        assert.equal(await countObjects(ctx, DST), 10_000);
        const got = await (await fetch(`${ctx.gateway.url}/s3/${DST}/obj-04242`)).text();
        assert.equal(got, 'object 4242\n');
        await wb.screenshot('copy-bucket-job-done');
        await docsShot(wb, 'jobs', wb.page.locator('.part.sidebar'));
        await wb.notificationButton(/^Copied 10,000 objects/, 'Reveal Bucket');
        await wb.row(DST, { under: 'ais' });
      } finally {
        await dropBucket(ctx, DST);
      }
    },
  },
  {
    name: 'Show Summary of a bucket of 30,000 objects: count and size told and kept in its tooltip',
    timeout: 6 * 60_000,
    async run(wb, ctx) {
      await seedBig(ctx);
      await wb.openView();
      await widenSideBar(wb);
      await wb.expandPath(ctx.cluster, 'ais');
      await wb.contextMenu(BIG, 'Show Summary', { under: 'ais' });
      // 1+2+…+10 bytes per ten objects: 165,000 bytes.
      const told = await wb.waitForNotification(/^ais:\/\/jobs-30k: /, 120_000);
      assert.equal(told, 'ais://jobs-30k: 30,000 objects, 161 KiB');
      await wb.screenshot('summary-told');
      const row = await wb.row(BIG, { under: 'ais' });
      await wb.page.mouse.move(0, 0);
      await row.locator('.label-name').first().hover();
      const hover = wb.page.locator('.workbench-hover, .monaco-hover', { hasText: 'Summary:' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await hover.innerText(), /Summary: 30,000 objects, 161 KiB, as of/);
      await wb.screenshot('summary-in-tooltip');
      // The summary is a job too.
      await jobRow(wb, 'Summary of jobs-30k', (r) => r.description.startsWith('Done'), 10_000);
    },
  },
  {
    name: 'A copy of 30,000 objects stopped midway with the Stop on its row: stopped, what was copied stays whole',
    timeout: 6 * 60_000,
    async run(wb, ctx) {
      const DST = 'jobs-stopped';
      await seedBig(ctx);
      try {
        await wb.openView();
        await widenSideBar(wb);
        await wb.expandPath(ctx.cluster, 'ais');
        await copyToNewBucket(wb, ctx, BIG, DST);
        assert.match(await wb.dialogMessage(), /^Copy 30,000 objects/);
        await wb.dialogButton('Copy');
        await jobRow(wb, 'Copy jobs-30k → jobs-stopped', (r) => /^[\d,]+ objects/.test(r.description) && !r.description.startsWith('0 objects'), 60_000);
        await wb.rowAction('Copy jobs-30k → jobs-stopped', 'Stop Job', { view: 'Jobs' });
        const stopped = await jobRow(wb, 'Copy jobs-30k → jobs-stopped', (r) => r.description.startsWith('Stopped'), 30_000);
        const n = Number(/^Stopped after ([\d,]+) objects/.exec(stopped.description)?.[1].replace(/,/g, ''));
        assert.ok(n > 0 && n < BIG_COUNT, `stopped midway (${stopped.description})`);
        await wb.waitForNotification(/^Stopped the copy to ais:\/\/jobs-stopped after/, 30_000);
        await wb.screenshot('copy-stopped');
        // Whole objects only: each copied one has its source's bytes.
        const copied = await countObjects(ctx, DST);
        assert.ok(copied >= n && copied < BIG_COUNT, `${copied} objects in the destination`);
        for (const i of [0, 1, 2]) {
          const res = await fetch(`${ctx.gateway.url}/s3/${DST}/shard-${pad(i, 6)}.tar`);
          if (res.status === 200) assert.equal(await res.text(), 'x'.repeat(1 + (i % 10)));
        }
      } finally {
        await dropBucket(ctx, DST);
      }
    },
  },
  {
    name: 'Delete by Template…: a malformed template refused as typed, the matching count asked before anything is deleted, then exactly those deleted',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'jobs-del';
      await seed(ctx, BUCKET, 1000, (i) => `shard-${pad(i, 4)}.tar`);
      try {
        await wb.openView();
        await widenSideBar(wb);
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Delete by Template…', { under: 'ais' });
        await wb.waitForQuickInputTitle(/^Delete by Template/);
        await wb.typeInput('shard-{0..}.tar');
        const error = await wb.waitForInputError(/Not a template AIStore takes/);
        assert.match(error, /invalid 'bash' template|ParseInt/);
        await wb.screenshot('delete-template-malformed');
        await wb.retype('shard-{0000..0499}.tar');
        await wb.page.keyboard.press('Enter');
        assert.match(await wb.dialogMessage(), /^Delete 500 objects \([\d.]+ KiB\) matching "shard-\{0000\.\.0499\}\.tar" from ais:\/\/jobs-del\?/);
        assert.equal(await countObjects(ctx, BUCKET), 1000, 'nothing deleted before the answer');
        await wb.screenshot('delete-template-count');
        await wb.dialogButton('Delete');
        await wb.waitForNotification(/^Deleted 500 objects/, 60_000);
        assert.equal(await countObjects(ctx, BUCKET), 500);
        assert.equal((await fetch(`${ctx.gateway.url}/s3/${BUCKET}/shard-0499.tar`, { method: 'HEAD' })).status, 404);
        assert.equal((await fetch(`${ctx.gateway.url}/s3/${BUCKET}/shard-0500.tar`, { method: 'HEAD' })).status, 200);
        await jobRow(wb, 'Delete "shard-{0000..0499}.tar" from jobs-del', (r) => r.description.startsWith('Done'), 10_000);
        await wb.screenshot('delete-template-done');

        // A template nothing matches deletes nothing, and says so.
        await wb.contextMenu(BUCKET, 'Delete by Template…', { under: 'ais' });
        await wb.waitForQuickInputTitle(/^Delete by Template/);
        await wb.typeInput('logs-{1..3}.txt');
        await wb.page.keyboard.press('Enter');
        await wb.waitForNotification(/^No object in ais:\/\/jobs-del matches "logs-\{1\.\.3\}\.txt": nothing was deleted\.$/, 30_000);
        assert.equal(await countObjects(ctx, BUCKET), 500);
      } finally {
        await dropBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'Copy Bucket… from the palette with nothing selected: the bucket picked, a new bucket named, the copy told when done',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const FROM = 'jobs-palette';
      const TO = 'jobs-palette-copy';
      await seed(ctx, FROM, 3);
      try {
        await wb.openView();
        await wb.runCommand('AIS Buckets: Copy Bucket…');
        await wb.waitForQuickInputTitle(/^Copy Bucket \(\d\/\d\)$/);
        await wb.waitForQuickInputIdle();
        // The cluster step comes only when there are several clusters (another test may have added one).
        if (/Which cluster/.test(await wb.quickPickPlaceholder())) {
          await wb.quickPick(new RegExp(`^${ctx.cluster}\\b`), { filter: false });
          await wb.waitForQuickInputIdle();
        }
        await wb.waitForQuickPickItem(FROM);
        await wb.quickPick(FROM);
        await wb.waitForQuickPickItem(/New bucket…$/);
        await wb.screenshot('copy-bucket-palette-destination');
        await wb.quickPick(/New bucket…$/, { filter: false });
        await wb.typeInput(TO);
        await wb.page.keyboard.press('Enter');
        // The last step (the prefix): its title says so ("4/4"); an Enter before it shows would go to the name.
        await wb.waitForQuickInputTitle(/^Copy Bucket \((\d)\/\1\)$/);
        await wb.waitForQuickInputIdle();
        await wb.page.keyboard.press('Enter');
        assert.match(await wb.dialogMessage(), /^Copy 3 objects \(\d+ B\) from ais:\/\/jobs-palette to ais:\/\/jobs-palette-copy\?/);
        await wb.dialogButton('Copy');
        assert.match(await wb.waitForNotification(/^Copied 3 objects/, 60_000), /to ais:\/\/jobs-palette-copy\.$/);
        await wb.screenshot('copy-bucket-palette-done');
        assert.equal(await countObjects(ctx, TO), 3);
      } finally {
        await dropBucket(ctx, FROM);
        await dropBucket(ctx, TO);
      }
    },
  },
];
