// Runs the embedded gateway (dist/gateway.js) as a child process and learns its real port over IPC.
// Plain Node: the extension uses it, and so can tests and `npm start`.
import { ChildProcess, fork } from 'node:child_process';

export interface EmbeddedGatewayOptions {
  /** Path of the bundled gateway program (dist/gateway.js). */
  script: string;
  dataDir: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
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

export class EmbeddedGatewayProcess {
  private child?: ChildProcess;
  private running?: RunningGateway;
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(private readonly opts: EmbeddedGatewayOptions) {}

  get current(): RunningGateway | undefined {
    return this.running;
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }

  async start(): Promise<RunningGateway> {
    if (this.running) return this.running;
    const args = ['--port', String(this.opts.port ?? 0), '--data', this.opts.dataDir, '--host', this.opts.host ?? '127.0.0.1'];
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
        reject(new Error(`the embedded gateway did not start within ${(this.opts.startTimeoutMs ?? 20000) / 1000} s.\n${output}`));
      }, this.opts.startTimeoutMs ?? 20000);
      child.on('message', (msg: { type?: string; url?: string; port?: number; authnUrl?: string }) => {
        if (msg?.type === 'listening' && msg.url && msg.port) {
          clearTimeout(timer);
          resolve({ url: msg.url, port: msg.port, pid: child.pid ?? 0, ...(msg.authnUrl ? { authnUrl: msg.authnUrl } : {}) });
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run the embedded gateway (${this.opts.script}): ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the embedded gateway exited (${signal ?? 'code ' + code}) before it was ready:\n${output.trim()}`));
      });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        this.running = undefined;
      }
      for (const l of this.exitListeners) l(code, signal);
    });
    this.running = await started;
    return this.running;
  }

  /** Asks the gateway to stop (SIGTERM: it closes cleanly), then kills it if it lingers. */
  async stop(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
