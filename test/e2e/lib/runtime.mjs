// Where the E2E runtime lives and whether it is complete. The runtime is installed by test/e2e/setup.mjs
// from test/e2e/runtime-pkg/ (its own package.json + lock file) into test/e2e/runtime/ (git-ignored).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(E2E_DIR, '..', '..');
export const PKG_DIR = path.join(E2E_DIR, 'runtime-pkg');
export const RUNTIME_DIR = path.join(E2E_DIR, 'runtime');
export const STAMP = path.join(RUNTIME_DIR, '.stamp');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');

// Bump when setup.mjs changes what it produces, so that existing runtimes are rebuilt.
const SETUP_VERSION = '2';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function nodePackageName() {
  return `node-${process.platform}-${process.arch}`;
}

/** The stamp a complete runtime carries: changes with the lock file, this setup, and the platform. */
export function expectedStamp() {
  const h = crypto.createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) h.update(fs.readFileSync(path.join(PKG_DIR, f)));
  h.update(`${SETUP_VERSION} ${process.platform} ${process.arch}`);
  return h.digest('hex');
}

export function chromiumPath() {
  return process.env.AIS_BUCKETS_CHROMIUM ?? '/usr/bin/chromium';
}

export function paths() {
  const nodePkg = path.join(RUNTIME_DIR, 'node_modules', nodePackageName());
  const codeServer = path.join(RUNTIME_DIR, 'node_modules', 'code-server');
  return {
    nodePkg,
    node24: path.join(nodePkg, 'bin', 'node'),
    codeServer,
    vscodeDir: path.join(codeServer, 'lib', 'vscode'),
    serverMain: path.join(codeServer, 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: chromiumPath(),
  };
}

/**
 * What is missing for the harness to run, as sentences a person can act on; [] when complete. `browser`:
 * whether Chromium counts (the tests drive it; `npm start` only prints a URL for the person's own browser).
 */
export function missingPieces({ checkStamp = true, browser = true } = {}) {
  const p = paths();
  const missing = [];
  const setup = 'run `npm run e2e:setup`';
  if (checkStamp) {
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : '';
    if (stamp !== expectedStamp()) missing.push(`the E2E runtime in test/e2e/runtime is not installed or outdated (${setup})`);
  }
  if (!fs.existsSync(p.node24)) missing.push(`node 24 (${path.relative(ROOT, p.node24)}; ${setup})`);
  if (!fs.existsSync(p.serverMain)) missing.push(`VS Code's server from code-server (${setup})`);
  // The server's own dependencies (setup.mjs step 2); without them it cannot start.
  else if (!fs.existsSync(path.join(p.vscodeDir, 'node_modules', '@microsoft', '1ds-core-js'))) {
    missing.push(`the VS Code server's dependencies (their install did not complete; ${setup})`);
  }
  if (!fs.existsSync(path.join(RUNTIME_DIR, 'node_modules', 'playwright-core'))) missing.push(`playwright-core (${setup})`);
  if (browser && !fs.existsSync(p.chromium)) {
    missing.push(`Chromium at ${p.chromium} (Debian: \`apt-get install chromium\`, or set AIS_BUCKETS_CHROMIUM)`);
  }
  return missing;
}

/** Throws an Error listing what is missing; otherwise returns the runtime's paths and playwright-core. */
export function requireRuntime({ browser = true } = {}) {
  const missing = missingPieces({ browser });
  if (missing.length) {
    throw new Error(`The E2E runtime is incomplete. Missing:\n  - ${missing.join('\n  - ')}`);
  }
  const require = createRequire(path.join(RUNTIME_DIR, 'package.json'));
  return { ...paths(), playwright: require('playwright-core') };
}
