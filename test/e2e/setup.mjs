#!/usr/bin/env node
// Installs the E2E runtime reproducibly into test/e2e/runtime/ (git-ignored, not in the .vsix):
//   1. `npm ci --ignore-scripts` from test/e2e/runtime-pkg's lock file: node 24 (the node-<os>-<arch> binary
//      package that the `node` package would fetch in its own install script), code-server 4.139.1, and
//      playwright-core. No dependency install script runs, whatever npm version or allowScripts config.
//   2. code-server's own postinstall.sh, run explicitly with node 24 first on PATH and node 24's headers as
//      npm_config_nodedir. It `npm install`s the VS Code server's dependencies (pinned by its shrinkwrap)
//      and compiles their native modules (kerberos needs libkrb5-dev). Without it the server cannot start.
//      We allow those nested scripts explicitly so npm 10 and npm 11 produce the same runtime.
// A re-run with the same lock file and setup reuses the runtime (test/e2e/runtime/.stamp).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedStamp, missingPieces, paths, PKG_DIR, RUNTIME_DIR, STAMP, ROOT } from './lib/runtime.mjs';

const log = (m) => console.log(`e2e:setup: ${m}`);

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** System prerequisites for compiling the server's native modules, checked before spending minutes. */
function missingSystemPieces() {
  const missing = [];
  if (!has('npm')) missing.push('npm');
  for (const [cmd, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']]) {
    if (!has(cmd)) missing.push(`${cmd} (Debian: apt-get install ${pkg})`);
  }
  if (!has('krb5-config') && !fs.existsSync('/usr/include/gssapi/gssapi.h')) {
    missing.push('Kerberos headers (Debian: apt-get install libkrb5-dev)');
  }
  return missing;
}

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
  const sys = missingSystemPieces();
  if (sys.length) throw new Error(`cannot install the E2E runtime. Missing on this machine:\n  - ${sys.join('\n  - ')}`);
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

  log(`installing VS Code server dependencies with node ${version} (compiles native modules; ~3 min on 2 cores)`);
  const env = {
    ...process.env,
    PATH: `${path.dirname(p.node24)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: p.nodePkg,
    // postinstall.sh checks the node major in the user agent and picks npm by it.
    npm_config_user_agent: `npm node/${version} ${process.platform} ${process.arch}`,
    // npm 11 blocks dependency install scripts unless allowed; npm 10 runs them. Allow, so both agree.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
    npm_config_update_notifier: 'false',
    // node-gyp compiles on every core (make -j): the native modules are most of the setup's time.
    npm_config_jobs: 'max',
  };
  run('sh', ['./postinstall.sh'], { cwd: p.codeServer, env });

  const missing = missingPieces({ checkStamp: false });
  if (missing.length) throw new Error(`the runtime is still incomplete after installing:\n  - ${missing.join('\n  - ')}`);
  fs.writeFileSync(STAMP, `${expectedStamp()}\n`);
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/** Installs the runtime unless a complete one with the same lock file is there. */
export async function ensureRuntime() {
  const ok = () => missingPieces().length === 0;
  if (ok()) {
    log('runtime up to date (test/e2e/runtime)');
    return;
  }
  await withLock(() => {
    if (ok()) return; // another process finished it while we waited
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : '';
    if (stamp === expectedStamp()) {
      // Installed, but something outside the runtime is missing (e.g. Chromium): reinstalling won't help.
      throw new Error(`the E2E runtime is installed, but:\n  - ${missingPieces().join('\n  - ')}`);
    }
    install();
    const rest = missingPieces();
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
