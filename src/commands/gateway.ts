// The embedded gateway inside VS Code: a child process on a free loopback port, data under the
// extension's global storage, shown as the cluster "local" and in the status bar; it stops with VS Code.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signIn } from '../client/ais/authn';
import { EmbeddedGatewayProcess } from '../embedded/process';
import type { ClusterRegistry } from '../registry';

const ENABLED_KEY = 'aisBuckets.localGateway.enabled';
const CREDENTIALS_KEY = 'aisBuckets.localGateway.credentials';
const AUTHN_PASSWORD_KEY = 'aisBuckets.localGateway.authnPassword';
const AUTHN_USER = 'admin';

export class LocalGateway implements vscode.Disposable {
  private process?: EmbeddedGatewayProcess;
  private readonly status: vscode.StatusBarItem;
  private starting?: Promise<string>;
  private stopping = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('aisBuckets.localGateway', vscode.StatusBarAlignment.Left, 10);
    this.status.name = vscode.l10n.t('AIS Buckets: local gateway');
    this.render();
  }

  get url(): string | undefined {
    return this.process?.current?.url;
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
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
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
      checksum: cfg.get<string>('localGateway.defaultChecksum') || undefined,
      onLog: (line) => this.log.info(`[gateway] ${line}`),
      credentials,
    });
    this.process = proc;
    this.status.text = `$(sync~spin) ${vscode.l10n.t('AIS local')}`;
    this.status.show();
    try {
      const running = await proc.start();
      proc.onExit((code, signal) => {
        if (this.process !== proc) return;
        this.process = undefined;
        this.registry.setLocal(undefined);
        this.render();
        if (!this.stopping) {
          const restart = vscode.l10n.t('Restart');
          const showLog = vscode.l10n.t('Show Log');
          const how = signal ?? vscode.l10n.t('exit code {0}', String(code));
          void vscode.window.showWarningMessage(vscode.l10n.t('The local AIS gateway stopped unexpectedly ({0}).', how), restart, showLog).then((pick) => {
            if (pick === restart) void vscode.commands.executeCommand('aisBuckets.startLocalGateway');
            if (pick === showLog) this.log.show();
          });
        }
      });
      this.log.info(`local gateway listening on ${running.url} (data: ${this.dataDir})${running.authnUrl ? `, AuthN on ${running.authnUrl}` : ''}`);
      await this.context.globalState.update(ENABLED_KEY, true);
      this.authnUrl = running.authnUrl;
      this.registry.setLocal(running.url, credentials);
      if (running.authnUrl) await this.signIn();
      this.render();
      return running.url;
    } catch (e) {
      this.process = undefined;
      this.render();
      throw e;
    }
  }

  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc) return;
    this.stopping = true;
    try {
      await proc.stop();
    } finally {
      this.stopping = false;
      this.process = undefined;
      await this.context.globalState.update(ENABLED_KEY, false);
      this.registry.setLocal(undefined);
      this.render();
    }
  }

  private render() {
    const url = this.url;
    if (url) {
      this.status.text = `$(database) ${vscode.l10n.t('AIS local')}`;
      this.status.tooltip = new vscode.MarkdownString(vscode.l10n.t('**Local AIS gateway** running at {0}\n\nS3: `{1}` · data: `{2}`\n\nClick to stop.', url, `${url}/s3`, this.dataDir));
      this.status.command = 'aisBuckets.stopLocalGateway';
      this.status.show();
    } else {
      this.status.hide();
    }
  }

  dispose(): void {
    this.status.dispose();
    this.stopping = true;
    void this.process?.stop();
  }
}

export function registerGatewayCommands(context: vscode.ExtensionContext, gateway: LocalGateway, log: vscode.LogOutputChannel) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.startLocalGateway', async () => {
      try {
        const url = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the local AIS gateway…') },
          () => gateway.start(),
        );
        return url;
      } catch (e) {
        log.error(`local gateway: ${(e as Error).message}`);
        void vscode.window
          .showErrorMessage(vscode.l10n.t('Could not start the local AIS gateway: {0}', (e as Error).message.split('\n')[0]), vscode.l10n.t('Show Log'))
          .then((p) => p && log.show());
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.stopLocalGateway', async () => {
      await gateway.stop();
    }),
    // Sign In Again on the local cluster: it has its own password, nothing to ask.
    vscode.commands.registerCommand('aisBuckets.signInLocalGateway', async () => gateway.signIn()),
  );
}
