// Builds test files one by one with esbuild (no type-check: `npm run typecheck` does that), so a file
// that does not compile breaks only the tests that import it. node_modules stay external. The worker
// bundles go next to the tests that start them (esbuild.mjs).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { buildWorkers } from '../esbuild.mjs';

function find(dir, pattern) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => pattern.test(f));
}

// A test file renamed or deleted must not leave its old bundle behind to run again.
fs.rmSync('out/test', { recursive: true, force: true });

const entryPoints = [...find('test/unit', /\.test\.ts$/), ...find('test/suite', /\.ts$/)];
await esbuild.build({
  entryPoints,
  outdir: 'out/test',
  outbase: 'test',
  bundle: true,
  packages: 'external',
  external: ['vscode'],
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
await Promise.all([...new Set(entryPoints.map((f) => path.join('out/test', path.dirname(path.relative('test', f)))))].map((dir) => buildWorkers(dir)));
