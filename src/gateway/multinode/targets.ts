// The proxy's targets: N child processes of this same program, each a one-node gateway on its own
// loopback port and data dir (DIR/t0, DIR/t1, ...), watched by a keepalive. A target that exits or does
// not answer /v1/health is down until it answers again (ais/kalive.go pings every node and drops those
// that fail from the cluster map). Each child exits when its IPC channel to us closes, so killing the
// proxy, even with SIGKILL, leaves no target behind (main.ts stops on 'disconnect').
import { ChildProcess, fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { idDigest } from './hrw';

export interface TargetNode {
  index: number;
  /** AIStore-style node id (cos.GenDaemonID: 8 random letters), kept in DIR/cluster.json. */
  id: string;
  /** xxhash64 of the id (Snode.IDDigest). */
  digest: bigint;
  url: string;
  dataDir: string;
  pid: number;
  up: boolean;
  /** Why it is down, for messages. */
  downReason?: string;
  child: ChildProcess;
}

export interface ClusterIds {
  proxyId: string;
  targetIds: string[];
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const genId = () => Array.from({ length: 8 }, () => LETTERS[randomInt(LETTERS.length)]).join('');

/** The node ids of the cluster in DIR, made once and kept so placement survives restarts. */
export function clusterIds(dataDir: string, targets: number): ClusterIds {
  const file = path.join(dataDir, 'cluster.json');
  let ids: ClusterIds | undefined;
  try {
    ids = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterIds;
  } catch {
    ids = undefined;
  }
  if (!ids || typeof ids.proxyId !== 'string' || !Array.isArray(ids.targetIds)) ids = { proxyId: genId(), targetIds: [] };
  const before = ids.targetIds.length;
  while (ids.targetIds.length < targets) ids.targetIds.push(genId());
  if (before !== ids.targetIds.length || !fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(ids, null, 2) + '\n');
  }
  return { proxyId: ids.proxyId, targetIds: ids.targetIds.slice(0, targets) };
}

export interface TargetSetOptions {
  /** This program (dist/gateway.js). */
  script: string;
  dataDir: string;
  host: string;
  ids: string[];
  /** Flags every target gets (--checksum, --fsync). */
  args: string[];
  /** A target's output line, prefixed with its name. */
  log: (line: string) => void;
  /** Called when a target goes down or comes back (the smap changes). */
  onChange: (t: TargetNode) => void;
  /** Keepalive period (ms). */
  intervalMs?: number;
}

export class TargetSet {
  private timer?: NodeJS.Timeout;
  private stopping = false;

  private constructor(
    readonly nodes: TargetNode[],
    private readonly opts: TargetSetOptions,
  ) {}

  static async start(opts: TargetSetOptions): Promise<TargetSet> {
    const set = new TargetSet([], opts);
    try {
      const started = await Promise.allSettled(opts.ids.map((id, i) => spawnTarget(opts, id, i)));
      for (const s of started) if (s.status === 'fulfilled') set.nodes.push(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } catch (e) {
      await set.stop();
      throw e;
    }
    for (const t of set.nodes) {
      t.child.on('exit', (code, signal) => set.markDown(t, `its process exited (${signal ?? `code ${code}`})`, true));
    }
    set.timer = setInterval(() => void set.keepalive(), opts.intervalMs ?? 1000);
    set.timer.unref();
    return set;
  }

  alive(): TargetNode[] {
    return this.nodes.filter((t) => t.up);
  }

  /**
   * Marks a target down (keepalive failed, connection refused, exited). Its exit is the last word: it says
   * why even when a failed keepalive or request marked the target down a moment before.
   */
  markDown(t: TargetNode, reason: string, exited = false): void {
    if (this.stopping) return;
    if (!t.up) {
      if (exited && t.downReason !== reason) {
        t.downReason = reason;
        this.opts.log(`t[${t.id}] is down: ${reason}`);
      }
      return;
    }
    t.up = false;
    t.downReason = reason;
    this.opts.log(`t[${t.id}] is down: ${reason}`);
    this.opts.onChange(t);
  }

  private markUp(t: TargetNode): void {
    if (this.stopping || t.up || t.child.exitCode !== null || t.child.signalCode !== null) return;
    t.up = true;
    t.downReason = undefined;
    this.opts.log(`t[${t.id}] is back`);
    this.opts.onChange(t);
  }

  private async keepalive(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (t) => {
        if (t.child.exitCode !== null || t.child.signalCode !== null) return this.markDown(t, 'its process exited');
        const ok = await health(t.url);
        if (ok) this.markUp(t);
        else this.markDown(t, 'it does not answer keepalive (GET /v1/health)');
      }),
    );
  }

  /** SIGTERM every target and wait for them to exit (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.nodes.map((t) => stopChild(t.child)));
  }
}

function health(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(new URL('/v1/health', url), { signal: AbortSignal.timeout(1500), agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function spawnTarget(opts: TargetSetOptions, id: string, index: number): Promise<TargetNode> {
  const dataDir = path.join(opts.dataDir, `t${index}`);
  const child = fork(opts.script, ['--port', '0', '--host', opts.host, '--data', dataDir, '--node-id', id, ...opts.args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [],
  });
  let early = '';
  let ready = false;
  const relay = (chunk: Buffer) => {
    const text = chunk.toString();
    if (!ready) early += text;
    else for (const line of text.split('\n')) if (line.trim()) opts.log(`t[${id}] ${line}`);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`target t[${id}] did not start within 30 s: ${early.trim()}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`target t[${id}] (data ${dataDir}) exited with code ${code}: ${early.trim()}`));
    });
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type !== 'listening' || !m.url || ready) return;
      ready = true;
      clearTimeout(timer);
      resolve({ index, id, digest: idDigest(id), url: m.url, dataDir, pid: child.pid!, up: true, child });
    });
  });
}
