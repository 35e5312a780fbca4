// The gateway as a program (dist/gateway.js) in a child process: for tests that kill it, restart it, or
// watch its memory. The bundle is rebuilt into a temp dir when the sources are newer than dist/.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../../..');

let built: Promise<string> | undefined;

export function gatewayProgram(tmp: string): Promise<string> {
  built ??= (async () => {
    const dist = path.join(root, 'dist', 'gateway.js');
    const newest = Math.max(
      ...['src/gateway', 'src/common'].flatMap((d) =>
        fs.existsSync(path.join(root, d))
          ? (fs.readdirSync(path.join(root, d), { recursive: true }) as string[]).map((f) => fs.statSync(path.join(root, d, f)).mtimeMs)
          : [],
      ),
    );
    if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newest) return dist;
    const esbuild = await import('esbuild');
    const out = path.join(tmp, 'gateway.js');
    await esbuild.build({ entryPoints: [path.join(root, 'src/gateway/main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'warning' });
    const { buildWorkers } = await import(pathToFileURL(path.join(root, 'esbuild.mjs')).href);
    await buildWorkers(tmp);
    return out;
  })();
  return built;
}

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGKILL (no chance to clean up) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startGatewayProcess(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [script, '--port', '0', '--host', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 20_000);
    const onData = () => {
      const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}): ${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
