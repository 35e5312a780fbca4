// The main path with no mouse at all: add a cluster, create a bucket, upload a file, open it, rename it,
// delete it and remove the cluster, each from the palette or the tree's own keys (Enter, F2, Delete), the
// dialogs answered with Tab and Enter. Only page.keyboard acts; the DOM is read to know where the focus
// is and to check what a person sees (the notification, the tree's rows, the editor's text), and the
// gateway is asked what it holds. Where another flow may add or rename a step (Create Bucket, Rename), the
// keys do not depend on step titles: the value is typed, Enter, and the input must close.
/* global document -- read inside evaluate(), in the page */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docsShot } from '../lib/docs.mjs';
import { answerDialog, arrowToRow, expandByKey, focusTree, showNotificationsByKeyboard, waitForQuickInputClosed } from '../lib/keyboard.mjs';
import { until } from '../lib/until.mjs';

const CLUSTER = 'kb-cluster';
const BUCKET = 'kb-notes';
const FILE = 'meeting-notes.txt';
const RENAMED = 'minutes.txt';
const TEXT = 'Notes typed, uploaded, opened, renamed and deleted with the keyboard alone.\n';

/** Waits until the quick input's box has held the same text for three looks in a row (at most 10 s). */
async function settled(wb) {
  let before;
  for (let stable = 0, deadline = Date.now() + 10_000; stable < 3 && Date.now() < deadline; ) {
    await wb.page.waitForTimeout(150);
    const now = await wb.quickInputValue().catch(() => '');
    stable = now === before ? stable + 1 : 0;
    before = now;
  }
}

/** Removes the bucket with what is in it (AIStore's destroy-bck), so that a rerun starts from nothing. */
async function destroyBucket(ctx) {
  await fetch(`${ctx.gateway.url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) }).catch(() => undefined);
}

/**
 * Types `text` over what the open input box holds, once the box stopped changing, and again if keys went
 * astray (typed while one step's box gave way to the next, its first characters were lost).
 */
async function typeAnswer(wb, text) {
  for (let attempt = 1; ; attempt++) {
    await settled(wb);
    await wb.retype(text);
    const got = await wb.quickInputValue().catch(() => '');
    if (got === text) return;
    if (attempt === 3) throw new Error(`the input box holds "${got}" after typing "${text}"`);
  }
}

/** Types into the open QuickPick's filter and waits until the item Enter would take is `label`. */
async function typeToPick(wb, label) {
  await wb.retype(label);
  await until(`the QuickPick's focused item to be ${label}`, async () => (await wb.focusedQuickPickItem())?.label === label);
}

const status = async (url, method = 'GET') => (await fetch(url, { method })).status;

export default [
  {
    name: 'the main path by keyboard only: add a cluster, create a bucket, upload, open, rename, delete, remove the cluster',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const key = (k) => wb.page.keyboard.press(k);
      const file = path.join(ctx.workspace, FILE);
      fs.writeFileSync(file, TEXT);
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      await destroyBucket(ctx);
      let added = false;
      try {
        await showNotificationsByKeyboard(wb);
        await focusTree(wb); // the view shown first, as a person starting out would

        // Add Cluster: the endpoint typed; Enter takes the detected kind (AIStore) and the method it
        // preselects (no authentication); the name typed last.
        await wb.runCommandByKeyboard('AIS Buckets: Add Cluster');
        await wb.waitForQuickInputTitle('Add Cluster (1/');
        await typeAnswer(wb, ctx.gateway.url);
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (2/', 20_000);
        assert.match((await wb.focusedQuickPickItem())?.label ?? '', /AIStore/, 'the detected kind is focused');
        await docsShot(wb, 'add-cluster', [wb.page.locator('.quick-input-widget'), wb.page.locator('.part.sidebar .composite.title'), wb.viewPane('Clusters').locator('.monaco-list-row').last()], { pad: 6 });
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (3/');
        await key('Enter');
        const last = await wb.waitForQuickInputTitle(/Add Cluster \((\d+)\/\1\)/, 20_000);
        await typeAnswer(wb, CLUSTER);
        await wb.screenshot('1-cluster-named');
        await key('Enter');
        await waitForQuickInputClosed(wb);
        added = true;
        assert.equal(await wb.waitForNotification(/^Added cluster /), `Added cluster "${CLUSTER}" (${ctx.gateway.url}).`);
        await focusTree(wb);
        await wb.row(CLUSTER);
        assert.ok(fs.readFileSync(settingsFile, 'utf8').includes(CLUSTER), `${last}: the cluster is saved in settings.json`);
        await wb.screenshot('1-cluster-added');

        // Create Bucket: which cluster (typed to filter), then the name.
        await wb.runCommandByKeyboard('AIS Buckets: Create Bucket');
        await wb.waitForQuickPickItem(CLUSTER);
        await typeToPick(wb, CLUSTER);
        await key('Enter');
        await until('the bucket name box', async () => /bucket/i.test(`${await wb.quickInputTitle()} ${await wb.quickInputMessage()} ${await wb.quickPickPlaceholder()}`));
        await typeAnswer(wb, BUCKET);
        assert.equal(await wb.inputError(), '', 'a valid bucket name');
        await wb.screenshot('2-bucket-named');
        await key('Enter');
        await waitForQuickInputClosed(wb);
        assert.equal(await until(`bucket ${BUCKET} on the gateway`, async () => ((await status(`${ctx.gateway.url}/s3/${BUCKET}`, 'HEAD')) === 200 ? 200 : 0)), 200);

        // The tree by the arrow keys: the new cluster, its ais provider, the (empty) bucket.
        await focusTree(wb);
        await expandByKey(wb, CLUSTER);
        await expandByKey(wb, 'ais', { under: CLUSTER });
        await arrowToRow(wb, BUCKET, { under: 'ais' });
        await wb.screenshot('2-bucket-in-tree');

        // Upload from the palette: cluster, bucket, "Upload Here" (focused first), then VS Code's own file
        // dialog (in a browser, a quick input that takes a typed path).
        await wb.runCommandByKeyboard('AIS Buckets: Upload Files or Folders');
        await wb.waitForQuickPickItem(CLUSTER);
        await typeToPick(wb, CLUSTER);
        await key('Enter');
        await wb.waitForQuickPickItem(BUCKET);
        await typeToPick(wb, BUCKET);
        await key('Enter');
        await until('"Upload Here" focused', async () => /^Upload Here/.test((await wb.focusedQuickPickItem())?.label ?? ''));
        await wb.screenshot('3-upload-here');
        await key('Enter');
        await until('the file dialog', async () => (await wb.quickInputValue().catch(() => '')).startsWith('/'));
        // It fills in its start folder (and completes what is typed) as it settles: typed once the box
        // stopped changing, and again if the box does not end up holding the path.
        for (let attempt = 1; ; attempt++) {
          await settled(wb);
          await wb.retype(file);
          // The dialog lists the typed path's folder as it goes: Enter once it shows the file, or it may
          // still be taking the folder.
          const listed = await until('the file in the dialog\'s list', async () => (await wb.quickInputValue()) === file && (await wb.quickPickItems()).some((i) => i.label === FILE), 8_000).then(() => true, (e) => {
            if (attempt === 3) throw e;
            return false;
          });
          if (listed) break;
        }
        await wb.screenshot('3-file-typed');
        await docsShot(wb, 'upload-file-dialog', [wb.page.locator('.quick-input-widget'), wb.page.locator('.part.sidebar .composite.title'), wb.viewPane('Clusters').locator('.monaco-list-row').last()], { pad: 6 });
        await key('Enter');
        await waitForQuickInputClosed(wb);
        // A bucket that is not md5 gets the md5 question first: kept as it is, by the keyboard.
        const dialog = wb.page.locator('.monaco-dialog-box');
        if (await dialog.waitFor({ state: 'visible', timeout: 8_000 }).then(() => true, () => false)) {
          await wb.screenshot('3-md5-question');
          assert.match(await answerDialog(wb, /^Keep .* and Upload$/), new RegExp(`^Switch ais://${BUCKET} to md5`));
        }
        assert.equal(await wb.waitForNotification(/^Uploaded /, 30_000), `Uploaded ${FILE} (${Buffer.byteLength(TEXT)} B) to ais://${BUCKET}.`);
        const res = await fetch(`${ctx.gateway.url}/s3/${BUCKET}/${FILE}`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), TEXT, 'the gateway holds the file\'s bytes');
        await wb.screenshot('3-uploaded');

        // Back in the tree: the bucket expanded by ArrowRight, the object reached, Enter opens it.
        await focusTree(wb);
        await expandByKey(wb, BUCKET, { under: 'ais' });
        await arrowToRow(wb, FILE, { under: BUCKET });
        await key('Enter');
        const editor = wb.page.locator('.editor-group-container .monaco-editor .view-lines').first();
        await until('the object\'s text in the editor', async () => ((await editor.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ').includes(TEXT.trim()));
        const tab = wb.page.locator('.tabs-container .tab.active').first();
        assert.match(await tab.getAttribute('aria-label'), new RegExp(FILE.replace('.', '\\.')), 'the active tab is the object');
        assert.ok(!((await tab.getAttribute('class')) ?? '').includes('preview'), 'Enter opens it pinned, as the Explorer does');
        assert.ok(await wb.page.evaluate(() => !!document.activeElement?.closest('.monaco-editor')), 'the editor has the focus');
        await wb.screenshot('4-opened');
        await docsShot(wb, 'open-object', [wb.page.locator('.part.sidebar .composite.title'), wb.viewPane('Clusters').locator('.monaco-list-row').last(), wb.page.locator('.editor-group-container .monaco-editor .view-line').first()], { pad: 6 });

        // F2 in the tree renames: the new name typed over the selected one, Enter.
        await focusTree(wb);
        await arrowToRow(wb, FILE, { under: BUCKET });
        await key('F2');
        await until('the rename box with the old name', async () => (await wb.quickInputValue().catch(() => '')) === FILE);
        await typeAnswer(wb, RENAMED);
        await wb.screenshot('5-rename-typed');
        await key('Enter');
        await waitForQuickInputClosed(wb);
        await until(`${RENAMED} on the gateway`, async () => (await status(`${ctx.gateway.url}/s3/${BUCKET}/${RENAMED}`)) === 200);
        assert.equal(await status(`${ctx.gateway.url}/s3/${BUCKET}/${FILE}`), 404, 'the old name is gone');
        assert.equal(await wb.waitForNotification(/^Renamed /, 30_000), `Renamed ais://${BUCKET}/${FILE} to ${RENAMED}.`);
        await wb.row(RENAMED, { under: BUCKET });
        await wb.waitForNoRow(FILE);
        // The editor of the old name follows the object: a tab left on it would write the old key back on save.
        const tabLabels = () => wb.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        await until('the editor on the new name', async () => (await tabLabels()).some((l) => l.includes(RENAMED)));
        assert.ok(!(await tabLabels()).some((l) => l.includes(FILE)), `no editor is left on the old name: ${JSON.stringify(await tabLabels())}`);
        await wb.screenshot('5-renamed');

        // Delete in the tree, the confirmation answered by the keyboard.
        await focusTree(wb);
        await arrowToRow(wb, RENAMED, { under: BUCKET });
        await key('Delete');
        await wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 15_000 });
        await wb.screenshot('6-delete-question');
        assert.equal(await answerDialog(wb, 'Delete'), `Delete "${RENAMED}" from ais://${BUCKET}?`);
        assert.match(await wb.waitForNotification(/^Deleted /, 30_000), new RegExp(`^Deleted ${RENAMED.replace('.', '\\.')} from ais://${BUCKET}`));
        await until(`${RENAMED} gone from the gateway`, async () => (await status(`${ctx.gateway.url}/s3/${BUCKET}/${RENAMED}`)) === 404);
        await wb.waitForNoRow(RENAMED);
        await wb.screenshot('6-deleted');

        // Delete on the cluster's row removes the cluster (its buckets stay on the gateway).
        await focusTree(wb);
        await arrowToRow(wb, CLUSTER);
        await key('Delete');
        assert.match(await answerDialog(wb, 'Remove'), new RegExp(`^Remove cluster "${CLUSTER}"`));
        await wb.waitForNoRow(CLUSTER);
        added = false;
        assert.ok(!fs.readFileSync(settingsFile, 'utf8').includes(CLUSTER), 'the cluster left settings.json');
        assert.equal(await status(`${ctx.gateway.url}/s3/${BUCKET}`, 'HEAD'), 200, 'removing a cluster leaves its buckets');
        await wb.screenshot('7-cluster-removed');
      } finally {
        fs.rmSync(file, { force: true });
        await destroyBucket(ctx);
        // A failure half-way leaves the cluster saved: the settings as they were (VS Code rereads them).
        if (added) fs.writeFileSync(settingsFile, settingsBefore);
      }
    },
  },
];
