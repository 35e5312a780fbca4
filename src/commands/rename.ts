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
import type { FolderNode, ObjectNode, TreeNode } from '../views/model';
import { showFailure, targetFlow } from './common';
import { MultiStepInput, type Step } from './input/multistep';
import { followRenamedEditors } from './renamededitors';

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
      // With a name (callers, tests): no questions.
      if (given && newName !== undefined) return moveTo(given, newName);
      // From the palette: the object or folder, browsed, then its new name, in one quick input.
      if (given && given.type !== 'object' && given.type !== 'folder') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object or folder in the AIS Buckets view to rename or move.'));
        return undefined;
      }
      let chosen: { node: ObjectNode | FolderNode; target: string } | undefined;
      const typed = new Map<string, string>();
      let flowing = false;
      const nameStep = (node: ObjectNode | FolderNode): Step => (input) => askNewName(registry, input, node, flowing, typed, (target) => (chosen = { node, target }));
      const flow = given
        ? { steps: 0, first: nameStep(given) }
        : await targetFlow(registry, { objects: true, folders: true }, (picked) => (picked.type === 'bucket' ? undefined : nameStep(picked)));
      if (!flow) return undefined;
      flowing = flow.steps > 0;
      const title = given ? vscode.l10n.t('Rename or Move {0}', objectUri(given.bucket, given.type === 'object' ? given.key : given.prefix)) : vscode.l10n.t('Rename or Move');
      if (!(await MultiStepInput.run(title, () => flow.steps + 1, flow.first)) || !chosen) return undefined;
      return moveTo(chosen.node, chosen.target, true);
    }),
  );

  /** Moves an object, or every key of a folder, to `target`; with `ui`, under a cancellable notification. */
  async function moveTo(node: TreeNode, newName: string, ui = false): Promise<number | undefined> {
    if (node.type !== 'object' && node.type !== 'folder') return undefined;
    const oldName = node.type === 'object' ? node.key : node.prefix;
    const target = folderName(node, newName);
    if (!target || target === oldName) return undefined;
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
      if (!ui) moved = await run();
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
      if (moved) await followRenamedEditors(node.clusterName, node.bucket, oldName, target);
      if (ui && moved) reportMoved(node.clusterName, node.bucket, oldName, target, moved);
      return moved;
    } catch (e) {
      refresh();
      if (!ui) throw e;
      fail(vscode.l10n.t('Rename'), e);
      return undefined;
    }
  }
}

/** "Renamed ais://b/a.txt to c.txt." / "Moved 12 objects from ais://b/dir/ to new/.", with Reveal in Tree. */
function reportMoved(clusterName: string, bucket: BucketRef, oldName: string, target: string, moved: number): void {
  const reveal = vscode.l10n.t('Reveal in Tree');
  const message = oldName.endsWith('/')
    ? vscode.l10n.t('Moved {0} objects from {1} to {2}.', moved.toLocaleString('en-US'), objectUri(bucket, oldName), target)
    : vscode.l10n.t('Renamed {0} to {1}.', objectUri(bucket, oldName), target);
  void vscode.window.showInformationMessage(message, reveal).then((pick) => {
    if (pick === reveal) void vscode.commands.executeCommand('aisBuckets.revealInTree', clusterName, bucket, target);
  });
}

/** What a new name means: a folder's ends with '/'. */
function folderName(node: ObjectNode | FolderNode, name: string): string {
  return node.type === 'folder' && name && !name.endsWith('/') ? `${name}/` : name;
}

/**
 * The new-name step: the old name, its last part selected; a name that cannot be is refused as it is
 * typed, and one that is taken is pointed out on Enter (Enter again goes on: it replaces, or merges).
 */
async function askNewName(registry: ClusterRegistry, input: MultiStepInput, node: ObjectNode | FolderNode, flowing: boolean, typed: Map<string, string>, done: (target: string) => void): Promise<undefined> {
  const oldName = node.type === 'object' ? node.key : node.prefix;
  const where = objectUri(node.bucket, oldName);
  const leaf = path.posix.basename(oldName);
  const start = oldName.length - leaf.length - (node.type === 'folder' ? 1 : 0);
  const value = typed.get(where) ?? oldName;
  const target = await input.inputBox({
    prompt: flowing
      ? vscode.l10n.t('The new full name of {0} in its bucket (change the folder part to move it)', where)
      : vscode.l10n.t('The new full name in this bucket (change the folder part to move it)'),
    value,
    selection: value === oldName ? [Math.max(0, start), oldName.length - (node.type === 'folder' ? 1 : 0)] : undefined,
    validate: (v) => {
      if (v.includes('//')) return vscode.l10n.t('A name cannot contain "//".');
      const to = folderName(node, v.trim());
      if (node.type === 'folder' && to !== oldName && to.startsWith(oldName)) return vscode.l10n.t('A folder cannot move into itself.');
      return undefined;
    },
    remember: (v) => typed.set(where, v),
    accept: async (v) => {
      const to = folderName(node, v);
      if (to === oldName) return undefined;
      const client = await registry.client(node.clusterName);
      if (node.type === 'object') {
        const taken = await client.headObject(node.bucket, to).then(() => true, () => false);
        return taken ? { message: vscode.l10n.t('{0} already exists. Press Enter again to replace it, or change the name.', objectUri(node.bucket, to)), overridable: true } : undefined;
      }
      const held = (await client.listObjects(node.bucket, { prefix: to, folders: false, pageSize: 1 })).objects.length > 0;
      return held ? { message: vscode.l10n.t('{0} already holds objects. Press Enter again to move into it (objects with the same names are replaced), or change the name.', objectUri(node.bucket, to)), overridable: true } : undefined;
    },
  });
  done(target);
  return undefined;
}
