// Uploads: files and folders into a bucket or folder (from the tree, the Explorer, drag and drop), and
// resumable multipart uploads. The journal of uploads in progress is the extension's (created at
// activation): a cancelled upload can be kept for later, and an interrupted one resumed, also after a
// restart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../client/cluster';
import { StaleUpload, type UploadJournal, type UploadJournalEntry } from '../client/transfer/journal';
import { runningTransfers } from '../client/transfer/running';
import { TransferCancelled } from '../client/transfer/limits';
import { collectFolder, resumeUpload, uploadFiles, type UploadItem } from '../client/transfer/upload';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { destinationOf, type Destination, type OverwritePolicy, pickDestination, runTransfer, showFailure, type TransferCommandOptions, transferSettings } from './common';
import { reportUpload } from './outcome';

/** After a cancelled upload: keep its unfinished multipart uploads for later, or abort them. */
async function offerKeepForLater(registry: ClusterRegistry, journal: UploadJournal, clusterName: string, bucket: BucketRef, keys: string[]): Promise<'keep' | 'discard' | 'none'> {
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
  await Promise.all(entries.map((e) => discard(client, journal, e)));
  return 'discard';
}

async function discard(client: ClusterClient, journal: UploadJournal, e: UploadJournalEntry): Promise<void> {
  await client.abortMultipartUpload(e.bucket, e.key, e.uploadId).catch(() => undefined);
  await journal.remove(e.uploadId);
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

/** Uploads local files/folders (keys keep the relative paths under each folder's name). */
async function uploadPaths(
  context: vscode.ExtensionContext,
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  journal: UploadJournal,
  dest: Destination,
  paths: string[],
  options: TransferCommandOptions = {},
): Promise<{ files: number; bytes: number } | undefined> {
  const client = await registry.client(dest.clusterName);
  let items: UploadItem[] = [];
  const folders: string[] = [];
  for (const p of paths) {
    const st = await fs.promises.stat(p);
    if (st.isDirectory()) {
      folders.push(`${dest.prefix}${path.basename(p)}/`);
      items.push(...(await collectFolder(p, `${dest.prefix}${path.basename(p)}/`)));
    } else if (st.isFile()) items.push({ file: p, key: dest.prefix + path.basename(p), size: st.size });
  }
  if (items.length === 0) {
    if (!options.quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to upload: the selection holds no files.'));
    return { files: 0, bytes: 0 };
  }
  const wanted = items.length;
  const kept = await filterExistingKeys(client, dest, items, options.overwrite ?? 'ask');
  if (!kept) return undefined; // the question about existing objects was cancelled
  items = kept;
  const skipped = wanted - items.length;
  const report = (files: number, bytes: number, revealKey: string) => {
    if (!options.quiet) reportUpload({ clusterName: dest.clusterName, bucket: dest.bucket, prefix: dest.prefix, files, bytes, skipped, revealKey });
  };
  if (items.length === 0) {
    report(0, 0, dest.prefix); // everything existed and was skipped
    return { files: 0, bytes: 0 };
  }
  // Asked before anything is sent; Cancel there cancels the upload.
  if (!options.quiet && !(await askMd5BeforeUpload(context, registry, log, dest))) return undefined;
  const entry = await registry.entry(dest.clusterName);
  const where = objectUri(dest.bucket, dest.prefix);
  const title = items.length === 1 ? vscode.l10n.t('Uploading {0} to {1}', path.basename(items[0].file), where) : vscode.l10n.t('Uploading {0} files to {1}', items.length, where);
  const result = await runTransfer(title, log, [dest.clusterName], (t) => uploadFiles(client, dest.bucket, items, { ...transferSettings(entry?.spec.multipartChunkSizeMb), ...t, journal }));
  // Cancelled: multipart uploads under way stay in the journal until the user says keep or discard.
  if (!result && !options.quiet) await offerKeepForLater(registry, journal, dest.clusterName, dest.bucket, items.map((i) => i.key));
  if (result) {
    log.info(`${title}: ${result.files} files, ${result.bytes} bytes in ${result.ms} ms`);
    report(result.files, result.bytes, items.length === 1 ? items[0].key : folders.length === 1 && paths.length === 1 ? folders[0] : dest.prefix);
  }
  return result;
}

/** Asks once what to do with keys that already exist; returns the items to send, undefined when cancelled. */
async function filterExistingKeys(client: ClusterClient, dest: Destination, items: UploadItem[], policy: OverwritePolicy): Promise<UploadItem[] | undefined> {
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
  return undefined;
}

export function registerUploadCommands(
  context: vscode.ExtensionContext,
  registry: ClusterRegistry,
  log: vscode.LogOutputChannel,
  journal: UploadJournal,
  refresh: (node?: TreeNode) => void,
) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.upload', async (node?: TreeNode | Destination, uris?: vscode.Uri[], options?: TransferCommandOptions) => {
      // A Destination (from drag and drop, or Upload from Explorer) has no node type.
      const dest = node && !('type' in node) ? node : destinationOf(node) ?? (await pickDestination(registry, vscode.l10n.t('Upload'), { newFolder: true, chooseHere: vscode.l10n.t('Upload Here') }));
      if (!dest) return undefined;
      const picked =
        uris ??
        (await vscode.window.showOpenDialog({
          title: vscode.l10n.t('Upload to {0}', objectUri(dest.bucket, dest.prefix)),
          canSelectMany: true,
          canSelectFiles: true,
          canSelectFolders: true,
          openLabel: vscode.l10n.t('Upload'),
        }));
      if (!picked?.length) return undefined;
      // Files given by a caller: no questions and no messages, unless it says `quiet: false` (drag and drop does).
      const quiet = options?.quiet ?? uris !== undefined;
      try {
        const result = await uploadPaths(context, registry, log, journal, dest, picked.map((u) => u.fsPath), { overwrite: uris ? options?.overwrite ?? 'overwrite' : 'ask', ...options, quiet });
        // The walkthrough's "drop a file on a bucket" step completes on a finished upload.
        if (result && result.files > 0) void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.uploaded', true);
        refresh();
        return result;
      } catch (e) {
        if (quiet) throw e;
        // Signed in again after an expired token: the same upload again, which resumes what was sent.
        showFailure(log, vscode.l10n.t('Upload'), e, { showLog: true, retry: () => vscode.commands.executeCommand('aisBuckets.upload', dest, picked, { overwrite: 'ask', quiet: false }) });
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.uploadFromExplorer', async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      const chosen = uris?.length ? uris : uri ? [uri] : undefined;
      if (!chosen) return undefined;
      const dest = await pickDestination(registry, vscode.l10n.t('Upload to Bucket'), { newFolder: true, chooseHere: vscode.l10n.t('Upload Here') });
      if (!dest) return undefined;
      return vscode.commands.executeCommand('aisBuckets.upload', dest, chosen, { overwrite: 'ask', quiet: false });
    }),
    vscode.commands.registerCommand('aisBuckets.resumeUploads', async (uploadIds?: string[]) => {
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
            description: objectUri(e.bucket, e.key),
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
          void vscode.window.showWarningMessage(vscode.l10n.t('The cluster at {0} for {1} is not in the list any more.', e.endpoint, objectUri(e.bucket, e.key)));
          continue;
        }
        const client = await registry.client(clusterName);
        try {
          await runningTransfers.track([clusterName], () => vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Resuming upload of {0}', objectUri(e.bucket, e.key)), cancellable: true },
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
          ));
          done.push(e.uploadId);
          log.info(`resumed and completed ${objectUri(e.bucket, e.key)}`);
        } catch (err) {
          if (err instanceof TransferCancelled) continue;
          if (err instanceof StaleUpload) {
            const abortIt = vscode.l10n.t('Abort Stale Upload');
            const choice = uploadIds ? abortIt : await vscode.window.showWarningMessage(err.message, abortIt);
            if (choice === abortIt) await discard(client, journal, e);
            if (uploadIds) throw err;
            continue;
          }
          if (uploadIds) throw err;
          fail(vscode.l10n.t('Resume upload'), err);
        }
      }
      if (done.length) refresh();
      return done;
    }),
  );

  // Interrupted uploads from an earlier session: offer them once at start.
  void journal.list().then(async (entries) => {
    if (entries.length === 0) return;
    await vscode.commands.executeCommand('setContext', 'aisBuckets.hasInterruptedUploads', true);
    const resume = vscode.l10n.t('Resume');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('{0} interrupted upload(s) can be resumed.', entries.length), resume, vscode.l10n.t('Later'));
    if (choice === resume) await vscode.commands.executeCommand('aisBuckets.resumeUploads');
  });
}

/** Where the answer to the md5 question is kept: per cluster and bucket, across restarts. */
export function md5AnswerKey(dest: Destination): string {
  const ns = dest.bucket.namespace ? `@${dest.bucket.namespace.uuid}#${dest.bucket.namespace.name}` : '';
  return `aisBuckets.md5Answer:${dest.clusterName}:${dest.bucket.provider}${ns}:${dest.bucket.name}`;
}

/**
 * Before the first upload to an AIStore bucket whose checksum is not md5: switch it to md5, so that S3
 * clients (s3cmd) see MD5 ETags? Not asked when the setting aisBuckets.offerMd5 is off, when the bucket
 * already uses md5 (or the cluster has no bucket properties), or when this bucket's question was answered
 * before (globalState). Returns false when the user cancelled: then nothing is uploaded.
 */
async function askMd5BeforeUpload(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, dest: Destination): Promise<boolean> {
  const settings = vscode.workspace.getConfiguration('aisBuckets');
  if (settings.get<boolean>('offerMd5') === false) return true;
  const key = md5AnswerKey(dest);
  if (context.globalState.get<string>(key)) return true;
  const client = await registry.client(dest.clusterName);
  if (!client.capabilities.bucketProps) return true;
  let type: string | undefined;
  try {
    type = (await client.getBucketProps(dest.bucket)).checksum?.type;
  } catch (e) {
    log.warn(`checksum of ${objectUri(dest.bucket)}: ${(e as Error).message}`);
    return true; // the upload does not depend on it
  }
  if (!type || type === 'md5') return true;
  const uri = objectUri(dest.bucket);
  const switchToMd5 = vscode.l10n.t('Switch to md5 and Upload');
  const keep = vscode.l10n.t('Keep {0} and Upload', type);
  const never = vscode.l10n.t('Never Ask Again');
  const pick = await vscode.window.showInformationMessage(
    vscode.l10n.t('Switch {0} to md5 checksums before uploading?', uri),
    {
      modal: true,
      detail: vscode.l10n.t(
        'The bucket uses {0} checksums. S3 clients such as s3cmd compare ETags with MD5 and warn about every object whose ETag is not one. The answer is remembered for this bucket; "Never Ask Again" turns the question off for all buckets (setting aisBuckets.offerMd5).',
        type,
      ),
    },
    switchToMd5,
    keep,
    never,
  );
  if (!pick) return false;
  if (pick === never) {
    await settings.update('offerMd5', false, vscode.ConfigurationTarget.Global);
    return true;
  }
  if (pick === keep) {
    await context.globalState.update(key, 'kept');
    return true;
  }
  try {
    await client.setBucketProps(dest.bucket, { checksum: { type: 'md5' } });
    await context.globalState.update(key, 'md5');
    log.info(`${uri} on ${dest.clusterName}: checksum ${type} → md5 before an upload`);
    void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.md5', true);
  } catch (e) {
    showFailure(log, vscode.l10n.t('Switching {0} to md5', uri), e);
  }
  return true;
}
