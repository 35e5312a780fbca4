// Bundles the extension and the gateway separately: the gateway is also a standalone CLI
// (node dist/gateway.js) and the extension forks it as a child process. The worker threads
// (src/common/workerthread.ts) are bundles of their own, next to the bundle that starts them: every
// bundler of code that uses them (test/build.mjs, test/helpers/program.ts, scripts/bench.mjs) calls
// buildWorkers for its output folder.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Worker bundle names (what the code asks for at run time) and their sources. */
export const WORKERS = {
  hashworker: 'src/common/hashworker.ts',
  rangeworker: 'src/client/rangeworker.ts',
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
};

/** Builds every worker into `outdir` (as <name>.js). */
export function buildWorkers(outdir, { production = false } = {}) {
  return esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([name, src]) => [name, path.join(root, src)])),
    outdir,
    sourcemap: !production,
    minify: production,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const production = process.argv.includes('--production');
  const options = { ...common, sourcemap: !production, minify: production };
  await Promise.all([
    esbuild.build({ ...options, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
    esbuild.build({
      ...options,
      entryPoints: ['src/gateway/main.ts'],
      outfile: 'dist/gateway.js',
      banner: { js: '#!/usr/bin/env node' },
    }),
    buildWorkers('dist', { production }),
  ]);
}
