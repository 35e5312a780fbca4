// The tree behaves like VS Code's Explorer, with mouse and keyboard: a click opens a preview and leaves the
// focus in the tree (so Delete deletes the object, never a character of its text), a double click or Enter
// opens it pinned and focused, F2 renames, Ctrl+C copies the URI, a binary or large object asks first; the
// rows fit the default side-bar width, say what they are to a screen reader, and an empty bucket offers
// the next step. Results are checked on the gateway, not only on screen.
/* global document, getComputedStyle -- read inside evaluate(), in the page */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { until } from '../lib/until.mjs';

const BUCKET = 'explorer';

async function s3(ctx, method, key = '', { headers = {}, body } = {}) {
  return fetch(`${ctx.gateway.url}/s3/${BUCKET}${key ? '/' + key.split('/').map(encodeURIComponent).join('/') : ''}`, { method, headers, body });
}
async function put(ctx, key, body, type = 'text/plain') {
  const res = await s3(ctx, 'PUT', key, { headers: { 'content-type': type }, body });
  assert.equal(res.status, 200, `PUT ${key}`);
}
async function status(ctx, key) {
  return (await s3(ctx, 'HEAD', key)).status;
}
async function serverText(ctx, key) {
  const res = await s3(ctx, 'GET', key);
  return res.status === 200 ? res.text() : `(HTTP ${res.status})`;
}
async function withBucket(ctx, objects, fn) {
  const made = await s3(ctx, 'PUT');
  assert.ok(made.status === 200 || made.status === 409, `create bucket ${BUCKET}: ${made.status}`);
  try {
    for (const [key, body, type] of objects) await put(ctx, key, body, type);
    await fn();
  } finally {
    const list = await (await fetch(`${ctx.gateway.url}/s3/${BUCKET}?list-type=2`)).text();
    for (const [, key] of list.matchAll(/<Key>([^<]+)<\/Key>/g)) await s3(ctx, 'DELETE', key);
    await s3(ctx, 'DELETE');
  }
}

/** The editor tabs: { label, preview (its title drawn in italics, as VS Code marks a preview), active }. */
async function tabs(wb) {
  return wb.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => {
    const name = e.querySelector('.label-name') ?? e.querySelector('.monaco-icon-label') ?? e;
    return {
      label: (e.getAttribute('aria-label') ?? '').split(',')[0].trim(),
      preview: !!e.querySelector('.italic') || getComputedStyle(name).fontStyle === 'italic',
      active: e.classList.contains('active'),
    };
  }));
}
async function tab(wb, label) {
  return until(`a tab "${label}"`, async () => (await tabs(wb)).find((t) => t.label === label));
}
/** Where the keyboard focus is: 'tree' (our view's list), 'editor', or something else. */
async function focusIn(wb) {
  return wb.page.evaluate(() => {
    const a = document.activeElement;
    if (a?.closest('.part.sidebar .monaco-list')) return 'tree';
    if (a?.closest('.part.editor')) return 'editor';
    return a ? `${a.tagName}.${a.className}` : 'none';
  });
}
async function openBucket(wb, ctx) {
  await wb.openView();
  await wb.expandPath(ctx.cluster, 'ais', BUCKET);
}
/** The rows whose label or description the side bar cuts off (drawn with an ellipsis). */
async function cutRows(wb) {
  return wb.viewPane('Clusters').locator('.monaco-list-row').evaluateAll((els) => els
    .filter((e) => {
      const c = e.querySelector('.monaco-icon-label-container');
      return c && c.scrollWidth > c.clientWidth + 1;
    })
    .map((e) => `${e.querySelector('.label-name')?.textContent ?? ''} ${e.querySelector('.label-description')?.textContent ?? ''}`.trim()));
}
/** Drags the side bar's edge so that it is `width` px wide (VS Code's default is about 300). */
async function sideBarWidth(wb, width) {
  const bar = wb.page.locator('.part.sidebar');
  const box = await bar.boundingBox();
  if (Math.abs(box.width - width) > 4) {
    const right = box.x + box.width;
    await wb.page.mouse.move(right - 1, box.y + box.height / 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(right + (width - box.width) / 2, box.y + box.height / 2, { steps: 4 });
    await wb.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 4 });
    await wb.page.mouse.up();
  }
  await wb.page.mouse.move(1000, 700);
  return (await bar.boundingBox()).width;
}

export default [
  {
    name: 'explorer: a click opens a preview and keeps the focus in the tree; Delete then deletes the object, not a character',
    async run(wb, ctx) {
      await withBucket(ctx, [['notes.txt', 'keep every character\n'], ['other.txt', 'other\n']], async () => {
        await openBucket(wb, ctx);
        await (await wb.row('notes.txt', { under: BUCKET })).click();
        const t = await tab(wb, 'notes.txt');
        assert.ok(t.preview, 'a single click opens a preview (italic title)');
        await until('the text in the preview', async () => (await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').last().innerText().catch(() => '')).replace(/\u00a0/g, ' ').includes('keep every character'));
        assert.equal(await focusIn(wb), 'tree', 'the focus stays in the tree');
        await wb.screenshot('click-opens-preview');
        await wb.page.keyboard.press('Delete');
        assert.match(await wb.dialogMessage(), /Delete .*notes\.txt/);
        await wb.screenshot('delete-asks');
        await wb.dialogButton('Delete');
        await until('notes.txt gone from the gateway', async () => (await status(ctx, 'notes.txt')) === 404);
        await wb.waitForNoRow('notes.txt');
        assert.equal(await serverText(ctx, 'other.txt'), 'other\n', 'the other object is untouched');
        await wb.screenshot('deleted-by-key');
        await wb.runCommand('View: Close All Editors');
      });
    },
  },
  {
    name: 'explorer: a double click and Enter open pinned, with the focus in the editor',
    async run(wb, ctx) {
      await withBucket(ctx, [['a.txt', 'A\n'], ['b.txt', 'B\n'], ['c.txt', 'C\n']], async () => {
        await openBucket(wb, ctx);
        await (await wb.row('a.txt', { under: BUCKET })).dblclick();
        await until('a.txt pinned', async () => (await tabs(wb)).some((t) => t.label === 'a.txt' && !t.preview));
        await until('the focus in the editor', async () => (await focusIn(wb)) === 'editor', 5_000);
        await wb.screenshot('double-click-pins');
        // Keyboard: a click on b.txt (a preview, the focus stays), Down to c.txt, Enter opens c.txt pinned.
        await (await wb.row('b.txt', { under: BUCKET })).click();
        await until('b.txt previewed', async () => (await tabs(wb)).some((t) => t.label === 'b.txt' && t.preview));
        assert.equal(await focusIn(wb), 'tree');
        await wb.page.keyboard.press('ArrowDown');
        await wb.page.keyboard.press('Enter');
        await until('c.txt pinned', async () => (await tabs(wb)).some((t) => t.label === 'c.txt' && !t.preview && t.active));
        await until('the focus in the editor', async () => (await focusIn(wb)) === 'editor', 5_000);
        // As in VS Code: a.txt and c.txt pinned, b.txt still the (one) preview.
        assert.deepEqual((await tabs(wb)).map((t) => [t.label, t.preview]), [['a.txt', false], ['b.txt', true], ['c.txt', false]]);
        await wb.screenshot('enter-opens-pinned');
        await wb.runCommand('View: Close All Editors');
      });
    },
  },
  {
    name: 'explorer: F2 renames and Ctrl+C copies the URI of the selected row',
    async run(wb, ctx) {
      await withBucket(ctx, [['draft.md', '# draft\n']], async () => {
        await openBucket(wb, ctx);
        await (await wb.row('draft.md', { under: BUCKET })).click();
        await tab(wb, 'draft.md');
        assert.equal(await focusIn(wb), 'tree');
        await wb.page.keyboard.press('Control+C');
        await until('the URI on the clipboard', async () => (await wb.clipboardText()) === `ais://${BUCKET}/draft.md`, 5_000);
        await wb.page.keyboard.press('F2');
        await wb.waitForQuickInputTitle(`Rename or Move ais://${BUCKET}/draft.md`);
        assert.equal(await wb.quickInputValue(), 'draft.md');
        await wb.screenshot('f2-renames');
        await wb.retype('final.md');
        await wb.page.keyboard.press('Enter');
        await until('final.md on the gateway', async () => (await serverText(ctx, 'final.md')) === '# draft\n');
        assert.equal(await status(ctx, 'draft.md'), 404, 'the old name is gone');
        await wb.row('final.md', { under: BUCKET });
        await wb.screenshot('renamed');
        // The bucket row: Ctrl+C copies its URI too.
        await (await wb.row(BUCKET, { under: 'ais' })).click({ position: { x: 80, y: 10 } });
        await wb.page.keyboard.press('Control+C');
        await until('the bucket URI on the clipboard', async () => (await wb.clipboardText()) === `ais://${BUCKET}`, 5_000);
        await wb.runCommand('View: Close All Editors');
      });
    },
  },
  {
    name: 'explorer: a binary or large object asks before a click opens it (Open Anyway or Download…)',
    async run(wb, ctx) {
      const line = 'a line of a large log file, repeated until it is five megabytes long\n';
      await withBucket(ctx, [
        ['blob.bin', Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 255, 0, 7, 8]), 'application/octet-stream'],
        ['big.log', line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))],
      ], async () => {
        await openBucket(wb, ctx);
        await (await wb.row('blob.bin', { under: BUCKET })).click();
        assert.match(await wb.dialogMessage(), /"blob\.bin" holds binary data \(12 B\), not text\. Open it anyway\?/);
        const buttons = await wb.page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').allInnerTexts();
        assert.deepEqual(buttons.map((b) => b.trim()).sort(), ['Cancel', 'Download…', 'Open Anyway'], 'the order is the platform\'s');
        await wb.screenshot('binary-asks');
        await wb.dialogButton('Cancel');
        await wb.page.waitForTimeout(500);
        assert.ok(!(await tabs(wb)).some((t) => t.label === 'blob.bin'), 'Cancel opens nothing');
        // Download… asks where to (VS Code's folder picker), as Download in the menu does.
        await (await wb.row('blob.bin', { under: BUCKET })).click();
        await wb.dialogMessage();
        await wb.dialogButton('Download…');
        await wb.waitForQuickInputTitle('Download to folder');
        await wb.screenshot('binary-download');
        await wb.page.keyboard.press('Escape');
        assert.ok(!(await tabs(wb)).some((t) => t.label === 'blob.bin'), 'Download… opens no editor');
        // Open Anyway: VS Code's binary notice, not garbled text.
        await (await wb.row('blob.bin', { under: BUCKET })).click();
        await wb.dialogMessage();
        await wb.dialogButton('Open Anyway');
        await until('VS Code\'s binary notice', async () => /binary|unsupported text encoding/i.test(await wb.page.locator('.editor-group-container.active').innerText()));

        await (await wb.row('big.log', { under: BUCKET })).click();
        assert.match(await wb.dialogMessage(), /"big\.log" is 5\.\d+ MiB: AIS Buckets asks before opening objects over 4 MiB/);
        const bigButtons = await wb.page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').allInnerTexts();
        assert.ok(bigButtons.some((b) => b.trim() === 'Download…'), `Download… offered: ${JSON.stringify(bigButtons)}`);
        await wb.screenshot('large-asks');
        await wb.dialogButton('Cancel');
        await wb.page.waitForTimeout(500);
        assert.ok(!(await tabs(wb)).some((t) => t.label === 'big.log'), 'Cancel opens nothing');
        await wb.runCommand('View: Close All Editors');
      });
    },
  },
  {
    name: 'explorer: rows fit the default side-bar width, say what they are, and an empty bucket offers Upload',
    async run(wb, ctx) {
      await wb.openView();
      const width = await sideBarWidth(wb, 300);
      assert.ok(Math.abs(width - 300) <= 6, `the side bar is ${width} px wide`);
      await wb.expandPath(ctx.cluster, 'ais', 'demo', 'docs/');
      await wb.expandRow('empty', { under: 'ais' });
      const hint = await wb.row('Empty: Upload…', { under: 'empty' });
      await wb.page.mouse.move(1000, 700);
      await wb.page.waitForTimeout(500);
      const info = await wb.rowInfo();
      const row = (label) => info.find((r) => r.label === label);
      assert.equal(row(ctx.cluster).description, new URL(ctx.gateway.url).host, 'the endpoint as host:port');
      assert.equal(row('ais').description, '', 'no "ais AIS"');
      assert.match(row('hello.txt').description, /^32 B · (just now|\d+ (min|h|d) ago)$/);
      assert.equal(row('Empty: Upload…').description, 'or drop files');
      // What a screen reader says (the rows' aria-labels).
      assert.equal(row(ctx.cluster).aria, `cluster ${ctx.cluster}, AIStore at ${ctx.gateway.url}`);
      assert.match(row('ais').aria, /^provider ais, AIS buckets/);
      assert.match(row('demo').aria, /^bucket demo/);
      assert.match(row('docs/').aria, /^folder docs/);
      assert.equal(row('Empty: Upload…').aria, 'Empty: Upload… or drop files');
      assert.match(row('hello.txt').aria, /^object hello\.txt, 32 bytes, modified (just now|\d+ (minutes?|hours?|days?) ago)/);
      const cut = await cutRows(wb);
      await wb.screenshot('default-width');
      assert.deepEqual(cut, [], `rows cut off at ${width} px`);

      // A click on the hint runs Upload Files… for that bucket (VS Code's file picker opens).
      await hint.click();
      await wb.waitForQuickInputTitle('Upload to ais://empty');
      await wb.screenshot('empty-bucket-upload');
      await wb.page.keyboard.press('Escape');

      // The same rows in a high-contrast theme: theme icons, nothing drawn in colours that vanish.
      const settings = path.join(ctx.userDir, 'settings.json');
      const saved = fs.readFileSync(settings, 'utf8');
      try {
        await wb.runCommand('Preferences: Color Theme');
        await wb.quickPick('Dark High Contrast');
        await until('a high-contrast workbench', async () => wb.page.evaluate(() => document.body.classList.contains('hc-black') || !!document.querySelector('.monaco-workbench.hc-black')), 10_000);
        await wb.page.mouse.move(1000, 700);
        await wb.page.waitForTimeout(800);
        await wb.screenshot('high-contrast');
        // Cluster, provider and bucket rows draw theme icons (codicons), which every theme colours.
        const icons = await wb.viewPane('Clusters').locator('.monaco-list-row').evaluateAll((els) => Object.fromEntries(els.map((e) => [
          e.querySelector('.label-name')?.textContent?.trim() ?? '',
          [...(e.querySelector('.custom-view-tree-node-item-icon')?.classList ?? [])].find((c) => c.startsWith('codicon-')) ?? '',
        ])));
        for (const [label, icon] of [[ctx.cluster, 'codicon-server'], ['ais', 'codicon-database'], ['demo', 'codicon-package'], ['Empty: Upload…', 'codicon-cloud-upload']]) {
          assert.equal(icons[label], icon, `the icon of ${label}: ${JSON.stringify(icons)}`);
        }
      } finally {
        fs.writeFileSync(settings, saved);
      }
    },
  },
];
