// Runs the embedded gateway (dist/gateway.js) as a child process and learns its real port over IPC; with
// `restart`, starts it again after a crash (see restartpolicy.ts). Plain Node: the extension uses it, and
// so can tests and `npm start`.
import { ChildProcess, fork } from 'node:child_process';
import { RestartPolicy, type RestartPolicyOptions } from './restartpolicy';

export interface EmbeddedGatewayOptions {
  /** Path of the bundled gateway program (dist/gateway.js). */
  script: string;
  dataDir: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * With port 0: the port tried first (the one it had before, so the URL tools were given stays right);
   * a free one when it is taken. After a crash the last port is tried first anyway.
   */
  preferredPort?: number;
  /** Start it again when it exits without stop() having asked it to; off when absent. */
  restart?: RestartPolicyOptions;
  checksum?: string;
  /**
   * Keys every request must be signed with. Handed over in the child's environment (readable by this
   * user only), never on the command line where any user's `ps` would show them.
   */
  credentials?: { accessKey: string; secretKey: string };
  /**
   * Run AuthN beside it (on a free port) with this one user, whose password travels like the keys: in
   * the environment (AIS_AUTHN_SU_NAME/PASS, as AIStore's AuthN reads them), not on the command line.
   */
  authn?: { user: string; password: string; ttl?: string };
  /** How long to wait for the gateway to listen, ms. */
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}

export interface RunningGateway {
  url: string;
  port: number;
  pid: number;
  /** Its AuthN's URL, when it runs with --authn. */
  authnUrl?: string;
}

/** How the child ended: an exit code, or the signal that killed it. */
export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What happens after a crash: a restart in `delayMs`, the restart done, or no restart (too many crashes). */
export type GatewayRestartEvent =
  | { type: 'crashed'; exit: GatewayExit; delayMs: number }
  | { type: 'restarted'; exit: GatewayExit; running: RunningGateway }
  | { type: 'gave-up'; exit: GatewayExit; crashes: number; windowMs: number; error?: string };

/** The child exited before it listened; `portInUse` when the port it was given was taken. */
export class GatewayStartError extends Error {
  constructor(
    message: string,
    readonly portInUse = false,
  ) {
    super(message);
    this.name = 'GatewayStartError';
  }
}

export class EmbeddedGatewayProcess {
  private child?: ChildProcess;
  private running?: RunningGateway;
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  private restartListeners: ((e: GatewayRestartEvent) => void)[] = [];
  private readonly policy?: RestartPolicy;
  /** stop() was called: an exit now is no crash. */
  private stopped = false;
  private lastPort?: number;
  private lastExit?: GatewayExit;
  private restartTimer?: NodeJS.Timeout;
  private respawning?: Promise<RunningGateway>;
  private launching?: Promise<RunningGateway>;

  constructor(private readonly opts: EmbeddedGatewayOptions) {
    if (opts.restart) this.policy = new RestartPolicy(opts.restart);
  }

  get current(): RunningGateway | undefined {
    return this.running;
  }

  /** Between a crash and the restart (waiting for the delay, or starting). */
  get restarting(): boolean {
    return !!this.restartTimer || !!this.respawning;
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }

  onRestart(listener: (e: GatewayRestartEvent) => void): void {
    this.restartListeners.push(listener);
  }

  /** Starts it; while a restart after a crash is pending, restarts it now. */
  async start(): Promise<RunningGateway> {
    if (this.running) return this.running;
    this.stopped = false;
    if (this.respawning) return this.respawning;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      return this.respawn(this.lastExit ?? { code: null, signal: null });
    }
    this.policy?.reset();
    this.launching ??= this.launch().finally(() => (this.launching = undefined));
    return this.launching;
  }

  /** A fixed port, else the last (or preferred) one, else a free one. */
  private async launch(): Promise<RunningGateway> {
    const fixed = this.opts.port ?? 0;
    const preferred = fixed || this.lastPort || this.opts.preferredPort || 0;
    let running: RunningGateway;
    try {
      running = await this.spawn(preferred);
    } catch (e) {
      if (fixed || !preferred || !(e instanceof GatewayStartError && e.portInUse) || this.stopped) throw e;
      this.opts.onLog?.(`port ${preferred} is taken now: listening on a free one`);
      running = await this.spawn(0);
    }
    this.lastPort = running.port;
    return running;
  }

  private async spawn(port: number): Promise<RunningGateway> {
    const args = ['--port', String(port), '--data', this.opts.dataDir, '--host', this.opts.host ?? '127.0.0.1'];
    if (this.opts.checksum) args.push('--checksum', this.opts.checksum);
    if (this.opts.authn) args.push('--authn', '--authn-port', '0', ...(this.opts.authn.ttl ? ['--authn-ttl', this.opts.authn.ttl] : []));
    // Inside VS Code, process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.
    const child = fork(this.opts.script, args, {
      env: {
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1',
        ...(this.opts.credentials ? { AIS_BUCKETS_GATEWAY_ACCESS_KEY: this.opts.credentials.accessKey, AIS_BUCKETS_GATEWAY_SECRET_KEY: this.opts.credentials.secretKey } : {}),
        ...(this.opts.authn ? { AIS_AUTHN_SU_NAME: this.opts.authn.user, AIS_AUTHN_SU_PASS: this.opts.authn.password } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    let ready = false;
    let output = '';
    const log = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) this.opts.onLog?.(line);
    };
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    const started = new Promise<RunningGateway>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new GatewayStartError(`the embedded gateway did not start within ${(this.opts.startTimeoutMs ?? 20000) / 1000} s.\n${output}`));
      }, this.opts.startTimeoutMs ?? 20000);
      child.on('message', (msg: { type?: string; url?: string; port?: number; authnUrl?: string }) => {
        if (msg?.type === 'listening' && msg.url && msg.port) {
          clearTimeout(timer);
          ready = true;
          resolve({ url: msg.url, port: msg.port, pid: child.pid ?? 0, ...(msg.authnUrl ? { authnUrl: msg.authnUrl } : {}) });
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new GatewayStartError(`cannot run the embedded gateway (${this.opts.script}): ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const inUse = /^port \d+ on \S+ is in use/m.test(output);
        reject(new GatewayStartError(`the embedded gateway exited (${signal ?? 'code ' + code}) before it was ready:\n${output.trim()}`, inUse));
      });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        this.running = undefined;
      }
      for (const l of this.exitListeners) l(code, signal);
      if (ready && !this.stopped && this.policy) this.crashed({ code, signal });
    });
    const running = await started;
    this.running = running;
    return running;
  }

  /** Schedules the restart after a crash (or a failed restart), or gives up. */
  private crashed(exit: GatewayExit, error?: string): void {
    this.lastExit = exit;
    const decision = this.policy!.crashed();
    if (!decision.restart) {
      this.emit({ type: 'gave-up', exit, crashes: decision.crashes, windowMs: decision.windowMs, ...(error ? { error } : {}) });
      return;
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.respawn(exit).catch(() => undefined); // a failed restart is counted as a crash in respawn
    }, decision.delayMs);
    this.emit({ type: 'crashed', exit, delayMs: decision.delayMs });
  }

  private respawn(exit: GatewayExit): Promise<RunningGateway> {
    this.respawning ??= (async () => {
      try {
        const running = await this.launch();
        if (!this.stopped) this.emit({ type: 'restarted', exit, running });
        return running;
      } catch (e) {
        if (!this.stopped) this.crashed(exit, (e as Error).message);
        throw e;
      } finally {
        this.respawning = undefined;
      }
    })();
    return this.respawning;
  }

  private emit(e: GatewayRestartEvent): void {
    for (const l of this.restartListeners) l(e);
  }

  /** Asks the gateway to stop (SIGTERM: it closes cleanly), then kills it if it lingers; no restart follows. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.respawning?.catch(() => undefined);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
