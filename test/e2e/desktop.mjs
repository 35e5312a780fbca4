#!/usr/bin/env node
// `npm run test:desktop`: the same extension-host suite (test/suite, its run()) in a desktop VS Code through
// @vscode/test-electron, against the same kind of seeded embedded gateway as the offline harness.
// test-electron downloads VS Code into .vscode-test/ unless VSCODE_EXECUTABLE points at an installed one
// (e.g. VSCODE_EXECUTABLE=$(which code)); on a machine without a display, run it under xvfb-run.
// CI cannot download VS Code, so it runs the suite through the offline harness (test/e2e/run.mjs) instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { seedGateway, startGateway } from './lib/gateway.mjs';
import { onExitSync, stopAll } from './lib/procs.mjs';
import { ROOT } from './lib/runtime.mjs';

async function main() {
  const index = path.join(ROOT, 'out', 'test', 'suite', 'index.js');
  if (!fs.existsSync(index)) throw new Error('out/test/suite/index.js is missing: run `npm run compile`');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-desktop-'));
  onExitSync(() => fs.rmSync(work, { recursive: true, force: true }));
  const workspace = path.join(work, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'upload-me.txt'), 'dropped from the Explorer\n');
  const gateway = await startGateway({ dataDir: path.join(work, 'gateway-data') });
  const seed = await seedGateway(gateway);
  if (seed.error) console.warn(`desktop: WARNING: ${seed.error}`);
  const userDataDir = path.join(work, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
  }));
  await runTests({
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: process.env.VSCODE_VERSION ?? 'stable' }),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: index,
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userDataDir}`],
    extensionTestsEnv: {
      AIS_BUCKETS_CLUSTER_URL: gateway.url,
      AIS_BUCKETS_CLUSTER_NAME: 'e2e',
      AIS_BUCKETS_TEST_SEED: JSON.stringify(seed.seeded),
      ...(process.env.AIS_BUCKETS_TEST_GREP ? { AIS_BUCKETS_TEST_GREP: process.env.AIS_BUCKETS_TEST_GREP } : {}),
    },
  });
}

try {
  await main();
} catch (e) {
  console.error(`test:desktop FAILED: ${e.message ?? e}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
