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
import { type Destination, destinationOf, targetFlow } from './common';

/** Names per listing while scanning: servers answer with at most their own maximum (AIStore's ais buckets
 *  10,000, S3 1,000), and at a million names the round trips, not the matching, were the scan's time. */
const SCAN_PAGE = 10_000;
const REDRAW_MS = 250;
import { type CustomPickDone, MultiStepInput, type Step } from './input/multistep';

export function registerFindCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, tree: BucketTreeProvider, treeView: vscode.TreeView<TreeNode>) {
  /** Reveals a key (object, folder, or first name with a prefix) in the tree; returns its node. */
  const goTo = async (clusterName: string, bucket: BucketRef, key: string): Promise<TreeNode> => reveal(await tree.model.locate(clusterName, bucket, key));

  /** Shows a located node selected and focused (a folder expanded), redrawing what locating it changed. */
  const reveal = async (found: { node: TreeNode; changed: TreeNode[] }): Promise<TreeNode> => {
    tree.changedNodes(found.changed);
    const options = { select: true, focus: true, expand: found.node.type !== 'object' ? 1 : false } as const;
    // A reveal through rows the tree is still fetching (a collapsed cluster, a listing just refreshed) can
    // stop short of the node without an error: once more when no selection came of it. The selection
    // reaches this host a moment after the reveal; one the user made since (a key pressed) ends the retries,
    // which must not take the focus back.
    for (let attempt = 0; attempt < 3; attempt++) {
      const settled = selectionAfter(treeView, found.node, 1000);
      await treeView.reveal(found.node, options);
      if (await settled) break;
    }
    return found.node;
  };

  /**
   * The names step of Search: lists the scope page by page, showing the names that contain `text` as they
   * come; Enter picks one, Back (or leaving) stops the listing.
   */
  const listMatches = (
    where: Destination,
    text: string,
    qp: vscode.QuickPick<vscode.QuickPickItem & { key: string }>,
    done: CustomPickDone<string>,
    onFound: (keys: string[]) => void,
  ): vscode.Disposable[] => {
    const needle = text.toLowerCase();
    const abort = new AbortController();
    qp.placeholder = vscode.l10n.t('Listing…');
    qp.busy = true;
    const items: (vscode.QuickPickItem & { key: string })[] = [];
    let shown = 0;
    let shownAt = 0;
    const show = () => {
      qp.items = items;
      onFound(items.map((i) => i.key));
      shown = items.length;
      shownAt = performance.now();
    };
    void (async () => {
      let scanned = 0;
      try {
        const client = await registry.client(where.clusterName);
        let token: string | undefined;
        do {
          const page = await client.listObjects(where.bucket, { prefix: where.prefix, folders: false, pageSize: SCAN_PAGE, token, namesOnly: true });
          if (abort.signal.aborted) return;
          scanned += page.objects.length;
          const found = page.objects.filter((o) => o.key.toLowerCase().includes(needle));
          items.push(...found.map((o) => ({ label: path.posix.basename(o.key), description: o.key, detail: formatSize(o.size), key: o.key })));
          // The first matches at once, then at most a few redraws a second: handing the quick pick thousands
          // of items per page would cost more than listing them.
          if (items.length > shown && (shown === 0 || performance.now() - shownAt >= REDRAW_MS)) show();
          qp.placeholder = vscode.l10n.t('Names containing "{0}": {1} in {2} names so far…', text, items.length.toLocaleString(), scanned.toLocaleString());
          token = page.nextToken;
        } while (token);
        if (items.length > shown) show();
        qp.placeholder = vscode.l10n.t('Names containing "{0}": {1} in {2} names', text, items.length.toLocaleString(), scanned.toLocaleString());
      } catch (e) {
        if (!abort.signal.aborted) qp.placeholder = errorText(e);
      } finally {
        if (!abort.signal.aborted) qp.busy = false;
      }
    })();
    return [
      { dispose: () => abort.abort() },
      qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done.back()),
      qp.onDidAccept(() => {
        const item = qp.activeItems[0];
        if (item) done.resolve(item.key);
      }),
    ];
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
      const given = destinationOf(node);
      if (given && key !== undefined) return goTo(given.clusterName, given.bucket, key);
      // The bucket (from the palette: cluster → bucket), then the name, in one quick input. The name is
      // looked up on its Enter: a name that is not there is said on the step, with what was typed.
      let found: { node: TreeNode; changed: TreeNode[] } | undefined;
      const typed = new Map<string, string>();
      let flowing = false;
      const keyStep = (where: Destination): Step => async (input) => {
        const scope = objectUri(where.bucket);
        await input.inputBox({
          prompt: flowing ? vscode.l10n.t('An object name in {0}, a folder ("dir/") or the start of a name', scope) : vscode.l10n.t('An object name, a folder ("dir/") or the start of a name'),
          value: typed.get(scope) ?? where.prefix,
          selection: typed.has(scope) ? undefined : [where.prefix.length, where.prefix.length],
          remember: (v) => typed.set(scope, v),
          accept: async (v) => {
            try {
              found = await tree.model.locate(where.clusterName, where.bucket, v);
              return undefined;
            } catch (e) {
              return errorText(e);
            }
          },
        });
        return undefined;
      };
      const flow = given ? { steps: 0, first: keyStep(given) } : await targetFlow(registry, { bucket: true, browse: false }, (p) => keyStep(destinationOf(p)!));
      if (!flow) return undefined;
      flowing = flow.steps > 0;
      const title = given ? vscode.l10n.t('Go to Key in {0}', objectUri(given.bucket)) : vscode.l10n.t('Go to Key');
      if (!(await MultiStepInput.run(title, () => flow.steps + 1, flow.first)) || !found) return undefined;
      return reveal(found);
    }),

    vscode.commands.registerCommand('aisBuckets.searchBucket', async (node?: TreeNode, substring?: string, options?: { limit?: number }) => {
      const given = destinationOf(node);
      // With arguments: the matching keys, no UI.
      if (given && substring !== undefined) {
        const client = await registry.client(given.clusterName);
        const out: string[] = [];
        let token: string | undefined;
        const needle = substring.toLowerCase();
        do {
          const page = await client.listObjects(given.bucket, { prefix: given.prefix, folders: false, pageSize: SCAN_PAGE, token, namesOnly: true });
          for (const o of page.objects) if (o.key.toLowerCase().includes(needle)) out.push(o.key);
          token = page.nextToken;
        } while (token && out.length < (options?.limit ?? Infinity));
        return out;
      }
      // The bucket (from the palette: cluster → bucket), the text, then the names that contain it, in one
      // quick input: Back from the names returns to the text, as typed.
      let picked: { where: Destination; key: string } | undefined;
      let keys: string[] = [];
      const typed = new Map<string, string>();
      let flowing = false;
      const textStep = (where: Destination): Step => async (input) => {
        const scope = objectUri(where.bucket, where.prefix);
        const text = await input.inputBox({
          prompt: flowing ? vscode.l10n.t('Find names in {0} that contain this text anywhere (not case-sensitive)', scope) : vscode.l10n.t('Find names that contain this text anywhere (not case-sensitive)'),
          value: typed.get(scope),
          remember: (v) => typed.set(scope, v),
        });
        return async (next) => {
          const key = await next.customPick<vscode.QuickPickItem & { key: string }, string>((qp, done) => listMatches(where, text, qp, done, (found) => (keys = found)));
          picked = { where, key };
          return undefined;
        };
      };
      const flow = given ? { steps: 0, first: textStep(given) } : await targetFlow(registry, { bucket: true, browse: false }, (p) => textStep(destinationOf(p)!));
      if (!flow) return undefined;
      flowing = flow.steps > 0;
      const title = given ? vscode.l10n.t('Search {0}', objectUri(given.bucket, given.prefix)) : vscode.l10n.t('Search Bucket');
      if (!(await MultiStepInput.run(title, () => flow.steps + 2, flow.first))) return keys;
      if (picked) await goTo(picked.where.clusterName, picked.where.bucket, picked.key).catch((e) => void vscode.window.showWarningMessage(errorText(e)));
      return keys;
    }),
  );
}

/**
 * Whether a selection came of a reveal: the tree's selection changes within `ms` (to the node, or to what
 * the user picked since), or at the end of `ms` it holds the node (it was selected already). Started before
 * the reveal, so the reveal's own selection event is not missed.
 */
function selectionAfter(treeView: vscode.TreeView<TreeNode>, node: TreeNode, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sub = treeView.onDidChangeSelection((e) => {
      if (!e.selection.length) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(treeView.selection.some((s) => nodeId(s) === nodeId(node)));
    }, ms);
  });
}
