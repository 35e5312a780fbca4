// The extension's own client code (and the gateway's store, for the deep row's fill), bundled for the bench.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { buildWorkers } from '../../esbuild.mjs';
import { root } from './config.mjs';

export async function loadClient() {
  const out = path.join(root, 'out', 'bench', 'client.cjs');
  await esbuild.build({
    stdin: {
      contents: "export * from './src/client/index';\nexport * from './src/client/transfer/download';\nexport * from './src/client/transfer/upload';\nexport { Store } from './src/gateway/store/store';\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  await buildWorkers(path.dirname(out));
  return createRequire(import.meta.url)(out);
}
