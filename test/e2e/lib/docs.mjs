// The README's screenshots, taken by the UI tests themselves so that they show the extension as it is:
// with AIS_BUCKETS_DOCS_SCREENSHOTS=1 (`npm run docs:screenshots`) docsShot() writes docs/images/NAME.png,
// otherwise it does nothing. Each image is cropped to what it is about (an element, or the union of a few)
// so that it stays small and readable in the README.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/images');
const MAX_BYTES = 150 * 1024;
const MAX = { width: 1280, height: 800 };

export const docsScreenshots = () => process.env.AIS_BUCKETS_DOCS_SCREENSHOTS === '1';

/**
 * The smallest rectangle holding every given locator (each a Playwright Locator or a clip {x, y, width,
 * height}), `pad` pixels wider on each side, kept inside the page and at most 1280x800.
 */
export async function clipOf(wb, targets, { pad = 0 } = {}) {
  const boxes = [];
  for (const t of targets) {
    const box = typeof t?.boundingBox === 'function' ? await t.boundingBox() : t;
    if (!box) throw new Error('docsShot: a part to show is not on screen');
    boxes.push(box);
  }
  const view = wb.page.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const right = Math.min(view.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
  const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
  return { x, y, width: Math.min(MAX.width, right - x), height: Math.min(MAX.height, bottom - y) };
}

/**
 * Writes docs/images/NAME.png when AIS_BUCKETS_DOCS_SCREENSHOTS=1: of `what` (a Locator, a clip, or an
 * array of them: their union), `pad` pixels around it. Fails when the image is larger than 150 KB, so
 * that a README image never grows unnoticed. A no-op otherwise.
 */
export async function docsShot(wb, name, what, { pad = 0 } = {}) {
  if (!docsScreenshots()) return undefined;
  const clip = await clipOf(wb, Array.isArray(what) ? what : [what], { pad });
  fs.mkdirSync(IMAGES, { recursive: true });
  const file = path.join(IMAGES, `${name}.png`);
  await wb.page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
  const size = fs.statSync(file).size;
  if (size > MAX_BYTES) throw new Error(`docs/images/${name}.png is ${Math.round(size / 1024)} KB; crop it to under ${MAX_BYTES / 1024} KB`);
  return file;
}
