// The Clusters view's keys, as in VS Code's Explorer: Enter opens (pinned, focused), Delete (Cmd+Backspace
// on macOS) deletes with the usual confirmation, F2 renames, Ctrl/Cmd+C copies the URI. package.json binds
// them while the tree has the focus, and call the commands the context menu runs, with the same arguments.
// The arrow keys move the tree's focus, not its selection: a keybinding's command would see only what was
// last clicked. So the keybindings pass VS Code's own tree-item context ({ $treeViewId, $focusedTreeItem },
// what view title actions get), which the extension host turns into the focused row; as in the Explorer,
// a focused row inside the selection means the whole selection, any other focused row means just it.
import * as vscode from 'vscode';
import { objectUri } from '../objects/location';
import type { TreeNode } from '../views/model';
import type { TreeOpenGestures } from './open';

const isNode = (x: unknown): x is TreeNode => !!x && typeof x === 'object' && typeof (x as TreeNode).type === 'string';

function uriOf(n: TreeNode): string | undefined {
  if (n.type === 'object') return objectUri(n.bucket, n.key);
  if (n.type === 'folder') return objectUri(n.bucket, n.prefix);
  if (n.type === 'bucket') return objectUri(n.bucket);
  return undefined;
}

export function registerTreeKeys(context: vscode.ExtensionContext, treeView: vscode.TreeView<TreeNode>, gestures: TreeOpenGestures) {
  const chosen = (arg: unknown): TreeNode[] => {
    if (!isNode(arg)) return [...treeView.selection];
    return treeView.selection.includes(arg) ? [...treeView.selection] : [arg];
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.keys.open', async () => {
      // The tree's own Enter selects the focused row and runs its command (an object opens, a bucket
      // expands); marked first, so that the object opens pinned and focused, as Enter in the Explorer.
      gestures.keyboardOpen();
      await vscode.commands.executeCommand('list.select');
    }),
    vscode.commands.registerCommand('aisBuckets.keys.delete', async (arg?: unknown) => {
      const nodes = chosen(arg);
      if (nodes.length === 0) return undefined;
      if (nodes.every((n) => n.type === 'object' || n.type === 'folder')) return vscode.commands.executeCommand('aisBuckets.deleteObjects', nodes[0], nodes);
      if (nodes.length === 1 && nodes[0].type === 'bucket') return vscode.commands.executeCommand('aisBuckets.deleteBucket', nodes[0]);
      if (nodes.length === 1 && nodes[0].type === 'cluster' && !nodes[0].embedded && !nodes[0].transient) return vscode.commands.executeCommand('aisBuckets.removeCluster', nodes[0]);
      void vscode.window.showInformationMessage(
        nodes.length === 1
          ? vscode.l10n.t('Delete works on objects, folders, a bucket or a saved cluster; this row is none of them.')
          : vscode.l10n.t('Delete works on objects and folders together, or on one bucket: select only those.'),
      );
      return undefined;
    }),
    vscode.commands.registerCommand('aisBuckets.keys.rename', async (arg?: unknown) => {
      const nodes = chosen(arg);
      if (nodes.length !== 1 || (nodes[0].type !== 'object' && nodes[0].type !== 'folder')) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Select one object or folder to rename it (buckets cannot be renamed).'));
        return undefined;
      }
      return vscode.commands.executeCommand('aisBuckets.rename', nodes[0]);
    }),
    vscode.commands.registerCommand('aisBuckets.keys.copyUri', async (arg?: unknown) => {
      const uris = chosen(arg).map(uriOf).filter((u): u is string => !!u);
      if (uris.length === 0) return undefined;
      const text = uris.join('\n');
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(uris.length === 1 ? vscode.l10n.t('Copied {0}', uris[0]) : vscode.l10n.t('Copied {0} URIs', uris.length), 3000);
      return text;
    }),
  );
}
