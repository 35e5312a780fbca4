// The "extension at a million objects" section (BENCH_ROWS=ext-1m): the scale phase of the E2E harness
// (test/e2e/scale/million.ui.mjs: a real VS Code against a gateway seeded with 1,000,000 objects) and its
// numbers as a README table. Not in a plain `npm run bench`: the seeding alone takes minutes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCALE, wantRows } from './config.mjs';
import { writeReadmeSection } from './readme.mjs';

export const SCALE_ROW = 'ext-1m';
export const wantsScaleRows = () => !!wantRows?.has(SCALE_ROW);

/** Runs the scale phase; its results (scale-results.json), or throws with what failed. */
export function runScaleRows(root) {
  const count = Math.max(10_000, Math.round(1_000_000 * SCALE));
  console.log(`${SCALE_ROW}: the extension in VS Code at ${count.toLocaleString('en-US')} objects (node test/e2e/run.mjs scale)`);
  const r = spawnSync(process.execPath, [path.join(root, 'test', 'e2e', 'run.mjs'), 'scale'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, AISB_SCALE_COUNT: String(count) },
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout.split('\n').filter((l) => /^(e2e|scale):/.test(l)).join('\n') + '\n');
  const file = path.join(root, 'test-artifacts', 'e2e', 'latest', 'scale-results.json');
  if (!fs.existsSync(file)) throw new Error(`the scale phase wrote no results (exit ${r.status}); see test-artifacts/e2e/latest/`);
  return { ...JSON.parse(fs.readFileSync(file, 'utf8')), passed: r.status === 0 };
}

const loop = (s) => `${s.loop.p99} / ${s.loop.max} ms`;

/** The table: each step, its time, the goal, and the host's event-loop delay meanwhile. */
export function scaleTable(res) {
  const rows = [
    ['first page of a folder of all of them (1,000 rows)', `${res.firstPage.ms} ms`, '< 500 ms', loop(res.firstPage)],
    ['Load more, pages 2–6', res.loadMore.ms.map((m) => `${m}`).join(', ') + ' ms', 'flat', loop(res.loadMore)],
    ['Go to Key, a key 2,500 from the end', `${res.goToKey.ms} ms`, '< 1 s', loop(res.goToKey)],
    ['Load more there (the last pages)', `${res.loadMoreNearEnd.ms} ms`, 'as the first pages', loop(res.loadMoreNearEnd)],
    ['Search Names: first matches', `${res.searchNames.firstMatchMs} ms`, '< 1 s', loop(res.searchNames)],
    ['Search Names: every name scanned', `${(res.searchNames.scanMs / 1000).toFixed(1)} s, ${res.searchNames.keysPerSecond.toLocaleString('en-US')} keys/s`, '≥ 100,000 keys/s', ''],
  ];
  return ['| step | measured | goal | host event loop p99 / max |', '|---|---:|---:|---:|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Replaces the section between its README markers (added after the tools section when missing). */
export function writeScaleReadme(root, res, machine) {
  const body = `The extension at ${res.count.toLocaleString('en-US')} objects in a real VS Code, \`BENCH_ROWS=${SCALE_ROW} npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${machine}; code-server's VS Code in headless Chromium, the gateway seeded over S3 in ${Math.round(res.seedSeconds)} s; times from the click or Enter to the row drawn):\n\n${scaleTable(res)}`;
  const written = writeReadmeSection(root, 'bench-scale', body, (text) => {
    const after = text.indexOf('<!-- bench-tools:end -->');
    return after < 0 ? -1 : after + '<!-- bench-tools:end -->'.length;
  });
  console.log(written ? 'README.md: scale table updated' : 'README.md has no tools section; scale table not written');
}
