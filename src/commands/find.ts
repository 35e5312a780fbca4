// Finding keys: Go to Key reveals an object, a folder or the first name with a prefix in the tree
// (listing only what it must); Search Bucket finds names that contain a text anywhere.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import { nodeId, type TreeNode } from '../views/model';
import type { BucketTreeProvider } from '../views/tree';
import { destinationOf, pickDestination } from './common';

export function registerFindCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, tree: BucketTreeProvider, treeView: vscode.TreeView<TreeNode>) {
  /** Reveals a key (object, folder, or first name with a prefix) in the tree; returns its node. */
  const goTo = async (clusterName: string, bucket: BucketRef, key: string): Promise<TreeNode> => {
    const found = await tree.model.locate(clusterName, bucket, key);
    tree.changedNodes(found.changed);
    const options = { select: true, focus: true, expand: found.node.type !== 'object' ? 1 : false } as const;
    await treeView.reveal(found.node, options);
    // A reveal through rows the tree is still fetching (a collapsed cluster, a listing just refreshed) can
    // stop short of the node without an error: once more, after the tree has caught up.
    for (let attempt = 0; attempt < 3 && !treeView.selection.some((s) => nodeId(s) === nodeId(found.node)); attempt++) {
      await new Promise((r) => setTimeout(r, 300));
      await treeView.reveal(found.node, options);
    }
    return found.node;
  };

  context.subscriptions.push(
    // "Reveal in Tree" of a finished upload or copy: the object, the folder or ('' ) the bucket, selected.
    vscode.commands.registerCommand('aisBuckets.revealInTree', async (clusterName: string, bucket: BucketRef, key = '') => {
      try {
        await vscode.commands.executeCommand('aisBuckets.clusters.focus');
        return await goTo(clusterName, bucket, key);
      } catch (e) {
        void vscode.window.showWarningMessage(errorText(e));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.goToKey', async (node?: TreeNode, key?: string) => {
      const where = destinationOf(node) ?? (await pickDestination(registry, vscode.l10n.t('Go to Key'), false));
      if (!where) return undefined;
      const wanted =
        key ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Go to Key in {0}', objectUri(where.bucket)),
          prompt: vscode.l10n.t('An object name, a folder ("dir/") or the start of a name'),
          value: where.prefix,
          valueSelection: [where.prefix.length, where.prefix.length],
        }));
      if (!wanted) return undefined;
      try {
        return await goTo(where.clusterName, where.bucket, wanted);
      } catch (e) {
        if (key !== undefined) throw e;
        void vscode.window.showWarningMessage(errorText(e));
        return undefined;
      }
    }),

    vscode.commands.registerCommand('aisBuckets.searchBucket', async (node?: TreeNode, substring?: string, options?: { limit?: number }) => {
      const where = destinationOf(node) ?? (await pickDestination(registry, vscode.l10n.t('Search Bucket'), false));
      if (!where) return undefined;
      const scope = objectUri(where.bucket, where.prefix);
      const client = await registry.client(where.clusterName);
      // With arguments: the matching keys, no UI.
      if (substring !== undefined) {
        const out: string[] = [];
        let token: string | undefined;
        const needle = substring.toLowerCase();
        do {
          const page = await client.listObjects(where.bucket, { prefix: where.prefix, folders: false, pageSize: 1000, token });
          for (const o of page.objects) if (o.key.toLowerCase().includes(needle)) out.push(o.key);
          token = page.nextToken;
        } while (token && out.length < (options?.limit ?? Infinity));
        return out;
      }
      const text = await vscode.window.showInputBox({ title: vscode.l10n.t('Search {0}', scope), prompt: vscode.l10n.t('Find names that contain this text anywhere (not case-sensitive)') });
      if (!text) return undefined;
      const needle = text.toLowerCase();
      const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { key: string }>();
      qp.title = vscode.l10n.t('Names containing "{0}" in {1}', text, scope);
      qp.placeholder = vscode.l10n.t('Listing…');
      qp.busy = true;
      qp.matchOnDescription = true;
      const abort = new AbortController();
      qp.onDidHide(() => abort.abort());
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0];
        qp.hide();
        if (picked) void goTo(where.clusterName, where.bucket, picked.key).catch((e) => void vscode.window.showWarningMessage(errorText(e)));
      });
      qp.show();
      let scanned = 0;
      const items: (vscode.QuickPickItem & { key: string })[] = [];
      try {
        let token: string | undefined;
        do {
          const page = await client.listObjects(where.bucket, { prefix: where.prefix, folders: false, pageSize: 1000, token });
          if (abort.signal.aborted) return undefined;
          scanned += page.objects.length;
          const found = page.objects.filter((o) => o.key.toLowerCase().includes(needle));
          if (found.length) {
            items.push(...found.map((o) => ({ label: path.posix.basename(o.key), description: o.key, detail: formatSize(o.size), key: o.key })));
            qp.items = items;
          }
          qp.placeholder = vscode.l10n.t('{0} matches in {1} names so far…', items.length, scanned);
          token = page.nextToken;
        } while (token);
        qp.placeholder = vscode.l10n.t('{0} matches in {1} names', items.length, scanned);
      } catch (e) {
        qp.placeholder = errorText(e);
      } finally {
        qp.busy = false;
      }
      return items.map((i) => i.key);
    }),
  );
}
