// What several command files share: the bucket or folder a command acts on (the tree node it was given,
// else what the user picks), how a failure is told, and transfers under a cancellable notification.
import * as vscode from 'vscode';
import { type BucketRef, isClientError } from '../client/cluster';
import { TransferCancelled } from '../client/transfer/limits';
import type { TransferOptions, TransferProgress } from '../client/transfer/options';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';

/** Where a command works: a bucket (prefix '') or a folder (prefix ends with '/'). */
export interface Destination {
  clusterName: string;
  bucket: BucketRef;
  prefix: string;
}

export type OverwritePolicy = 'overwrite' | 'skip' | 'ask';

export interface TransferCommandOptions {
  /** What to do when targets exist (default 'ask'; commands run with arguments default to 'overwrite'). */
  overwrite?: OverwritePolicy;
  /** Called instead of showing a notification, for tests. */
  quiet?: boolean;
}

/** The bucket or folder of a node: itself, or for an object the folder it is in. */
export function destinationOf(node: TreeNode | undefined): Destination | undefined {
  if (!node) return undefined;
  if (node.type === 'bucket') return { clusterName: node.clusterName, bucket: node.bucket, prefix: '' };
  if (node.type === 'folder') return { clusterName: node.clusterName, bucket: node.bucket, prefix: node.prefix };
  if (node.type === 'object') return { clusterName: node.clusterName, bucket: node.bucket, prefix: node.parentPrefix };
  return undefined;
}

/** The nodes a context-menu command runs on: the multi-selection, else the one clicked. */
export function selection(node: TreeNode | undefined, nodes: TreeNode[] | undefined): TreeNode[] {
  if (nodes && nodes.length) return nodes;
  return node ? [node] : [];
}

export async function pickCluster(registry: ClusterRegistry, title: string): Promise<string | undefined> {
  const entries = await registry.entries();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No clusters yet: start the local gateway or add a cluster first.'));
    return undefined;
  }
  if (entries.length === 1) return entries[0].spec.name;
  const pick = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.spec.name, description: e.spec.endpoint })),
    { title, placeHolder: vscode.l10n.t('Which cluster?') },
  );
  return pick?.label;
}

export async function pickBucket(registry: ClusterRegistry, clusterName: string, title: string): Promise<BucketRef | undefined> {
  const client = await registry.client(clusterName);
  const buckets = await client.listBuckets();
  if (buckets.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Cluster "{0}" has no buckets.', clusterName));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    buckets.map((b) => ({ label: b.name, description: b.provider, bucket: b })),
    { title, placeHolder: vscode.l10n.t('Which bucket?') },
  );
  return pick?.bucket;
}

/** A cluster, then a bucket on it, then (with `askPrefix`) a folder inside it. */
export async function pickDestination(registry: ClusterRegistry, title: string, askPrefix = true): Promise<Destination | undefined> {
  const clusterName = await pickCluster(registry, title);
  if (!clusterName) return undefined;
  const bucket = await pickBucket(registry, clusterName, title);
  if (!bucket) return undefined;
  if (!askPrefix) return { clusterName, bucket, prefix: '' };
  const prefix = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Folder (key prefix) inside the bucket; empty for the top level'), value: '' });
  if (prefix === undefined) return undefined;
  return { clusterName, bucket, prefix: prefix && !prefix.endsWith('/') ? prefix + '/' : prefix };
}

/**
 * Logs a failure and tells the user "WHAT failed: why"; with `showLog`, the message offers the log. When
 * the cluster refused the credentials, it offers to sign in again (or to edit the connection), and then
 * runs `retry`, so that the work that met an expired token goes on (a transfer resumes from its journal).
 */
export function showFailure(log: vscode.LogOutputChannel, what: string, e: unknown, options: { showLog?: boolean; retry?: () => unknown } = {}): void {
  const message = errorText(e);
  log.error(`${what}: ${message}`);
  const showLog = vscode.l10n.t('Show Log');
  const auth = isClientError(e) && e.kind === 'auth' ? e : undefined;
  const tokenProblem = auth?.authProblem === 'token-expired' || auth?.authProblem === 'token-invalid';
  const fix = auth ? (tokenProblem ? vscode.l10n.t('Sign In Again') : vscode.l10n.t('Edit Connection…')) : undefined;
  const actions = [...(fix ? [fix] : []), ...(options.showLog ? [showLog] : [])];
  void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, message), ...actions).then(async (pick) => {
    if (pick === showLog) log.show();
    if (pick !== fix || !auth) return;
    const fixed = tokenProblem
      ? await vscode.commands.executeCommand<boolean>('aisBuckets.signIn', { endpoint: auth.endpoint })
      : await vscode.commands.executeCommand<boolean>('aisBuckets.editConnection', { endpoint: auth.endpoint });
    if (!fixed || !options.retry) return;
    try {
      await options.retry();
    } catch (again) {
      showFailure(log, what, again, options);
    }
  });
}

/** Part sizes and parallelism from the settings; a cluster's own chunk size wins over the setting. */
export function transferSettings(partSizeMb?: number): Pick<TransferOptions, 'partSize' | 'partConcurrency' | 'fileConcurrency'> {
  const cfg = vscode.workspace.getConfiguration('aisBuckets.transfer');
  return {
    partSize: Math.max(5, partSizeMb ?? cfg.get<number>('partSizeMb') ?? 16) * 1024 * 1024,
    partConcurrency: Math.max(1, cfg.get<number>('parallelParts') ?? 4),
    fileConcurrency: Math.max(1, cfg.get<number>('parallelFiles') ?? 8),
  };
}

function describeProgress(p: TransferProgress): string {
  const amount = vscode.l10n.t('{0} of {1} · {2}/s', formatSize(p.bytesDone), formatSize(p.bytesTotal), formatSize(p.rate));
  return p.filesTotal > 1 ? vscode.l10n.t('{0}/{1} files · {2}', p.filesDone, p.filesTotal, amount) : amount;
}

/** Runs a transfer under a cancellable progress notification; returns undefined when cancelled. */
/** A progress notification with Cancel; Cancel aborts `abort`, which the work passes on as its signal. */
export function withCancellableProgress<T>(
  title: string,
  work: (progress: vscode.Progress<{ message?: string; increment?: number }>, abort: AbortController) => Thenable<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return work(progress, abort);
  });
}

export async function runTransfer<T>(
  title: string,
  log: vscode.LogOutputChannel,
  work: (opts: Pick<TransferOptions, 'signal' | 'onProgress' | 'onLog'>) => Promise<T>,
): Promise<T | undefined> {
  return withCancellableProgress(title, async (progress, abort) => {
    let lastFraction = 0;
    try {
      return await work({
        signal: abort.signal,
        onLog: (line) => log.info(line),
        onProgress: (p) => {
          const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
          progress.report({ message: describeProgress(p), increment: Math.max(0, (fraction - lastFraction) * 100) });
          lastFraction = Math.max(lastFraction, fraction);
        },
      });
    } catch (e) {
      if (e instanceof TransferCancelled || abort.signal.aborted) {
        log.info(`${title}: cancelled`);
        return undefined;
      }
      throw e;
    }
  });
}
