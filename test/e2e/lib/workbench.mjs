/* global document, HTMLElement -- read inside evaluate(), in the page */
// The helper library for UI tests: Chromium (Debian's, driven by playwright-core) on the VS Code server's
// workbench, and the few moves a person makes in it. Selectors are VS Code's own DOM (1.139): tree rows are
// `.monaco-list-row` with an aria-label, quick input is `.quick-input-widget`, menus are `.monaco-menu`.
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS } from './runtime.mjs';
import { onCleanup } from './procs.mjs';

export async function launchBrowser(rt) {
  // Our signal handlers (lib/procs.mjs) close the browser, in order with everything else.
  const browser = await rt.playwright.chromium.launch({
    executablePath: rt.chromium,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup(() => browser.close());
  return browser;
}

const cssString = (s) => JSON.stringify(String(s));
const matches = (label, want) => (want instanceof RegExp ? want.test(label ?? '') : (label ?? '').startsWith(want));

export class Workbench {
  /**
   * Opens the workbench in a new page. `payload` entries are [key, value] pairs of the smoke-test driver,
   * e.g. ['extensionDevelopmentPath', server.remote(ROOT)]. Screenshots go to `artifactsDir`.
   */
  static async open(browser, server, { folder, payload = [], artifactsDir, onExit }) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Copy commands write with navigator.clipboard, as in a browser where the user allowed it; tests read it.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const wb = new Workbench(page, server, artifactsDir);
    // The workbench calls this when an extensionTestsPath module's run() settles (0 passed, 1 failed).
    await page.exposeFunction('codeAutomationExit', (code) => onExit?.(code));
    page.on('console', (msg) => wb.console.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => wb.console.push(`pageerror: ${err.message}`));
    // A page that reloads itself (Reload Window, a folder window becoming a workspace) can meet a "Leave
    // site?" prompt while the workbench is still busy: a person leaves. Playwright would dismiss it, which
    // cancels the reload and leaves a half shut-down window.
    page.on('dialog', (d) => {
      wb.console.push(`dialog: ${d.type()} ${d.message()}`);
      void (d.type() === 'beforeunload' ? d.accept() : d.dismiss()).catch(() => {});
    });
    await page.goto(server.workbenchUrl({ folder, payload }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return wb;
  }

  constructor(page, server, artifactsDir) {
    this.page = page;
    this.server = server;
    this.artifactsDir = artifactsDir;
    this.console = [];
    this.shots = 0;
  }

  /** Saves test-artifacts/e2e/<test>/NN-name.png and returns its path. Look at them. */
  async screenshot(name) {
    fs.mkdirSync(this.artifactsDir, { recursive: true });
    const file = path.join(this.artifactsDir, `${String(++this.shots).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * The content of the webview shown in the active editor (a panel made with createWebviewPanel), as a
   * Playwright FrameLocator: VS Code puts each webview in an `iframe.webview`, whose page holds the
   * extension's HTML in a nested `#active-frame`. Hidden webviews keep their iframes: the visible one counts.
   * With `title`, first waits for the active tab to have it.
   */
  async webview({ title, timeout = 30_000 } = {}) {
    if (title) await this.page.locator(`.tabs-container .tab.active[aria-label^=${cssString(title)}]`).first().waitFor({ timeout });
    const outer = this.page.locator('iframe.webview.ready:visible').last();
    await outer.waitFor({ timeout });
    return outer.contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /** The editor tab whose label starts with `label` (aria-label), e.g. to click it. */
  editorTab(label) {
    return this.page.locator(`.tabs-container .tab[aria-label^=${cssString(label)}]`).first();
  }

  /** The activity-bar entry of a view container, by its title (aria-label starts with it). */
  activityItem(title) {
    return this.page.locator(`.part.activitybar .action-item:has(a.action-label[aria-label^=${cssString(title)}])`).first();
  }

  /** Shows a view container from the activity bar (without toggling it closed when it is already open). */
  async openViewContainer(title) {
    const item = this.activityItem(title);
    await item.waitFor({ timeout: 60_000 });
    const checked = async (timeout) => this.page.waitForFunction((el) => el.classList.contains('checked'), await item.elementHandle(), { timeout }).then(() => true, () => false);
    // Right after a reload the workbench may restore the container a moment after the click that was
    // meant to open it, and that click then closed it: click again until it is shown.
    for (let attempt = 1; !((await item.getAttribute('class')) ?? '').includes('checked'); attempt++) {
      await item.locator('a.action-label').click();
      // Leave the activity bar, or its hover tooltip covers the view in every screenshot.
      await this.page.mouse.move(900, 600);
      if (await checked(attempt === 3 ? 30_000 : 5_000)) break;
      if (attempt === 3) throw new Error(`the ${title} view container did not open after 3 clicks`);
    }
  }

  /** Our view: opens the "AIS Buckets" container and waits until the "Clusters" view is in it. */
  async openView(container = 'AIS Buckets', view = 'Clusters') {
    await this.openViewContainer(container);
    await this.viewPane(view).waitFor({ timeout: 30_000 });
  }

  /**
   * The pane (header + body) of a view in the side bar, by the start of its header's aria-label: the view's
   * name ("Clusters"); the Explorer's files view is "Explorer Section".
   */
  viewPane(view) {
    return this.page.locator(`.part.sidebar .pane:has(> .pane-header[aria-label^=${cssString(view)}])`).first();
  }

  /** The text of a view's welcome content ("No clusters yet..."), '' when the view shows a tree instead. */
  async welcomeText(view = 'Clusters') {
    const welcome = this.viewPane(view).locator('.welcome-view-content');
    if (!(await welcome.count()) || !(await welcome.first().isVisible())) return '';
    return (await welcome.first().innerText()).trim();
  }

  /** Clicks a button (a command link) in a view's welcome content, e.g. "Start Local Gateway". */
  async welcomeButton(label, view = 'Clusters') {
    await this.viewPane(view).locator('.welcome-view-content .monaco-button', { hasText: label }).first().click();
  }

  /** The aria-labels of a view's rendered tree rows, top to bottom (what a screen reader says). */
  async rows(view = 'Clusters') {
    return (await this.rowInfo(view)).map((r) => r.aria);
  }

  /** The visible label (the TreeItem's label, without description) of each rendered row, top to bottom. */
  async rowLabels(view = 'Clusters') {
    return (await this.rowInfo(view)).map((r) => r.label);
  }

  /** Per rendered row: { aria, label, description, level, expanded (true/false/undefined for leaves) }. */
  async rowInfo(view = 'Clusters') {
    return this.viewPane(view).locator('.monaco-list-row').evaluateAll((els) => els.map((e) => ({
      aria: e.getAttribute('aria-label') ?? '',
      label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
      level: Number(e.getAttribute('aria-level')),
      expanded: e.hasAttribute('aria-expanded') ? e.getAttribute('aria-expanded') === 'true' : undefined,
    })));
  }

  /**
   * A tree row, waiting for it to be rendered. `label` is the row's visible label (exact) or a prefix of its
   * aria-label (string), or a RegExp tried on both. `under` narrows to rows below the row with that label.
   */
  async row(label, { view = 'Clusters', timeout = 30_000, under } = {}) {
    const pane = this.viewPane(view);
    const deadline = Date.now() + timeout;
    for (;;) {
      const info = await this.rowInfo(view);
      const start = under === undefined ? 0 : info.findIndex((r) => r.label === under) + 1;
      const i = start > 0 || under === undefined
        ? info.findIndex((r, j) => j >= start && (label instanceof RegExp
          ? label.test(r.label) || label.test(r.aria)
          : r.label === label || r.aria.startsWith(label)))
        : -1;
      // A locator by the row's label, not by position: the tree renders into recycled row elements, and
      // rows shift when children arrive or a refresh redraws it between this look-up and a click. (Not by
      // aria-label: an object's holds its tooltip, with newlines and the time, and changes with state.)
      if (i >= 0) {
        if (!info[i].label) return pane.locator('.monaco-list-row').nth(i);
        const same = info.slice(0, i).filter((r) => r.label === info[i].label).length;
        const exact = new RegExp(`^\\s*${info[i].label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
        return pane.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exact }) }).nth(same);
      }
      if (Date.now() > deadline) {
        throw new Error(`no row ${label}${under ? ` under ${under}` : ''} in view "${view}"; rows: ${JSON.stringify(info.map((r) => r.label || r.aria))}`);
      }
      await this.page.waitForTimeout(200);
    }
  }

  /** Expands a collapsed tree row (cluster → provider → bucket …) and waits until it is expanded. */
  async expandRow(label, opts = {}) {
    if (opts.under === undefined) delete opts.under;
    // Rows are recycled DOM elements and the tree re-renders on refresh: look the row up afresh each
    // time, and click again if an expand got lost in a re-render.
    const deadline = Date.now() + 30_000;
    for (let lastClick = 0; ;) {
      const row = await this.row(label, opts);
      const state = await row.getAttribute('aria-expanded');
      if (state === 'true') return row;
      if (state === null) throw new Error(`row ${label} is a leaf: it cannot be expanded`);
      if (Date.now() > deadline) throw new Error(`row ${label} did not expand`);
      if (Date.now() - lastClick > 3_000) {
        await row.locator('.monaco-tl-twistie').click();
        lastClick = Date.now();
      }
      await this.page.waitForTimeout(150);
    }
  }

  /** Expands rows top-down, each under the previous one: expandPath('e2e', 'ais', 'demo'). */
  async expandPath(...labels) {
    let under;
    for (const label of labels) {
      await this.expandRow(label, { under });
      under = label;
    }
  }

  /** Runs a command from the palette by its title as shown there ("AIS Buckets: Add Cluster"). */
  async runCommand(title) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('F1');
    // A webview (or its iframe) that holds the focus swallows F1; the workbench hears it once the focus is back.
    if (!(await input.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) {
      await this.page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
      await this.page.keyboard.press('F1');
    }
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const item = this.page.locator(`.quick-input-widget .monaco-list-row[aria-label^=${cssString(title)}]`).first();
    await item.waitFor({ timeout: 10_000 });
    await item.click();
  }

  /** Picks a colour theme as a person does (it lands in the user settings) and waits for the workbench to wear it. */
  async setTheme(label, workbenchClass) {
    // The picker lists the themes a moment after it opens (later on a loaded machine, after a reload):
    // filtered before that, it shows only "Browse Additional Color Themes...". Seen on a fresh machine: a
    // picker that never fills; closed and opened again, it does.
    for (let attempt = 1; ; attempt++) {
      await this.runCommand('Preferences: Color Theme');
      try {
        await this.waitForQuickPickItem(/^(Dark|Light)\b/, 15_000);
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.quickPick(label);
    await this.page.waitForFunction((c) => !!document.querySelector(`.monaco-workbench.${c}`), workbenchClass, { timeout: 15_000 });
  }

  /** Picks an item in the open QuickPick by label prefix (string) or RegExp; types to filter first. */
  async quickPick(label, { filter = typeof label === 'string' } = {}) {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    if (filter) await widget.locator('.quick-input-box input').fill(label);
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      const i = labels.findIndex((l) => matches(l, label));
      if (i >= 0) { await rows.nth(i).click(); return; }
      if (Date.now() > deadline) throw new Error(`no QuickPick item ${label}; items: ${JSON.stringify(labels)}`);
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * Answers an open InputBox (showInputBox / a QuickPick's free text) with `text` and Enter. With `title`
   * (a string it contains, or a RegExp), first waits for the InputBox with that title: typing into whatever
   * prompt happens to be open would answer the wrong question.
   */
  async inputBox(text, { title } = {}) {
    const input = await this.typeInput(text, { title });
    await input.press('Enter');
  }

  /** Types `text` into the open InputBox without submitting it (to see its validation). */
  async typeInput(text, { title } = {}) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    if (title !== undefined) {
      const titleEl = this.page.locator('.quick-input-widget .quick-input-title');
      const deadline = Date.now() + 15_000;
      for (;;) {
        const now = (await titleEl.first().textContent().catch(() => '')) ?? '';
        if (title instanceof RegExp ? title.test(now) : now.includes(title)) break;
        if (Date.now() > deadline) throw new Error(`the open input is "${now}", not ${title}`);
        await this.page.waitForTimeout(100);
      }
    }
    await input.fill('');
    await input.pressSequentially(text); // key by key, as validateInput sees a person type
    await this.page.waitForTimeout(300); // validation is asynchronous
    return input;
  }

  /** The validation error the open InputBox shows, '' when its value is valid. */
  async inputError() {
    const box = this.page.locator('.quick-input-widget .monaco-inputbox').first();
    if (!/\berror\b/.test((await box.getAttribute('class')) ?? '')) return '';
    return (await this.page.locator('.quick-input-widget .quick-input-message').first().innerText()).trim();
  }

  // ---- the quick input as a guided flow shows it: "Add Cluster (2/7)", Back, messages, the keyboard ----

  /** The open quick input's title ("Add Cluster (4/9)"), '' when none is open. */
  async quickInputTitle() {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible().catch(() => false))) return '';
    return ((await widget.locator('.quick-input-title').first().textContent().catch(() => '')) ?? '').trim();
  }

  /** Waits until the quick input's title contains `want` (string) or matches it (RegExp); returns it. */
  async waitForQuickInputTitle(want, timeout = 15_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const now = await this.quickInputTitle();
      if (want instanceof RegExp ? want.test(now) : now.includes(want)) return now;
      if (Date.now() > deadline) throw new Error(`the quick input's title is "${now}", not ${want}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The text in the quick input's box (an InputBox's value, a QuickPick's filter). */
  async quickInputValue() {
    return this.page.locator('.quick-input-widget .quick-input-box input').first().inputValue();
  }

  /** Whether the box masks what is typed (an InputBox with password: true). */
  async quickInputIsPassword() {
    return (await this.page.locator('.quick-input-widget .quick-input-box input').first().getAttribute('type')) === 'password';
  }

  /**
   * The line under the box: the validation message when there is one, else the InputBox's prompt. For a
   * QuickPick it is empty; its placeholder (where our flows put a check's failure) is quickPickPlaceholder().
   */
  async quickInputMessage() {
    const msg = this.page.locator('.quick-input-widget .quick-input-message').first();
    if (!(await msg.isVisible().catch(() => false))) return '';
    return ((await msg.innerText().catch(() => '')) ?? '').trim();
  }

  /** The open QuickPick's placeholder (shown while its filter is empty). */
  async quickPickPlaceholder() {
    return (await this.page.locator('.quick-input-widget .quick-input-box input').first().getAttribute('placeholder')) ?? '';
  }

  /** Waits while the quick input is busy (its progress bar runs: a check after Enter). */
  async waitForQuickInputIdle(timeout = 30_000) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input').first();
    const deadline = Date.now() + timeout;
    await this.page.waitForTimeout(150); // the check starts after the key event
    while (await input.isDisabled().catch(() => false)) {
      if (Date.now() > deadline) throw new Error('the quick input stayed busy');
      await this.page.waitForTimeout(100);
    }
  }

  /**
   * Waits for the InputBox's validation message to match (string: contained; RegExp) and returns it; a
   * check's failure arrives after its request, so it is waited for.
   */
  async waitForInputError(want, timeout = 20_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const now = await this.inputError();
      if (now && (want instanceof RegExp ? want.test(now) : now.includes(want))) return now;
      if (Date.now() > deadline) throw new Error(`the input's message is "${now || (await this.quickInputMessage())}", not ${want}`);
      await this.page.waitForTimeout(150);
    }
  }

  /**
   * The rows of the open QuickPick: { label, description, detail, aria, focused } each (focused: the one
   * Enter takes, what the arrow keys move).
   */
  async quickPickItems() {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').evaluateAll((els) => els.map((e) => ({
      label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
      // The second line (an item's detail); a recycled row keeps an old one hidden.
      detail: [...e.querySelectorAll('.quick-input-list-label-meta .monaco-icon-label')].filter((l) => l.style.display !== 'none').map((l) => l.textContent.trim()).join(''),
      aria: e.getAttribute('aria-label') ?? '',
      focused: e.classList.contains('focused'),
    })));
  }

  /** Waits until the open QuickPick lists an item matching `label` (prefix of its label, or RegExp on label/aria). */
  async waitForQuickPickItem(label, timeout = 15_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const items = await this.quickPickItems();
      const hit = items.find((i) => (label instanceof RegExp ? label.test(i.label) || label.test(i.aria) : i.label.startsWith(label)));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no QuickPick item ${label}; items: ${JSON.stringify(items.map((i) => i.label))}`);
      await this.page.waitForTimeout(150);
    }
  }

  /** The focused QuickPick item (the one Enter picks). */
  async focusedQuickPickItem() {
    return (await this.quickPickItems()).find((i) => i.focused);
  }

  /**
   * With the arrow keys, moves the QuickPick's focus to the item matching `label` (as waitForQuickPickItem)
   * and returns it; Enter is the caller's.
   */
  async arrowToQuickPickItem(label, { max = 20 } = {}) {
    await this.waitForQuickPickItem(label);
    const hit = (i) => i && (label instanceof RegExp ? label.test(i.label) || label.test(i.aria) : i.label.startsWith(label));
    for (let n = 0; n <= max; n++) {
      const focused = await this.focusedQuickPickItem();
      if (hit(focused)) return focused;
      await this.page.keyboard.press('ArrowDown');
      await this.page.waitForTimeout(80);
    }
    throw new Error(`the arrow keys did not reach QuickPick item ${label}`);
  }

  /** The quick input's Back button (the arrow left of its title): by click, or its keybinding (Ctrl+Alt+-). */
  async quickInputBack({ keyboard = false } = {}) {
    if (keyboard) {
      await this.page.keyboard.press('Control+Alt+Minus');
      return;
    }
    await this.page.locator('.quick-input-widget .quick-input-titlebar .action-label[aria-label^="Back"]').first().click();
  }

  /** Replaces the text of the quick input's box by typing, key by key (Ctrl+A first), without Enter. */
  async retype(text) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await this.page.keyboard.press('Control+A');
    if (text === '') await this.page.keyboard.press('Backspace');
    else await this.page.keyboard.type(text, { delay: 5 });
    await this.page.waitForTimeout(300); // validation is asynchronous
  }

  /** Runs a command with the keyboard only: F1, its title typed, Enter once the palette's first item is it. */
  async runCommandByKeyboard(title) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(title, { delay: 5 });
    const first = this.page.locator('.quick-input-widget .monaco-list-row.focused').first();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const aria = (await first.getAttribute('aria-label', { timeout: 2_000 }).catch(() => '')) ?? '';
      if (aria.startsWith(title)) break;
      if (Date.now() > deadline) throw new Error(`the palette's focused item is "${aria}", not ${title}`);
      await this.page.waitForTimeout(150);
    }
    await this.page.keyboard.press('Enter');
  }

  /**
   * Answers the open Add Cluster flow (from the palette, a welcome button or a walkthrough) for an endpoint
   * that needs no credentials: the endpoint, Enter on the detected kind and on the method it preselects
   * ("No authentication" for an open AIStore gateway), then the name.
   */
  async answerAddCluster(endpoint, name) {
    await this.waitForQuickInputTitle('Add Cluster (1/');
    await this.inputBox(endpoint, { title: 'Add Cluster (1/' });
    await this.waitForQuickInputTitle('Add Cluster (2/', 20_000);
    await this.page.keyboard.press('Enter');
    await this.waitForQuickInputTitle('Add Cluster (3/');
    await this.page.keyboard.press('Enter');
    const last = await this.waitForQuickInputTitle(/Add Cluster \((\d+)\/\1\)/, 20_000);
    await this.inputBox(name, { title: last });
  }

  /**
   * Right-clicks a tree row and runs the context-menu item with that label. Done when the menu has closed:
   * a click that is lost leaves it open (seen on a cold workbench and under load); then the item is run
   * with the keyboard, and failing that the menu is dismissed and opened again.
   */
  async contextMenu(rowLabel, item, opts = {}) {
    const menu = this.page.locator('.monaco-menu');
    const action = this.page.locator(`.monaco-menu .action-item:has(.action-label[aria-label=${cssString(item)}])`).first();
    for (let attempt = 1; ; attempt++) {
      const row = await this.row(rowLabel, opts);
      await row.click({ button: 'right' });
      const shown = await action.waitFor({ timeout: 10_000 }).then(() => true, async () => {
        const items = await this.page.locator('.monaco-menu .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        // No menu at all: the right-click met a row being redrawn (seen under load); right-click again.
        if (!items.length && attempt < 3) return false;
        throw new Error(`no context-menu item "${item}" on row ${rowLabel}; items: ${JSON.stringify(items)}`);
      });
      if (!shown) {
        await this.page.keyboard.press('Escape');
        continue;
      }
      await action.click();
      const closed = () => menu.first().waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false);
      if (await closed()) return;
      // Seen on a freshly started workbench: the menu stays open and ignores mouse clicks on its items;
      // the keyboard (the item focused, Enter) runs it, as it does for a person.
      await action.locator('.action-label').first().focus().catch(() => undefined);
      await this.page.keyboard.press('Enter');
      if (await closed()) return;
      if (attempt === 3) throw new Error(`the context menu of row ${rowLabel} stayed open after clicking "${item}" ${attempt} times`);
      await this.page.keyboard.press('Escape');
      await menu.first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }
  }

  /**
   * Clicks an action of the side bar's title (a view alone in its container shows its actions there) or of
   * a view's header, by the start of its aria-label: 'Add Cluster…', 'Refresh', 'Views and More Actions...'
   * (the "..." of a view alone in the side bar; a view's own header has 'More Actions...'). With `view`,
   * the action of that view's own header (hovered first: its actions show on hover).
   */
  async viewAction(title, { view } = {}) {
    if (view) {
      const header = this.viewPane(view).locator('.pane-header').first();
      await header.hover();
      await header.locator(`.action-label[aria-label^=${cssString(title)}]`).first().click();
      return;
    }
    const sel = ['.part.sidebar .composite.title', '.part.sidebar .pane-header'].map((c) => `${c} .action-label[aria-label^=${cssString(title)}]:visible`).join(', ');
    await this.page.locator(sel).first().click();
  }

  /** Clicks the item with that label in the open menu (after viewAction('More Actions...'), say). */
  async menuItem(label) {
    const action = this.page.locator(`.monaco-menu .action-item:has(.action-label[aria-label=${cssString(label)}])`).first();
    await action.waitFor({ timeout: 10_000 }).catch(async () => {
      const items = await this.page.locator('.monaco-menu .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      throw new Error(`no menu item "${label}"; items: ${JSON.stringify(items)}`);
    });
    await action.click();
  }

  /** The clipboard's text as the page reads it (what vscode.env.clipboard.writeText put there). */
  async clipboardText() {
    return this.page.evaluate('navigator.clipboard.readText()');
  }

  /** Runs an inline action (the icons on hover) of a tree row by its title. */
  async rowAction(rowLabel, title, opts = {}) {
    const row = await this.row(rowLabel, opts);
    await row.hover();
    await row.locator(`.actions .action-label[aria-label^=${cssString(title)}]`).first().click();
  }

  /** Clicks a button of the open modal dialog (showWarningMessage(..., { modal: true }, 'Delete')). */
  async dialogButton(label) {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  }

  /** The message of the open modal dialog. */
  async dialogMessage() {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    return (await dialog.locator('.dialog-message-text').innerText()).trim();
  }

  /** Waits until no rendered row matches `label` (as for row()). */
  /** Removes a cluster as a person does: the palette's Remove Cluster, then its name (VS Code writes the settings). */
  async removeCluster(name) {
    await this.page.keyboard.press('Escape');
    await this.runCommand('AIS Buckets: Remove Cluster');
    await this.quickPick(name);
    // A build that asks first (a modal "Remove cluster …?") gets its answer.
    const dialog = this.page.locator('.monaco-dialog-box');
    if (await dialog.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) await this.dialogButton('Remove');
    await this.waitForNoRow(name, { timeout: 15_000 }).catch(() => undefined); // when the view shows
  }

  async waitForNoRow(label, { view = 'Clusters', timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const info = await this.rowInfo(view);
      const hit = info.some((r) => (label instanceof RegExp ? label.test(r.label) || label.test(r.aria) : r.label === label || r.aria.startsWith(label)));
      if (!hit) return;
      if (Date.now() > deadline) throw new Error(`row ${label} is still in view "${view}"`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The labels of the rows right below `parent` (one level deeper), after expanding it. */
  async children(parent, opts = {}) {
    await this.expandRow(parent, opts);
    const read = async () => {
      const info = await this.rowInfo(opts.view);
      const i = info.findIndex((r) => r.label === parent || r.aria.startsWith(parent));
      const out = [];
      for (let j = i + 1; j < info.length && info[j].level > info[i].level; j++) if (info[j].level === info[i].level + 1) out.push(info[j].label);
      return JSON.stringify(out);
    };
    // Children load asynchronously after the expand: take them once they have stopped changing.
    let last = await read();
    for (let stable = 0, t0 = Date.now(); stable < 3 && Date.now() - t0 < 15_000;) {
      await this.page.waitForTimeout(200);
      const now = await read();
      stable = now === last && now !== '[]' ? stable + 1 : now === last ? stable + 0.5 : 0;
      last = now;
    }
    return JSON.parse(last);
  }

  /**
   * The texts of the notifications on screen: toasts, and the notification centre's list when it is open.
   * (With --enable-smoke-test-driver, which the harness needs for extensionDevelopmentPath, the workbench
   * shows no toasts at all: showNotificationCenter() makes notifications visible in screenshots.)
   */
  async notifications() {
    return this.page.locator('.notifications-toasts .notification-list-item-message, .notifications-center.visible .notification-list-item-message').allInnerTexts();
  }

  /**
   * Opens the notification centre (the status bar's bell) and leaves it open: new notifications appear in
   * its list as they are raised, so screenshots show them. Escape closes it; call again after one.
   */
  async showNotificationCenter() {
    const center = this.page.locator('.notifications-center.visible');
    if (await center.count()) return;
    await this.page.locator('[id="status.notifications"] a, [id="status.notifications"] .statusbar-item-label').first().click();
    await center.first().waitFor({ timeout: 10_000 });
    await this.page.mouse.move(700, 450); // the bell's hover would cover the centre's buttons
  }

  /** Waits for a notification whose text matches (prefix or RegExp) and returns its text. */
  async waitForNotification(text, timeout = 20_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const all = await this.notifications();
      const hit = all.find((t) => matches(t, text));
      if (hit !== undefined) return hit;
      // No toasts under the smoke-test driver: the centre lists them. It closes itself when its last
      // notification goes (a finished progress), so it is opened again whenever it is found closed.
      if (!(await this.page.locator('.notifications-center.visible').count())) {
        await this.showNotificationCenter().catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no notification ${text}; shown: ${JSON.stringify(all)}`);
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * Clicks a button (e.g. "Resume") of the notification whose text matches (prefix or RegExp): a toast, or
   * in the notification centre (opened when no toast shows it: the workbench puts notifications raised
   * while it starts up only there).
   */
  async notificationButton(text, button, timeout = 30_000) {
    const items = this.page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item');
    const deadline = Date.now() + timeout;
    for (let opened = false; ;) {
      const texts = await items.evaluateAll((els) => els.map((e) => e.querySelector('.notification-list-item-message')?.textContent ?? ''));
      const i = texts.findIndex((t) => matches(t, text));
      if (i >= 0) {
        await items.nth(i).locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
        return texts[i];
      }
      if (Date.now() > deadline) throw new Error(`no notification ${text} with a button "${button}"; shown: ${JSON.stringify(texts)}`);
      if (!opened && Date.now() > deadline - timeout / 2) {
        await this.runCommand('Notifications: Show Notifications');
        opened = true;
      }
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * Drags a file from the built-in Explorer onto a row of our tree, as a person does: press on the file,
   * hover our activity-bar entry until VS Code switches to it (it does that for drags), release on the row.
   * `file` is the Explorer row's label (e.g. a name at the workspace root); `rowLabel` as for row().
   */
  async dragFromExplorer(file, rowLabel, { container = 'AIS Buckets', view = 'Clusters', under } = {}) {
    await this.openViewContainer('Explorer');
    const source = await this.row(file, { view: 'Explorer Section' });
    const target = this.activityItem(container);
    const page = this.page;
    const center = async (loc) => {
      const b = await loc.boundingBox();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const s = await center(source);
    await page.mouse.move(s.x, s.y);
    await page.mouse.down();
    await page.mouse.move(s.x + 10, s.y + 5, { steps: 3 });
    const a = await center(target.locator('a.action-label'));
    await page.mouse.move(a.x, a.y, { steps: 5 });
    // VS Code opens a hovered view container after a short delay while something is dragged over it.
    const deadline = Date.now() + 5_000;
    for (let i = 0; !((await target.getAttribute('class')) ?? '').includes('checked'); i++) {
      if (Date.now() > deadline) { await page.mouse.up(); throw new Error(`dragging over "${container}" did not open it`); }
      await page.mouse.move(a.x + (i % 2 ? 1 : -1), a.y, { steps: 2 });
      await page.waitForTimeout(100);
    }
    const row = await this.row(rowLabel, { view, under });
    const r = await center(row);
    await page.mouse.move(r.x, r.y, { steps: 5 });
    await page.mouse.move(r.x + 2, r.y, { steps: 2 });
    await page.mouse.up();
  }
}
