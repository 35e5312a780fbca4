// Links, names and objects as data (issue 8): presigned URLs, Go to Key, substring search, metadata edits,
// rename/move of objects and folders, and resumable uploads. Every command takes arguments for tests and
// asks through QuickPicks and input boxes otherwise.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BucketRef, ClusterClient, isClientError, ObjectMetadataUpdate } from '../client/cluster';
import { collectPrefix } from '../client/transfer/download';
import { FileUploadJournal, StaleUpload, UploadJournal, UploadJournalEntry } from '../client/transfer/journal';
import { TransferCancelled } from '../client/transfer/limits';
import { resumeUpload } from '../client/transfer/upload';
import type { ClusterRegistry } from '../registry';
import { formatSize } from '../views/format';
import { bucketRef, objectUri, type BucketNode, type FolderNode, type TreeNode } from '../views/model';
import type { BucketTreeProvider } from '../views/tree';
import { pickBucket, pickCluster } from './buckets';

// ------------------------------------------------------------------------------------------ journal

let journal: FileUploadJournal | undefined;

/** The journal of multipart uploads in progress, a file in the extension's global storage. */
export function uploadJournal(): UploadJournal | undefined {
  return journal;
}

/** After a cancelled upload: keep its unfinished multipart uploads for later, or abort them. */
export async function offerKeepForLater(registry: ClusterRegistry, clusterName: string, bucket: BucketRef, keys: string[]): Promise<'keep' | 'discard' | 'none'> {
  if (!journal) return 'none';
  const client = await registry.client(clusterName);
  const wanted = new Set(keys);
  const entries = (await journal.list()).filter((e) => e.endpoint === client.endpoint && e.bucket.name === bucket.name && wanted.has(e.key));
  if (entries.length === 0) return 'none';
  const done = entries.reduce((n, e) => n + e.parts.length * e.partSize, 0);
  const keep = vscode.l10n.t('Keep for Later');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Upload cancelled. Keep the partial upload ({0} sent) to resume it later?', formatSize(Math.min(done, entries.reduce((n, e) => n + e.fileSize, 0)))),
    keep,
    vscode.l10n.t('Discard'),
  );
  if (choice === keep) return 'keep';
  await Promise.all(entries.map((e) => discard(client, e)));
  return 'discard';
}

async function discard(client: ClusterClient, e: UploadJournalEntry): Promise<void> {
  await client.abortMultipartUpload(e.bucket, e.key, e.uploadId).catch(() => undefined);
  await journal?.remove(e.uploadId);
}

/** The cluster a journal entry belongs to: the registry entry whose client talks to its endpoint. */
async function clusterOf(registry: ClusterRegistry, e: UploadJournalEntry): Promise<string | undefined> {
  for (const entry of await registry.entries()) {
    try {
      if ((await registry.client(entry.spec.name)).endpoint === e.endpoint) return entry.spec.name;
    } catch {
      // an unreachable or misconfigured cluster is not it
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ helpers

// A function, with literal keys: l10n export extracts only literals, and the bundle is loaded at activation.
function expiries(): { label: string; seconds: number }[] {
  return [
    { label: vscode.l10n.t('15 minutes'), seconds: 900 },
    { label: vscode.l10n.t('1 hour'), seconds: 3600 },
    { label: vscode.l10n.t('12 hours'), seconds: 43200 },
    { label: vscode.l10n.t('1 day'), seconds: 86400 },
    { label: vscode.l10n.t('7 days (the longest SigV4 allows)'), seconds: 604800 },
  ];
}

function uriOf(b: { provider: string; name: string }, key = ''): string {
  return objectUri({ provider: b.provider, bucket: b.name }, key);
}

export function errorText(e: unknown): string {
  return isClientError(e) || e instanceof Error ? e.message : String(e);
}

/** "k=v, k2=v2" → { k: 'v', k2: 'v2' }; returns a message for bad input. */
export function parseUserMeta(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return vscode.l10n.t('"{0}" is not key=value', part);
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(k)) return vscode.l10n.t('"{0}": metadata keys are letters, digits, ".", "_" and "-"', k);
    out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

type Container = BucketNode | FolderNode;

async function pickContainer(registry: ClusterRegistry, title: string): Promise<{ clusterName: string; bucket: BucketRef; prefix: string } | undefined> {
  const clusterName = await pickCluster(registry, title);
  if (!clusterName) return undefined;
  const bucket = await pickBucket(registry, clusterName, title);
  if (!bucket) return undefined;
  return { clusterName, bucket, prefix: '' };
}

function containerOf(node: TreeNode | undefined): { clusterName: string; bucket: BucketRef; prefix: string } | undefined {
  if (!node) return undefined;
  if (node.type === 'bucket') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: '' };
  if (node.type === 'folder') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: node.prefix };
  if (node.type === 'object') return { clusterName: node.clusterName, bucket: bucketRef(node), prefix: node.parentPrefix };
  return undefined;
}

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

// ------------------------------------------------------------------------------------------ commands

export function registerNavigateCommands(
  context: vscode.ExtensionContext,
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  tree: BucketTreeProvider,
  treeView: vscode.TreeView<TreeNode>,
) {
  journal = new FileUploadJournal(path.join(context.globalStorageUri.fsPath, 'uploads.json'));
  const fail = (what: string, e: unknown) => {
    const message = errorText(e);
    log.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, message));
  };

  /** Reveals a key (object, folder, or first name with a prefix) in the tree; returns its node. */
  const goTo = async (clusterName: string, bucket: BucketRef, key: string): Promise<TreeNode> => {
    const found = await tree.model.locate(clusterName, bucket, key);
    tree.changedNodes(found.changed);
    await treeView.reveal(found.node, { select: true, focus: true, expand: found.node.type !== 'object' ? 1 : false });
    return found.node;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.copyPresignedUrl', async (node?: TreeNode, expiresInSeconds?: number) => {
      if (!node || node.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to share.'));
        return undefined;
      }
      let seconds = expiresInSeconds;
      if (seconds === undefined) {
        const picked = await vscode.window.showQuickPick(
          expiries(),
          { title: vscode.l10n.t('Presigned URL for {0}', objectUri(node, node.key)), placeHolder: vscode.l10n.t('How long should the link work?') },
        );
        if (!picked) return undefined;
        seconds = picked.seconds;
      }
      try {
        const client = await registry.client(node.clusterName);
        const url = await client.presignGetObject(bucketRef(node), node.key, seconds);
        await vscode.env.clipboard.writeText(url);
        const until = new Date(Date.now() + seconds * 1000).toLocaleString();
        log.info(`presigned URL for ${objectUri(node, node.key)}, valid until ${until}`);
        if (expiresInSeconds === undefined) void vscode.window.showInformationMessage(vscode.l10n.t('Presigned URL copied: anyone with it can download {0} until {1}.', node.key, until));
        return url;
      } catch (e) {
        if (expiresInSeconds !== undefined) throw e;
        fail(vscode.l10n.t('Presigned URL'), e);
        return undefined;
      }
    }),

    vscode.commands.registerCommand('aisBuckets.goToKey', async (node?: TreeNode, key?: string) => {
      const where = containerOf(node) ?? (await pickContainer(registry, vscode.l10n.t('Go to Key')));
      if (!where) return undefined;
      const wanted =
        key ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Go to Key in {0}', uriOf(where.bucket)),
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
      const where = containerOf(node) ?? (await pickContainer(registry, vscode.l10n.t('Search Bucket')));
      if (!where) return undefined;
      const scope = uriOf(where.bucket, where.prefix);
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

    vscode.commands.registerCommand('aisBuckets.editMetadata', async (node?: TreeNode, update?: ObjectMetadataUpdate) => {
      if (!node || node.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to edit its metadata.'));
        return undefined;
      }
      const client = await registry.client(node.clusterName);
      const ref = bucketRef(node);
      let next = update;
      try {
        if (!next) {
          const head = await client.headObject(ref, node.key);
          const contentType = await vscode.window.showInputBox({
            title: vscode.l10n.t('Edit Metadata of {0}', objectUri(node, node.key)),
            prompt: vscode.l10n.t('Content type'),
            value: head.contentType ?? '',
            validateInput: (v) => (v && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(v.trim()) ? vscode.l10n.t('A media type such as text/plain or application/json') : undefined),
          });
          if (contentType === undefined) return undefined;
          const metaText = await vscode.window.showInputBox({
            title: vscode.l10n.t('Edit Metadata of {0}', objectUri(node, node.key)),
            prompt: vscode.l10n.t('User metadata as key=value pairs, separated by commas (empty: none)'),
            value: Object.entries(head.userMeta).map(([k, v]) => `${k}=${v}`).join(', '),
            validateInput: (v) => {
              const r = parseUserMeta(v);
              return typeof r === 'string' ? r : undefined;
            },
          });
          if (metaText === undefined) return undefined;
          next = { contentType: contentType.trim() || undefined, userMeta: parseUserMeta(metaText) as Record<string, string> };
        }
        await client.setObjectMetadata(ref, node.key, next);
        log.info(`metadata of ${objectUri(node, node.key)} set: ${JSON.stringify(next)}`);
        tree.refresh(node);
        if (!update) void vscode.window.setStatusBarMessage(vscode.l10n.t('Metadata of {0} saved', node.key), 3000);
        return next;
      } catch (e) {
        if (update) throw e;
        fail(vscode.l10n.t('Edit Metadata'), e);
        return undefined;
      }
    }),

    vscode.commands.registerCommand('aisBuckets.rename', async (node?: TreeNode, newName?: string) => {
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
          title: vscode.l10n.t('Rename or Move {0}', objectUri(node, oldName)),
          prompt: vscode.l10n.t('The new full name in this bucket (change the folder part to move it)'),
          value: oldName,
          valueSelection: [Math.max(0, start), oldName.length - (node.type === 'folder' ? 1 : 0)],
          validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter a name') : v.includes('//') ? vscode.l10n.t('A name cannot contain "//"') : undefined),
        }));
      if (!target || target === oldName) return undefined;
      if (node.type === 'folder' && !target.endsWith('/')) target += '/';
      const client = await registry.client(node.clusterName);
      const ref = bucketRef(node);
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
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Moving {0} to {1}', objectUri(node, oldName), target), cancellable: true },
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
        log.info(`moved ${objectUri(node, oldName)} → ${target} (${moved ?? 0} objects)`);
        tree.refresh();
        return moved;
      } catch (e) {
        tree.refresh();
        if (newName !== undefined) throw e;
        fail(vscode.l10n.t('Rename'), e);
        return undefined;
      }
    }),

    vscode.commands.registerCommand('aisBuckets.resumeUploads', async (uploadIds?: string[]) => {
      if (!journal) return [];
      let entries = await journal.list();
      if (uploadIds) entries = entries.filter((e) => uploadIds.includes(e.uploadId));
      else {
        if (entries.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('No interrupted uploads to resume.'));
          return [];
        }
        const picked = await vscode.window.showQuickPick(
          entries.map((e) => ({
            label: path.basename(e.file),
            description: uriOf(e.bucket, e.key),
            detail: vscode.l10n.t('{0} of {1} sent · started {2}', formatSize(Math.min(e.fileSize, e.parts.length * e.partSize)), formatSize(e.fileSize), new Date(e.started).toLocaleString()),
            picked: true,
            entry: e,
          })),
          { title: vscode.l10n.t('Resume Uploads'), canPickMany: true },
        );
        if (!picked?.length) return [];
        entries = picked.map((p) => p.entry);
      }
      const done: string[] = [];
      for (const e of entries) {
        const clusterName = await clusterOf(registry, e);
        if (!clusterName) {
          void vscode.window.showWarningMessage(vscode.l10n.t('The cluster at {0} for {1} is not in the list any more.', e.endpoint, uriOf(e.bucket, e.key)));
          continue;
        }
        const client = await registry.client(clusterName);
        try {
          await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Resuming upload of {0}', uriOf(e.bucket, e.key)), cancellable: true },
            async (progress, token) => {
              const abort = new AbortController();
              token.onCancellationRequested(() => abort.abort());
              let last = 0;
              await resumeUpload(client, e, {
                journal,
                signal: abort.signal,
                onLog: (l) => log.info(l),
                onProgress: (p) => {
                  const f = p.bytesTotal ? p.bytesDone / p.bytesTotal : 0;
                  progress.report({ message: `${formatSize(p.bytesDone)} / ${formatSize(p.bytesTotal)}`, increment: Math.max(0, (f - last) * 100) });
                  last = Math.max(last, f);
                },
              });
            },
          );
          done.push(e.uploadId);
          log.info(`resumed and completed ${uriOf(e.bucket, e.key)}`);
        } catch (err) {
          if (err instanceof TransferCancelled) continue;
          if (err instanceof StaleUpload) {
            const abortIt = vscode.l10n.t('Abort Stale Upload');
            const choice = uploadIds ? abortIt : await vscode.window.showWarningMessage(err.message, abortIt);
            if (choice === abortIt) await discard(client, e);
            if (uploadIds) throw err;
            continue;
          }
          if (uploadIds) throw err;
          fail(vscode.l10n.t('Resume upload'), err);
        }
      }
      if (done.length) tree.refresh();
      return done;
    }),
  );

  // Walkthrough steps complete on real state: a running local gateway, a cluster of one's own.
  const walkthroughContext = async () => {
    const entries = await registry.entries();
    await vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.gateway', entries.some((e) => e.embedded));
    await vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.cluster', entries.some((e) => !e.embedded && !e.transient));
  };
  context.subscriptions.push(registry.onDidChange(() => void walkthroughContext()));
  void walkthroughContext();

  // Interrupted uploads from an earlier session: offer them once at start.
  void journal.list().then(async (entries) => {
    if (entries.length === 0) return;
    await vscode.commands.executeCommand('setContext', 'aisBuckets.hasInterruptedUploads', true);
    const resume = vscode.l10n.t('Resume');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('{0} interrupted upload(s) can be resumed.', entries.length), resume, vscode.l10n.t('Later'));
    if (choice === resume) await vscode.commands.executeCommand('aisBuckets.resumeUploads');
  });
}

export type { Container };
