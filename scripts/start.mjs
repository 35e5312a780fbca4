#!/usr/bin/env node
// `npm start`: the product for a person. Builds the extension, starts the embedded gateway (127.0.0.1:51080,
// data in .gateway-data/) with a demo bucket, and opens VS Code with the extension loaded from this checkout,
// the gateway shown as the cluster "demo" (AIS_BUCKETS_CLUSTER_URL):
//   - the desktop VS Code (`code --extensionDevelopmentPath`) when `code` is on PATH;
//   - otherwise VS Code's server from the E2E runtime (installed on first use, a few minutes), printing
//     the URL to open in a browser.
// AIS_BUCKETS_START=server forces the server, AIS_BUCKETS_PORT changes the gateway's port.
// Ctrl-C stops the gateway (and the server).
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureRuntime } from '../test/e2e/setup.mjs';
import { ensureNpmDeps } from './lib/npm-deps.mjs';
import { startGateway } from '../test/e2e/lib/gateway.mjs';
import { stopAll } from '../test/e2e/lib/procs.mjs';
import { requireRuntime, ROOT, RUNTIME_DIR } from '../test/e2e/lib/runtime.mjs';
import { startServer } from '../test/e2e/lib/server.mjs';

const log = (m) => console.log(`start: ${m}`);

async function seedDemo(url) {
  // The native AIStore API would do as well; S3 is what every client speaks.
  const base = `${url}/s3/demo`;
  const created = await fetch(base, { method: 'PUT' });
  if (!created.ok && created.status !== 409) throw new Error(`creating the demo bucket: HTTP ${created.status} ${await created.text()}`);
  const put = (key, body) => fetch(`${base}/${key}`, { method: 'PUT', body }).then((r) => {
    if (!r.ok) throw new Error(`uploading ${key}: HTTP ${r.status}`);
  });
  await put('README.md', fs.readFileSync(path.join(ROOT, 'README.md')));
  await put('hello/world.txt', 'hello from the embedded gateway\n');
}

function hasCode() {
  return spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0;
}

async function main() {
  ensureNpmDeps(ROOT, log);
  log('building');
  if (spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');

  const port = process.env.AIS_BUCKETS_PORT ?? '51080';
  let gw;
  try {
    gw = await startGateway({ dataDir: path.join(ROOT, '.gateway-data'), port });
  } catch (e) {
    throw new Error(`${e.message}\n(is another gateway running on ${port}? set AIS_BUCKETS_PORT=0 for any free port)`, { cause: e });
  }
  await seedDemo(gw.url);
  log(`gateway on ${gw.url} (S3: ${gw.url}/s3), demo bucket "demo"`);
  const env = { AIS_BUCKETS_CLUSTER_URL: gw.url, AIS_BUCKETS_CLUSTER_NAME: 'demo' };

  if (process.env.AIS_BUCKETS_START !== 'server' && hasCode()) {
    log('opening VS Code with the extension (an Extension Development Host window)');
    // --wait keeps us (and the gateway) running until that window is closed.
    const code = spawn('code', ['--wait', '--new-window', `--extensionDevelopmentPath=${ROOT}`, ROOT], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    await new Promise((resolve) => code.on('exit', resolve));
    return;
  }

  // A person opens the URL in their own browser: the tests' Chromium is not needed here.
  await ensureRuntime({ browser: false });
  const rt = requireRuntime({ browser: false });
  const server = await startServer(rt, {
    workDir: path.join(RUNTIME_DIR, 'start'), // the person's settings and state survive restarts
    env,
    settings: { 'chat.disableAIFeatures': false },
  });
  const url = server.workbenchUrl({ folder: ROOT, payload: [['extensionDevelopmentPath', server.remote(ROOT)]] });
  console.log(`\nAIS Buckets is running. Open this URL in a browser (Chromium or Chrome):\n\n  ${url}\n\nCtrl-C stops it.\n`);
  await new Promise(() => {}); // until Ctrl-C; procs.mjs stops the server and the gateway
}

try {
  await main();
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
