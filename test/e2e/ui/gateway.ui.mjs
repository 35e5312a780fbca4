// The local gateway's status-bar item: a click opens its menu (never stops it outright); Stop from there
// stops it (the item stays, stopped, and offers Start); a gateway killed with SIGKILL comes back by itself
// (a spinner meanwhile) and a notification says so; Stop while a transfer runs asks first.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** The status-bar item of the local gateway (its text is "AIS local" after an icon). */
const statusItem = (wb) => wb.page.locator('.part.statusbar .statusbar-item', { hasText: 'AIS local' }).first();

/** The codicon the item shows: 'database' (running), 'sync' (starting or restarting), 'circle-slash' (stopped). */
async function statusIcon(wb) {
  const cls = (await statusItem(wb).locator('.codicon').first().getAttribute('class', { timeout: 5_000 }).catch(() => '')) ?? '';
  return /codicon-(database|sync|circle-slash)\b/.exec(cls)?.[1];
}

async function until(what, check, timeout = 30_000, wb) {
  for (const deadline = Date.now() + timeout; ; ) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await (wb ? wb.page.waitForTimeout(100) : new Promise((r) => setTimeout(r, 100)));
  }
}

/** The pid of the gateway program the extension started for this server (its data is under the user dir). */
function localGatewayPids(ctx) {
  const dataDir = path.join(ctx.userDir, 'globalStorage');
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const data = cmd[cmd.indexOf('--data') + 1] ?? '';
    if (cmd.some((a) => a.endsWith(path.join('dist', 'gateway.js'))) && data.startsWith(dataDir)) pids.push(Number(d));
  }
  return pids;
}

/** A menu item by its label (its aria-label is "icon-name  Label, description"). */
const menuItem = (label) => new RegExp(`\\s${label}(,|$)`);

/**
 * Clicks the status-bar item and waits for its menu, the one for the state `placeholder` names (the quick
 * input is reused: rows of an earlier pick may linger); returns the menu's item labels.
 */
async function openMenu(wb, placeholder) {
  await wb.page.keyboard.press('Escape');
  await statusItem(wb).click();
  await wb.waitForQuickInputTitle('Local AIS Gateway');
  await until(`the menu ${placeholder}`, async () => placeholder.test((await wb.quickPickPlaceholder()) ?? ''), 10_000, wb);
  let before = '';
  return until('the menu\'s items', async () => {
    const now = (await wb.quickPickItems()).map((i) => i.label.trim());
    const same = now.length && JSON.stringify(now) === before;
    before = JSON.stringify(now);
    return same && now;
  }, 10_000, wb);
}

/** Answers VS Code's folder dialog (Download…) with `folder`: typed once it settled, then its button. */
async function answerFolderDialog(wb, folder, button) {
  const input = wb.page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor({ state: 'visible' });
  // It fills in its start folder after it shows: wait for that, or it lands after what is typed.
  let before = '';
  for (let stable = 0, deadline = Date.now() + 10_000; stable < 3 && Date.now() < deadline; ) {
    await wb.page.waitForTimeout(150);
    const now = await input.inputValue();
    stable = now && now === before ? stable + 1 : 0;
    before = now;
  }
  for (let attempt = 0; (await input.inputValue()) !== folder; attempt++) {
    if (attempt === 3) throw new Error(`the folder dialog holds "${await input.inputValue()}", not ${folder}`);
    await input.fill(folder);
    await wb.page.waitForTimeout(800); // it checks the path as it is typed
  }
  const widget = wb.page.locator('.quick-input-widget');
  for (let attempt = 0; await widget.isVisible(); attempt++) {
    if (attempt === 3) throw new Error(`the folder dialog stayed open at "${await input.inputValue()}"`);
    await widget.locator('.monaco-button', { hasText: button }).first().click();
    await widget.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
  }
}

async function startLocal(wb) {
  await wb.runCommand('AIS Buckets: Start Local Gateway');
  await wb.row('local', { timeout: 60_000 });
  await until('the running icon', async () => (await statusIcon(wb)) === 'database', 30_000, wb);
}

async function stopLocal(wb) {
  await wb.page.keyboard.press('Escape');
  await wb.runCommand('AIS Buckets: Stop Local Gateway').catch(() => undefined);
}

export default [
  {
    name: 'local gateway: a click opens its menu; Stop, Start, and a killed gateway restarted with a notification',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      await wb.openView();
      try {
        await startLocal(wb);
        const tooltip = await statusItem(wb).getAttribute('aria-label');
        await wb.screenshot('running');
        assert.ok(tooltip, 'the item has a label');

        // A click: the menu, nothing stopped.
        const running = await openMenu(wb, /^Running at /);
        assert.deepEqual(running, ['Show Connection Details', 'Restart', 'Stop', 'Open Log', 'Reveal in Tree']);
        assert.match(await wb.quickPickPlaceholder(), /^Running at http:\/\/127\.0\.0\.1:\d+ · data: /);
        await wb.screenshot('menu-running');
        assert.equal(localGatewayPids(ctx).length, 1, 'opening the menu stopped nothing');

        // Show Connection Details from the menu: the local cluster's rows.
        await wb.quickPick(menuItem('Show Connection Details'));
        await wb.waitForQuickInputTitle('Connection Details: local');
        await wb.screenshot('connection-details');
        await wb.page.keyboard.press('Escape');

        // Stop from the menu: gone from the tree, the item stays (stopped) and offers Start.
        await openMenu(wb, /^Running at /);
        await wb.quickPick(menuItem('Stop'));
        await wb.waitForNoRow('local');
        await until('the stopped icon', async () => (await statusIcon(wb)) === 'circle-slash', 15_000, wb);
        await until('the gateway process to end', () => localGatewayPids(ctx).length === 0, 15_000, wb);
        const stopped = await openMenu(wb, /^Stopped · data: /);
        assert.deepEqual(stopped, ['Start', 'Open Log']);
        await wb.screenshot('menu-stopped');
        await wb.quickPick(menuItem('Start'));
        await wb.row('local', { timeout: 60_000 });
        await until('the running icon', async () => (await statusIcon(wb)) === 'database', 30_000, wb);

        // Killed: a spinner while it restarts, then it runs again and a notification says what happened.
        await wb.showNotificationCenter();
        const [pid] = localGatewayPids(ctx);
        assert.ok(pid, 'the gateway process is found');
        process.kill(pid, 'SIGKILL');
        await until('the spinner', async () => (await statusIcon(wb)) === 'sync', 10_000, wb);
        await wb.screenshot('restarting');
        const told = await wb.waitForNotification(/^The local AIS gateway stopped unexpectedly/, 30_000);
        assert.equal(told, 'The local AIS gateway stopped unexpectedly (SIGKILL) and was restarted.');
        await until('the running icon', async () => (await statusIcon(wb)) === 'database', 30_000, wb);
        const after = localGatewayPids(ctx);
        assert.equal(after.length, 1);
        assert.notEqual(after[0], pid);
        await wb.row('local');
        await wb.expandRow('local');
        await wb.row('ais', { under: 'local' });
        await wb.screenshot('restarted-notification');
      } finally {
        await stopLocal(wb);
      }
    },
  },
  {
    name: 'local gateway: Stop while a transfer runs asks first, naming how many',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      const BUCKET = `stop-asks-${Date.now().toString(36)}`; // a retry starts afresh
      let frozen;
      await wb.openView();
      try {
        await startLocal(wb);
        // A bucket on the local gateway with the workspace's file in it, dropped from the Explorer.
        await wb.expandRow('local');
        await wb.contextMenu('ais', 'Create Bucket…', { under: 'local' });
        await wb.inputBox(BUCKET);
        await wb.expandRow('ais', { under: 'local' });
        await wb.row(BUCKET, { under: 'local' });
        await wb.dragFromExplorer('upload-me.txt', BUCKET, { under: 'local' });
        // The first upload to a bucket that is not md5 asks about md5: keep what it has.
        const dialog = wb.page.locator('.monaco-dialog-box');
        const uploaded = wb.waitForNotification(/^Uploaded upload-me\.txt/, 30_000);
        if (await Promise.race([dialog.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false), uploaded.then(() => false)])) {
          assert.match(await wb.dialogMessage(), /to md5 checksums before uploading\?$/);
          await wb.dialogButton('Keep');
        }
        await uploaded;
        await wb.expandRow(BUCKET, { under: 'local' });
        await wb.row('upload-me.txt', { under: BUCKET, timeout: 30_000 });

        // Freeze the gateway (SIGSTOP): a download from it then runs and waits for its answer.
        [frozen] = localGatewayPids(ctx);
        process.kill(frozen, 'SIGSTOP');
        const target = path.join(ctx.work, 'stop-asks-download');
        fs.mkdirSync(target, { recursive: true });
        await wb.contextMenu('upload-me.txt', 'Download…', { under: BUCKET });
        await wb.waitForQuickInputTitle('Download to folder');
        await answerFolderDialog(wb, `${target}/`, 'Download Here');
        await wb.waitForNotification(/^Downloading upload-me\.txt/, 20_000);

        // Stop from the menu: the question, with the count; Cancel keeps it running.
        await openMenu(wb, /^Running at /);
        await wb.quickPick(menuItem('Stop'));
        assert.equal(await wb.dialogMessage(), 'A transfer is running on the local gateway. Stop it anyway?');
        await wb.screenshot('stop-asks');
        await wb.dialogButton('Cancel');
        assert.equal(localGatewayPids(ctx)[0], frozen, 'Cancel left it running');
        assert.ok(await wb.row('local'));

        // Thawed, the download finishes; Stop then asks nothing.
        process.kill(frozen, 'SIGCONT');
        frozen = undefined;
        await until('the downloaded file', () => fs.existsSync(path.join(target, 'upload-me.txt')), 30_000, wb);
        await until('the download to end', async () => !(await wb.notifications()).some((t) => t.startsWith('Downloading upload-me.txt')), 15_000, wb);
        await openMenu(wb, /^Running at /);
        await wb.quickPick(menuItem('Stop'));
        await wb.waitForNoRow('local');
        await wb.screenshot('stopped-without-asking');
      } finally {
        if (frozen) process.kill(frozen, 'SIGCONT');
        await stopLocal(wb);
      }
    },
  },
];
