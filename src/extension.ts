// Activation: builds the cluster registry, the tree and the commands. Thin glue over src/client and
// src/config; the embedded gateway runs as a child process and is reached over HTTP like any cluster.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { registerBucketCommands } from './commands/buckets';
import { registerClusterCommands } from './commands/clusters';
import { LocalGateway, registerGatewayCommands } from './commands/gateway';
import { registerObjectCommands } from './commands/objects';
import { registerPropsCommands } from './commands/props';
import { registerNavigateCommands, uploadJournal } from './commands/navigate';
import type { FileUploadJournal } from './client/transfer/journal';
import { destinationOf, registerTransferCommands } from './commands/transfer';
import { AisFileSystemProvider, fsUri, SERVER_SCHEME } from './fs/provider';
import { FS_SCHEME } from './fs/uri';
import { BucketDragAndDrop } from './views/dnd';
import { ClusterRegistry } from './registry';
import { BucketTreeProvider, registerTreeCommands } from './views/tree';

export interface AisBucketsApi {
  registry: ClusterRegistry;
  tree: BucketTreeProvider;
  gateway: LocalGateway;
  treeView: vscode.TreeView<unknown>;
  dragAndDrop: BucketDragAndDrop;
  /** The `ais:` file system (buckets as folders, objects as documents). */
  fs: AisFileSystemProvider;
  /** The journal of resumable multipart uploads (a file in global storage). */
  uploadJournal?: FileUploadJournal;
}

export async function activate(context: vscode.ExtensionContext): Promise<AisBucketsApi> {
  // The vscode-free layers (tree model, ais: file system core, name checks) translate with @vscode/l10n:
  // hand it the bundle VS Code loaded for the display language (none for English).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const log = vscode.window.createOutputChannel('AIS Buckets', { log: true });
  const registry = new ClusterRegistry(context.secrets);
  const gateway = new LocalGateway(context, registry, log);
  const tree = new BucketTreeProvider(registry, log);
  const fs = new AisFileSystemProvider(registry, log, context.globalState);
  const dnd = new BucketDragAndDrop({
    objectUri: (n) => fsUri({ cluster: n.clusterName, bucket: { name: n.bucket, provider: n.provider, ...(n.namespace ? { namespace: n.namespace } : {}) }, key: n.key }),
    uploadUris: (target, uris) => vscode.commands.executeCommand('aisBuckets.upload', target, uris, { overwrite: 'ask' }),
    copyObjects: (target, sources) => vscode.commands.executeCommand('aisBuckets.copyObjects', sources, destinationOf(target)),
  });
  const treeView = vscode.window.createTreeView('aisBuckets.clusters', {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: dnd,
  });
  context.subscriptions.push(log, registry, gateway, tree, treeView, fs);
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FS_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(SERVER_SCHEME, fs),
    // What the Explorer and editors change in a bucket shows in the tree too.
    fs.core.onDidChange((events) => {
      for (const e of new Map(events.map((x) => [`${x.cluster}|${x.bucket.provider}|${x.bucket.name}`, x])).values()) {
        tree.refreshBucket({ type: 'bucket', clusterName: e.cluster, provider: e.bucket.provider, bucket: e.bucket.name, ...(e.bucket.namespace ? { namespace: e.bucket.namespace } : {}) });
      }
    }),
  );

  registerGatewayCommands(context, gateway, log);
  registerClusterCommands(context, registry, log);
  registerBucketCommands(context, registry, log, () => tree.refresh());
  registerTreeCommands(context, tree);
  registerTransferCommands(context, registry, log, (node) => tree.refresh(node));
  registerPropsCommands(context, registry, log, (node) => tree.refresh(node));
  registerNavigateCommands(context, registry, log, tree, treeView);
  registerObjectCommands(context, registry, log, fs);

  void gateway.restoreState();
  return { registry, tree, gateway, treeView: treeView as vscode.TreeView<unknown>, dragAndDrop: dnd, fs, uploadJournal: uploadJournal() as FileUploadJournal | undefined };
}

export function deactivate() {
  // Disposables (the local gateway among them) are disposed by VS Code.
}
