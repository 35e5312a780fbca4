// Uploads, downloads, deletes and small object actions. Each command runs from the tree's context menu
// (with the node(s) as arguments), from the palette (QuickPicks ask), or programmatically with arguments.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BucketRef, ClusterClient, DELETE_BATCH_SIZE, type DeleteFailure, isClientError } from '../client/cluster';
import { collectPrefix, downloadFiles, DownloadItem } from '../client/transfer/download';
import { ChecksumMismatch, TransferCancelled } from '../client/transfer/limits';
import type { TransferOptions, TransferProgress } from '../client/transfer/options';
import { collectFolder, uploadFiles, UploadItem } from '../client/transfer/upload';
import type { ClusterRegistry } from '../registry';
import { formatSize } from '../views/format';
import { bucketRef, objectUri, type BucketNode, type FolderNode, type ObjectNode, type TreeNode } from '../views/tree';
import { pickBucket, pickCluster } from './buckets';
import { logFailedKeys, nameFailedKeys, withDeleteProgress } from './deletion';
import { offerKeepForLater, uploadJournal } from './navigate';

/** Where uploads go: a bucket (prefix '') or a folder (prefix ends with '/'). */
export interface Destination {
  clusterName: string;
  bucket: BucketRef;
  prefix: string;
}

export type OverwritePolicy = 'overwrite' | 'skip' | 'ask';

export interface TransferCommandOptions {
  /** What to do when targets exist (default 'ask'; commands run with arguments default to 'overwrite'). */
  overwrite?: OverwritePolicy;
  /** Called instead of showing a notification, for tests. */
  quiet?: boolean;
}

export function destinationOf(node: TreeNode | undefined): Destination | undefined {
  if (!node) return undefined;
  if (node.type === 'bucket') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: '' };
  if (node.type === 'folder') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: node.prefix };
  if (node.type === 'object') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: node.parentPrefix };
  return undefined;
}

export async function pickDestination(registry: ClusterRegistry, title: string): Promise<Destination | undefined> {
  const clusterName = await pickCluster(registry, title);
  if (!clusterName) return undefined;
  const bucket = await pickBucket(registry, clusterName, title);
  if (!bucket) return undefined;
  const prefix = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Folder (key prefix) inside the bucket; empty for the top level'), value: '' });
  if (prefix === undefined) return undefined;
  return { clusterName, bucket, prefix: prefix && !prefix.endsWith('/') ? prefix + '/' : prefix };
}

function transferSettings(partSizeMb?: number): Pick<TransferOptions, 'partSize' | 'partConcurrency' | 'fileConcurrency'> {
  const cfg = vscode.workspace.getConfiguration('aisBuckets.transfer');
  return {
    partSize: Math.max(5, partSizeMb ?? cfg.get<number>('partSizeMb') ?? 16) * 1024 * 1024,
    partConcurrency: Math.max(1, cfg.get<number>('parallelParts') ?? 4),
    fileConcurrency: Math.max(1, cfg.get<number>('parallelFiles') ?? 8),
  };
}

function describeProgress(p: TransferProgress): string {
  const amount = vscode.l10n.t('{0} of {1} · {2}/s', formatSize(p.bytesDone), formatSize(p.bytesTotal), formatSize(p.rate));
  return p.filesTotal > 1 ? vscode.l10n.t('{0}/{1} files · {2}', p.filesDone, p.filesTotal, amount) : amount;
}

export function errorMessage(e: unknown): string {
  if (isClientError(e)) return e.message;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return vscode.l10n.t('Permission denied: {0}. Choose a folder you can write to.', (e as NodeJS.ErrnoException).path ?? e.message);
    if (code === 'ENOSPC') return vscode.l10n.t('The disk is full.');
    return e.message;
  }
  return String(e);
}

/** Runs a transfer under a cancellable progress notification; returns undefined when cancelled. */
async function runTransfer<T>(title: string, log: vscode.LogOutputChannel, work: (opts: Pick<TransferOptions, 'signal' | 'onProgress' | 'onLog'>) => Promise<T>): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let lastFraction = 0;
    try {
      return await work({
        signal: abort.signal,
        onLog: (line) => log.info(line),
        onProgress: (p) => {
          const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
          progress.report({ message: describeProgress(p), increment: Math.max(0, (fraction - lastFraction) * 100) });
          lastFraction = Math.max(lastFraction, fraction);
        },
      });
    } catch (e) {
      if (e instanceof TransferCancelled || abort.signal.aborted) {
        log.info(`${title}: cancelled`);
        return undefined;
      }
      throw e;
    }
  });
}

/** Uploads local files/folders (keys keep the relative paths under each folder's name). */
export async function uploadPaths(
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  dest: Destination,
  paths: string[],
  options: TransferCommandOptions = {},
): Promise<{ files: number; bytes: number } | undefined> {
  const client = await registry.client(dest.clusterName);
  let items: UploadItem[] = [];
  for (const p of paths) {
    const st = await fs.promises.stat(p);
    if (st.isDirectory()) items.push(...(await collectFolder(p, `${dest.prefix}${path.basename(p)}/`)));
    else if (st.isFile()) items.push({ file: p, key: dest.prefix + path.basename(p), size: st.size });
  }
  if (items.length === 0) {
    if (!options.quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to upload: the selection holds no files.'));
    return { files: 0, bytes: 0 };
  }
  items = await filterExistingKeys(client, dest, items, options.overwrite ?? 'ask');
  if (items.length === 0) return { files: 0, bytes: 0 };
  const entry = await registry.entry(dest.clusterName);
  const where = objectUri({ provider: dest.bucket.provider, bucket: dest.bucket.name }, dest.prefix);
  const title = items.length === 1 ? vscode.l10n.t('Uploading {0} to {1}', path.basename(items[0].file), where) : vscode.l10n.t('Uploading {0} files to {1}', items.length, where);
  const journal = uploadJournal();
  const result = await runTransfer(title, log, (t) => uploadFiles(client, dest.bucket, items, { ...transferSettings(entry?.spec.multipartChunkSizeMb), ...t, journal }));
  // Cancelled: multipart uploads under way stay in the journal until the user says keep or discard.
  if (!result && journal && !options.quiet) await offerKeepForLater(registry, dest.clusterName, dest.bucket, items.map((i) => i.key));
  if (result) log.info(`${title}: ${result.files} files, ${result.bytes} bytes in ${result.ms} ms`);
  return result;
}

/** Asks once what to do with keys that already exist; returns the items to send. */
async function filterExistingKeys(client: ClusterClient, dest: Destination, items: UploadItem[], policy: OverwritePolicy): Promise<UploadItem[]> {
  if (policy === 'overwrite') return items;
  const existing = new Set<string>();
  if (items.length <= 20) {
    await Promise.all(items.map((i) => client.headObject(dest.bucket, i.key).then(() => existing.add(i.key), () => undefined)));
  } else {
    let token: string | undefined;
    do {
      const page = await client.listObjects(dest.bucket, { prefix: dest.prefix, folders: false, token });
      for (const o of page.objects) existing.add(o.key);
      token = page.nextToken;
    } while (token);
  }
  const clashes = items.filter((i) => existing.has(i.key));
  if (clashes.length === 0) return items;
  const overwrite = vscode.l10n.t('Overwrite');
  const skipExisting = vscode.l10n.t('Skip Existing');
  let choice: string | undefined = policy === 'skip' ? skipExisting : undefined;
  choice ??= await vscode.window.showWarningMessage(
    clashes.length === 1 ? vscode.l10n.t('"{0}" already exists. Overwrite it?', clashes[0].key) : vscode.l10n.t('{0} of {1} objects already exist.', clashes.length, items.length),
    { modal: true },
    overwrite,
    ...(clashes.length < items.length || clashes.length > 1 ? [skipExisting] : []),
  );
  if (choice === overwrite) return items;
  if (choice === skipExisting) return items.filter((i) => !existing.has(i.key));
  return [];
}

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
    const ref = bucketRef(n);
    const k = `${ref.provider}/${ref.name}`;
    const group = byBucket.get(k) ?? { bucket: ref, items: [] };
    byBucket.set(k, group);
    if (n.type === 'object') group.items.push({ key: n.key, file: path.join(targetDir, path.basename(n.key)), size: n.entry.size });
    else {
      const prefix = n.type === 'folder' ? n.prefix : '';
      const folderName = n.type === 'folder' ? path.basename(n.prefix.slice(0, -1)) : n.bucket;
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
  const title = nodes.length === 1 ? vscode.l10n.t('Deleting {0}', nodes[0].type === 'object' ? objectUri(nodes[0], nodes[0].key) : objectUri(nodes[0], nodes[0].prefix)) : vscode.l10n.t('Deleting {0} items', nodes.length);
  return withDeleteProgress(title, async (run) => {
    // One batch run per bucket, whatever number of nodes were selected in it.
    const groups = new Map<string, { client: ClusterClient; ref: BucketRef; nodes: (FolderNode | ObjectNode)[]; keys: Set<string> }>();
    for (const n of nodes) {
      if (run.signal.aborted) break;
      const ref = bucketRef(n);
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
      const uriOf = (key: string) => objectUri(g.nodes[0], key);
      const result = await g.client.deleteObjects(g.ref, [...g.keys], { signal: run.signal, onProgress: (n) => run.report(done + n, total) });
      done += g.keys.size;
      deleted += result.deleted;
      cancelled = result.cancelled;
      logFailedKeys(log, result.failed, uriOf);
      failed.push(...result.failed.map((f) => ({ ...f, key: uriOf(f.key) })));
      if (!result.cancelled && result.failed.length === 0) for (const n of g.nodes) log.info(`deleted ${n.type === 'object' ? objectUri(n, n.key) : objectUri(n, n.prefix) + ' (folder)'}`);
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
    const ref = bucketRef(n);
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
      log.info(`copied ${objectUri(n, key)} → ${objectUri({ provider: dest.bucket.provider, bucket: dest.bucket.name }, targetKey)}`);
    }
  }
  return copied;
}

function selection(node: TreeNode | undefined, nodes: TreeNode[] | undefined): TreeNode[] {
  if (nodes && nodes.length) return nodes;
  return node ? [node] : [];
}

export function registerTransferCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown) => {
    const message = e instanceof ChecksumMismatch ? e.message : errorMessage(e);
    log.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, message), vscode.l10n.t('Show Log')).then((p) => p && log.show());
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.upload', async (node?: TreeNode | Destination, uris?: vscode.Uri[], options?: TransferCommandOptions) => {
      const dest = node && 'clusterName' in node && 'bucket' in node && typeof node.bucket === 'object' ? (node as Destination) : destinationOf(node as TreeNode) ?? (await pickDestination(registry, vscode.l10n.t('Upload')));
      if (!dest) return undefined;
      const picked =
        uris ??
        (await vscode.window.showOpenDialog({
          title: vscode.l10n.t('Upload to {0}', objectUri({ provider: dest.bucket.provider, bucket: dest.bucket.name }, dest.prefix)),
          canSelectMany: true,
          canSelectFiles: true,
          canSelectFolders: true,
          openLabel: vscode.l10n.t('Upload'),
        }));
      if (!picked?.length) return undefined;
      try {
        const result = await uploadPaths(registry, log, dest, picked.map((u) => u.fsPath), { overwrite: uris ? options?.overwrite ?? 'overwrite' : 'ask', ...options });
        // The walkthrough's "drop a file on a bucket" step completes on a finished upload.
        if (result && result.files > 0) void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.uploaded', true);
        refresh();
        void maybeOfferMd5(context, registry, dest);
        return result;
      } catch (e) {
        if (uris) throw e;
        fail(vscode.l10n.t('Upload'), e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.uploadFromExplorer', async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      const chosen = uris?.length ? uris : uri ? [uri] : undefined;
      if (!chosen) return undefined;
      const dest = await pickDestination(registry, vscode.l10n.t('Upload to Bucket'));
      if (!dest) return undefined;
      return vscode.commands.executeCommand('aisBuckets.upload', dest, chosen, { overwrite: 'ask' });
    }),
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
        fail(vscode.l10n.t('Download'), e);
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
          prompt: vscode.l10n.t('New folder in {0}', objectUri({ provider: dest.bucket.provider, bucket: dest.bucket.name }, dest.prefix)),
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
        const where = objectUri({ provider: dest.bucket.provider, bucket: dest.bucket.name }, dest.prefix);
        const title = chosen.length === 1 ? vscode.l10n.t('Copying one item to {0}', where) : vscode.l10n.t('Copying {0} items to {1}', chosen.length, where);
        const copied = await runTransfer(title, log, (t) => copyNodes(registry, log, chosen, dest, t.signal));
        refresh();
        return copied ?? 0;
      } catch (e) {
        fail(vscode.l10n.t('Copy'), e);
        return 0;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.copyObjectUri', async (node?: TreeNode) => {
      if (!node || (node.type !== 'object' && node.type !== 'folder' && node.type !== 'bucket')) return undefined;
      const uri = node.type === 'object' ? objectUri(node, node.key) : node.type === 'folder' ? objectUri(node, node.prefix) : objectUri(node);
      await vscode.env.clipboard.writeText(uri);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', uri), 3000);
      return uri;
    }),
  );
}

/** Offers once per bucket to switch an AIS bucket to md5, so that S3 clients (s3cmd) see MD5 ETags. */
async function maybeOfferMd5(context: vscode.ExtensionContext, registry: ClusterRegistry, dest: Destination): Promise<void> {
  const client = await registry.client(dest.clusterName);
  if (!client.capabilities.bucketProps) return;
  const key = `aisBuckets.md5Offered:${dest.clusterName}:${dest.bucket.provider}:${dest.bucket.name}`;
  if (context.globalState.get<boolean>(key)) return;
  try {
    const props = await client.getBucketProps(dest.bucket);
    const type = props.checksum?.type;
    if (!type || type === 'md5') return;
    await context.globalState.update(key, true);
    const switchToMd5 = vscode.l10n.t('Switch to md5');
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Bucket {0} uses {1} checksums. S3 clients such as s3cmd compare ETags with MD5 and will warn on every upload. Switch this bucket to md5?',
        `${dest.bucket.provider}://${dest.bucket.name}`,
        type,
      ),
      switchToMd5,
      vscode.l10n.t('Not Now'),
    );
    if (pick === switchToMd5) {
      await client.setBucketProps(dest.bucket, { checksum: { type: 'md5' } });
      void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.md5', true);
    }
  } catch {
    // best effort: the upload itself succeeded
  }
}
