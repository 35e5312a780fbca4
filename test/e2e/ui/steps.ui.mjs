// Multi-step inputs as a person meets them from the palette, keyboard only: one quick input whose title
// counts the steps ("Create Bucket (2/2)"), a value refused on the step where it is typed (and kept), Back
// (its keybinding) to the previous step with its choice kept, forward again with what was typed still there,
// and the outcome told and checked on the gateway.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { until } from '../lib/until.mjs';

const cssString = (s) => JSON.stringify(String(s));

/** Runs the palette command whose title is exactly `title`, by the keyboard: F1, the title, Enter on its row. */
async function runExactCommand(wb, title) {
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = wb.page.locator(`.quick-input-widget .monaco-list-row.focused[aria-label^=${cssString(title)}]`).first();
  await row.waitFor({ timeout: 10_000 });
  await wb.page.keyboard.press('Enter');
}

/** Waits for the step "TITLE (n/m)" and its listing, arrows to the item and presses Enter. */
async function pickByKeyboard(wb, title, label) {
  await wb.waitForQuickInputTitle(title);
  await wb.waitForQuickInputIdle();
  await wb.arrowToQuickPickItem(label);
  await wb.page.keyboard.press('Enter');
}

const s3 = (ctx, method, p, body) => fetch(`${ctx.gateway.url}/s3/${p}`, { method, body });

async function gatewayBuckets(ctx) {
  const xml = await (await fetch(`${ctx.gateway.url}/s3`)).text();
  return [...xml.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]);
}

export default [
  {
    name: 'steps: palette Create Bucket, keyboard only: cluster (1/2) → name (2/2), an invalid name refused on the step, Back and forward keep both answers',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'steps-made';
      const key = (k) => wb.page.keyboard.press(k);
      let started = false;
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        // A second cluster, so that the palette asks which one first.
        await runExactCommand(wb, 'AIS Buckets: Start Local Gateway');
        started = true;
        await wb.row('local', { timeout: 60_000 });

        await runExactCommand(wb, 'AIS Buckets: Create Bucket…');
        await wb.waitForQuickInputTitle('Create Bucket (1/2)');
        assert.equal(await wb.quickPickPlaceholder(), 'Which cluster?');
        await wb.arrowToQuickPickItem(new RegExp(`^${ctx.cluster}\\b`));
        await wb.screenshot('create-1-cluster');
        await key('Enter');

        // 2 name: refused as it is typed, with why; Enter does not leave the step.
        await wb.waitForQuickInputTitle('Create Bucket (2/2)');
        assert.match(await wb.quickInputMessage(), new RegExp(`Name of the new ais:// bucket on ${ctx.cluster}`));
        await wb.retype('Bad Name!');
        assert.match(await wb.inputError(), /" " is not allowed in a bucket name: use letters, digits, "-", "_" and "\."/);
        await wb.screenshot('create-2-invalid-name');
        await key('Enter');
        await wb.page.waitForTimeout(300);
        assert.equal(await wb.quickInputTitle(), 'Create Bucket (2/2)', 'still on the name step');
        assert.equal(await wb.quickInputValue(), 'Bad Name!', 'the typed name is kept');

        // Back (its keybinding): the cluster step, with the cluster chosen still focused.
        await wb.quickInputBack({ keyboard: true });
        await wb.waitForQuickInputTitle('Create Bucket (1/2)');
        await wb.waitForQuickInputIdle();
        assert.match((await wb.focusedQuickPickItem())?.label ?? '', new RegExp(`^${ctx.cluster}$`), 'the cluster chosen is preselected');
        await wb.screenshot('create-back-at-cluster');
        await key('Enter');

        // Forward again: the name as typed, its error with it; fixed, Enter creates the bucket.
        await wb.waitForQuickInputTitle('Create Bucket (2/2)');
        assert.equal(await wb.quickInputValue(), 'Bad Name!', 'forward again shows the name typed before');
        assert.match(await wb.inputError(), /" " is not allowed/);
        await wb.retype(BUCKET);
        assert.equal(await wb.inputError(), '');
        await key('Enter');
        await wb.waitForNotification(`Created bucket ais://${BUCKET} on ${ctx.cluster}.`);
        assert.ok((await gatewayBuckets(ctx)).includes(BUCKET), 'the gateway has the bucket');
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.row(BUCKET, { under: 'ais' });
        await wb.screenshot('create-done');

        // Escape on a step cancels the flow: nothing is created.
        await runExactCommand(wb, 'AIS Buckets: Create Bucket…');
        await pickByKeyboard(wb, 'Create Bucket (1/2)', new RegExp(`^${ctx.cluster}\\b`));
        await wb.waitForQuickInputTitle('Create Bucket (2/2)');
        await wb.retype('steps-never');
        // Escape goes to the open notification centre first (VS Code's order), then to the quick input.
        for (let i = 0; i < 2 && (await wb.quickInputTitle()) !== ''; i++) {
          await key('Escape');
          await wb.page.waitForTimeout(300);
        }
        await until('the quick input to close', async () => (await wb.quickInputTitle()) === '');
        await wb.screenshot('create-escaped');
        assert.ok(!(await gatewayBuckets(ctx)).includes('steps-never'), 'Escape created nothing');
      } finally {
        await key('Escape').catch(() => undefined);
        if (started) await runExactCommand(wb, 'AIS Buckets: Stop Local Gateway').catch(() => undefined);
        await s3(ctx, 'DELETE', BUCKET).catch(() => undefined);
      }
      await wb.waitForNoRow('local', { timeout: 30_000 });
    },
  },
  {
    name: 'steps: palette Rename to a name that exists is warned on the step; Back to the object and forward keep the name typed',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'steps-rename';
      const key = (k) => wb.page.keyboard.press(k);
      assert.equal((await s3(ctx, 'PUT', BUCKET)).status, 200);
      for (const name of ['a.txt', 'b.txt']) assert.equal((await s3(ctx, 'PUT', `${BUCKET}/${name}`, `${name}\n`)).status, 200);
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await runExactCommand(wb, 'AIS Buckets: Rename or Move…');
        // One cluster: bucket (1/3) → object (2/3) → new name (3/3).
        await pickByKeyboard(wb, 'Rename or Move (1/3)', BUCKET);
        await pickByKeyboard(wb, 'Rename or Move (2/3)', 'a.txt');
        await wb.waitForQuickInputTitle('Rename or Move (3/3)');
        assert.equal(await wb.quickInputValue(), 'a.txt', 'the box starts with the old name');
        await wb.retype('b.txt');
        await key('Enter');
        await wb.waitForQuickInputIdle();
        assert.match(await wb.waitForInputError(/already exists/), new RegExp(`ais://${BUCKET}/b\\.txt already exists\\. Press Enter again to replace it, or change the name\\.`));
        assert.equal(await wb.quickInputTitle(), 'Rename or Move (3/3)', 'still on the name step');
        await wb.screenshot('rename-3-exists');

        // Back: the object step, a.txt focused; forward: the name as typed.
        await wb.quickInputBack({ keyboard: true });
        await wb.waitForQuickInputTitle('Rename or Move (2/3)');
        await wb.waitForQuickInputIdle();
        assert.equal((await wb.focusedQuickPickItem())?.label, 'a.txt', 'the object picked is preselected');
        await key('Enter');
        await wb.waitForQuickInputTitle('Rename or Move (3/3)');
        assert.equal(await wb.quickInputValue(), 'b.txt', 'the typed name is kept');
        await wb.retype('c.txt');
        await key('Enter');
        await until('a.txt renamed to c.txt on the gateway', async () => (await s3(ctx, 'HEAD', `${BUCKET}/c.txt`)).status === 200 && (await s3(ctx, 'HEAD', `${BUCKET}/a.txt`)).status === 404);
        assert.equal(await (await s3(ctx, 'GET', `${BUCKET}/b.txt`)).text(), 'b.txt\n', 'b.txt is untouched');
        await wb.expandPath(ctx.cluster, 'ais', BUCKET);
        await wb.row('c.txt', { under: BUCKET });
        await wb.screenshot('rename-done');
      } finally {
        await key('Escape').catch(() => undefined);
        for (const name of ['a.txt', 'b.txt', 'c.txt']) await s3(ctx, 'DELETE', `${BUCKET}/${name}`).catch(() => undefined);
        await s3(ctx, 'DELETE', BUCKET).catch(() => undefined);
      }
    },
  },
  {
    name: 'steps: palette Copy Presigned URL refuses an expiry over 7 days on the step, keeps it, and copies the link once fixed',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const CLUSTER = 'steps-signed';
      const key = (k) => wb.page.keyboard.press(k);
      // A cluster that can sign: the gateway's S3 side through an AWS profile of the run's own files.
      fs.mkdirSync(path.dirname(ctx.aws.config), { recursive: true });
      fs.mkdirSync(path.dirname(ctx.aws.credentials), { recursive: true });
      fs.writeFileSync(ctx.aws.config, '[profile steps]\nregion = us-east-1\n');
      fs.writeFileSync(ctx.aws.credentials, '[steps]\naws_access_key_id = AKIASTEPSEXAMPLE0001\naws_secret_access_key = stepsSecret/000000000000000000000000000001\n');
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      const settings = JSON.parse(settingsBefore);
      settings['aisBuckets.clusters'] = [...(settings['aisBuckets.clusters'] ?? []), { name: CLUSTER, kind: 's3', endpoint: ctx.gateway.s3Endpoint, auth: { method: 'profile', profile: 'steps' }, region: 'us-east-1' }];
      try {
        // The workbench reads the settings at its start: written, then a reload.
        fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
        const reloaded = wb.page.waitForNavigation({ timeout: 60_000 });
        await wb.runCommand('Developer: Reload Window');
        await reloaded;
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await wb.openView();
        await wb.row(CLUSTER, { timeout: 30_000 });
        await wb.showNotificationCenter();

        await runExactCommand(wb, 'AIS Buckets: Copy Presigned URL…');
        await pickByKeyboard(wb, 'Copy Presigned URL (1/4)', new RegExp(`^${CLUSTER}\\b`));
        await pickByKeyboard(wb, 'Copy Presigned URL (2/4)', 'demo');
        await pickByKeyboard(wb, 'Copy Presigned URL (3/4)', 'hello.txt');
        await wb.waitForQuickInputTitle('Copy Presigned URL (4/4)');
        assert.match(await wb.quickPickPlaceholder(), /How long should the link to s3:\/\/demo\/hello\.txt work\?/);
        await pickByKeyboard(wb, 'Copy Presigned URL (4/4)', 'Other…');

        // 5 the lifetime typed: 8 days is refused as it is typed, and Enter stays.
        await wb.waitForQuickInputTitle('Copy Presigned URL (5/5)');
        await wb.retype('8d');
        assert.match(await wb.inputError(), /A presigned URL works at most 7 days \(SigV4 allows no more\): type 7d or less\./);
        await wb.screenshot('presign-5-over-7-days');
        await key('Enter');
        await wb.page.waitForTimeout(300);
        assert.equal(await wb.quickInputTitle(), 'Copy Presigned URL (5/5)', 'still on the lifetime step');
        assert.equal(await wb.quickInputValue(), '8d', 'the typed value is kept');
        await wb.retype('soon');
        assert.match(await wb.inputError(), /Type a duration from 1 second to 7 days, such as 45s, 90m, 3h or 2d\./);
        await wb.retype('3h');
        assert.equal(await wb.inputError(), '');
        await key('Enter');
        await wb.waitForNotification(/Presigned URL copied: anyone with it can download hello\.txt until/);
        await until('the link on the clipboard', async () => /X-Amz-Expires=10800\b/.test(await wb.clipboardText()));
        assert.match(await wb.clipboardText(), /\/demo\/hello\.txt\?/);
        await wb.screenshot('presign-done');
      } finally {
        await key('Escape').catch(() => undefined);
        fs.writeFileSync(settingsFile, settingsBefore);
        fs.rmSync(ctx.aws.config, { force: true });
        fs.rmSync(ctx.aws.credentials, { force: true });
      }
    },
  },
];
