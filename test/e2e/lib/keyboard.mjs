// Moves a person makes with the keyboard alone: the tree's focus walked with the arrow keys, a modal
// dialog's button reached with Tab, the view focused from the palette. Reading the DOM is only to know
// where the focus is and when to stop; every action is a key press.
/* global document -- read inside evaluate(), in the page */
const hit = (r, label) => (label instanceof RegExp ? label.test(r.label) || label.test(r.aria) : r.label === label || r.aria.startsWith(label));

/**
 * Focuses the Clusters view from the palette (its generated "Focus on … View" command); waits until the
 * tree has the keyboard focus. The first time the view is shown, VS Code creates the tree after the
 * command has already moved the focus, which lands on the page's body: the command again (as a person
 * would) focuses the tree.
 */
export async function focusTree(wb) {
  const list = wb.viewPane('Clusters').locator('.monaco-list').first();
  const hasFocus = async (timeout) => {
    await list.waitFor({ timeout: 15_000 });
    return wb.page.waitForFunction((el) => el.contains(document.activeElement), await list.elementHandle(), { timeout }).then(() => true, () => false);
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    await wb.runCommandByKeyboard('AIS Buckets: Focus on Clusters View');
    if (await hasFocus(attempt === 3 ? 10_000 : 3_000)) return;
  }
  const where = await wb.page.evaluate(() => `${document.activeElement?.tagName}.${document.activeElement?.className}`);
  throw new Error(`the Clusters tree did not get the keyboard focus; it is on ${where}`);
}

/** The index (in rowInfo's order) and info of the tree's focused row, or -1. */
async function focused(wb) {
  const rows = wb.viewPane('Clusters').locator('.monaco-list-row');
  const flags = await rows.evaluateAll((els) => els.map((e) => e.classList.contains('focused')));
  const info = await wb.rowInfo();
  const i = flags.indexOf(true);
  return { i, info, row: info[i] };
}

/**
 * Moves the tree's focus with ArrowUp/ArrowDown to the row matching `label` (exact label, aria prefix or
 * RegExp), the first one after the row labelled `under` when given; returns its info.
 */
export async function arrowToRow(wb, label, { under, timeout = 20_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { i, info } = await focused(wb);
    const start = under === undefined ? 0 : info.findIndex((r) => r.label === under) + 1;
    const want = start > 0 || under === undefined ? info.findIndex((r, j) => j >= start && hit(r, label)) : -1;
    if (want >= 0 && want === i) return info[i];
    if (Date.now() > deadline) {
      throw new Error(`the arrow keys did not reach row ${label}${under ? ` under ${under}` : ''}; focused: ${info[i]?.label ?? 'none'}; rows: ${JSON.stringify(info.map((r) => r.label))}`);
    }
    // Not rendered yet (children still loading): wait; else one step towards it.
    if (want >= 0) await wb.page.keyboard.press(i < 0 || want > i ? 'ArrowDown' : 'ArrowUp');
    await wb.page.waitForTimeout(want >= 0 ? 60 : 200);
  }
}

/** Moves to a row and expands it with ArrowRight; waits until it is expanded and a child has arrived. */
export async function expandByKey(wb, label, opts = {}) {
  const row = await arrowToRow(wb, label, opts);
  if (row.expanded === undefined) throw new Error(`row ${label} is a leaf: it cannot be expanded`);
  const deadline = Date.now() + 20_000;
  for (let pressed = false; ;) {
    const { i, info } = await focused(wb);
    const r = info[i];
    if (r?.expanded && info[i + 1] && info[i + 1].level > r.level) return r;
    if (Date.now() > deadline) throw new Error(`row ${label} did not expand by ArrowRight`);
    if (!pressed || !r?.expanded) {
      await wb.page.keyboard.press('ArrowRight');
      pressed = true;
    }
    await wb.page.waitForTimeout(150);
  }
}

/**
 * Answers the open modal dialog with the keyboard: Tab until the button labelled `button` has the focus,
 * then Enter; waits until the dialog has closed. Returns the dialog's message.
 */
export async function answerDialog(wb, button) {
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const message = (await dialog.locator('.dialog-message-text').innerText()).trim();
  const target = dialog.locator(".dialog-buttons .monaco-button", { hasText: button }).first();
  await target.waitFor({ timeout: 5_000 });
  for (let n = 0; ; n++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) break;
    if (n > 10) throw new Error(`Tab did not reach the dialog's button "${button}"`);
    await wb.page.keyboard.press('Tab');
    await wb.page.waitForTimeout(80);
  }
  await wb.page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  return message;
}

/** Waits until no quick input is open (an answer was accepted), failing with what it still shows. */
export async function waitForQuickInputClosed(wb, timeout = 20_000) {
  const widget = wb.page.locator('.quick-input-widget');
  const deadline = Date.now() + timeout;
  while (await widget.isVisible().catch(() => false)) {
    if (Date.now() > deadline) throw new Error(`the quick input "${await wb.quickInputTitle()}" stayed open: ${await wb.quickInputMessage()}`);
    await wb.page.waitForTimeout(100);
  }
}

/** Opens the notification centre from the palette (no click on the bell) and leaves it open. */
export async function showNotificationsByKeyboard(wb) {
  if (await wb.page.locator('.notifications-center.visible').count()) return;
  await wb.runCommandByKeyboard('Notifications: Show Notifications');
  await wb.page.locator('.notifications-center.visible').first().waitFor({ timeout: 10_000 });
}

