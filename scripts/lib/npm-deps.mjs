// Installs the project's npm dependencies when they are missing or older than package-lock.json, so that
// `npm start` and `npm test` work right after `git clone`. Built-ins only: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const STAMP = path.join('node_modules', '.ais-buckets-lock-sha256');

function lockHash(root) {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
}

/** `npm ci` unless node_modules was installed from this very package-lock.json. */
export function ensureNpmDeps(root, log = console.log) {
  const stamp = path.join(root, STAMP);
  const want = lockHash(root);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return false;
  // Installed by hand (`npm ci`) after the lock file last changed: take it, and stamp it.
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(stamp) && fs.existsSync(installed)
    && fs.statSync(installed).mtimeMs >= fs.statSync(path.join(root, 'package-lock.json')).mtimeMs) {
    fs.writeFileSync(stamp, `${want}\n`);
    return false;
  }
  log('installing npm dependencies (npm ci)');
  const t0 = Date.now();
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ci failed (exit ${r.status ?? r.signal}); is the npm registry reachable?`);
  fs.writeFileSync(stamp, `${want}\n`);
  log(`npm dependencies installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return true;
}
