// The Get Started walkthrough: opened from the palette, its steps shown with their media, and steps
// checked off on the real events: the local gateway started, a cluster of one's own added, a bucket's
// checksum set to md5 (each from the buttons in the walkthrough itself), a file dropped on a bucket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docsScreenshots, docsShot } from '../lib/docs.mjs';

async function openWalkthrough(wb) {
  const title = wb.page.locator('.gettingStartedContainer').getByText('Get Started with AIS Buckets').first();
  for (let attempt = 1; ; attempt++) {
    try {
      await wb.page.keyboard.press('Escape');
      // Already showing (the command leaves it in place): F1 may not reach the palette from inside the page.
      if ((await title.isVisible()) && (await wb.page.locator('.gettingStartedContainer .getting-started-step').first().isVisible())) return;
      // The Welcome page's overview (where it can fall back to after a step) lists the walkthrough: click it there.
      const entry = wb.page.locator('.gettingStartedContainer .getting-started-category', { hasText: 'Get Started with AIS Buckets' }).first();
      if (await entry.isVisible()) {
        await entry.click();
      } else {
        await wb.runCommand('Welcome: Open Walkthrough');
        const input = wb.page.locator('.quick-input-widget .quick-input-box input');
        await input.fill('Get Started with AIS Buckets');
        await wb.page.locator('.quick-input-widget .monaco-list-row[aria-label^="Get Started with AIS Buckets"]').first().waitFor();
        await wb.page.keyboard.press('Enter');
      }
      await wb.page.locator('.gettingStartedContainer .getting-started-step').first().waitFor({ timeout: 20_000 });
      await title.waitFor({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      await wb.screenshot(`walkthrough-reopen-${attempt}`);
    }
  }
}

/** A step's checkbox in the walkthrough page (VS Code marks it aria-checked when the step completes). */
const stepCheckbox = (wb, step) => wb.page.locator(`.gettingStartedContainer [data-done-step-id$=${JSON.stringify(`#${step}`)}]`).first();

async function stepDone(wb, step) {
  const box = stepCheckbox(wb, step);
  if (!(await box.count())) return undefined; // the walkthrough is not showing
  return (await box.getAttribute('aria-checked', { timeout: 2_000 }).catch(() => null)) === 'true';
}

/**
 * Waits for a step to be checked off. The page can leave the walkthrough (seen on loaded machines: the Welcome
 * overview, or a reloaded window), while what a step completed stays recorded: then it opens the walkthrough
 * again and reads the step there.
 */
async function waitForStepDone(wb, step, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const done = await stepDone(wb, step);
    if (done) return;
    if (Date.now() > deadline) throw new Error(`the walkthrough step "${step}" was not checked off`);
    if (done === undefined) await openWalkthrough(wb).catch(() => undefined);
    await wb.page.waitForTimeout(250);
  }
}

/** Expands a step by its title and clicks one of the command buttons in its description. */
async function stepButton(wb, stepTitle, button) {
  const container = wb.page.locator('.gettingStartedContainer');
  const header = container.locator('.getting-started-step', { hasText: stepTitle }).first();
  // An expanded step's header is a disabled button: click it only to expand the step.
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const step = container.locator('.getting-started-step.expanded', { hasText: stepTitle }).first();
  await step.waitFor({ timeout: 10_000 });
  await step.getByRole('button', { name: button, exact: true }).first().click();
}

/**
 * Picks `label` in the QuickPick whose placeholder matches `asks` (the widget is reused from one prompt to
 * the next: answer the right one); fails fast (5 s) when it is gone.
 */
async function answerPick(wb, label, asks) {
  const widget = wb.page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await widget.waitFor({ state: 'visible', timeout: 5_000 });
  for (const deadline = Date.now() + 5_000; !asks.test((await input.getAttribute('placeholder', { timeout: 5_000 })) ?? '');) {
    if (Date.now() > deadline) throw new Error(`the open QuickPick does not ask ${asks}`);
    await wb.page.waitForTimeout(100);
  }
  await input.fill(label, { timeout: 5_000 });
  await widget.locator(`.quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(label)}]`).first().click({ timeout: 5_000 });
}

export default [
  {
    name: 'Walkthrough: four steps with their media',
    async run(wb) {
      await wb.runCommand('Welcome: Open Walkthrough');
      const input = wb.page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('Get Started with AIS Buckets');
      await wb.page.locator('.quick-input-widget .monaco-list-row[aria-label^="Get Started with AIS Buckets"]').first().waitFor();
      await wb.page.keyboard.press('Enter');
      const title = wb.page.locator('.gettingStartedContainer').getByText('Get Started with AIS Buckets').first();
      await title.waitFor({ timeout: 20000 });
      await wb.page.getByText('Start the local gateway').first().waitFor();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-start');
      await wb.page.getByText('Drop a file on a bucket').first().click();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-upload-step');
      await wb.page.getByText('Checksums s3cmd understands').first().click();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-md5-step');
      for (const t of ['Start the local gateway', 'Add your clusters', 'Drop a file on a bucket', 'Checksums s3cmd understands']) assert.ok(await wb.page.getByText(t).count(), t);
    },
  },
  {
    name: 'Walkthrough: each step completes on its real event (gateway started, own cluster added, md5 bucket, file dropped)',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = 'walkthrough-md5';
      assert.equal((await fetch(`${ctx.gateway.url}/s3/${BUCKET}`, { method: 'PUT' })).status, 200);
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      let gatewayStarted = false;
      try {
        await openWalkthrough(wb);
        for (const step of ['gateway', 'cluster', 'upload', 'md5']) {
          assert.equal(await stepDone(wb, step), false, `"${step}" is not done before anything happened`);
        }
        await wb.screenshot('walkthrough-nothing-done');

        // Start the local gateway from the step's own button: done once it runs.
        await stepButton(wb, 'Start the local gateway', 'Start Local Gateway');
        gatewayStarted = true;
        await waitForStepDone(wb, 'gateway');
        await wb.screenshot('walkthrough-gateway-done');
        if (docsScreenshots()) {
          // The status bar's entry for the running gateway, with its tooltip (where it runs, where its data is).
          const item = wb.page.locator('.part.statusbar .statusbar-item', { hasText: 'AIS local' }).first();
          await item.hover();
          const hover = wb.page.locator('.workbench-hover, .monaco-hover', { hasText: 'Local AIS gateway' }).first();
          await hover.waitFor({ timeout: 10_000 });
          await docsShot(wb, 'local-gateway', [hover, item], { pad: 6 });
          await wb.page.mouse.move(700, 450);
        }

        // Add a cluster of one's own (the test gateway's S3 side): tested, saved, and the step is done.
        await stepButton(wb, 'Add your clusters', 'Add Cluster');
        await wb.answerAddCluster(`${ctx.gateway.url}/s3`, 'my-own');
        await waitForStepDone(wb, 'cluster');
        await wb.screenshot('walkthrough-cluster-done');

        // Set a bucket's checksum to md5 with the step's command, from the palette: a QuickPick opened from the
        // walkthrough page can close unanswered when the page redraws itself after the previous step, and the
        // step completes on the event (the bucket at md5), wherever the command came from.
        const bucketChecksum = async () => {
          const head = await fetch(`${ctx.gateway.url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'HEAD' });
          return JSON.parse(head.headers.get('ais-bucket-props') ?? '{}').checksum?.type;
        };
        // A prompt can lose a keystroke on a loaded machine: what counts is the bucket at md5 on the gateway.
        for (let attempt = 1; (await bucketChecksum()) !== 'md5'; attempt++) {
          if (attempt > 3) throw new Error('Edit Checksum Properties did not set the bucket to md5');
          await wb.page.keyboard.press('Escape');
          try {
            await wb.runCommand('AIS Buckets: Edit Checksum Properties…');
            await answerPick(wb, ctx.cluster, /Which cluster/);
            await answerPick(wb, BUCKET, /Which bucket/);
            await answerPick(wb, 'md5', /^Current: /);
            await wb.waitForQuickInputTitle(/\(2\/2\)$/, 10_000);
            await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter', { timeout: 5_000 });
          } catch (e) {
            if (attempt === 3) throw e;
          }
          for (const until = Date.now() + 5_000; Date.now() < until && (await bucketChecksum()) !== 'md5'; ) await wb.page.waitForTimeout(250);
        }
        await openWalkthrough(wb);
        await waitForStepDone(wb, 'md5');
        const head = await fetch(`${ctx.gateway.url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'HEAD' });
        assert.equal(JSON.parse(head.headers.get('ais-bucket-props') ?? '{}').checksum?.type, 'md5', 'the gateway has the bucket at md5');
        assert.equal(await stepDone(wb, 'upload'), false, 'no upload happened: that step stays open');
        await wb.page.mouse.move(900, 600);
        await wb.screenshot('walkthrough-three-steps-done');

        // Drop a file from the Explorer on the bucket: the upload finishes and the last step is done.
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.dragFromExplorer('upload-me.txt', BUCKET, { under: 'ais' });
        const uploaded = Date.now() + 30_000;
        while ((await fetch(`${ctx.gateway.url}/s3/${BUCKET}/upload-me.txt`, { method: 'HEAD' })).status !== 200) {
          if (Date.now() > uploaded) throw new Error('the dropped file did not reach the bucket');
          await wb.page.waitForTimeout(250);
        }
        await waitForStepDone(wb, 'upload');
        await wb.screenshot('walkthrough-all-steps-done');
      } finally {
        if (gatewayStarted) await wb.runCommand('AIS Buckets: Stop Local Gateway').catch(() => undefined);
        // Remove the cluster as a person does (VS Code then writes its settings itself); the file as it
        // was before, in case the page is gone.
        await wb.removeCluster('my-own').catch(() => fs.writeFileSync(settingsFile, settingsBefore));
        // AIStore's destroy-bck removes the bucket with what is in it.
        await fetch(`${ctx.gateway.url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) }).catch(() => undefined);
      }
    },
  },
];
