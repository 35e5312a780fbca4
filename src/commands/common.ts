// What several command files share: the bucket or folder a command acts on (the tree node it was given,
// else what the user picks), how a failure is told, and transfers under a cancellable notification.
import * as vscode from 'vscode';
import { type BucketRef, isClientError, type ObjectEntry, sameBucket as isSameBucket } from '../client/cluster';
import { DEFAULT_FILE_CONCURRENCY, TransferCancelled } from '../client/transfer/limits';
import type { TransferOptions, TransferProgress } from '../client/transfer/options';
import { runningTransfers } from '../client/transfer/running';
import { errorText } from '../objects/errors';
import { formatDate, formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import { leafName, parentPrefix } from '../objects/names';
import type { ClusterRegistry } from '../registry';
import type { BucketNode, FolderNode, ObjectNode, TreeNode } from '../views/model';
import { type CustomPickDone, MultiStepInput, type Step } from './input/multistep';

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

/**
 * A cluster, then a bucket on it, then (with `askPrefix`) a folder inside it, browsed; `askPrefix` may offer
 * a new folder by name and label the item that chooses the folder on screen ("Upload Here").
 */
export async function pickDestination(
  registry: ClusterRegistry,
  title: string,
  askPrefix: boolean | Pick<PickTargetOptions, 'newFolder' | 'chooseHere'> = true,
): Promise<Destination | undefined> {
  const browse = typeof askPrefix === 'object' ? { folders: true, bucket: true, ...askPrefix } : askPrefix ? { folders: true, bucket: true } : { bucket: true, browse: false };
  const picked = await pickTarget(registry, title, browse);
  return picked && destinationOf(picked);
}

/** What pickTarget offers: objects, folders, the bucket itself. */
export interface PickTargetOptions {
  objects?: boolean;
  folders?: boolean;
  bucket?: boolean;
  /** List the bucket's folders (and with `objects`, its objects); false: the bucket is the answer (default true). */
  browse?: boolean;
  /** Offer a new folder named by what is typed (an upload's or a new folder's destination). */
  newFolder?: boolean;
  /** The label of the item that chooses the folder (or bucket) on screen: "Upload Here", "Download This Folder". */
  chooseHere?: string;
}

export type PickedTarget = BucketNode | FolderNode | ObjectNode;

interface TargetItem extends vscode.QuickPickItem {
  act?: 'up' | 'here' | 'folder' | 'object' | 'more' | 'newFolder';
  entry?: ObjectEntry;
  prefix?: string;
}

/** A walk's place: kept across Back, so that a step shows what was chosen there. */
interface TargetState {
  clusterName?: string;
  bucket?: BucketRef;
  prefix: string;
  /** The key (or folder prefix) picked last: preselected when the walk comes back to its folder. */
  key?: string;
}

/** Steps a palette command runs in its one quick input, and how many they are. */
export interface Flow {
  steps: number;
  first: Step;
}

/** What follows a walk: the next step given what was picked, or nothing (the flow ends). */
export type Then<T> = (picked: T) => Step | void | Promise<Step | void>;

function sameBucket(a: BucketRef | undefined, b: BucketRef | undefined): boolean {
  return !!a && !!b && isSameBucket(a, b);
}

async function clusterEntries(registry: ClusterRegistry) {
  const entries = await registry.entries();
  if (entries.length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('No clusters yet: start the local gateway or add a cluster first.'));
  return entries;
}

/**
 * The cluster a palette command works on, as the first step of its flow: asked only when there are
 * several (steps 0 otherwise, and the flow starts at `then`). Undefined when there is no cluster (said).
 */
export async function clusterFlow(registry: ClusterRegistry, then: Then<string>): Promise<Flow | undefined> {
  const entries = await clusterEntries(registry);
  if (entries.length === 0) return undefined;
  if (entries.length === 1) {
    const only = entries[0].spec.name;
    // Not a step of its own: the flow's first step is then's.
    return {
      steps: 0,
      first: async (input) => {
        const next = await then(only);
        return next ? next(input) : undefined;
      },
    };
  }
  let chosen: string | undefined;
  return {
    steps: 1,
    first: async (input) => {
      chosen = await input.quickPick<string>({
        placeholder: vscode.l10n.t('Which cluster?'),
        items: entries.map((e) => ({ label: e.spec.name, description: e.spec.endpoint, value: e.spec.name })),
        active: chosen,
      });
      return then(chosen);
    },
  };
}

/**
 * What a palette command needs when no tree node was given, as steps of its flow: a cluster (asked only
 * when there are several), a bucket, then (with `browse`) a walk through its folders, as the tree lists
 * them, to an object or a folder, and then `then`'s steps. Enter on a folder opens it, Back (and "..") goes
 * up a level, then back a step; coming back from a later step shows the folder where the pick was made.
 */
export async function targetFlow(registry: ClusterRegistry, options: PickTargetOptions, then: Then<PickedTarget>): Promise<Flow | undefined> {
  const browse = options.browse !== false;
  const state: TargetState = { prefix: '' };
  const bucketStep: Step = async (input) => {
    const clusterName = state.clusterName!;
    const items = (async () => (await (await registry.client(clusterName)).listBuckets()).map((b) => ({ label: b.name, description: b.provider, iconPath: new vscode.ThemeIcon('database'), value: b })))();
    const bucket = await input.quickPick<BucketRef>({
      placeholder: vscode.l10n.t('Which bucket?'),
      emptyPlaceholder: vscode.l10n.t('Cluster "{0}" has no buckets.', clusterName),
      items,
      isActive: (b) => sameBucket(b, state.bucket),
    });
    if (!sameBucket(bucket, state.bucket)) Object.assign(state, { bucket, prefix: '', key: undefined });
    if (!browse) return then({ type: 'bucket', clusterName, bucket });
    return browseStep;
  };
  const browseStep: Step = async (input) => then(await input.customPick<TargetItem, PickedTarget>((qp, done) => browseFolders(registry, options, state, qp, done)));
  const clusters = await clusterFlow(registry, (name) => {
    if (name !== state.clusterName) Object.assign(state, { clusterName: name, bucket: undefined, prefix: '', key: undefined });
    return bucketStep;
  });
  return clusters && { steps: clusters.steps + 1 + (browse ? 1 : 0), first: clusters.first };
}

/** The browse step: the folders (and objects) of `state`'s bucket, a level at a time, as the tree lists them. */
function browseFolders(registry: ClusterRegistry, options: PickTargetOptions, state: TargetState, qp: vscode.QuickPick<TargetItem>, done: CustomPickDone<PickedTarget>): vscode.Disposable[] {
  const clusterName = state.clusterName!;
  const bucket = state.bucket!;
  const pageSize = Math.max(1, Math.min(10000, vscode.workspace.getConfiguration('aisBuckets').get<number>('pageSize') ?? 1000));
  // Each level's listing is numbered: an answer that arrives after the user moved on is dropped.
  let generation = 0;
  let listed: TargetItem[] = [];
  let token: string | undefined;

  const browsePlaceholder = (where: string) =>
    options.objects && options.folders
      ? vscode.l10n.t('{0}: pick an object or a folder (Enter opens a folder)', where)
      : options.objects
        ? vscode.l10n.t('{0}: pick an object (Enter opens a folder)', where)
        : options.newFolder
          ? vscode.l10n.t('{0}: pick a folder, or type the name of a new one', where)
          : vscode.l10n.t('{0}: pick a folder', where);
  const hereLabel = () => options.chooseHere ?? (state.prefix ? vscode.l10n.t('This Folder') : vscode.l10n.t('This Bucket'));
  const render = () => {
    const prefix = state.prefix;
    const where = objectUri(bucket, prefix);
    const head: TargetItem[] = [];
    if (prefix) head.push({ label: '..', description: vscode.l10n.t('Up to {0}', objectUri(bucket, parentPrefix(prefix))), iconPath: new vscode.ThemeIcon('arrow-up'), act: 'up', alwaysShow: true });
    if (prefix ? options.folders : options.bucket)
      head.push({ label: hereLabel(), description: where, iconPath: new vscode.ThemeIcon('check'), act: 'here', alwaysShow: true });
    const typed = qp.value.trim().replace(/^\/+|\/+$/g, '');
    if (options.newFolder && typed && !typed.includes('//') && !listed.some((i) => i.act === 'folder' && i.prefix === `${prefix}${typed}/`))
      head.push({ label: vscode.l10n.t('New Folder "{0}/"', typed), description: objectUri(bucket, `${prefix}${typed}/`), iconPath: new vscode.ThemeIcon('new-folder'), act: 'newFolder', prefix: `${prefix}${typed}/`, alwaysShow: true });
    const more: TargetItem[] = token ? [{ label: vscode.l10n.t('Load More…'), description: vscode.l10n.t('{0} names shown', listed.length), iconPath: new vscode.ThemeIcon('more'), act: 'more', alwaysShow: true }] : [];
    const separator: TargetItem[] = head.length && listed.length ? [{ label: '', kind: vscode.QuickPickItemKind.Separator }] : [];
    qp.items = [...head, ...separator, ...listed, ...more];
    qp.placeholder = browsePlaceholder(where);
    const last = state.key && listed.find((i) => (i.act === 'object' ? i.entry!.key : i.prefix) === state.key);
    if (last) qp.activeItems = [last];
  };
  const loadPage = async () => {
    const mine = generation;
    const prefix = state.prefix;
    qp.busy = true;
    try {
      const page = await (await registry.client(clusterName)).listObjects(bucket, { prefix, folders: true, pageSize, token });
      if (mine !== generation) return;
      listed.push(
        ...page.folders.map((f): TargetItem => ({ label: leafName(f, prefix), iconPath: vscode.ThemeIcon.Folder, act: 'folder', prefix: f })),
        ...(options.objects
          ? page.objects
              .filter((o) => o.key !== prefix) // the folder's own marker
              .map((o): TargetItem => ({ label: leafName(o.key, prefix), description: [formatSize(o.size), formatDate(o.mtime)].filter(Boolean).join(' · '), iconPath: vscode.ThemeIcon.File, act: 'object', entry: o }))
          : []),
      );
      token = page.nextToken;
      render();
      if (listed.length === 0 && !token) {
        const where = objectUri(bucket, prefix);
        qp.placeholder = options.newFolder ? vscode.l10n.t('{0} is empty: choose it with "{1}", or type the name of a new folder.', where, hereLabel()) : vscode.l10n.t('{0} is empty.', where);
      }
    } catch (e) {
      if (mine === generation) qp.placeholder = errorText(e);
    } finally {
      if (mine === generation) qp.busy = false;
    }
  };
  const showFolder = async (at: string) => {
    generation++;
    if (at !== state.prefix) state.key = undefined;
    state.prefix = at;
    listed = [];
    token = undefined;
    qp.value = '';
    render();
    await loadPage();
  };
  const up = () => {
    state.key = state.prefix; // the folder left is preselected one level up
    const parent = parentPrefix(state.prefix);
    generation++;
    state.prefix = parent;
    listed = [];
    token = undefined;
    qp.value = '';
    render();
    void loadPage();
  };
  const resolve = (picked: PickedTarget, key?: string) => {
    state.key = key;
    done.resolve(picked);
  };
  const here = (): PickedTarget => (state.prefix ? { type: 'folder', clusterName, bucket, prefix: state.prefix } : { type: 'bucket', clusterName, bucket });
  const disposables = [
    qp.onDidChangeValue(() => {
      if (options.newFolder) render();
    }),
    qp.onDidTriggerButton((b) => {
      if (b !== vscode.QuickInputButtons.Back) return;
      if (state.prefix) up();
      else done.back();
    }),
    qp.onDidAccept(() => {
      const item = qp.activeItems[0];
      if (!item || qp.busy) return;
      switch (item.act) {
        case 'up':
          return up();
        case 'folder':
          return void showFolder(item.prefix!);
        case 'more':
          return void loadPage();
        case 'here':
          return resolve(here());
        case 'newFolder':
          return resolve({ type: 'folder', clusterName, bucket, prefix: item.prefix! });
        case 'object':
          return resolve({ type: 'object', clusterName, bucket, key: item.entry!.key, entry: item.entry!, parentPrefix: state.prefix }, item.entry!.key);
      }
    }),
  ];
  void showFolder(state.prefix);
  return disposables;
}

/** A target walk on its own (what follows is not a quick input: a dialog, a confirmation); undefined when closed. */
export async function pickTarget(registry: ClusterRegistry, title: string, options: PickTargetOptions): Promise<PickedTarget | undefined> {
  let picked: PickedTarget | undefined;
  const flow = await targetFlow(registry, options, (p) => {
    picked = p;
  });
  if (!flow || !(await MultiStepInput.run(title, () => flow.steps, flow.first))) return undefined;
  return picked;
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
    fileConcurrency: Math.max(1, cfg.get<number>('parallelFiles') ?? DEFAULT_FILE_CONCURRENCY),
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

/** `clusters`: the ones it moves data from and to (counted while it runs: stopping the local gateway asks). */
export async function runTransfer<T>(
  title: string,
  log: vscode.LogOutputChannel,
  clusters: readonly string[],
  work: (opts: Pick<TransferOptions, 'signal' | 'onProgress' | 'onLog'>) => Promise<T>,
): Promise<T | undefined> {
  return runningTransfers.track(clusters, () => withCancellableProgress(title, async (progress, abort) => {
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
  }));
}
