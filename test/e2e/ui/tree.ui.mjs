// Browsing: cluster → provider → bucket → folder, read from the rows a person sees; the same rows in the
// high-contrast theme, each with a label for screen readers and a theme icon that follows the theme.
/* global getComputedStyle -- read inside evaluate(), in the page */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docsShot } from '../lib/docs.mjs';

const OFFLINE = 'offline-lab';

export default [
  {
    name: 'expands cluster, provider, bucket and folder',
    async run(wb, ctx) {
      await wb.openView();
      const providers = await wb.children(ctx.cluster);
      assert.ok(providers.includes('ais'), `providers of ${ctx.cluster}: ${JSON.stringify(providers)}`);
      await wb.screenshot('cluster-expanded');

      const buckets = await wb.children('ais');
      for (const b of ctx.seed.seeded) assert.ok(buckets.includes(b.name), `bucket ${b.name} in ${JSON.stringify(buckets)}`);
      assert.deepEqual(buckets, [...buckets].sort(), 'buckets sorted by name');
      await wb.screenshot('provider-expanded');

      const demo = await wb.children('demo');
      assert.deepEqual(demo, ['docs/', 'hello.txt'], 'folders first, then objects');
      const hello = (await wb.rowInfo()).find((r) => r.label === 'hello.txt');
      assert.match(hello.description, /^32 B\b/, `size in the description: ${hello.description}`);
      assert.equal(hello.expanded, undefined, 'an object is a leaf');
      await wb.screenshot('bucket-expanded');
      // An object's tooltip comes on hover (resolved then, not carried by every row): the full values.
      await wb.page.mouse.move(0, 0);
      await (await wb.row('hello.txt', { under: 'demo' })).locator('.label-name').first().hover();
      const tip = wb.page.locator('.workbench-hover, .monaco-hover', { hasText: 'ais://demo/hello.txt' }).first();
      await tip.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await tip.innerText(), /Size: 32 B \(32 bytes\)[\s\S]*Checksum: xxhash:[0-9a-f]{16}/);
      await wb.screenshot('object-tooltip');

      assert.deepEqual(await wb.children('docs/'), ['notes/', 'guide.md']);
      await wb.screenshot('folder-expanded');
      await wb.page.mouse.move(900, 600); // no hover highlight in the README's picture
      await docsShot(wb, 'tree', [wb.page.locator('.part.sidebar .composite.title'), wb.viewPane('Clusters').locator('.monaco-list-row').last()], { pad: 6 });
    },
  },
  {
    name: 'high contrast: every row says what it is to a screen reader and draws a theme icon',
    async run(wb, ctx) {
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const before = fs.readFileSync(settingsFile, 'utf8');
      const settings = JSON.parse(before);
      // An unreachable cluster of the user's own: its error row (with Retry) is in the picture too.
      settings['aisBuckets.clusters'] = [...(settings['aisBuckets.clusters'] ?? []), { name: OFFLINE, kind: 'ais', endpoint: 'http://127.0.0.1:9' }];
      fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
      try {
        // The workbench reads the settings at its start: written, then a reload.
        const reloaded = wb.page.waitForNavigation({ timeout: 60_000 });
        await wb.runCommand('Developer: Reload Window');
        await reloaded;
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await wb.setTheme('Dark High Contrast', 'hc-black');
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais', 'demo', 'docs/');
        await wb.row('guide.md', { under: 'docs/' });
        await wb.row('hello.txt', { under: 'demo' });
        await wb.expandRow(OFFLINE);
        await wb.row(/^error: /, { under: OFFLINE });
        const rows = await wb.viewPane('Clusters').locator('.monaco-list-row').evaluateAll((els) => els.map((e) => {
          const icon = e.querySelector('.custom-view-tree-node-item-icon');
          return {
            aria: e.getAttribute('aria-label') ?? '',
            label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
            imgs: e.querySelectorAll('img').length,
            iconClass: icon?.className ?? '',
            iconImage: icon ? getComputedStyle(icon).backgroundImage : '',
            labelClass: e.querySelector('.monaco-icon-label')?.className ?? '',
            glyph: getComputedStyle(e.querySelector('.monaco-icon-label'), '::before').content,
          };
        }));
        const labels = rows.map((r) => r.label);
        for (const want of [ctx.cluster, 'ais', 'demo', 'docs/', 'guide.md', 'hello.txt', OFFLINE]) assert.ok(labels.includes(want), `row ${want} in ${JSON.stringify(labels)}`);
        for (const r of rows) {
          // What a screen reader says names the kind of row, then what it is (not just the visible text).
          assert.match(r.aria, /^(cluster|provider|bucket|folder|object) \S|^error: \S/, `row ${r.label}: aria-label "${r.aria}"`);
          assert.equal(r.imgs, 0, `row ${r.label} draws no <img>`);
          assert.ok(!/url\(/.test(r.iconImage), `row ${r.label}: no picture as its icon (${r.iconImage})`);
          // A codicon (a font glyph in the theme's colours), or for an object the file icon theme's glyph.
          const codicon = /\bcodicon-[\w-]+/.test(r.iconClass);
          const fileIcon = /\bfile-icon\b/.test(r.labelClass) && r.glyph !== 'none';
          assert.ok(codicon || fileIcon, `row ${r.label}: a theme icon (icon "${r.iconClass}", label "${r.labelClass}")`);
          assert.equal(fileIcon, r.aria.startsWith('object '), `row ${r.label}: objects take the file icon theme's icon, other rows a codicon`);
        }
        assert.match(rows.find((r) => r.label.startsWith('Cannot reach')).iconClass, /codicon-error/);
        await wb.screenshot('high-contrast');
        await docsShot(wb, 'high-contrast', [wb.page.locator('.part.sidebar .composite.title'), wb.viewPane('Clusters').locator('.monaco-list-row').last()], { pad: 6 });
      } finally {
        fs.writeFileSync(settingsFile, before);
      }
    },
  },
];
