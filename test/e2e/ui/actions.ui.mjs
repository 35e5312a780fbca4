// Every action says what it did, and the palette asks for what a command needs. As a person sees it: the
// palette's commands ask cluster → bucket → object in one quick input (Enter opens a folder, Back goes up),
// the md5 question comes before an upload sends anything and is not asked again once answered (also after a
// reload), the delete confirmation names the count and the bucket, and each upload, download and delete
// ends with a notification saying what happened and where, whose button goes there. The notification
// centre is opened (the smoke-test driver shows no toasts) so that the screenshots show those messages.
// Every result is checked on the gateway itself too.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const cssString = (s) => JSON.stringify(String(s));

/** Runs the palette command whose title is exactly `title` ("AIS Buckets: Delete", not "… Delete Bucket…"). */
async function runExactCommand(wb, title) {
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = wb.page.locator(`.quick-input-widget .monaco-list-row[aria-label=${cssString(title)}]`).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

/** The palette's command titles for what is typed (the palette is closed again afterwards). */
async function paletteTitles(wb, typed) {
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${typed}`);
  await wb.page.waitForTimeout(800);
  const titles = (await wb.quickPickItems()).map((i) => i.label);
  await wb.page.keyboard.press('Escape');
  return titles;
}

/** Answers a step of our target picker: waits for its title "NAME (n/m)", then picks the item. */
async function pickStep(wb, title, label) {
  await wb.waitForQuickInputTitle(new RegExp(`^${title} \\(\\d+/\\d+\\)$`));
  await wb.waitForQuickInputIdle();
  // The cluster step comes only when there are several clusters (another test may have added one).
  if (/Which cluster/.test(await wb.quickPickPlaceholder())) {
    await wb.quickPick(new RegExp(`^e2e\\b`), { filter: false });
    await wb.page.waitForTimeout(300);
    await wb.waitForQuickInputIdle();
  }
  await wb.waitForQuickPickItem(label);
  await wb.quickPick(label, { filter: false });
  await wb.page.waitForTimeout(300);
}

/** Answers VS Code's own Open dialog (a quick input in a browser window): the path typed, then its button. */
async function answerOpenDialog(wb, file, button) {
  const input = wb.page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor({ state: 'visible' });
  // The dialog fills in its start folder after it shows: wait for that, or it lands after what is typed.
  let before = '';
  for (let stable = 0, until = Date.now() + 10_000; stable < 3 && Date.now() < until; ) {
    await wb.page.waitForTimeout(150);
    const now = await input.inputValue();
    stable = now && now === before ? stable + 1 : 0;
    before = now;
  }
  for (let attempt = 0; (await input.inputValue()) !== file; attempt++) {
    if (attempt === 3) throw new Error(`the Open dialog holds "${await input.inputValue()}", not ${file}`);
    await input.fill(file);
    await wb.page.waitForTimeout(800); // the dialog checks the path as it is typed
  }
  // On a folder the first click opens it (the path gets its "/"), the next one chooses it.
  const widget = wb.page.locator('.quick-input-widget');
  for (let attempt = 0; await widget.isVisible(); attempt++) {
    if (attempt === 3) throw new Error(`the Open dialog stayed open at "${await input.inputValue()}"`);
    await widget.locator('.monaco-button', { hasText: button }).first().click();
    await widget.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
  }
}

/** Whether a modal dialog shows up within `ms`. */
async function dialogShows(wb, ms) {
  return wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: ms }).then(() => true, () => false);
}

/** Every key in the bucket, as the gateway's S3 listing has them (page by page: 1000 at most each). */
async function keys(ctx, bucket, prefix = '') {
  const out = [];
  for (let token; ;) {
    const q = `list-type=2&prefix=${encodeURIComponent(prefix)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
    const xml = await (await fetch(`${ctx.gateway.url}/s3/${bucket}?${q}`)).text();
    out.push(...[...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]));
    token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(xml)?.[1];
    if (!token) return out;
  }
}

async function checksumOf(ctx, bucket) {
  const head = await fetch(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { method: 'HEAD' });
  return JSON.parse(head.headers.get('ais-bucket-props') ?? '{}').checksum?.type;
}

async function makeBucket(ctx, bucket, objects = {}) {
  assert.equal((await fetch(`${ctx.gateway.url}/s3/${bucket}`, { method: 'PUT' })).status, 200);
  for (const [key, body] of Object.entries(objects)) assert.equal((await fetch(`${ctx.gateway.url}/s3/${bucket}/${key}`, { method: 'PUT', body })).status, 200);
}

async function dropBucket(ctx, bucket) {
  // AIStore's destroy-bck removes the bucket with what is in it.
  await fetch(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) }).catch(() => undefined);
}

/** PUTs `count` small objects under `prefix`, many at a time on kept-alive connections. */
async function seedMany(ctx, bucket, prefix, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const put = (key) => new Promise((resolve, reject) => {
    const req = http.request(`${ctx.gateway.url}/s3/${bucket}/${key}`, { method: 'PUT', agent, headers: { 'content-length': 1 } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${key}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end('x');
  });
  try {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < count) await put(`${prefix}${String(next++).padStart(5, '0')}.dat`);
    }));
  } finally {
    agent.destroy();
  }
}

/** The label of the selected row of the Clusters tree. */
async function selectedRow(wb) {
  return wb.viewPane('Clusters').locator('.monaco-list-row.selected .label-name').first().textContent({ timeout: 10_000 }).then((t) => t.trim(), () => '');
}

export default [
  {
    name: 'Upload from the palette: bucket and new folder picked, the md5 question before anything is sent, what was uploaded told, Reveal in Tree; not asked again, also after a reload',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'actions-up';
      await makeBucket(ctx, BUCKET);
      const src = path.join(ctx.work, 'batch');
      fs.mkdirSync(src, { recursive: true });
      for (const n of ['a.txt', 'b.txt', 'c.txt']) fs.writeFileSync(path.join(src, n), n[0].repeat(100));
      try {
        assert.notEqual(await checksumOf(ctx, BUCKET), 'md5', 'the bucket starts with another checksum');
        await wb.openView();
        await runExactCommand(wb, 'AIS Buckets: Upload Files or Folders…');
        await pickStep(wb, 'Upload', BUCKET);
        // The folder step: typing a name offers it as a new folder.
        await wb.waitForQuickInputTitle(/^Upload \(\d\/\d\)$/);
        assert.equal(await wb.quickPickPlaceholder(), 'ais://actions-up is empty: choose it with "Upload Here", or type the name of a new folder.');
        await wb.typeInput('incoming');
        await wb.waitForQuickPickItem('New Folder "incoming/"');
        await wb.screenshot('upload-destination-new-folder');
        await wb.page.keyboard.press('Enter');
        await answerOpenDialog(wb, src, 'Upload');

        // The question comes before the transfer: nothing is in the bucket while it is open.
        assert.match(await wb.dialogMessage(), /^Switch ais:\/\/actions-up to md5 checksums before uploading\?/);
        assert.deepEqual(await keys(ctx, BUCKET), [], 'nothing was sent before the answer');
        await wb.screenshot('md5-question-before-upload');
        await wb.dialogButton('Keep xxhash and Upload');

        const told = await wb.waitForNotification(/^Uploaded 3 files/, 30_000);
        assert.equal(told, 'Uploaded 3 files, 300 B, to ais://actions-up/incoming/.');
        assert.deepEqual((await keys(ctx, BUCKET)).sort(), ['incoming/batch/a.txt', 'incoming/batch/b.txt', 'incoming/batch/c.txt']);
        await wb.screenshot('upload-told');
        await wb.notificationButton(/^Uploaded 3 files/, 'Reveal in Tree');
        await wb.row('batch/', { under: 'incoming/' });
        for (const until = Date.now() + 10_000; (await selectedRow(wb)) !== 'batch/' && Date.now() < until; ) await wb.page.waitForTimeout(200);
        assert.equal(await selectedRow(wb), 'batch/', 'Reveal in Tree selects the uploaded folder');
        await wb.page.keyboard.press('Escape');
        await wb.screenshot('upload-revealed-in-tree');

        // Again, from the bucket's context menu: answered before, so no question; one file is named.
        await wb.contextMenu(BUCKET, 'Upload Files or Folders…', { under: 'ais' });
        await answerOpenDialog(wb, path.join(src, 'a.txt'), 'Upload');
        assert.equal(await dialogShows(wb, 3_000), false, 'the md5 question is not asked again');
        assert.equal(await wb.waitForNotification(/^Uploaded a\.txt/, 30_000), 'Uploaded a.txt (100 B) to ais://actions-up.');

        // After a reload (a new extension host) the answer is still remembered.
        const reloaded = wb.page.waitForNavigation({ timeout: 60_000 });
        await wb.runCommand('Developer: Reload Window');
        await reloaded;
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Upload Files or Folders…', { under: 'ais' });
        await answerOpenDialog(wb, path.join(src, 'b.txt'), 'Upload');
        assert.equal(await dialogShows(wb, 3_000), false, 'not asked after a reload either');
        assert.equal(await wb.waitForNotification(/^Uploaded b\.txt/, 30_000), 'Uploaded b.txt (100 B) to ais://actions-up.');
        assert.notEqual(await checksumOf(ctx, BUCKET), 'md5', 'kept as answered');
        await wb.screenshot('upload-after-reload-not-asked');
      } finally {
        await dropBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'the md5 question answered "Switch to md5 and Upload": the bucket is md5 before the upload, the object has an MD5 ETag',
    async run(wb, ctx) {
      const BUCKET = 'actions-md5';
      await makeBucket(ctx, BUCKET);
      const file = path.join(ctx.work, 'for-md5.txt');
      fs.writeFileSync(file, 'checked by s3cmd\n');
      try {
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Upload Files or Folders…', { under: 'ais' });
        await answerOpenDialog(wb, file, 'Upload');
        assert.match(await wb.dialogMessage(), /^Switch ais:\/\/actions-md5 to md5 checksums before uploading\?/);
        await wb.dialogButton('Switch to md5 and Upload');
        assert.equal(await wb.waitForNotification(/^Uploaded for-md5\.txt/, 30_000), 'Uploaded for-md5.txt (17 B) to ais://actions-md5.');
        assert.equal(await checksumOf(ctx, BUCKET), 'md5');
        const etag = (await fetch(`${ctx.gateway.url}/s3/${BUCKET}/for-md5.txt`, { method: 'HEAD' })).headers.get('etag')?.replace(/"/g, '');
        assert.equal(etag, crypto.createHash('md5').update('checked by s3cmd\n').digest('hex'), 'an MD5 ETag, as s3cmd expects');
        await wb.screenshot('md5-switched-upload-told');
      } finally {
        await dropBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'Download from the palette: bucket, folder opened, object picked; told with the file and size, Reveal in Explorer View shows it',
    async run(wb, ctx) {
      const target = path.join(ctx.workspace, 'downloads');
      fs.mkdirSync(target, { recursive: true });
      try {
        await wb.openView();
        await runExactCommand(wb, 'AIS Buckets: Download…');
        await pickStep(wb, 'Download', 'demo');
        await wb.waitForQuickPickItem('docs/');
        assert.match(await wb.quickPickPlaceholder(), /ais:\/\/demo: pick an object or a folder/);
        await wb.screenshot('download-browse-bucket');
        await wb.quickPick('docs/', { filter: false });
        await wb.waitForQuickPickItem('guide.md');
        const items = (await wb.quickPickItems()).map((i) => i.label);
        assert.deepEqual(items.slice(0, 2), ['..', 'This Folder'], `the folder's own items first: ${items}`);
        await wb.screenshot('download-browse-folder');
        await wb.quickPick('guide.md', { filter: false });
        await answerOpenDialog(wb, target, 'Download Here');
        const told = await wb.waitForNotification(/^Downloaded guide\.md/, 30_000);
        assert.equal(told, `Downloaded guide.md (47 B) to ${target}.`);
        assert.equal(fs.readFileSync(path.join(target, 'guide.md'), 'utf8'), '# Guide\n\nObjects under docs/ show as a folder.\n');
        await wb.screenshot('download-told');
        await wb.notificationButton(/^Downloaded guide\.md/, 'Reveal in Explorer View');
        await wb.row('guide.md', { view: 'Explorer Section' });
        const selected = await wb.viewPane('Explorer Section').locator('.monaco-list-row.selected .label-name').first().textContent({ timeout: 10_000 });
        assert.equal(selected?.trim(), 'guide.md', 'the Explorer shows the downloaded file selected');
        await wb.screenshot('download-revealed-in-explorer');
      } finally {
        fs.rmSync(target, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'Delete a folder of 2,500 objects: listed first, the confirmation names the count and the bucket, progress, then what was deleted',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'actions-del';
      await makeBucket(ctx, BUCKET, { 'keep.txt': 'stays\n' });
      await seedMany(ctx, BUCKET, 'bulk/', 2500);
      try {
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais', BUCKET);
        await wb.showNotificationCenter();
        await wb.contextMenu('bulk/', 'Delete', { under: BUCKET });
        assert.equal(await wb.dialogMessage(), 'Delete the folder "bulk/" and the 2,500 objects in it from ais://actions-del?');
        assert.equal((await keys(ctx, BUCKET, 'bulk/')).length, 2500, 'nothing deleted before the answer');
        await wb.screenshot('delete-confirmation-count-and-bucket');
        await wb.dialogButton('Delete');
        await wb.showNotificationCenter();
        // The progress, if the deletion is slow enough to be seen (it reports after each 1000 keys).
        const progress = await wb.waitForNotification(/^Deleting the folder "bulk\/"/, 5_000).catch(() => '');
        if (progress) await wb.screenshot('delete-progress');
        const told = await wb.waitForNotification(/^Deleted the folder/, 60_000);
        assert.equal(told, 'Deleted the folder bulk/ and its 2,500 objects from ais://actions-del.');
        assert.deepEqual(await keys(ctx, BUCKET), ['keep.txt']);
        await wb.waitForNoRow('bulk/');
        await wb.screenshot('delete-told');
      } finally {
        await dropBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'Delete from the palette asks cluster → bucket → object (Back goes up a folder), confirms naming the object and the bucket, and tells',
    async run(wb, ctx) {
      const BUCKET = 'actions-pal';
      await makeBucket(ctx, BUCKET, { 'a.txt': 'a\n', 'keep.txt': 'k\n', 'sub/b.txt': 'b\n' });
      try {
        await wb.openView();
        await runExactCommand(wb, 'AIS Buckets: Delete');
        await pickStep(wb, 'Delete', BUCKET);
        await wb.waitForQuickPickItem('sub/');
        assert.match(await wb.quickPickPlaceholder(), /^ais:\/\/actions-pal: pick an object or a folder/);
        await wb.quickPick('sub/', { filter: false });
        await wb.waitForQuickPickItem('b.txt');
        await wb.screenshot('delete-pick-in-folder');
        // Back: up to the bucket's top level, with its objects.
        await wb.quickInputBack();
        await wb.waitForQuickPickItem('a.txt');
        await wb.quickPick('sub/', { filter: false });
        await wb.waitForQuickPickItem('b.txt');
        await wb.quickPick('b.txt', { filter: false });
        assert.equal(await wb.dialogMessage(), 'Delete "sub/b.txt" from ais://actions-pal?');
        await wb.screenshot('delete-confirmation-object');
        await wb.dialogButton('Delete');
        assert.equal(await wb.waitForNotification(/^Deleted sub\/b\.txt/), 'Deleted sub/b.txt from ais://actions-pal.');
        assert.deepEqual((await keys(ctx, BUCKET)).sort(), ['a.txt', 'keep.txt']);
        await wb.screenshot('delete-told');
      } finally {
        await dropBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'the palette offers Stop Local Gateway only while it runs, Start only while it does not; Copy URI asks for the object',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      await wb.openView();
      let started = false;
      try {
        let titles = await paletteTitles(wb, 'AIS Buckets: Local Gateway');
        assert.ok(titles.includes('AIS Buckets: Start Local Gateway') && !titles.includes('AIS Buckets: Stop Local Gateway'), `not running: ${titles}`);
        await runExactCommand(wb, 'AIS Buckets: Start Local Gateway');
        started = true;
        await wb.row('local', { timeout: 60_000 });
        for (const until = Date.now() + 10_000; Date.now() < until; await wb.page.waitForTimeout(300)) {
          titles = await paletteTitles(wb, 'AIS Buckets: Local Gateway');
          if (titles.includes('AIS Buckets: Stop Local Gateway')) break;
        }
        assert.ok(titles.includes('AIS Buckets: Stop Local Gateway') && !titles.includes('AIS Buckets: Start Local Gateway'), `running: ${titles}`);
        await wb.page.keyboard.press('F1');
        await wb.page.locator('.quick-input-widget .quick-input-box input').fill('>AIS Buckets: Local Gateway');
        await wb.page.waitForTimeout(800);
        await wb.screenshot('palette-stop-while-running');
        await wb.page.keyboard.press('Escape');

        // Copy URI from the palette: with two clusters, the cluster is asked first.
        await runExactCommand(wb, 'AIS Buckets: Copy URI');
        await wb.waitForQuickInputTitle('Copy URI (1/3)');
        assert.equal(await wb.quickPickPlaceholder(), 'Which cluster?');
        await wb.quickPick(new RegExp(`^${ctx.cluster}\\b`), { filter: false });
        await wb.waitForQuickInputTitle('Copy URI (2/3)');
        await wb.waitForQuickPickItem('demo');
        await wb.quickPick('demo', { filter: false });
        await wb.waitForQuickInputTitle('Copy URI (3/3)');
        await wb.waitForQuickPickItem('hello.txt');
        await wb.screenshot('copy-uri-pick-object');
        await wb.quickPick('hello.txt', { filter: false });
        for (const until = Date.now() + 5_000; (await wb.clipboardText()) !== 'ais://demo/hello.txt' && Date.now() < until; ) await wb.page.waitForTimeout(200);
        assert.equal(await wb.clipboardText(), 'ais://demo/hello.txt');
      } finally {
        if (started) await runExactCommand(wb, 'AIS Buckets: Stop Local Gateway').catch(() => undefined);
      }
      await wb.waitForNoRow('local', { timeout: 30_000 });
      let titles = [];
      for (const until = Date.now() + 10_000; Date.now() < until; await wb.page.waitForTimeout(300)) {
        titles = await paletteTitles(wb, 'AIS Buckets: Local Gateway');
        if (!titles.includes('AIS Buckets: Stop Local Gateway')) break;
      }
      assert.ok(!titles.includes('AIS Buckets: Stop Local Gateway'), `stopped again: ${titles}`);
    },
  },
];
