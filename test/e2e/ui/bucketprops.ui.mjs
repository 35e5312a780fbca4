// The bucket properties page as a person uses it: opened from the bucket's context menu, read in the dark
// and in a high-contrast theme, the checksum changed in place and saved, the raw JSON one click away; and
// the checksum picker, which starts at the bucket's current value and goes Back between its two steps.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { until } from '../lib/until.mjs';

async function checksumOf(ctx, bucket) {
  const head = await fetch(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { method: 'HEAD' });
  assert.equal(head.status, 200, `HEAD ${bucket}`);
  return JSON.parse(head.headers.get('ais-bucket-props') ?? '{}').checksum;
}

async function makeBucket(ctx, bucket) {
  assert.equal((await fetch(`${ctx.gateway.url}/s3/${bucket}`, { method: 'PUT' })).status, 200, `create ${bucket}`);
}

async function destroyBucket(ctx, bucket) {
  await fetch(`${ctx.gateway.url}/v1/buckets/${bucket}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) }).catch(() => undefined);
}

export default [
  {
    name: 'Bucket properties: a readable page from the context menu, the checksum saved in place, Show Raw JSON, dark and high contrast',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'props-ui';
      const TITLE = `Properties: ais://${BUCKET}`;
      await makeBucket(ctx, BUCKET);
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      try {
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Show Bucket Properties', { under: 'ais' });
        let page = await wb.webview({ title: TITLE });
        await page.locator('h1', { hasText: TITLE }).waitFor({ timeout: 20_000 });
        const sections = await page.locator('h2').allInnerTexts();
        assert.deepEqual(sections.slice(0, 3), ['General', 'Checksum', 'Versioning'], `sections: ${sections}`);
        const value = (id) => page.locator(`tr[data-id="${id}"] td.value`).innerText();
        assert.equal(await value('name'), `ais://${BUCKET}`);
        assert.match(await value('created'), /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
        assert.equal(await value('versioning.enabled'), 'On');
        // The checksum is its form: the select starts at the current value, marked; each flag says what it does.
        assert.equal(await page.locator('#checksum-type').inputValue(), 'xxhash');
        assert.equal(await page.getByLabel('Check on first read from the backend').isChecked(), true);
        assert.equal(await page.getByLabel('Check on every read').isChecked(), false);
        assert.match(await page.locator('#flag-validate_warm_get-d').innerText(), /each time an object/);
        assert.match(await page.locator('#checksum-type option:checked').innerText(), /^xxhash \(current\)/);
        assert.equal(await page.locator('#save').isDisabled(), true, 'nothing to save before a change');
        await wb.page.mouse.move(1000, 800);
        await wb.screenshot('props-page-default-theme');
        await wb.setTheme('Dark Modern', 'vs-dark');
        page = await wb.webview({ title: TITLE });
        await until('the page in the dark theme', () => page.locator('body.vscode-dark').count().then((n) => n > 0), 10_000);
        await wb.page.mouse.move(1000, 800);
        await wb.screenshot('props-page-dark');

        // Change the checksum in place and save: the gateway has it, the page shows it, a sentence says what it means.
        await page.locator('#checksum-type').selectOption('md5');
        await page.getByLabel('Check on every read').check();
        assert.equal(await page.locator('#save').isDisabled(), false);
        await wb.screenshot('props-page-changed');
        await page.locator('#save').click();
        const note = await wb.waitForNotification(`Objects uploaded to ais://${BUCKET} from now on get md5 checksums; existing objects keep theirs.`);
        assert.match(note, /Checksums are now verified on every read\./);
        const ck = await checksumOf(ctx, BUCKET);
        assert.equal(ck.type, 'md5');
        assert.equal(ck.validate_warm_get, true);
        page = await wb.webview({ title: TITLE });
        await page.locator('#banner', { hasText: 'from now on get md5 checksums' }).waitFor({ timeout: 10_000 });
        await until('the page showing md5', async () => (await page.locator('#checksum-type').inputValue().catch(() => '')) === 'md5', 15_000);
        assert.equal(await page.getByLabel('Check on every read').isChecked(), true);
        assert.equal(await page.locator('#save').isDisabled(), true, 'saved: nothing left to save');
        assert.match(await page.locator('#checksum-type option:checked').innerText(), /^md5 \(current\)/);
        await wb.page.mouse.move(1000, 800);
        await wb.screenshot('props-page-saved-with-notification');
        await wb.page.keyboard.press('Escape');

        // Show Raw JSON: a read-only JSON tab no one takes for an object.
        await page.locator('#raw').click();
        const rawTab = wb.editorTab(`${BUCKET} (bucket properties).json`);
        await rawTab.waitFor({ timeout: 15_000 });
        await wb.page.locator('.monaco-editor .view-lines', { hasText: '"md5"' }).first().waitFor({ timeout: 15_000 });
        await wb.screenshot('props-raw-json');

        // The same page in a high-contrast theme (the settings file is put back afterwards).
        await wb.editorTab(TITLE).click();
        await wb.setTheme('Dark High Contrast', 'hc-black');
        page = await wb.webview({ title: TITLE });
        await page.locator('h1', { hasText: TITLE }).waitFor({ timeout: 20_000 });
        // The page takes the theme's colours: VS Code marks the webview's body with the theme kind.
        await until('the page in high contrast', () => page.locator('body.vscode-high-contrast').count().then((n) => n > 0), 10_000);
        await wb.page.mouse.move(1000, 800);
        await wb.page.waitForTimeout(500);
        await wb.screenshot('props-page-high-contrast');
      } finally {
        fs.writeFileSync(settingsFile, settingsBefore);
        await destroyBucket(ctx, BUCKET);
      }
    },
  },
  {
    name: 'Edit Checksum Properties: the current type first, marked and preselected; the current flags checked; Back between the steps',
    async run(wb, ctx) {
      const BUCKET = 'props-pick';
      await makeBucket(ctx, BUCKET);
      try {
        // Start from a known non-default state: sha256, warm GET validation on.
        const set = await fetch(`${ctx.gateway.url}/v1/buckets/${BUCKET}?provider=ais`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'set-bprops', value: { checksum: { type: 'sha256', validate_warm_get: true, validate_cold_get: false } } }),
        });
        assert.equal(set.status, 200);
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Edit Checksum Properties…', { under: 'ais' });
        await wb.waitForQuickInputTitle(`Checksum of ais://${BUCKET} (1/2)`);
        await wb.waitForQuickPickItem('sha256');
        const items = await wb.quickPickItems();
        assert.equal(items[0].label, 'sha256', `the current type first: ${JSON.stringify(items.map((i) => i.label))}`);
        assert.equal(items[0].description, '(current)');
        assert.equal(items.filter((i) => i.description === '(current)').length, 1);
        assert.equal((await wb.focusedQuickPickItem())?.label, 'sha256', 'preselected');
        assert.match(await wb.quickPickPlaceholder(), /^Current: sha256\./);
        await wb.screenshot('checksum-pick-current-first');

        await wb.arrowToQuickPickItem('md5');
        await wb.page.keyboard.press('Enter');
        await wb.waitForQuickInputTitle(`Checksum of ais://${BUCKET} (2/2)`);
        const checked = async () => wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').evaluateAll((els) => els.filter((e) => e.querySelector('input[type=checkbox]')?.checked || e.getAttribute('aria-checked') === 'true').map((e) => (e.querySelector('.label-name')?.textContent ?? '').trim()));
        await until('the current flag checked', async () => (await checked()).length > 0, 15_000);
        assert.deepEqual(await checked(), ['Check on every read'], 'the current flags are checked');
        await wb.screenshot('checksum-flags-current-checked');

        // Back: the type step again, at the type chosen; then forward and finish.
        await wb.quickInputBack();
        await wb.waitForQuickInputTitle(`Checksum of ais://${BUCKET} (1/2)`);
        assert.equal((await wb.focusedQuickPickItem())?.label, 'md5', 'Back keeps the type chosen');
        await wb.page.keyboard.press('Enter');
        await wb.waitForQuickInputTitle(`Checksum of ais://${BUCKET} (2/2)`);
        await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
        const note = await wb.waitForNotification(`Objects uploaded to ais://${BUCKET} from now on get md5 checksums; existing objects keep theirs.`);
        assert.doesNotMatch(note, /verified/, 'the flags did not change, so no sentence about them');
        const ck = await checksumOf(ctx, BUCKET);
        assert.equal(ck.type, 'md5');
        assert.equal(ck.validate_warm_get, true);
        await wb.page.mouse.move(700, 450);
        await wb.screenshot('checksum-picked-notification');
      } finally {
        await destroyBucket(ctx, BUCKET);
      }
    },
  },
];
