// Go to Key in a bucket of 20,000 objects, as a person uses it: the bucket's context menu, the key typed
// into the InputBox, and the key's row shown, selected and focused in the tree (what the extension-host
// suite cannot see: code-server reports an empty TreeView.selection there). How few listings it takes is
// the suite's test (test/suite/navigation.test.ts).
/* global document -- read inside row.evaluate(), in the page */
import assert from 'node:assert/strict';
import http from 'node:http';

const BUCKET = 'twenty-ui';
const COUNT = 20_000;
const KEY = 'items/12345.dat';

/** PUTs `count` small objects over S3, many at a time on kept-alive connections. */
async function seed(gatewayUrl, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const put = (path, body) => new Promise((resolve, reject) => {
    const req = http.request(`${gatewayUrl}/s3/${path}`, { method: 'PUT', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  try {
    await put(BUCKET, '');
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < count) {
        const key = `items/${String(next++).padStart(5, '0')}.dat`;
        await put(`${BUCKET}/${key}`, key);
      }
    }));
  } finally {
    agent.destroy();
  }
}

async function dropBucket(gatewayUrl) {
  // The native API empties and removes the bucket in one request (AIStore's destroy-bck).
  await fetch(`${gatewayUrl}/v1/buckets/${BUCKET}?provider=ais`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'destroy-bck' }),
  }).catch(() => undefined);
}

export default [
  {
    name: 'Go to Key in a bucket of 20,000 objects shows the key\'s row selected and focused',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      await seed(ctx.gateway.url, COUNT);
      try {
        await wb.openView();
        await wb.expandPath(ctx.cluster, 'ais');
        await wb.contextMenu(BUCKET, 'Go to Key…', { under: 'ais' });
        await wb.inputBox(KEY);
        const row = await wb.row('12345.dat', { under: 'items/', timeout: 60_000 });
        // Selected and focused as a tree row, the tree has the keyboard focus, and the row is on screen.
        const state = async () => row.evaluate((el) => ({
          selected: el.getAttribute('aria-selected'),
          classes: el.className,
          treeFocused: !!el.closest('.monaco-list')?.contains(document.activeElement),
        }));
        const deadline = Date.now() + 15_000;
        let s = await state();
        while (!(s.selected === 'true' && /\bfocused\b/.test(s.classes) && s.treeFocused) && Date.now() < deadline) {
          await wb.page.waitForTimeout(200);
          s = await state();
        }
        assert.equal(s.selected, 'true', `aria-selected on the key's row: ${JSON.stringify(s)}`);
        assert.match(s.classes, /\bselected\b/, 'the row is drawn selected');
        assert.match(s.classes, /\bfocused\b/, 'the row has the tree\'s focus');
        assert.ok(s.treeFocused, 'the tree has the keyboard focus');
        const box = await row.boundingBox();
        const pane = await wb.viewPane('Clusters').locator('.monaco-list').first().boundingBox();
        assert.ok(box && pane && box.y >= pane.y && box.y + box.height <= pane.y + pane.height, `the row is inside the visible tree: ${JSON.stringify({ box, pane })}`);
        // Only the key's row is selected, and it is the one for the key (under the folder "items").
        const selected = await wb.viewPane('Clusters').locator('.monaco-list-row[aria-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        assert.equal(selected.length, 1, `one selected row: ${JSON.stringify(selected)}`);
        assert.match(selected[0], /^object 12345\.dat, /, 'the selected row is the key\'s (its aria-label says what it is)');
        const info = await wb.rowInfo();
        const i = info.findIndex((r) => r.label === '12345.dat');
        const folder = info.slice(0, i).reverse().find((r) => r.level === info[i].level - 1);
        assert.equal(folder?.label, 'items/', 'the row sits in the folder "items/"');
        await wb.screenshot('go-to-key-selected');
        // The keyboard works from there: Down moves the focus to the next key.
        await wb.page.keyboard.press('ArrowDown');
        await wb.page.waitForFunction(() => /^object 12346\.dat, /.test(document.querySelector('.part.sidebar .monaco-list-row.focused')?.getAttribute('aria-label') ?? ''), null, { timeout: 10_000 });
      } finally {
        await dropBucket(ctx.gateway.url);
      }
    },
  },
];
