#!/usr/bin/env node
// Localization in the real VS Code: the extension-host tests named "l10n" (test/suite/l10n.test.ts) with the
// display language set to the pseudo-locale qps-ploc, so VS Code loads l10n/bundle.l10n.qps-ploc.json.
//
//   node test/e2e/l10n.mjs        (after npm run build && npm run compile; runtime from npm run e2e:setup)
//
// VS Code's server takes the display language from User/argv.json ("locale", what "Configure Display
// Language" writes) and uses it only when languagepacks.json in its data folder names a language pack for
// it. We write both: a pack whose translations of VS Code itself are empty, so the workbench stays in
// English and only our extension is pseudo-translated. No gateway: these tests need no cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countSuiteReport, newCounts, writeCounts } from './lib/counts.mjs';
import { onExitSync, stopAll } from './lib/procs.mjs';
import { ARTIFACTS, requireRuntime, ROOT } from './lib/runtime.mjs';
import { startServer } from './lib/server.mjs';
import { launchBrowser, Workbench } from './lib/workbench.mjs';

const LOCALE = 'qps-ploc';
const TIMEOUT_MS = 3 * 60_000;
const OUT = path.join(ARTIFACTS, 'l10n');
const counts = newCounts();

/** What a language pack extension would leave in the server's data folder, minus the translations. */
function pretendLanguagePack(work) {
  const dataDir = path.join(work, 'server-data', 'data');
  fs.mkdirSync(path.join(dataDir, 'User'), { recursive: true });
  const translations = path.join(work, 'vscode.i18n.json');
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const pack = { hash: 'aisb-e2e', label: 'pseudo', extensions: [{ extensionIdentifier: { id: 'aisb.pseudo-language-pack' }, version: '1.0.0' }], translations: { vscode: translations } };
  fs.writeFileSync(path.join(dataDir, 'languagepacks.json'), JSON.stringify({ [LOCALE]: pack }));
  fs.writeFileSync(path.join(dataDir, 'User', 'argv.json'), JSON.stringify({ locale: LOCALE }));
}

async function main() {
  const rt = requireRuntime();
  for (const f of ['dist/extension.js', 'out/test/suite/index.js', `l10n/bundle.l10n.${LOCALE}.json`]) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build && npm run compile\` (and \`npm run l10n\`)`);
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-l10n-'));
  onExitSync(() => fs.rmSync(work, { recursive: true, force: true }));
  const workspace = path.join(work, 'workspace');
  fs.mkdirSync(workspace);
  pretendLanguagePack(work);

  const reportFile = path.join(OUT, 'suite-report.txt');
  const server = await startServer(rt, {
    workDir: work,
    env: { AIS_BUCKETS_TEST_REPORT: reportFile, AIS_BUCKETS_TEST_GREP: 'l10n' },
    logFile: path.join(OUT, 'server.log'),
  });
  const browser = await launchBrowser(rt);
  let exitCode = null;
  const wb = await Workbench.open(browser, server, {
    folder: workspace,
    artifactsDir: OUT,
    payload: [
      ['extensionDevelopmentPath', server.remote(ROOT)],
      ['extensionTestsPath', server.remote(path.join(ROOT, 'out', 'test', 'suite', 'index.js'))],
    ],
    onExit: (code) => { exitCode = code; },
  });
  const t0 = Date.now();
  while (exitCode === null && Date.now() - t0 < TIMEOUT_MS) await wb.page.waitForTimeout(250);
  await wb.screenshot('l10n-finished');
  fs.writeFileSync(path.join(OUT, 'console.log'), wb.console.join('\n'));
  const report = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8').trimEnd() : '(no report: the suite did not start)';
  console.log(report.split('\n').map((l) => `  | ${l}`).join('\n'));
  if (!countSuiteReport(report, counts, 'extension-host suite in qps-ploc')) counts.failed += 1;
  if (exitCode === null) throw new Error(`the l10n suite did not finish within ${TIMEOUT_MS / 1000} s`);
  // The test names the language it saw: in English the bundle is never loaded, and the run proves nothing.
  if (!report.includes(`(${LOCALE})`)) throw new Error(`the extension host did not run in ${LOCALE}; see ${path.relative(ROOT, OUT)}/`);
  if (exitCode !== 0) throw new Error(`the l10n suite failed (exit ${exitCode}); see ${path.relative(ROOT, OUT)}/`);
}

try {
  await main();
  console.log(`e2e l10n: passed (${LOCALE})`);
} catch (e) {
  console.error(`e2e l10n: FAILED: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  writeCounts(counts);
  await stopAll();
}
