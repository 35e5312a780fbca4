// The embedded gateway inside VS Code: a child process on a loopback port, data under the extension's
// global storage, shown as the cluster "local" and in the status bar (a click there opens its menu); it
// is restarted after a crash and stops with VS Code.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signIn } from '../client/ais/authn';
import { runningTransfers } from '../client/transfer/running';
import { EmbeddedGatewayProcess, type GatewayExit, type GatewayRestartEvent, type RunningGateway } from '../embedded/process';
import { LOCAL_CLUSTER, type ClusterRegistry } from '../registry';

const ENABLED_KEY = 'aisBuckets.localGateway.enabled';
const CREDENTIALS_KEY = 'aisBuckets.localGateway.credentials';
const AUTHN_PASSWORD_KEY = 'aisBuckets.localGateway.authnPassword';
const LAST_PORT_KEY = 'aisBuckets.localGateway.lastPort';
const AUTHN_USER = 'admin';
/** The context key palette and menu `when` rules read: true while it runs or restarts after a crash. */
export const RUNNING_CONTEXT_KEY = 'aisBuckets.localGatewayRunning';

export type LocalGatewayState = 'starting' | 'running' | 'restarting' | 'stopped';

export class LocalGateway implements vscode.Disposable {
  private process?: EmbeddedGatewayProcess;
  private readonly status: vscode.StatusBarItem;
  private starting?: Promise<string>;
  /** It ran (or was started) in this session: the status bar then keeps showing it, stopped too. */
  private used = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('aisBuckets.localGateway', vscode.StatusBarAlignment.Left, 10);
    this.status.name = vscode.l10n.t('AIS Buckets: local gateway');
    this.render();
  }

  /** Where it listens, once the cluster "local" points there (cleared by a crash, until the restart). */
  private listeningAt?: RunningGateway;
  /** The cluster "local" being pointed at a restarted gateway. */
  private relistening?: Promise<void>;

  get url(): string | undefined {
    return this.listeningAt?.url;
  }

  /** The gateway program's process id while it runs (tests kill it to see it restarted). */
  get pid(): number | undefined {
    return this.listeningAt?.pid;
  }

  get state(): LocalGatewayState {
    if (this.listeningAt) return 'running';
    if (this.starting) return 'starting';
    return this.process ? 'restarting' : 'stopped';
  }

  get dataDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'gateway');
  }

  /** Starts it if the user had it running last time (or asked for it in settings). */
  async restoreState(): Promise<void> {
    const auto = vscode.workspace.getConfiguration('aisBuckets').get<boolean>('localGateway.autoStart');
    if (auto || this.context.globalState.get<boolean>(ENABLED_KEY)) {
      await this.start().catch((e) => this.log.error(`local gateway: ${(e as Error).message}`));
    }
  }

  async start(): Promise<string> {
    if (this.url) return this.url;
    // Restarting after a crash: now, and once the cluster "local" points at it.
    if (this.process && !this.starting) {
      const running = await this.process.start();
      await this.relistening;
      return running.url;
    }
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
      this.render();
    });
    return this.starting;
  }

  /** Stops it and starts it again (on the same port when it is free). */
  async restart(): Promise<string> {
    await this.stop();
    return this.start();
  }

  /** The embedded gateway's keys: generated once, kept in SecretStorage. */
  private async credentials(): Promise<{ accessKey: string; secretKey: string }> {
    try {
      const saved = JSON.parse((await this.context.secrets.get(CREDENTIALS_KEY)) ?? '') as { accessKey?: unknown; secretKey?: unknown };
      if (typeof saved.accessKey === 'string' && typeof saved.secretKey === 'string' && saved.accessKey && saved.secretKey)
        return { accessKey: saved.accessKey, secretKey: saved.secretKey };
    } catch {
      // none yet, or unreadable: make new ones
    }
    const made = { accessKey: `AISB${crypto.randomBytes(8).toString('hex').toUpperCase()}`, secretKey: crypto.randomBytes(30).toString('base64url') };
    await this.context.secrets.store(CREDENTIALS_KEY, JSON.stringify(made));
    return made;
  }

  /** The password of the local AuthN's one user, generated once and kept in SecretStorage. */
  private async authnPassword(): Promise<string> {
    const saved = await this.context.secrets.get(AUTHN_PASSWORD_KEY);
    if (saved) return saved;
    const made = crypto.randomBytes(18).toString('base64url');
    await this.context.secrets.store(AUTHN_PASSWORD_KEY, made);
    return made;
  }

  private authnUrl?: string;

  /** With AuthN on: signs in to the local AuthN (at start, and again when its token expired). */
  async signIn(): Promise<boolean> {
    const url = this.url;
    if (!url || !this.authnUrl) return false;
    const { token, expiresAt } = await signIn(this.authnUrl, AUTHN_USER, await this.authnPassword());
    this.log.info(`local gateway: signed in to its AuthN ${this.authnUrl}${expiresAt ? ` (token valid until ${expiresAt.toISOString()})` : ''}`);
    this.registry.setLocal(url, await this.credentials(), { url: this.authnUrl, user: AUTHN_USER, token });
    return true;
  }

  private async doStart(): Promise<string> {
    const cfg = vscode.workspace.getConfiguration('aisBuckets');
    const credentials = await this.credentials();
    // "authn": the gateway also runs AuthN, so that what a secured AIStore cluster asks for can be tried offline.
    const withAuthn = cfg.get<string>('localGateway.authentication') === 'authn';
    const authnTtl = cfg.get<string>('localGateway.authnTokenLifetime') || undefined;
    const proc = new EmbeddedGatewayProcess({
      ...(withAuthn ? { authn: { user: AUTHN_USER, password: await this.authnPassword(), ttl: authnTtl } } : {}),
      script: this.context.asAbsolutePath(path.join('dist', 'gateway.js')),
      dataDir: this.dataDir,
      port: cfg.get<number>('localGateway.port') ?? 0,
      // The port it had last time: the URL given to s3cmd, the aws CLI and the upload journal stays right.
      preferredPort: this.context.globalState.get<number>(LAST_PORT_KEY),
      restart: {},
      checksum: cfg.get<string>('localGateway.defaultChecksum') || undefined,
      onLog: (line) => this.log.info(`[gateway] ${line}`),
      credentials,
    });
    this.process = proc;
    this.used = true;
    this.render();
    try {
      proc.onRestart((e) => {
        if (this.process === proc) void this.restarted(proc, e, credentials);
      });
      const running = await proc.start();
      await this.context.globalState.update(ENABLED_KEY, true);
      await this.listening(running, credentials);
      return running.url;
    } catch (e) {
      this.process = undefined;
      this.listeningAt = undefined;
      this.render();
      throw e;
    }
  }

  /** It listens (first start or restart): the cluster "local" points at it. */
  private async listening(running: RunningGateway, credentials: { accessKey: string; secretKey: string }) {
    this.log.info(`local gateway listening on ${running.url} (data: ${this.dataDir})${running.authnUrl ? `, AuthN on ${running.authnUrl}` : ''}`);
    this.authnUrl = running.authnUrl;
    // The cluster first, then `url`: whoever sees the URL gets a client for this process, not the last one.
    this.registry.setLocal(running.url, credentials);
    this.listeningAt = running;
    void this.context.globalState.update(LAST_PORT_KEY, running.port);
    if (running.authnUrl) await this.signIn();
    this.render();
  }

  /** After a crash: the spinner while it restarts, the cluster back on its new URL, and the user told. */
  private async restarted(proc: EmbeddedGatewayProcess, e: GatewayRestartEvent, credentials: { accessKey: string; secretKey: string }) {
    const how = describeExit(e.exit);
    const showLog = vscode.l10n.t('Show Log');
    if (e.type === 'crashed') {
      this.listeningAt = undefined;
      this.log.warn(`local gateway stopped unexpectedly (${how}); restarting in ${e.delayMs} ms`);
      this.render();
    } else if (e.type === 'restarted') {
      this.relistening = this.listening(e.running, credentials).catch((err) => this.log.error(`local gateway: ${(err as Error).message}`));
      await this.relistening;
      void vscode.window.showWarningMessage(vscode.l10n.t('The local AIS gateway stopped unexpectedly ({0}) and was restarted.', how), showLog).then((pick) => {
        if (pick === showLog) this.log.show();
      });
    } else {
      this.log.error(`local gateway stopped unexpectedly (${how}) ${e.crashes} times in ${e.windowMs / 1000} s; not restarted${e.error ? `: ${e.error}` : ''}`);
      if (this.process === proc) this.process = undefined;
      this.listeningAt = undefined;
      this.registry.setLocal(undefined);
      this.render();
      const restart = vscode.l10n.t('Restart');
      const minutes = Math.round(e.windowMs / 60_000);
      void vscode.window
        .showErrorMessage(vscode.l10n.t('The local AIS gateway stopped unexpectedly {0} times in {1} minutes; it was not restarted.', e.crashes, minutes), restart, showLog)
        .then((pick) => {
          if (pick === restart) void vscode.commands.executeCommand('aisBuckets.startLocalGateway');
          if (pick === showLog) this.log.show();
        });
    }
  }

  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc) return;
    try {
      await proc.stop();
    } finally {
      if (this.process === proc) this.process = undefined;
      this.listeningAt = undefined;
      await this.context.globalState.update(ENABLED_KEY, false);
      this.registry.setLocal(undefined);
      this.render();
    }
  }

  private render() {
    const state = this.state;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, state !== 'stopped');
    this.status.command = { command: 'aisBuckets.localGatewayMenu', title: vscode.l10n.t('Local Gateway…') };
    const url = this.url;
    if (state === 'running' && url) {
      this.status.text = `$(database) ${vscode.l10n.t('AIS local')}`;
      this.status.tooltip = new vscode.MarkdownString(
        vscode.l10n.t('**Local AIS gateway** running at {0}\n\nS3: `{1}` · data: `{2}`\n\nClick for connection details, restart, stop and the log.', url, `${url}/s3`, this.dataDir),
      );
      this.status.show();
    } else if (state === 'starting') {
      this.status.text = `$(sync~spin) ${vscode.l10n.t('AIS local')}`;
      this.status.tooltip = vscode.l10n.t('The local AIS gateway is starting.');
      this.status.show();
    } else if (state === 'restarting') {
      this.status.text = `$(sync~spin) ${vscode.l10n.t('AIS local')}`;
      this.status.tooltip = vscode.l10n.t('The local AIS gateway stopped unexpectedly and is being restarted. Click for its menu.');
      this.status.show();
    } else if (this.used) {
      // Once used in this session, it stays in the status bar: a click starts it again.
      this.status.text = `$(circle-slash) ${vscode.l10n.t('AIS local')}`;
      this.status.tooltip = vscode.l10n.t('The local AIS gateway is stopped. Click to start it or to open the log.');
      this.status.show();
    } else {
      this.status.hide();
    }
  }

  dispose(): void {
    this.status.dispose();
    void this.process?.stop();
  }
}

function describeExit(exit: GatewayExit): string {
  return exit.signal ?? vscode.l10n.t('exit code {0}', String(exit.code));
}

/**
 * Before a stop or restart: with transfers running on the local gateway, a modal says how many and what
 * becomes of them. True when there are none or the user went ahead.
 */
export async function confirmInterruptingTransfers(action: 'stop' | 'restart'): Promise<boolean> {
  const n = runningTransfers.count(LOCAL_CLUSTER);
  if (n === 0) return true;
  const message =
    action === 'stop'
      ? n === 1
        ? vscode.l10n.t('A transfer is running on the local gateway. Stop it anyway?')
        : vscode.l10n.t('{0} transfers are running on the local gateway. Stop it anyway?', n)
      : n === 1
        ? vscode.l10n.t('A transfer is running on the local gateway. Restart it anyway?')
        : vscode.l10n.t('{0} transfers are running on the local gateway. Restart it anyway?', n);
  // What the upload journal makes true: multipart uploads keep their parts; the rest fails.
  const detail = vscode.l10n.t('They will fail. Large (multipart) uploads can be resumed once it runs again; other transfers have to be started again.');
  const go = action === 'stop' ? vscode.l10n.t('Stop') : vscode.l10n.t('Restart');
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, go)) === go;
}

interface MenuItem extends vscode.QuickPickItem {
  run: () => unknown;
}

/** The status-bar item's menu: what applies in the gateway's state. */
async function showGatewayMenu(gateway: LocalGateway, log: vscode.LogOutputChannel, reveal: () => Promise<unknown>): Promise<void> {
  const state = gateway.state;
  const url = gateway.url;
  const openLog: MenuItem = { label: `$(output) ${vscode.l10n.t('Open Log')}`, description: vscode.l10n.t('the AIS Buckets output'), run: () => log.show() };
  const stop: MenuItem = { label: `$(debug-stop) ${vscode.l10n.t('Stop')}`, run: () => vscode.commands.executeCommand('aisBuckets.stopLocalGateway') };
  const items: MenuItem[] =
    state === 'running'
      ? [
          { label: `$(plug) ${vscode.l10n.t('Show Connection Details')}`, description: vscode.l10n.t('endpoints and keys for s3cmd, the aws CLI, the ais CLI'), run: () => vscode.commands.executeCommand('aisBuckets.showConnectionDetails', { clusterName: LOCAL_CLUSTER }) },
          { label: `$(debug-restart) ${vscode.l10n.t('Restart')}`, run: () => vscode.commands.executeCommand('aisBuckets.restartLocalGateway') },
          stop,
          openLog,
          { label: `$(list-tree) ${vscode.l10n.t('Reveal in Tree')}`, run: reveal },
        ]
      : state === 'restarting' || state === 'starting'
        ? [stop, openLog]
        : [{ label: `$(play) ${vscode.l10n.t('Start')}`, run: () => vscode.commands.executeCommand('aisBuckets.startLocalGateway') }, openLog];
  const placeholder =
    state === 'running' && url
      ? vscode.l10n.t('Running at {0} · data: {1}', url, gateway.dataDir)
      : state === 'restarting'
        ? vscode.l10n.t('Restarting after a crash…')
        : state === 'starting'
          ? vscode.l10n.t('Starting…')
        : vscode.l10n.t('Stopped · data: {0}', gateway.dataDir);
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Local AIS Gateway'), placeHolder: placeholder });
  await picked?.run();
}

export function registerGatewayCommands(context: vscode.ExtensionContext, gateway: LocalGateway, log: vscode.LogOutputChannel, reveal: () => Promise<unknown>) {
  const startFailed = (e: unknown) => {
    log.error(`local gateway: ${(e as Error).message}`);
    void vscode.window
      .showErrorMessage(vscode.l10n.t('Could not start the local AIS gateway: {0}', (e as Error).message.split('\n')[0]), vscode.l10n.t('Show Log'))
      .then((p) => p && log.show());
    return undefined;
  };
  // Called from the tree (with its node), the palette, the menu, or code (`{ confirm: false }`).
  const confirmed = (action: 'stop' | 'restart', arg: unknown) =>
    (arg as { confirm?: boolean } | undefined)?.confirm === false ? Promise.resolve(true) : confirmInterruptingTransfers(action);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.startLocalGateway', async () => {
      try {
        const url = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the local AIS gateway…') },
          () => gateway.start(),
        );
        return url;
      } catch (e) {
        return startFailed(e);
      }
    }),
    vscode.commands.registerCommand('aisBuckets.stopLocalGateway', async (arg?: unknown) => {
      if (gateway.state === 'stopped' || !(await confirmed('stop', arg))) return false;
      await gateway.stop();
      return true;
    }),
    vscode.commands.registerCommand('aisBuckets.restartLocalGateway', async (arg?: unknown) => {
      if (!(await confirmed('restart', arg))) return undefined;
      try {
        return await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Restarting the local AIS gateway…') },
          () => gateway.restart(),
        );
      } catch (e) {
        return startFailed(e);
      }
    }),
    vscode.commands.registerCommand('aisBuckets.localGatewayMenu', () => showGatewayMenu(gateway, log, reveal)),
    // Sign In Again on the local cluster: it has its own password, nothing to ask.
    vscode.commands.registerCommand('aisBuckets.signInLocalGateway', async () => gateway.signIn()),
  );
}
