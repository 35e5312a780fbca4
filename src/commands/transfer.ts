// Downloads, deletes, copies and new folders. Each command runs from the tree's context menu (with the
// node(s) as arguments), from the palette (QuickPicks ask), or programmatically with arguments.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BucketRef, ClusterClient, DELETE_BATCH_SIZE, type DeleteFailure, isClientError } from '../client/cluster';
import { collectPrefix, downloadFiles, DownloadItem } from '../client/transfer/download';
import { TransferCancelled } from '../client/transfer/limits';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { BucketNode, FolderNode, ObjectNode, TreeNode } from '../views/model';
import { type Destination, destinationOf, pickDestination, runTransfer, selection, showFailure, type TransferCommandOptions, transferSettings } from './common';
import { logFailedKeys, nameFailedKeys, withDeleteProgress } from './deletion';

/** Downloads objects, folders (prefixes) or whole buckets into a local folder, verifying checksums. */
export async function downloadNodes(
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  nodes: (BucketNode | FolderNode | ObjectNode)[],
  targetDir: string,
  options: TransferCommandOptions = {},
): Promise<{ files: number; bytes: number } | undefined> {
  if (nodes.length === 0) return { files: 0, bytes: 0 };
  const clusterName = nodes[0].clusterName;
  const client = await registry.client(clusterName);
  const byBucket = new Map<string, { bucket: BucketRef; items: DownloadItem[] }>();
  for (const n of nodes) {
    const ref = n.bucket;
    const k = `${ref.provider}/${ref.name}`;
    const group = byBucket.get(k) ?? { bucket: ref, items: [] };
    byBucket.set(k, group);
    if (n.type === 'object') group.items.push({ key: n.key, file: path.join(targetDir, path.basename(n.key)), size: n.entry.size });
    else {
      const prefix = n.type === 'folder' ? n.prefix : '';
      const folderName = n.type === 'folder' ? path.basename(n.prefix.slice(0, -1)) : n.bucket.name;
      group.items.push(...(await collectPrefix(client, ref, prefix, path.join(targetDir, folderName))));
    }
  }
  let groups = [...byBucket.values()];
  const policy = options.overwrite ?? 'ask';
  const existing = groups.flatMap((g) => g.items).filter((i) => fs.existsSync(i.file));
  if (existing.length && policy !== 'overwrite') {
    const skipExisting = vscode.l10n.t('Skip Existing');
    const choice =
      policy === 'skip'
        ? skipExisting
        : await vscode.window.showWarningMessage(
            existing.length === 1 ? vscode.l10n.t('{0} already exists. Overwrite it?', existing[0].file) : vscode.l10n.t('{0} files already exist in {1}.', existing.length, targetDir),
            { modal: true },
            vscode.l10n.t('Overwrite'),
            skipExisting,
          );
    if (!choice) return undefined;
    if (choice === skipExisting) {
      const skip = new Set(existing.map((i) => i.file));
      groups = groups.map((g) => ({ ...g, items: g.items.filter((i) => !skip.has(i.file)) }));
    }
  }
  const total = groups.reduce((n, g) => n + g.items.length, 0);
  const title =
    total === 1
      ? vscode.l10n.t('Downloading {0} to {1}', path.basename(groups.find((g) => g.items.length)!.items[0].key), targetDir)
      : vscode.l10n.t('Downloading {0} objects to {1}', total, targetDir);
  const settings = transferSettings((await registry.entry(clusterName))?.spec.multipartChunkSizeMb);
  return runTransfer(title, log, async (t) => {
    let files = 0;
    let bytes = 0;
    for (const g of groups) {
      if (g.items.length === 0) continue;
      const r = await downloadFiles(client, g.bucket, g.items, { ...settings, ...t });
      files += r.files;
      bytes += r.bytes;
    }
    log.info(`${title}: ${files} files, ${bytes} bytes`);
    return { files, bytes };
  });
}

/**
 * Deletes objects and everything under folders (their folder markers too): the keys are listed first, then
 * deleted with one request per 1000 keys of a bucket, under a progress notification whose Cancel stops
 * before the next batch. Keys that could not be deleted are named in a message and all in the log.
 * Returns how many objects were deleted.
 */
export async function deleteNodes(registry: ClusterRegistry, log: vscode.LogOutputChannel, nodes: (FolderNode | ObjectNode)[]): Promise<number> {
  const title = nodes.length === 1 ? vscode.l10n.t('Deleting {0}', nodes[0].type === 'object' ? objectUri(nodes[0].bucket, nodes[0].key) : objectUri(nodes[0].bucket, nodes[0].prefix)) : vscode.l10n.t('Deleting {0} items', nodes.length);
  return withDeleteProgress(title, async (run) => {
    // One batch run per bucket, whatever number of nodes were selected in it.
    const groups = new Map<string, { client: ClusterClient; ref: BucketRef; nodes: (FolderNode | ObjectNode)[]; keys: Set<string> }>();
    for (const n of nodes) {
      if (run.signal.aborted) break;
      const ref = n.bucket;
      const id = `${n.clusterName}\n${ref.provider}\n${ref.name}`;
      const group = groups.get(id) ?? { client: await registry.client(n.clusterName), ref, nodes: [], keys: new Set<string>() };
      groups.set(id, group);
      group.nodes.push(n);
      if (n.type === 'object') group.keys.add(n.key);
      else await addFolderKeys(group.client, ref, n.prefix, group.keys, run.signal);
    }
    const total = [...groups.values()].reduce((sum, g) => sum + g.keys.size, 0);
    let deleted = 0;
    let done = 0;
    let cancelled = run.signal.aborted;
    const failed: DeleteFailure[] = [];
    for (const g of groups.values()) {
      if (cancelled) break;
      const uriOf = (key: string) => objectUri(g.ref, key);
      const result = await g.client.deleteObjects(g.ref, [...g.keys], { signal: run.signal, onProgress: (n) => run.report(done + n, total) });
      done += g.keys.size;
      deleted += result.deleted;
      cancelled = result.cancelled;
      logFailedKeys(log, result.failed, uriOf);
      failed.push(...result.failed.map((f) => ({ ...f, key: uriOf(f.key) })));
      if (!result.cancelled && result.failed.length === 0) for (const n of g.nodes) log.info(`deleted ${n.type === 'object' ? objectUri(n.bucket, n.key) : objectUri(n.bucket, n.prefix) + ' (folder)'}`);
    }
    if (cancelled) log.info(`${title}: cancelled after ${deleted} of ${total} objects`);
    if (failed.length > 0) {
      const text = vscode.l10n.t('Could not delete {0} of {1} objects: {2}', failed.length, total, nameFailedKeys(failed));
      void vscode.window.showErrorMessage(text, vscode.l10n.t('Show Log')).then((p) => p && log.show());
    }
    return deleted;
  });
}

/** Adds every key under `prefix` (a listing, markers of subfolders included) and the folder's own marker, when it has one. */
async function addFolderKeys(client: ClusterClient, ref: BucketRef, prefix: string, keys: Set<string>, signal: AbortSignal): Promise<void> {
  let token: string | undefined;
  do {
    if (signal.aborted) return;
    const page = await client.listObjects(ref, { prefix, folders: false, pageSize: DELETE_BATCH_SIZE, token });
    for (const o of page.objects) keys.add(o.key);
    token = page.nextToken;
  } while (token);
  // S3 listings leave out the marker "prefix/" itself (it is where they are): ask for it by name.
  if (!keys.has(prefix) && (await client.headObject(ref, prefix).then(() => true, (e) => (isClientError(e) && e.kind === 'not-found' ? false : Promise.reject(e))))) keys.add(prefix);
}

/**
 * Copies objects (and folders, recursively) into a destination: a server-side copy within one cluster,
 * a streamed GET → PUT between clusters. Names keep their path below the dragged item.
 */
export async function copyNodes(registry: ClusterRegistry, log: vscode.LogOutputChannel, nodes: (FolderNode | ObjectNode)[], dest: Destination, signal?: AbortSignal): Promise<number> {
  const target = await registry.client(dest.clusterName);
  let copied = 0;
  for (const n of nodes) {
    const source = await registry.client(n.clusterName);
    const ref = n.bucket;
    const base = n.type === 'object' ? n.parentPrefix : n.prefix.slice(0, n.prefix.slice(0, -1).lastIndexOf('/') + 1);
    const keys = n.type === 'object' ? [n.key] : (await collectPrefix(source, ref, n.prefix, os.tmpdir(), signal)).map((i) => i.key);
    for (const key of keys) {
      if (signal?.aborted) throw new TransferCancelled();
      const targetKey = dest.prefix + key.slice(base.length);
      if (n.clusterName === dest.clusterName) {
        if (ref.name === dest.bucket.name && ref.provider === dest.bucket.provider && targetKey === key) continue; // dropped onto itself
        await target.copyObject(ref, key, dest.bucket, targetKey);
      } else {
        const { body, head } = await source.getObject(ref, key);
        await target.putObject(dest.bucket, targetKey, { stream: body, size: head.size }, { contentType: head.contentType, userMeta: head.userMeta });
      }
      copied++;
      log.info(`copied ${objectUri(n.bucket, key)} → ${objectUri(dest.bucket, targetKey)}`);
    }
  }
  return copied;
}

export function registerTransferCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown, retry?: () => unknown) => showFailure(log, what, e, { showLog: true, retry });

  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.download', async (node?: TreeNode, nodes?: TreeNode[], target?: vscode.Uri, options?: TransferCommandOptions) => {
      const chosen = selection(node, nodes).filter((n): n is BucketNode | FolderNode | ObjectNode => n.type === 'bucket' || n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose objects, folders or a bucket in the AIS Buckets view to download.'));
        return undefined;
      }
      const dir = target ?? (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Download to folder'), canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: vscode.l10n.t('Download Here') }))?.[0];
      if (!dir) return undefined;
      try {
        return await downloadNodes(registry, log, chosen, dir.fsPath, { overwrite: target ? options?.overwrite ?? 'overwrite' : 'ask', ...options });
      } catch (e) {
        if (target) throw e;
        fail(vscode.l10n.t('Download'), e, () => vscode.commands.executeCommand('aisBuckets.download', node, nodes, dir, { overwrite: 'ask' }));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.deleteObjects', async (node?: TreeNode, nodes?: TreeNode[], options?: { confirm?: boolean }) => {
      const chosen = selection(node, nodes).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0) return 0;
      if (options?.confirm !== false) {
        const question =
          chosen.length > 1
            ? vscode.l10n.t('Delete {0} items?', chosen.length)
            : chosen[0].type === 'object'
              ? vscode.l10n.t('Delete "{0}"?', chosen[0].key)
              : vscode.l10n.t('Delete folder "{0}" and everything in it?', chosen[0].prefix);
        const del = vscode.l10n.t('Delete');
        const ok = await vscode.window.showWarningMessage(question, { modal: true, detail: vscode.l10n.t('This cannot be undone.') }, del);
        if (ok !== del) return 0;
      }
      try {
        const n = await deleteNodes(registry, log, chosen);
        refresh();
        return n;
      } catch (e) {
        if (options?.confirm === false) throw e;
        fail(vscode.l10n.t('Delete'), e);
        return 0;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.createFolder', async (node?: TreeNode, name?: string) => {
      const dest = destinationOf(node) ?? (await pickDestination(registry, vscode.l10n.t('Create Folder')));
      if (!dest) return undefined;
      const folder =
        name ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Create Folder'),
          prompt: vscode.l10n.t('New folder in {0}', objectUri(dest.bucket, dest.prefix)),
          validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter a name') : v.includes('//') ? vscode.l10n.t('A name cannot contain "//"') : undefined),
        }));
      if (!folder) return undefined;
      const key = `${dest.prefix}${folder.trim().replace(/^\/+|\/+$/g, '')}/`;
      const client = await registry.client(dest.clusterName);
      // S3 has no folders: an empty object whose name ends with '/' is the common convention.
      await client.putObject(dest.bucket, key, { stream: (await import('node:stream')).Readable.from([]), size: 0 });
      refresh();
      return key;
    }),
    vscode.commands.registerCommand('aisBuckets.copyObjects', async (sources?: TreeNode[], dest?: Destination) => {
      const chosen = (sources ?? []).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (!dest || chosen.length === 0) return 0;
      try {
        const where = objectUri(dest.bucket, dest.prefix);
        const title = chosen.length === 1 ? vscode.l10n.t('Copying one item to {0}', where) : vscode.l10n.t('Copying {0} items to {1}', chosen.length, where);
        const copied = await runTransfer(title, log, (t) => copyNodes(registry, log, chosen, dest, t.signal));
        refresh();
        return copied ?? 0;
      } catch (e) {
        fail(vscode.l10n.t('Copy'), e);
        return 0;
      }
    }),
  );
}
