#!/usr/bin/env node
// Installs the E2E runtime reproducibly into test/e2e/runtime/ (git-ignored, not in the .vsix):
//   1. `npm ci --ignore-scripts` from test/e2e/runtime-pkg's lock file: node 24 (the node-<os>-<arch> binary
//      package that the `node` package would fetch in its own install script), code-server 4.139.1, and
//      playwright-core. No dependency install script runs, whatever npm version or allowScripts config.
//   2. What code-server's postinstall.sh does, minus compiling: the VS Code server's own dependencies
//      (`npm install --omit=dev --ignore-scripts`, pinned by its shrinkwrap, in lib/vscode and lib/vscode/extensions)
//      and its two bin links. No native module is compiled, so no C++ toolchain, python3 or Kerberos headers:
//      what the tests and `npm start` use works without them (node-pty and @parcel/watcher ship prebuilt
//      binaries; the rest — spdlog's log files, kerberos proxy auth, sqlite, the watchdog — are optional to
//      the server or unused here). ~15 s instead of ~3 min of node-gyp.
// A re-run with the same lock file and setup reuses the runtime (test/e2e/runtime/.stamp).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedStamp, missingPieces, paths, PKG_DIR, RUNTIME_DIR, STAMP, ROOT } from './lib/runtime.mjs';

const log = (m) => console.log(`e2e:setup: ${m}`);

function run(cmd, args, opts) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` in ${path.relative(ROOT, opts.cwd) || '.'} failed (exit ${r.status ?? r.signal})`);
  }
  log(`${cmd} ${args[0]} done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

// Two `npm test` runs in the same checkout must not install into the same folder at once.
async function withLock(fn) {
  const lock = `${RUNTIME_DIR}.lock`;
  for (let waited = 0; ; waited += 1) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = 0;
      try { pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being created */ }
      let alive = false;
      try { if (pid) { process.kill(pid, 0); alive = true; } } catch { /* gone */ }
      if (pid && !alive) { fs.rmSync(lock, { recursive: true, force: true }); continue; }
      if (waited % 30 === 0) log('another setup is running; waiting for it');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try { return await fn(); } finally { fs.rmSync(lock, { recursive: true, force: true }); }
}

function install() {
  const t0 = Date.now();
  fs.rmSync(RUNTIME_DIR, { recursive: true, force: true });
  fs.mkdirSync(RUNTIME_DIR, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(PKG_DIR, f), path.join(RUNTIME_DIR, f));

  log('installing node 24, code-server and playwright-core from the lock file');
  // code-server declares engines node 24 while this npm may run on node 20: nothing runs here, so that is fine.
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--engine-strict=false', '--loglevel=error'], { cwd: RUNTIME_DIR });

  const p = paths();
  const version = spawnSync(p.node24, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!version.startsWith('v24.')) throw new Error(`${p.node24} is not node 24 (got "${version}")`);

  log(`installing the VS Code server's dependencies (no native compile) for node ${version}`);
  const env = {
    ...process.env,
    PATH: `${path.dirname(p.node24)}${path.delimiter}${process.env.PATH}`,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
    npm_config_update_notifier: 'false',
  };
  // `install`, as postinstall.sh does: the shrinkwrap pins the tree but misses a peer (tslib), which `npm ci` refuses.
  const serverDeps = ['install', '--omit=dev', '--ignore-scripts', '--engine-strict=false'];
  run('npm', serverDeps, { cwd: p.vscodeDir, env });
  run('npm', serverDeps, { cwd: path.join(p.vscodeDir, 'extensions'), env });
  // postinstall.sh's symlink_bin_script: the `code` CLI inside the server's terminals, and its browser helper.
  for (const [dir, target, link] of [['remote-cli', 'code-linux.sh', 'code-server'], ['helpers', 'browser-linux.sh', 'browser.sh']]) {
    const at = path.join(p.vscodeDir, 'bin', dir, link);
    fs.rmSync(at, { force: true });
    fs.symlinkSync(target, at);
  }

  const missing = missingPieces({ checkStamp: false, browser: false });
  if (missing.length) throw new Error(`the runtime is still incomplete after installing:\n  - ${missing.join('\n  - ')}`);
  fs.writeFileSync(STAMP, `${expectedStamp()}\n`);
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/** Installs the runtime unless a complete one with the same lock file is there. */
export async function ensureRuntime({ browser = true } = {}) {
  const ok = () => missingPieces({ browser }).length === 0;
  if (ok()) {
    log('runtime up to date (test/e2e/runtime)');
    return;
  }
  await withLock(() => {
    if (ok()) return; // another process finished it while we waited
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : '';
    if (stamp === expectedStamp()) {
      // Installed, but something outside the runtime is missing (e.g. Chromium): reinstalling won't help.
      throw new Error(`the E2E runtime is installed, but:\n  - ${missingPieces({ browser }).join('\n  - ')}`);
    }
    install();
    const rest = missingPieces({ browser });
    if (rest.length) throw new Error(`the E2E runtime is installed, but:\n  - ${rest.join('\n  - ')}`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureRuntime();
  } catch (e) {
    console.error(`e2e:setup: FAILED: ${e.message}`);
    process.exit(1);
  }
}
