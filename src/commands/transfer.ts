// Downloads, deletes, copies and new folders. Each command runs from the tree's context menu (with the
// node(s) as arguments), from the palette (QuickPicks ask), or programmatically with arguments (then it
// asks nothing and tells nothing unless told to: `quiet: false`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { collectPrefix, downloadFiles, DownloadItem } from '../client/transfer/download';
import { TransferCancelled } from '../client/transfer/limits';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { BucketNode, FolderNode, ObjectNode, TreeNode } from '../views/model';
import { type Destination, destinationOf, pickTarget, targetFlow, runTransfer, selection, showFailure, type TransferCommandOptions, transferSettings } from './common';
import { deleteNodes } from './deletion';
import { MultiStepInput, type Step } from './input/multistep';
import { reportCopy, reportDownload } from './outcome';

export interface DownloadResult {
  files: number;
  bytes: number;
  /** What to show afterwards: the file of a single object, the folder made for a single folder or bucket, else the target. */
  reveal: string;
  single: boolean;
}

/** Downloads objects, folders (prefixes) or whole buckets into a local folder, verifying checksums. */
export async function downloadNodes(
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  nodes: (BucketNode | FolderNode | ObjectNode)[],
  targetDir: string,
  options: TransferCommandOptions = {},
): Promise<DownloadResult | undefined> {
  if (nodes.length === 0) return { files: 0, bytes: 0, reveal: targetDir, single: false };
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
  const only = nodes.length === 1 ? nodes[0] : undefined;
  const single = only?.type === 'object' && total === 1;
  const reveal = single ? groups.find((g) => g.items.length)!.items[0].file : only && only.type !== 'object' ? path.join(targetDir, only.type === 'folder' ? path.basename(only.prefix.slice(0, -1)) : only.bucket.name) : targetDir;
  return runTransfer(title, log, [clusterName], async (t) => {
    let files = 0;
    let bytes = 0;
    for (const g of groups) {
      if (g.items.length === 0) continue;
      const r = await downloadFiles(client, g.bucket, g.items, { ...settings, ...t });
      files += r.files;
      bytes += r.bytes;
    }
    log.info(`${title}: ${files} files, ${bytes} bytes`);
    return { files, bytes, reveal, single };
  });
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

/** The key of a new folder's marker: "dir/" in the destination, slashes typed at its ends dropped. */
function folderKey(dest: Destination, name: string): string {
  return `${dest.prefix}${name.trim().replace(/^\/+|\/+$/g, '')}/`;
}

export function registerTransferCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown, retry?: () => unknown) => showFailure(log, what, e, { showLog: true, retry });

  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.download', async (node?: TreeNode, nodes?: TreeNode[], target?: vscode.Uri, options?: TransferCommandOptions) => {
      let chosen = selection(node, nodes).filter((n): n is BucketNode | FolderNode | ObjectNode => n.type === 'bucket' || n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0 && !node) {
        // From the palette: what to download, browsed.
        const picked = await pickTarget(registry, vscode.l10n.t('Download'), { objects: true, folders: true, bucket: true });
        if (!picked) return undefined;
        chosen = [picked];
      }
      if (chosen.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose objects, folders or a bucket in the AIS Buckets view to download.'));
        return undefined;
      }
      const dir = target ?? (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Download to folder'), canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: vscode.l10n.t('Download Here') }))?.[0];
      if (!dir) return undefined;
      const quiet = options?.quiet ?? target !== undefined;
      try {
        const result = await downloadNodes(registry, log, chosen, dir.fsPath, { overwrite: target ? options?.overwrite ?? 'overwrite' : 'ask', ...options });
        if (result && !quiet) reportDownload({ ...result, targetDir: dir.fsPath });
        return result;
      } catch (e) {
        if (quiet) throw e;
        fail(vscode.l10n.t('Download'), e, () => vscode.commands.executeCommand('aisBuckets.download', node, nodes, dir, { overwrite: 'ask', quiet: false }));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.deleteObjects', async (node?: TreeNode, nodes?: TreeNode[], options?: { confirm?: boolean }) => {
      let chosen = selection(node, nodes).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0 && !node) {
        // From the palette: the object or folder to delete, browsed.
        const picked = await pickTarget(registry, vscode.l10n.t('Delete'), { objects: true, folders: true });
        if (!picked || picked.type === 'bucket') return 0;
        chosen = [picked];
      }
      if (chosen.length === 0) return 0;
      const confirm = options?.confirm !== false;
      try {
        const n = await deleteNodes(registry, log, chosen, { confirm });
        refresh();
        return n;
      } catch (e) {
        refresh();
        if (!confirm) throw e;
        fail(vscode.l10n.t('Delete'), e);
        return 0;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.createFolder', async (node?: TreeNode, name?: string) => {
      const given = destinationOf(node);
      const make = async (dest: Destination, folder: string) => {
        const key = folderKey(dest, folder);
        const client = await registry.client(dest.clusterName);
        // S3 has no folders: an empty object whose name ends with '/' is the common convention.
        await client.putObject(dest.bucket, key, { stream: (await import('node:stream')).Readable.from([]), size: 0 });
        refresh();
        return key;
      };
      if (given && name !== undefined) return make(given, name);
      // Where (from the palette: cluster → bucket → folder), then the name, in one quick input; a name
      // that is taken is said on the step.
      let chosen: { dest: Destination; folder: string } | undefined;
      const typed = new Map<string, string>();
      const nameStep = (dest: Destination): Step => async (input) => {
        const where = objectUri(dest.bucket, dest.prefix);
        const folder = await input.inputBox({
          prompt: vscode.l10n.t('New folder in {0}', where),
          value: typed.get(where),
          validate: (v) => (v.includes('//') ? vscode.l10n.t('A name cannot contain "//".') : /^\s*\/+\s*$/.test(v) ? vscode.l10n.t('Type a name: "/" alone is not one.') : undefined),
          remember: (v) => typed.set(where, v),
          accept: async (v) => {
            const key = folderKey(dest, v);
            const page = await (await registry.client(dest.clusterName)).listObjects(dest.bucket, { prefix: key, folders: false, pageSize: 1 });
            return page.objects.length ? vscode.l10n.t('{0} already exists: type another name.', objectUri(dest.bucket, key)) : undefined;
          },
        });
        chosen = { dest, folder };
        return undefined;
      };
      const flow = given ? { steps: 0, first: nameStep(given) } : await targetFlow(registry, { folders: true, bucket: true }, (p) => nameStep(destinationOf(p)!));
      if (!flow) return undefined;
      if (!(await MultiStepInput.run(vscode.l10n.t('Create Folder'), () => flow.steps + 1, flow.first)) || !chosen) return undefined;
      try {
        return await make(chosen.dest, chosen.folder);
      } catch (e) {
        fail(vscode.l10n.t('Create Folder'), e);
        return undefined;
      }
    }),
    /** Run by drag and drop (with `quiet: false`) and by callers: copies, then tells what was copied. */
    vscode.commands.registerCommand('aisBuckets.copyObjects', async (sources?: TreeNode[], dest?: Destination, options?: { quiet?: boolean }) => {
      const chosen = (sources ?? []).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (!dest || chosen.length === 0) return 0;
      const quiet = options?.quiet ?? true;
      try {
        const where = objectUri(dest.bucket, dest.prefix);
        const title = chosen.length === 1 ? vscode.l10n.t('Copying one item to {0}', where) : vscode.l10n.t('Copying {0} items to {1}', chosen.length, where);
        const copied = await runTransfer(title, log, [dest.clusterName, ...chosen.map((n) => n.clusterName)], (t) => copyNodes(registry, log, chosen, dest, t.signal));
        refresh();
        if (copied !== undefined && !quiet) reportCopy({ clusterName: dest.clusterName, bucket: dest.bucket, prefix: dest.prefix, copied });
        return copied ?? 0;
      } catch (e) {
        fail(vscode.l10n.t('Copy'), e);
        return 0;
      }
    }),
  );
}
