// Activation: builds the cluster registry, the tree and the commands. Thin glue over src/client and
// src/config; the embedded gateway runs as a child process and is reached over HTTP like any cluster.
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { FileUploadJournal } from './client/transfer/journal';
import { registerBucketCommands } from './commands/buckets';
import { registerCacheCommands } from './commands/cache';
import { registerClusterCommands } from './commands/clusters';
import { registerCopyBucketCommand } from './commands/copybucket';
import { registerCopyToCommand } from './commands/copyto';
import { registerDeleteByTemplateCommand } from './commands/deletetemplate';
import { registerJobCommands } from './commands/jobs';
import { registerSummaryCommand } from './commands/summary';
import { showConnectionDetails } from './commands/connection/details';
import { offerImportOnce, registerImportCommands } from './commands/connection/imports';
import { destinationOf } from './commands/common';
import { registerFindCommands } from './commands/find';
import { LocalGateway, registerGatewayCommands } from './commands/gateway';
import { registerLinkCommands } from './commands/links';
import { registerMetadataCommands } from './commands/metadata';
import { registerOpenCommands } from './commands/open';
import { registerPropsCommands } from './commands/props';
import { registerRenameCommands } from './commands/rename';
import { registerTransferCommands } from './commands/transfer';
import { registerTreeKeys } from './commands/treekeys';
import { registerUploadCommands } from './commands/uploads';
import { JobBoard } from './jobs/board';
import { AisFileSystemProvider, fsUri, SERVER_SCHEME } from './fs/provider';
import { ShardMemberFileSystem } from './fs/shardmembers';
import { registerShardCommands } from './commands/shards';
import { FS_SCHEME, SHARD_SCHEME } from './objects/location';
import { recordingLog } from './logrecorder';
import { ClusterRegistry, LOCAL_CLUSTER } from './registry';
import { BucketDragAndDrop } from './views/dnd';
import type { TreeNode } from './views/model';
import type { BucketPropsPanels } from './views/bucketprops';
import { JobsTreeProvider } from './views/jobs';
import { BucketTreeProvider, registerTreeCommands } from './views/tree';
import { startEventLoopMeter } from './common/eventloopmeter';

export interface AisBucketsApi {
  registry: ClusterRegistry;
  tree: BucketTreeProvider;
  gateway: LocalGateway;
  treeView: vscode.TreeView<unknown>;
  dragAndDrop: BucketDragAndDrop;
  /** The `ais:` file system (buckets as folders, objects as documents). */
  fs: AisFileSystemProvider;
  /** The journal of resumable multipart uploads (a file in global storage). */
  uploadJournal: FileUploadJournal;
  /** This extension's log folder; the output channel's log file is in it (or in the extension host's folder above it). */
  logUri: vscode.Uri;
  /** The bucket properties pages; a page's `receive` takes what its webview posts (Save, Show Raw JSON). */
  bucketProps: BucketPropsPanels;
  /** The jobs the Jobs view shows (the clusters' and those run here). */
  jobs: JobBoard;
  jobsView: vscode.TreeView<unknown>;
  /** Under a test runner (ExtensionMode.Test): every line logged this session. */
  sessionLog?: () => string;
}

export async function activate(context: vscode.ExtensionContext): Promise<AisBucketsApi> {
  // The vscode-free layers (tree model, ais: file system core, name checks) translate with @vscode/l10n:
  // hand it the bundle VS Code loaded for the display language (none for English).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const channel = vscode.window.createOutputChannel('AIS Buckets', { log: true });
  // Under a test runner, the lines logged are kept for the test that checks no secret reached the log.
  const logged: string[] | undefined = context.extensionMode === vscode.ExtensionMode.Test ? [] : undefined;
  const log = logged ? recordingLog(channel, logged) : channel;
  const registry = new ClusterRegistry(context.secrets);
  const gateway = new LocalGateway(context, registry, log);
  const tree = new BucketTreeProvider(registry, log);
  const fs = new AisFileSystemProvider(registry, log, context.globalState);
  const memberFs = new ShardMemberFileSystem(registry, log);
  const dnd = new BucketDragAndDrop({
    objectUri: (n) => fsUri({ cluster: n.clusterName, bucket: n.bucket, key: n.key }),
    // A drop is the user's own action: it asks (existing names, md5) and tells what it did.
    uploadUris: (target, uris) => vscode.commands.executeCommand('aisBuckets.upload', target, uris, { overwrite: 'ask', quiet: false }),
    copyObjects: (target, sources) => vscode.commands.executeCommand('aisBuckets.copyObjects', sources, destinationOf(target), { quiet: false }),
  });
  const treeView = vscode.window.createTreeView('aisBuckets.clusters', {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: dnd,
  });
  context.subscriptions.push(log, registry, gateway, tree, treeView, fs, memberFs);
  context.subscriptions.push({ dispose: startEventLoopMeter(process.env.AIS_BUCKETS_EVENT_LOOP_LOG) });
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FS_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(SERVER_SCHEME, fs),
    vscode.workspace.registerFileSystemProvider(SHARD_SCHEME, memberFs, { isCaseSensitive: true, isReadonly: true }),
    // What the Explorer and editors change in a bucket shows in the tree too.
    fs.core.onDidChange((events) => {
      for (const e of new Map(events.map((x) => [`${x.cluster}|${x.bucket.provider}|${x.bucket.name}`, x])).values()) {
        tree.refreshBucket({ type: 'bucket', clusterName: e.cluster, bucket: e.bucket });
      }
    }),
  );

  // Multipart uploads in progress, kept across restarts so that they can be resumed.
  const uploadJournal = new FileUploadJournal(path.join(context.globalStorageUri.fsPath, 'uploads.json'));
  const refresh = (node?: TreeNode) => tree.refresh(node);
  registerGatewayCommands(context, gateway, log, async () => {
    // The menu's Reveal in Tree: the cluster "local", selected and expanded.
    await vscode.commands.executeCommand('aisBuckets.clusters.focus');
    const local = (await tree.getChildren()).find((n) => n.type === 'cluster' && n.clusterName === LOCAL_CLUSTER);
    if (local) await treeView.reveal(local, { select: true, focus: true, expand: 1 });
  });
  registerClusterCommands(context, registry, log);
  registerImportCommands(context, registry, log);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.showConnectionDetails', (target?: string | { clusterName?: string }) => showConnectionDetails(registry, log, target)),
  );
  registerBucketCommands(context, registry, log, () => tree.refresh());
  registerTreeCommands(context, tree, treeView);
  registerUploadCommands(context, registry, log, uploadJournal, refresh);
  registerTransferCommands(context, registry, log, refresh);
  const bucketProps = registerPropsCommands(context, registry, log, refresh);
  registerLinkCommands(context, registry, log);
  registerFindCommands(context, registry, tree, treeView);
  registerMetadataCommands(context, registry, log, refresh);
  registerRenameCommands(context, registry, log, refresh);
  registerTreeKeys(context, treeView, registerOpenCommands(context, registry, log, fs));
  trackWalkthrough(context, registry);

  // Jobs: what the clusters run (AIStore's xactions) and what this window runs where they cannot.
  const board = new JobBoard({
    clusters: async () => (await registry.entries()).map((e) => ({ clusterName: e.spec.name, kind: e.spec.kind })),
    client: (name) => registry.client(name),
  });
  const jobsTree = new JobsTreeProvider(board);
  const jobsView = vscode.window.createTreeView('aisBuckets.jobs', { treeDataProvider: jobsTree });
  // A cluster added or removed: asked about its jobs only while the view shows (not at start-up or hidden).
  context.subscriptions.push(board, jobsTree, jobsView, registry.onDidChange(() => jobsView.visible && void board.refresh()));
  const jobs = { registry, board, log, refreshTree: () => tree.refresh() };
  registerJobCommands(context, jobs, jobsView, jobsTree);
  registerCopyBucketCommand(context, jobs);
  registerCopyToCommand(context, jobs);
  registerDeleteByTemplateCommand(context, jobs);
  registerSummaryCommand(context, jobs, tree.summaries, (n) => tree.redrawContainer(n));
  registerCacheCommands(context, jobs, tree);
  registerShardCommands(context, jobs, tree, memberFs);

  void gateway.restoreState();
  void offerImportOnce(context, registry, log).catch((e) => log.warn(`import offer: ${(e as Error).message}`));
  return {
    registry,
    tree,
    gateway,
    treeView: treeView as vscode.TreeView<unknown>,
    dragAndDrop: dnd,
    fs,
    uploadJournal,
    bucketProps,
    jobs: board,
    jobsView: jobsView as vscode.TreeView<unknown>,
    logUri: context.logUri,
    ...(logged ? { sessionLog: () => logged.join('\n') } : {}),
  };
}

/** Walkthrough steps complete on real state: a running local gateway, a cluster of one's own. */
function trackWalkthrough(context: vscode.ExtensionContext, registry: ClusterRegistry): void {
  const update = async () => {
    const entries = await registry.entries();
    await vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.gateway', entries.some((e) => e.embedded));
    await vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.cluster', entries.some((e) => !e.embedded && !e.transient));
  };
  context.subscriptions.push(registry.onDidChange(() => void update()));
  void update();
}

export function deactivate() {
  // Disposables (the local gateway among them) are disposed by VS Code.
}
