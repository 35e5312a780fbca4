// Activation: builds the cluster registry, the tree and the commands. Thin glue over src/client and
// src/config; the embedded gateway runs as a child process and is reached over HTTP like any cluster.
import * as vscode from 'vscode';
import { registerBucketCommands } from './commands/buckets';
import { registerClusterCommands } from './commands/clusters';
import { LocalGateway, registerGatewayCommands } from './commands/gateway';
import { registerPropsCommands } from './commands/props';
import { destinationOf, registerTransferCommands } from './commands/transfer';
import { BucketDragAndDrop } from './views/dnd';
import { ClusterRegistry } from './registry';
import { BucketTreeProvider, registerTreeCommands } from './views/tree';

export interface AisBucketsApi {
  registry: ClusterRegistry;
  tree: BucketTreeProvider;
  gateway: LocalGateway;
  treeView: vscode.TreeView<unknown>;
  dragAndDrop: BucketDragAndDrop;
}

export async function activate(context: vscode.ExtensionContext): Promise<AisBucketsApi> {
  const log = vscode.window.createOutputChannel('AIS Buckets', { log: true });
  const registry = new ClusterRegistry(context.secrets);
  const gateway = new LocalGateway(context, registry, log);
  const tree = new BucketTreeProvider(registry, log);
  const dnd = new BucketDragAndDrop({
    uploadUris: (target, uris) => vscode.commands.executeCommand('aisBuckets.upload', target, uris, { overwrite: 'ask' }),
    copyObjects: (target, sources) => vscode.commands.executeCommand('aisBuckets.copyObjects', sources, destinationOf(target)),
  });
  const treeView = vscode.window.createTreeView('aisBuckets.clusters', {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: dnd,
  });
  context.subscriptions.push(log, registry, gateway, tree, treeView);

  registerGatewayCommands(context, gateway, log);
  registerClusterCommands(context, registry, log);
  registerBucketCommands(context, registry, log, () => tree.refresh());
  registerTreeCommands(context, tree);
  registerTransferCommands(context, registry, log, (node) => tree.refresh(node));
  registerPropsCommands(context, registry, log, (node) => tree.refresh(node));

  void gateway.restoreState();
  return { registry, tree, gateway, treeView: treeView as vscode.TreeView<unknown>, dragAndDrop: dnd };
}

export function deactivate() {
  // Disposables (the local gateway among them) are disposed by VS Code.
}
