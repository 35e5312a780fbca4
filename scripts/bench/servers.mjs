// Each target's server in its own process: started on a free port, stopped after the run.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { BASE_GATEWAY, isGatewayTarget, root } from './config.mjs';

export function startServer(target, dataDir) {
  const args =
    target === 'ceiling'
      ? [path.join(root, 'scripts', 'bench-ceiling.mjs'), dataDir]
      : target === 's3rver'
        ? [path.join(root, 'scripts', 'bench-s3rver.mjs'), dataDir]
        : [target.startsWith('base-') ? BASE_GATEWAY : (process.env.BENCH_GATEWAY ?? path.join(root, 'dist', 'gateway.js')), '--port', '0', '--data', dataDir, '--checksum', target.split('-')[1]];
  const prof = isGatewayTarget(target) && process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(process.env.BENCH_CPU_PROF, target)] : [];
  const child = spawn(process.execPath, [...prof, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(String(d));
      if (m) resolve({ child, url: m[1], s3: isGatewayTarget(target) ? `${m[1]}/s3` : m[1], log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`${target} exited (${code}): ${log}`)));
  });
}

export async function stopServer(server) {
  server.child.kill('SIGTERM');
  await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
}
