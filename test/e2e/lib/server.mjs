// VS Code's own server (bundled in code-server) on a free loopback port. We start server-main.js directly,
// not the code-server CLI: only it honours --enable-smoke-test-driver, which the test payload needs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnManaged, waitForOutput } from './procs.mjs';

// Settings that keep the workbench from fighting the tests: no Restricted Mode banner, no welcome page,
// no chat panel over our view, nothing that reaches for the network.
export const TEST_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'git.enabled': false,
  'window.dialogStyle': 'custom',
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function serverArgs(rt, { port, dataDir, extensionsDir }) {
  return [
    rt.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--enable-smoke-test-driver',
    '--server-data-dir', dataDir,
    '--extensions-dir', extensionsDir,
  ];
}

/**
 * Starts the server; resolves once it logs "Extension host agent listening on PORT".
 * `env` reaches the extension host (e.g. AIS_BUCKETS_TEST_GATEWAY). Returns
 * { port, url, remote(absPath), workbenchUrl({ folder, payload }), child }.
 */
export async function startServer(rt, { workDir, env = {}, extensionsDir, settings = {}, logFile }) {
  const dataDir = path.join(workDir, 'server-data');
  extensionsDir ??= path.join(workDir, 'extensions');
  const userDir = path.join(dataDir, 'data', 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...TEST_SETTINGS, ...settings }, null, 2));

  // The port can be taken between freePort() and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawnManaged('vscode-server', rt.node24, serverArgs(rt, { port, dataDir, extensionsDir }), {
      logFile,
      env: { ...process.env, ...env },
    });
    try {
      await waitForOutput(child, new RegExp(`Extension host agent listening on ${port}`), 90_000, 'the VS Code server');
    } catch (e) {
      await child.stop();
      if (attempt < 3 && /EADDRINUSE/.test(child.output())) continue;
      throw e;
    }
    const url = `http://127.0.0.1:${port}`;
    return {
      port,
      url,
      child,
      extensionsDir,
      /** The user data folder: settings.json, globalStorage/<extension>/ (what the extension host keeps). */
      userDir,
      /** A path on this machine as the workbench in the browser addresses it. */
      remote: (p) => `vscode-remote://127.0.0.1:${port}${p}`,
      workbenchUrl: ({ folder, payload = [] }) =>
        `${url}/?folder=${encodeURIComponent(folder)}` +
        (payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''),
    };
  }
}

/** Installs a .vsix with the server's own CLI into `extensionsDir`, as a user would. */
export function installVsix(rt, { vsix, extensionsDir, workDir }) {
  const r = spawnSync(
    rt.node24,
    [rt.serverMain, '--accept-server-license-terms', '--server-data-dir', path.join(workDir, 'server-data'),
      '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return out.trim();
}
