// The programs the tests need from the operating system (not from npm): checked before anything slow runs.
// As root on Debian they are installed with apt-get; anywhere else the run stops at once with one line naming
// the packages and the command that installs them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** What `npm test` needs: the real S3 clients the gateway is tested with, and the browser the E2E tests drive. */
export const TEST_TOOLS = [
  { name: 's3cmd', debian: 's3cmd', present: () => onPath('s3cmd') },
  { name: 'the aws CLI', debian: 'awscli', present: () => onPath('aws') },
  { name: 'Chromium', debian: 'chromium', present: () => fs.existsSync(process.env.AIS_BUCKETS_CHROMIUM ?? '/usr/bin/chromium') },
];

export function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const isDebian = () => fs.existsSync('/etc/debian_version') && onPath('apt-get');
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs (Debian, root) or names (elsewhere: throws) whatever of `tools` is missing. */
export function ensureSystemPackages(tools, log = console.log) {
  const missing = tools.filter((t) => !t.present());
  if (!missing.length) return [];
  const pkgs = missing.map((t) => t.debian);
  const names = missing.map((t) => t.name).join(', ');
  if (!isDebian() || !isRoot()) {
    const how = isDebian() ? `sudo apt-get install -y ${pkgs.join(' ')}` : `install ${names} (Debian/Ubuntu packages: ${pkgs.join(' ')})`;
    throw new Error(`missing ${names}: ${how}, then run this again`);
  }
  log(`installing ${pkgs.join(' ')} with apt-get (for ${names})`);
  const t0 = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...pkgs]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  const still = missing.filter((t) => !t.present());
  if (still.length) throw new Error(`apt-get installed ${pkgs.join(' ')} but ${still.map((t) => t.name).join(', ')} is still missing`);
  log(`installed ${pkgs.join(' ')} in ${Math.round((Date.now() - t0) / 1000)} s`);
  return pkgs;
}
