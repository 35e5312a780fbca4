// What a finished action tells the user: one plain sentence naming what was done, how much and where,
// with a button that goes there (the object or folder in the Clusters tree, the downloaded file in the
// Explorer or the system's file manager). The sentences are built apart from showing them, for tests.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { formatCount, formatSize } from '../objects/format';
import { objectUri } from '../objects/location';

/** 1200 → "1,200", as the display language writes numbers. */
export function count(n: number): string {
  return formatCount(n, vscode.env.language);
}

/** Several buckets named, up to three: "ais://a", "ais://a and ais://b", "4 buckets". */
export function bucketsText(buckets: BucketRef[]): string {
  const names = [...new Set(buckets.map((b) => objectUri(b)))];
  if (names.length === 1) return names[0];
  if (names.length <= 3) return vscode.l10n.t('{0} and {1}', names.slice(0, -1).join(', '), names[names.length - 1]);
  return vscode.l10n.t('{0} buckets', names.length);
}

export interface UploadOutcome {
  clusterName: string;
  bucket: BucketRef;
  /** The folder (key prefix) uploaded into; '' for the bucket's top level. */
  prefix: string;
  files: number;
  bytes: number;
  /** Files left out because they already existed (Skip Existing). */
  skipped: number;
  /** The one file's key when one file was sent, else the key to show: an uploaded folder, or the destination. */
  revealKey: string;
}

export function uploadMessage(o: UploadOutcome): string {
  const where = objectUri(o.bucket, o.prefix);
  const sent =
    o.files === 1
      ? vscode.l10n.t('Uploaded {0} ({1}) to {2}.', path.posix.basename(o.revealKey), formatSize(o.bytes), where)
      : vscode.l10n.t('Uploaded {0} files, {1}, to {2}.', count(o.files), formatSize(o.bytes), where);
  if (!o.skipped) return sent;
  return `${sent} ${o.skipped === 1 ? vscode.l10n.t('1 file that already existed was skipped.') : vscode.l10n.t('{0} files that already existed were skipped.', count(o.skipped))}`;
}

/** Tells how the upload went, with Reveal in Tree. Not awaited by commands: the message stays until dismissed. */
export function reportUpload(o: UploadOutcome): void {
  if (o.files === 0) {
    const where = objectUri(o.bucket, o.prefix);
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing was uploaded: every file already exists in {0}.', where));
    return;
  }
  offerReveal(uploadMessage(o), o.clusterName, o.bucket, o.revealKey);
}

export interface CopyOutcome {
  clusterName: string;
  bucket: BucketRef;
  prefix: string;
  copied: number;
}

export function copyMessage(o: CopyOutcome): string {
  const where = objectUri(o.bucket, o.prefix);
  return o.copied === 1 ? vscode.l10n.t('Copied 1 object to {0}.', where) : vscode.l10n.t('Copied {0} objects to {1}.', count(o.copied), where);
}

export function reportCopy(o: CopyOutcome): void {
  if (o.copied === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing was copied: the objects are already there.'));
    return;
  }
  offerReveal(copyMessage(o), o.clusterName, o.bucket, o.prefix);
}

function offerReveal(text: string, clusterName: string, bucket: BucketRef, key: string): void {
  const reveal = vscode.l10n.t('Reveal in Tree');
  void vscode.window.showInformationMessage(text, reveal).then((pick) => {
    if (pick === reveal) void vscode.commands.executeCommand('aisBuckets.revealInTree', clusterName, bucket, key);
  });
}

export interface DownloadOutcome {
  files: number;
  bytes: number;
  /** The folder downloaded into. */
  targetDir: string;
  /** The file, when one object was downloaded; the folder made for a downloaded folder or bucket. */
  reveal: string;
  /** One object downloaded: its file can be opened. */
  single: boolean;
}

export function downloadMessage(o: DownloadOutcome): string {
  return o.single
    ? vscode.l10n.t('Downloaded {0} ({1}) to {2}.', path.basename(o.reveal), formatSize(o.bytes), o.targetDir)
    : vscode.l10n.t('Downloaded {0} objects, {1}, to {2}.', count(o.files), formatSize(o.bytes), o.targetDir);
}

/**
 * Tells how the download went. Buttons: Open (one file); Reveal in Explorer View when the files are in the
 * workspace, else the system's file manager on a desktop, else Open Folder in a new window (a remote or
 * web window has no file manager of its own to show).
 */
export function reportDownload(o: DownloadOutcome): void {
  if (o.files === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing was downloaded: every file already exists in {0}.', o.targetDir));
    return;
  }
  const target = vscode.Uri.file(o.reveal);
  const inWorkspace = Boolean(vscode.workspace.getWorkspaceFolder(target));
  const localDesktop = vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName;
  const open = vscode.l10n.t('Open');
  const revealInExplorer = vscode.l10n.t('Reveal in Explorer View');
  const revealInOs = process.platform === 'darwin' ? vscode.l10n.t('Reveal in Finder') : process.platform === 'win32' ? vscode.l10n.t('Reveal in File Explorer') : vscode.l10n.t('Open Containing Folder');
  const openFolder = vscode.l10n.t('Open Folder');
  const actions = [...(o.single ? [open] : []), inWorkspace ? revealInExplorer : localDesktop ? revealInOs : openFolder];
  void vscode.window.showInformationMessage(downloadMessage(o), ...actions).then((pick) => {
    if (pick === open) void vscode.commands.executeCommand('vscode.open', target);
    else if (pick === revealInExplorer) void vscode.commands.executeCommand('revealInExplorer', target);
    else if (pick === revealInOs) void vscode.commands.executeCommand('revealFileInOS', target);
    else if (pick === openFolder) void vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(o.single ? o.targetDir : o.reveal), { forceNewWindow: true });
  });
}

export interface DeletionOutcome {
  /** Objects deleted (folder markers left out of the count). */
  deleted: number;
  /** Objects there were to delete (markers left out). */
  total: number;
  buckets: BucketRef[];
  /** The one object's key, when one object was deleted. */
  single?: string;
  /** The one folder's prefix, when one folder was deleted. */
  folder?: string;
  cancelled: boolean;
}

export function deletionMessage(o: DeletionOutcome): string {
  const from = bucketsText(o.buckets);
  if (o.cancelled) return vscode.l10n.t('Deletion stopped: {0} of {1} objects were deleted from {2}; the others are still there.', count(o.deleted), count(o.total), from);
  if (o.single !== undefined) return vscode.l10n.t('Deleted {0} from {1}.', o.single, from);
  if (o.folder !== undefined && o.deleted === 0) return vscode.l10n.t('Deleted the empty folder {0} from {1}.', o.folder, from);
  if (o.folder !== undefined) return o.deleted === 1 ? vscode.l10n.t('Deleted the folder {0} and its 1 object from {1}.', o.folder, from) : vscode.l10n.t('Deleted the folder {0} and its {1} objects from {2}.', o.folder, count(o.deleted), from);
  if (o.deleted === 1) return vscode.l10n.t('Deleted 1 object from {0}.', from);
  return vscode.l10n.t('Deleted {0} objects from {1}.', count(o.deleted), from);
}

export function reportDeletion(o: DeletionOutcome): void {
  if (o.cancelled) void vscode.window.showWarningMessage(deletionMessage(o));
  else void vscode.window.showInformationMessage(deletionMessage(o));
}

export interface MetadataOutcome {
  bucket: BucketRef;
  key: string;
  contentType?: string;
  userMeta: Record<string, string>;
}

export function metadataMessage(o: MetadataOutcome): string {
  const uri = objectUri(o.bucket, o.key);
  const type = o.contentType || 'application/octet-stream';
  const meta = Object.entries(o.userMeta).map(([k, v]) => `${k}=${v}`);
  return meta.length === 0
    ? vscode.l10n.t('Saved the metadata of {0}: Content-Type {1}, no user metadata.', uri, type)
    : vscode.l10n.t('Saved the metadata of {0}: Content-Type {1}, user metadata {2}.', uri, type, meta.join(', '));
}

/** Tells what Edit Metadata saved, with Show Properties (the object's properties, read again). */
export function reportMetadata(node: { clusterName: string; bucket: BucketRef; key: string }, update: { contentType?: string; userMeta: Record<string, string> }): void {
  const show = vscode.l10n.t('Show Properties');
  void vscode.window.showInformationMessage(metadataMessage({ bucket: node.bucket, key: node.key, ...update }), show).then((pick) => {
    if (pick === show) void vscode.commands.executeCommand('aisBuckets.showObjectProperties', node);
  });
}
