// Rename or Move an object or a folder (every key under it) within its bucket: AIStore's rename where it
// can, else copy + delete, under a cancellable notification.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../client/cluster';
import { collectPrefix } from '../client/transfer/download';
import { TransferCancelled } from '../client/transfer/limits';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { pickTarget, showFailure } from './common';

/** Moves keys within or between buckets of one cluster: AIStore's rename where it can, else copy + delete. */
export async function moveKeys(
  client: ClusterClient,
  from: BucketRef,
  to: BucketRef,
  pairs: { from: string; to: string }[],
  signal?: AbortSignal,
  onMoved?: (done: number) => void,
): Promise<number> {
  const sameBucket = from.name === to.name && from.provider === to.provider && !from.namespace && !to.namespace;
  const rename = sameBucket && from.provider === 'ais' && client.renameObject ? client.renameObject.bind(client) : undefined;
  let moved = 0;
  for (const p of pairs) {
    if (signal?.aborted) throw new TransferCancelled();
    if (sameBucket && p.from === p.to) continue;
    if (rename) await rename(from, p.from, p.to);
    else {
      await client.copyObject(from, p.from, to, p.to);
      await client.deleteObject(from, p.from);
    }
    moved++;
    onMoved?.(moved);
  }
  return moved;
}

export function registerRenameCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.rename', async (given?: TreeNode, newName?: string) => {
      // From the palette: the object or folder, browsed.
      const node = given ?? (await pickTarget(registry, vscode.l10n.t('Rename or Move'), { objects: true, folders: true }));
      if (!given && !node) return undefined;
      if (!node || (node.type !== 'object' && node.type !== 'folder')) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object or folder in the AIS Buckets view to rename or move.'));
        return undefined;
      }
      const oldName = node.type === 'object' ? node.key : node.prefix;
      const leaf = path.posix.basename(oldName);
      const start = oldName.length - leaf.length - (node.type === 'folder' ? 1 : 0);
      let target =
        newName ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Rename or Move {0}', objectUri(node.bucket, oldName)),
          prompt: vscode.l10n.t('The new full name in this bucket (change the folder part to move it)'),
          value: oldName,
          valueSelection: [Math.max(0, start), oldName.length - (node.type === 'folder' ? 1 : 0)],
          validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter a name') : v.includes('//') ? vscode.l10n.t('A name cannot contain "//"') : undefined),
        }));
      if (!target || target === oldName) return undefined;
      if (node.type === 'folder' && !target.endsWith('/')) target += '/';
      const client = await registry.client(node.clusterName);
      const ref = node.bucket;
      const run = async (signal?: AbortSignal, onMoved?: (n: number, total: number) => void) => {
        let pairs: { from: string; to: string }[];
        if (node.type === 'object') pairs = [{ from: node.key, to: target }];
        else {
          const keys = (await collectPrefix(client, ref, node.prefix, os.tmpdir(), signal)).map((i) => i.key);
          // the folder marker "dir/" too, if there is one
          const marker = await client.headObject(ref, node.prefix).then(() => true, () => false);
          if (marker) keys.push(node.prefix);
          pairs = keys.map((k) => ({ from: k, to: target + k.slice(node.prefix.length) }));
        }
        return moveKeys(client, ref, ref, pairs, signal, (n) => onMoved?.(n, pairs.length));
      };
      try {
        let moved: number | undefined;
        if (newName !== undefined) moved = await run();
        else
          moved = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Moving {0} to {1}', objectUri(node.bucket, oldName), target), cancellable: true },
            async (progress, token) => {
              const abort = new AbortController();
              token.onCancellationRequested(() => abort.abort());
              let last = 0;
              try {
                return await run(abort.signal, (n, total) => {
                  progress.report({ message: vscode.l10n.t('{0} of {1}', n, total), increment: ((n - last) / Math.max(1, total)) * 100 });
                  last = n;
                });
              } catch (e) {
                if (e instanceof TransferCancelled) {
                  void vscode.window.showWarningMessage(vscode.l10n.t('Move cancelled: some objects may already be at {0}.', target));
                  return undefined;
                }
                throw e;
              }
            },
          );
        log.info(`moved ${objectUri(node.bucket, oldName)} → ${target} (${moved ?? 0} objects)`);
        refresh();
        return moved;
      } catch (e) {
        refresh();
        if (newName !== undefined) throw e;
        fail(vscode.l10n.t('Rename'), e);
        return undefined;
      }
    }),
  );
}
