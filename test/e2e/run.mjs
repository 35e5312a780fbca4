#!/usr/bin/env node
// The E2E harness: the extension in a real VS Code (VS Code's server from code-server, node 24), driven by
// Debian's Chromium through playwright-core, against a real embedded gateway seeded with buckets. Offline.
//
//   node test/e2e/run.mjs [suite] [ui] [vsix] [--grep PATTERN] [--repeat N]   (default: all three, in that order)
//
//   suite  the extension-host mocha suite (test/suite/*.test.ts) through the smoke-test driver
//   ui     the UI tests (test/e2e/ui/*.ui.mjs), each test in a fresh workbench page, two lanes of files side
//          by side (AISB_E2E_LANES), each lane with its own gateway, server and browser
//   vsix   `npm run package`, installs the .vsix with the server's --install-extension, opens the view
//   scale  not run unless named: the measurements at a million objects (test/e2e/scale/*.ui.mjs), as UI
//          tests; `BENCH_ROWS=ext-1m npm run bench` runs it and puts its numbers in the README
//
// Needs `npm run build && npm run compile` and the runtime (`npm run e2e:setup`); `npm run test:e2e` does all.
// Screenshots and logs: test-artifacts/e2e/. Every process started here is stopped at the end, on failure too.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { countSuiteReport, newCounts, writeCounts } from './lib/counts.mjs';
import { startGateway, seedGateway } from './lib/gateway.mjs';
import { isStopping, onExitSync, stopAll } from './lib/procs.mjs';
import { ARTIFACTS, E2E_DIR, requireRuntime, ROOT } from './lib/runtime.mjs';
import { installVsix, startServer } from './lib/server.mjs';
import { launchBrowser, Workbench } from './lib/workbench.mjs';

const SUITE_TIMEOUT_MS = 5 * 60_000;
const UI_TEST_TIMEOUT_MS = 2 * 60_000;
const E2E_CLUSTER = 'e2e';

const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv.splice(grepAt, 2)[1] : undefined;
// UI tests whose name contains one of the '|'-separated parts (the suite's mocha reads it as a RegExp).
const grepParts = grep?.split('|').filter(Boolean);
// --repeat N: every selected UI test N times in a row (to show that a test holds, not that it passed once).
const repeatAt = argv.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(argv.splice(repeatAt, 2)[1]) : 1;
if (!Number.isInteger(repeat) || repeat < 1) { console.error('--repeat takes a whole number of runs, 1 or more'); process.exit(2); }
const ALL = ['suite', 'ui', 'vsix'];
const KNOWN = [...ALL, 'scale'];
const phases = argv.length ? argv : ALL;
for (const p of phases) if (!KNOWN.includes(p)) { console.error(`unknown phase "${p}" (one of ${KNOWN.join(', ')})`); process.exit(2); }

// This run's artifacts: test-artifacts/e2e/<time>-<pid>/, with test-artifacts/e2e/latest pointing at it.
// Per run, because several people (and their `npm test`) share one checkout and may run at once.
const OUT = path.join(ARTIFACTS, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
const KEEP_RUNS = 5;

const log = (m) => console.log(`e2e: ${m}`);
// Tests that passed, failed and were skipped over all phases, for npm test's summary. A phase that fails
// before its tests are counted counts as one failure.
const counts = newCounts();
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ---- suite: the extension-host tests (the same run() as npm run test:desktop) ----
async function suitePhase(ctx) {
  const index = path.join(ROOT, 'out', 'test', 'suite', 'index.js');
  const reportFile = path.join(OUT, 'suite-report.txt');
  fs.mkdirSync(path.join(OUT, 'suite'), { recursive: true });
  const server = await startServer(ctx.rt, {
    workDir: path.join(ctx.work, 'suite'),
    env: { ...ctx.env, AIS_BUCKETS_TEST_REPORT: reportFile, ...(grep ? { AIS_BUCKETS_TEST_GREP: grep } : {}) },
    logFile: path.join(OUT, 'suite-server.log'),
  });
  let exitCode = null;
  const wb = await Workbench.open(ctx.browser, server, {
    folder: ctx.workspace,
    artifactsDir: path.join(OUT, 'suite'),
    payload: [
      ['extensionDevelopmentPath', server.remote(ROOT)],
      ['extensionTestsPath', server.remote(index)],
    ],
    onExit: (code) => { exitCode = code; },
  });
  const t0 = Date.now();
  while (exitCode === null && Date.now() - t0 < SUITE_TIMEOUT_MS) await wb.page.waitForTimeout(250);
  await wb.screenshot('suite-finished');
  fs.writeFileSync(path.join(OUT, 'suite', 'console.log'), wb.console.join('\n'));
  // Mocha's report, written by test/suite/index.ts into the file we named in AIS_BUCKETS_TEST_REPORT.
  const report = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8').trimEnd() : '(no report: the suite did not start)';
  console.log(report.split('\n').map((l) => `  | ${l}`).join('\n'));
  ctx.counted = countSuiteReport(report, counts, 'extension-host suite');
  await wb.page.close();
  await server.child.stop();
  if (exitCode === null) throw new Error(`the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`);
  if (exitCode !== 0) {
    throw new Error(`the extension-host suite failed (exit ${exitCode}); see the report above and ${path.relative(ROOT, OUT)}/suite-server.log`);
  }
}

// ---- ui: what a person sees ----
// The UI tests run in LANES side by side: each lane its own gateway (seeded alike), VS Code server (user
// data), browser (clipboard), workspace and work folder, so no test sees another lane's state; a file's tests
// stay together, in order, in one lane. Much of a UI test is waiting on the workbench, an extension host or a
// gateway, so two lanes on a 2-core machine take well under the time of one after the other.
// AISB_E2E_LANES=1 runs them one after the other.
const LANES = Math.max(1, Number(process.env.AISB_E2E_LANES ?? 2) || 1);

async function uiPhase(ctx, phase = 'ui') {
  const dir = path.join(E2E_DIR, phase);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ui.mjs')).sort();
  if (!files.length) throw new Error(`no UI tests in test/e2e/${phase}/`);
  const suites = [];
  for (const file of files) {
    const tests = (await import(pathToFileURL(path.join(dir, file)).href)).default;
    const selected = tests.flatMap((test) => Array.from({ length: repeat }, (_, r) => [test, r + 1]))
      .filter(([t]) => !grepParts || grepParts.some((g) => `${file.replace(/\.ui\.mjs$/, '')} › ${t.name}`.includes(g)));
    if (selected.length) suites.push({ file, selected });
  }
  // The files with the most tests first (they take longest), each lane taking the next when it is free:
  // the lanes end close together. The scale tests measure time, so they never share the machine.
  suites.sort((a, b) => b.selected.length - a.selected.length || a.file.localeCompare(b.file));
  const lanes = phase === 'scale' ? 1 : Math.min(LANES, suites.length);
  const failures = [];
  const laneCtxs = [];
  try {
    for (let i = 0; i < lanes; i++) laneCtxs.push(await openLane(ctx, phase, i, lanes));
    await Promise.all(laneCtxs.map(async (lane) => {
      for (let next = suites.shift(); next && !isStopping(); next = suites.shift()) await runFile(lane, phase, dir, next, failures);
    }));
  } finally {
    for (const lane of laneCtxs) await lane.close();
  }
  ctx.counted = true;
  if (failures.length) throw new Error(`${failures.length} UI test(s) failed: ${failures.join('; ')}`);
}

/**
 * A lane's own gateway, server, browser, workspace and work folder. Lane 0 takes the phase's gateway and
 * browser; the others start theirs, seeded as the phase's was.
 */
async function openLane(ctx, phase, i, lanes) {
  const tag = lanes > 1 ? `${phase}-lane${i + 1}` : phase;
  const toClose = [];
  const close = async () => {
    for (const f of toClose.reverse()) await f().catch(() => {});
  };
  try {
    let { gateway, seed, browser, env } = ctx;
    const work = lanes > 1 ? path.join(ctx.work, tag) : ctx.work;
    const workspace = lanes > 1 ? path.join(work, 'workspace') : ctx.workspace;
    const aws = lanes > 1 ? { config: path.join(work, 'aws', 'config'), credentials: path.join(work, 'aws', 'credentials') } : ctx.aws;
    if (lanes > 1) fs.cpSync(ctx.workspace, workspace, { recursive: true });
    if (i > 0) {
      gateway = await startGateway({ dataDir: path.join(work, 'gateway'), logFile: path.join(OUT, `${tag}-gateway.log`) });
      toClose.push(() => gateway.child.stop());
      seed = await seedGateway(gateway);
      if (seed.error) console.warn(`e2e: WARNING: ${seed.error}`);
      browser = await launchBrowser(ctx.rt);
      toClose.push(() => browser.close());
    }
    env = { ...env, AIS_BUCKETS_CLUSTER_URL: gateway.url, AIS_BUCKETS_TEST_SEED: JSON.stringify(seed.seeded), AWS_CONFIG_FILE: aws.config, AWS_SHARED_CREDENTIALS_FILE: aws.credentials };
    const server = await startServer(ctx.rt, { workDir: path.join(work, `${phase}-server`), env, logFile: path.join(OUT, `${tag}-server.log`) });
    toClose.push(() => server.child.stop());
    return { ...ctx, gateway, seed, browser, env, work, workspace, aws, server, name: lanes > 1 ? `[lane ${i + 1}] ` : '', close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** One file's selected tests, in order, in a lane. */
async function runFile(lane, phase, dir, { file, selected }, failures) {
  const { server } = lane;
  const testCtx = { ...lane, userDir: server.userDir };
  for (const [t, run] of selected) {
    const name = `${file.replace(/\.ui\.mjs$/, '')} › ${t.name}`;
    if (isStopping()) break;
    // A UI test that fails is run once more in a fresh page: the workbench's timing on a loaded 2-core
    // machine makes single clicks flaky. A retry that passes is reported as flaky, never hidden.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const t0 = Date.now();
      const artifactsDir = path.join(OUT, phase, `${file.replace(/\.ui\.mjs$/, '')}--${t.name.replace(/[^\w.-]+/g, '-')}${repeat > 1 ? `--run${run}` : ''}${attempt > 1 ? '--retry' : ''}`);
      let wb;
      try {
        wb = await Workbench.open(lane.browser, server, {
          folder: lane.workspace,
          artifactsDir,
          payload: [['extensionDevelopmentPath', server.remote(ROOT)]],
        });
        await withTimeout(t.run(wb, testCtx), t.timeout ?? UI_TEST_TIMEOUT_MS, name);
        counts.passed += 1;
        log(`  ✓ ${lane.name}${name}${repeat > 1 ? ` [run ${run}/${repeat}]` : ''} (${secs(t0)})${attempt > 1 ? ' — FLAKY: passed on the retry' : ''}`);
        break;
      } catch (e) {
        log(`  ✗ ${lane.name}${name}${repeat > 1 ? ` [run ${run}/${repeat}]` : ''} (${secs(t0)})${attempt === 1 ? ' — retrying once' : ''}\n${indent(e.stack ?? String(e))}`);
        if (wb) await wb.screenshot('FAILED').then((f) => log(`    screenshot: ${path.relative(ROOT, f)}`), () => {});
        if (attempt === 2 || isStopping()) {
          failures.push(name);
          counts.failed += 1;
          counts.failures.push(`${phase} › ${name}: ${String(e.message ?? e).split('\n')[0].slice(0, 200)}`);
          break;
        }
      } finally {
        if (wb) {
          fs.mkdirSync(artifactsDir, { recursive: true });
          fs.writeFileSync(path.join(artifactsDir, 'console.log'), wb.console.join('\n'));
        }
        await wb?.page.close().catch(() => {});
      }
    }
  }
}

// ---- vsix: the packaged extension, as a user installs it ----
async function vsixPhase(ctx) {
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '-s', 'package'], { cwd: ROOT, encoding: 'utf8' });
  const vsix = path.join(ROOT, 'ais-buckets.vsix');
  if (r.status !== 0 || !fs.existsSync(vsix)) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  log(`  packaged ${path.relative(ROOT, vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB) in ${secs(t0)}`);
  const copy = path.join(ctx.work, 'ais-buckets.vsix'); // what we test is what was just packaged
  fs.copyFileSync(vsix, copy);
  const workDir = path.join(ctx.work, 'vsix');
  const extensionsDir = path.join(workDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  installVsix(ctx.rt, { vsix: copy, extensionsDir, workDir });
  const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith('ais-buckets.ais-buckets-'));
  assert.ok(installed, `the .vsix did not install into ${extensionsDir}: ${fs.readdirSync(extensionsDir)}`);
  // The bundles the product needs at run time must be inside the package (.vscodeignore, esbuild).
  for (const f of ['package.json', 'dist/extension.js', 'dist/gateway.js', 'dist/hashworker.js', 'dist/rangeworker.js']) {
    assert.ok(fs.existsSync(path.join(extensionsDir, installed, f)), `the installed .vsix lacks ${f}`);
  }
  assert.ok(!fs.existsSync(path.join(extensionsDir, installed, 'node_modules')), 'the .vsix must not carry node_modules');
  assert.ok(!fs.existsSync(path.join(extensionsDir, installed, 'src')), 'the .vsix must not carry src/');

  // No cluster from the environment: a first-time user sees the welcome text, starts the embedded gateway
  // from it, and gets a cluster row. That runs the packaged dist/extension.js and dist/gateway.js.
  const server = await startServer(ctx.rt, { workDir, extensionsDir, logFile: path.join(OUT, 'vsix-server.log') });
  const wb = await Workbench.open(ctx.browser, server, { folder: ctx.workspace, artifactsDir: path.join(OUT, 'vsix') });
  try {
    await wb.openView();
    const deadline = Date.now() + 30_000;
    while (!(await wb.welcomeText()) && Date.now() < deadline) await wb.page.waitForTimeout(250);
    assert.match(await wb.welcomeText(), /No clusters yet\./);
    await wb.screenshot('welcome');
    await wb.welcomeButton('Start Local Gateway');
    await wb.row('local', { timeout: 60_000 });
    await wb.expandRow('local');
    await wb.row('ais', { under: 'local' });
    await wb.screenshot('local-gateway-started');
    log(`  installed ${installed}; its welcome view started the embedded gateway: ${JSON.stringify(await wb.rowLabels())}`);
  } finally {
    // The folder exists only once a screenshot was taken: a failure before that must not be masked.
    fs.mkdirSync(path.join(OUT, 'vsix'), { recursive: true });
    fs.writeFileSync(path.join(OUT, 'vsix', 'console.log'), wb.console.join('\n'));
    await wb.page.close();
    await server.child.stop();
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const indent = (s) => s.split('\n').map((l) => `      ${l}`).join('\n');

async function main() {
  const tAll = Date.now();
  let rt;
  try {
    rt = requireRuntime();
  } catch (e) {
    console.error(`e2e: ${e.message}`);
    return 1;
  }
  for (const f of ['dist/extension.js', 'dist/gateway.js', 'out/test/suite/index.js']) {
    if (!fs.existsSync(path.join(ROOT, f))) {
      console.error(`e2e: ${f} is missing: run \`npm run build && npm run compile\` (npm run test:e2e does)`);
      return 1;
    }
  }
  fs.mkdirSync(OUT, { recursive: true });
  const latest = path.join(ARTIFACTS, 'latest');
  fs.rmSync(latest, { force: true });
  fs.symlinkSync(path.basename(OUT), latest);
  const runs = fs.readdirSync(ARTIFACTS).filter((d) => /^\d{4}-/.test(d)).sort();
  for (const old of runs.slice(0, -KEEP_RUNS)) fs.rmSync(path.join(ARTIFACTS, old), { recursive: true, force: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-e2e-'));
  // AISB_E2E_KEEP_WORK=1 keeps the servers' data and logs (the extension host's among them) to read after a failure.
  if (process.env.AISB_E2E_KEEP_WORK) log(`work dir kept: ${work}`);
  else onExitSync(() => fs.rmSync(work, { recursive: true, force: true }));

  // A workspace with files to drag onto buckets.
  const workspace = path.join(work, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'upload-me.txt'), 'dropped from the Explorer\n');
  fs.writeFileSync(path.join(workspace, 'report.csv'), 'a,b\n1,2\n');

  const results = [];
  try {
    const browser = await launchBrowser(rt);
    const run = { suite: suitePhase, ui: uiPhase, vsix: vsixPhase, scale: (ctx) => uiPhase(ctx, 'scale') };
    for (const phase of phases) {
      if (isStopping()) break;
      const t0 = Date.now();
      log(`${phase}: starting`);
      let gateway;
      try {
        // A fresh gateway per phase: what one phase's tests create or delete cannot break another's.
        gateway = await startGateway({ dataDir: path.join(work, `gateway-${phase}`), logFile: path.join(OUT, `${phase}-gateway.log`) });
        const seed = await seedGateway(gateway);
        if (seed.error) console.warn(`e2e: WARNING: ${seed.error}`);
        log(`  gateway ${gateway.url}, seeded: ${seed.seeded.map((b) => `${b.name}(${b.keys.length})`).join(' ') || 'nothing'}`);
        // The extension host inherits these from the server: the extension shows the gateway as a cluster
        // named "e2e" (src/registry.ts), and the suite learns what was seeded (test/helpers/extension-host.ts).
        // The AWS shared files are ours, not this machine's ~/.aws (whose profiles would be offered for import
        // at the first start): they do not exist until a test writes them (the extension reads them at use).
        const aws = { config: path.join(work, `aws-${phase}`, 'config'), credentials: path.join(work, `aws-${phase}`, 'credentials') };
        const env = {
          AIS_BUCKETS_CLUSTER_URL: gateway.url,
          AIS_BUCKETS_CLUSTER_NAME: E2E_CLUSTER,
          AIS_BUCKETS_TEST_SEED: JSON.stringify(seed.seeded),
          AWS_CONFIG_FILE: aws.config,
          AWS_SHARED_CREDENTIALS_FILE: aws.credentials,
          // The extension host's event-loop delay, every half second (src/common/eventloopmeter.ts).
          ...(phase === 'scale' && { AIS_BUCKETS_EVENT_LOOP_LOG: path.join(work, 'event-loop.jsonl') }),
        };
        const ctx = { rt, work, workspace, gateway, seed, env, aws, browser, root: ROOT, cluster: E2E_CLUSTER, counted: false, out: OUT };
        try {
          await run[phase](ctx);
        } catch (e) {
          if (!ctx.counted) {
            counts.failed += 1;
            counts.failures.push(`${phase}: ${String(e.message ?? e).split('\n')[0].slice(0, 200)}`);
          }
          throw e;
        }
        if (!ctx.counted) counts.passed += 1; // the vsix phase is one test
        results.push([phase, 'passed', secs(t0)]);
      } catch (e) {
        results.push([phase, 'FAILED', secs(t0)]);
        console.error(`e2e: ${phase} FAILED: ${e.stack ?? e}`);
      } finally {
        await gateway?.child.stop();
      }
    }
  } catch (e) {
    results.push(['setup', 'FAILED', '']);
    console.error(`e2e: could not start: ${e.stack ?? e}`);
  } finally {
    await stopAll();
  }
  for (const [phase, status, time] of results) log(`${status.padEnd(6)} ${phase} ${time}`);
  if (!results.length) counts.failed += 1;
  writeCounts(counts);
  log(`artifacts in ${path.relative(ROOT, OUT)}/ (total ${secs(tAll)})`);
  return results.every(([, s]) => s === 'passed') && results.length ? 0 : 1;
}

process.exitCode = await main();
