// Bundles the extension and the gateway separately: the gateway is also a standalone CLI
// (node dist/gateway.js) and the extension forks it as a child process.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({
    ...common,
    entryPoints: ['src/gateway/main.ts'],
    outfile: 'dist/gateway.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
