// Content-Type as a person meets it: a PNG dropped from the Explorer onto a bucket is stored as image/png
// (what a browser following a link is told), Edit Metadata from the object's context menu shows that type
// in its first step, goes on to the metadata and Back, takes a new type, says what it saved, and the
// properties show the new value. Each result is checked on the gateway itself too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { until } from '../lib/until.mjs';

const BUCKET = 'ctype-ui';
const FILE = 'chart.png';
// A 2×2 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBgYGBgYAAAdFwIBDqZs4wAAAABJRU5ErkJggg==', 'base64');

async function native(ctx, method, p, body) {
  return fetch(`${ctx.gateway.url}/v1/${p}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
}
async function s3Head(ctx, key) {
  const res = await fetch(`${ctx.gateway.url}/s3/${BUCKET}/${key}`, { method: 'HEAD' });
  return { status: res.status, type: res.headers.get('content-type'), owner: res.headers.get('x-amz-meta-owner') };
}
async function editorText(wb) {
  const lines = wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').last();
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

export default [
  {
    name: 'Content-Type: a dropped PNG is image/png; Edit Metadata shows it, goes Back, changes it, and the properties show the new type',
    async run(wb, ctx) {
      // An md5 bucket: the upload asks nothing first.
      const made = await native(ctx, 'POST', `buckets/${BUCKET}`, { action: 'create-bck', value: { checksum: { type: 'md5' } } });
      assert.ok(made.status === 200 || made.status === 409, `create ${BUCKET}: ${made.status}`);
      assert.equal((await native(ctx, 'PATCH', `buckets/${BUCKET}?provider=ais`, { action: 'set-bprops', value: { checksum: { type: 'md5' } } })).status, 200);
      const file = path.join(ctx.workspace, FILE);
      fs.writeFileSync(file, PNG);
      try {
        await wb.showNotificationCenter();
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.row(BUCKET, { under: 'ais' });
        await wb.dragFromExplorer(FILE, BUCKET);
        assert.equal(await wb.waitForNotification(/^Uploaded chart\.png/, 30_000), `Uploaded ${FILE} (${PNG.length} B) to ais://${BUCKET}.`);
        assert.deepEqual(await s3Head(ctx, FILE), { status: 200, type: 'image/png', owner: null }, 'stored as image/png');

        // Edit Metadata from the object's context menu: step 1 holds the current type.
        await wb.expandRow(BUCKET, { under: 'ais' });
        await wb.contextMenu(FILE, 'Edit Metadata…', { under: BUCKET });
        await wb.waitForQuickInputTitle('Content-Type (1/2)');
        assert.equal(await wb.quickInputValue(), 'image/png');
        assert.match(await wb.quickInputMessage(), /Content-Type of ais:\/\/ctype-ui\/chart\.png/);
        await wb.screenshot('ctype-step1-current');
        await wb.page.keyboard.press('Enter');

        // Step 2: the user metadata (none yet); typed, then Back keeps it for later.
        await wb.waitForQuickInputTitle('Metadata (2/2)');
        assert.equal(await wb.quickInputValue(), '');
        await wb.typeInput('owner=ui-test');
        await wb.screenshot('ctype-step2');
        await wb.quickInputBack();
        await wb.waitForQuickInputTitle('Content-Type (1/2)');
        assert.equal(await wb.quickInputValue(), 'image/png', 'Back shows step 1 as it was');

        // A type that is not type/subtype is refused on the step, with why.
        await wb.retype('png');
        assert.match(await wb.waitForInputError(/not a media type/), /"png" is not a media type: write it as type\/subtype/);
        await wb.screenshot('ctype-step1-invalid');
        await wb.retype('image/x-chart');
        assert.equal(await wb.inputError(), '');
        await wb.page.keyboard.press('Enter');
        await wb.waitForQuickInputTitle('Metadata (2/2)');
        assert.equal(await wb.quickInputValue(), 'owner=ui-test', 'what was typed in step 2 is still there');
        await wb.page.keyboard.press('Enter');

        const saved = `Saved the metadata of ais://${BUCKET}/${FILE}: Content-Type image/x-chart, user metadata owner=ui-test.`;
        assert.equal(await wb.waitForNotification(/^Saved the metadata of/, 30_000), saved);
        assert.deepEqual(await s3Head(ctx, FILE), { status: 200, type: 'image/x-chart', owner: 'ui-test' });
        await wb.screenshot('ctype-saved-notification');

        // Show Properties on the notification: the new type and the metadata.
        await wb.notificationButton(/^Saved the metadata of/, 'Show Properties');
        const text = await until('the properties with the new type', async () => {
          const t = await editorText(wb).catch(() => '');
          return t.includes('contentType: image/x-chart') ? t : undefined;
        });
        assert.match(text, /owner: ui-test/);
        assert.match(text, /size: 79/);
        await wb.page.mouse.move(900, 600);
        await wb.screenshot('ctype-properties');
      } finally {
        fs.rmSync(file, { force: true });
        await wb.runCommand('View: Close All Editors').catch(() => undefined);
        await fetch(`${ctx.gateway.url}/s3/${BUCKET}/${FILE}`, { method: 'DELETE' }).catch(() => undefined);
        await native(ctx, 'DELETE', `buckets/${BUCKET}?provider=ais`, { action: 'destroy-bck' }).catch(() => undefined);
      }
    },
  },
];
