// Deleting objects and folders: what is to be deleted is listed first (a folder's every key, its markers
// too), the confirmation names how many objects and from which bucket, the deletion runs under a progress
// notification with Cancel (one request per 1000 keys), and the end says what was deleted. Keys that could
// not be deleted are named (the first few in the message, every one in the log). withDeleteProgress is also
// what "Delete Bucket" shows while it empties an S3 bucket.
import * as vscode from 'vscode';
import { type BucketRef, type ClusterClient, DELETE_BATCH_SIZE, type DeleteFailure, isClientError } from '../client/cluster';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { FolderNode, ObjectNode } from '../views/model';
import { withCancellableProgress } from './common';
import { bucketsText, count, reportDeletion } from './outcome';

/** How many failed keys a message names before "and N more". */
const NAMED_IN_MESSAGE = 5;

export interface DeletionRun {
  signal: AbortSignal;
  /** Objects dealt with so far, of `total` when it is known. */
  report(done: number, total?: number): void;
}

/** Runs `work` under a cancellable progress notification; Cancel aborts `run.signal`. */
export function withDeleteProgress<T>(title: string, work: (run: DeletionRun) => Promise<T>): Thenable<T> {
  return withCancellableProgress(title, (progress, abort) => {
    let shown = 0;
    return work({
      signal: abort.signal,
      report: (done, total) => {
        const increment = total ? (Math.max(0, done - shown) / total) * 100 : undefined;
        shown = done;
        progress.report({ message: total ? vscode.l10n.t('{0} of {1} objects', count(done), count(total)) : vscode.l10n.t('{0} objects deleted', count(done)), increment });
      },
    });
  });
}

/** "a, b, c, d, e and 7 more": the first failed keys, for a message (the log has them all). */
export function nameFailedKeys(failed: DeleteFailure[]): string {
  const named = failed.slice(0, NAMED_IN_MESSAGE).map((f) => f.key);
  const more = failed.length - named.length;
  return more > 0 ? vscode.l10n.t('{0} and {1} more', named.join(', '), more) : named.join(', ');
}

/** Every failed key in the log, `uriOf` naming it the way the tree does, with what the server said. */
export function logFailedKeys(log: vscode.LogOutputChannel, failed: DeleteFailure[], uriOf: (key: string) => string): void {
  for (const f of failed) log.error(`not deleted: ${uriOf(f.key)}: ${f.message}`);
}

/** The keys of one bucket to delete. */
export interface DeletionGroup {
  clusterName: string;
  client: ClusterClient;
  bucket: BucketRef;
  nodes: (FolderNode | ObjectNode)[];
  /** Objects first, folder markers ("dir/") last: a deletion stopped half-way leaves folders that still show. */
  keys: string[];
}

export interface DeletionPlan {
  groups: DeletionGroup[];
  /** Keys to delete, markers included. */
  keys: number;
  /** Objects to delete, markers left out: what messages count. */
  objects: number;
}

const isMarker = (key: string) => key.endsWith('/');

/**
 * Lists what deleting `nodes` takes, one group per bucket: an object's own key, every key under a folder
 * (markers of subfolders too) and the folder's marker when it has one. `onFound` hears the running count.
 * Stops early (a partial plan) when `signal` aborts.
 */
export async function planDeletion(registry: ClusterRegistry, nodes: (FolderNode | ObjectNode)[], signal?: AbortSignal, onFound?: (keys: number) => void): Promise<DeletionPlan> {
  const groups = new Map<string, { group: DeletionGroup; keys: Set<string> }>();
  let found = 0;
  for (const n of nodes) {
    if (signal?.aborted) break;
    const id = `${n.clusterName}\n${n.bucket.provider}\n${n.bucket.namespace?.uuid ?? ''}\n${n.bucket.namespace?.name ?? ''}\n${n.bucket.name}`;
    let entry = groups.get(id);
    if (!entry) {
      entry = { group: { clusterName: n.clusterName, client: await registry.client(n.clusterName), bucket: n.bucket, nodes: [], keys: [] }, keys: new Set<string>() };
      groups.set(id, entry);
    }
    entry.group.nodes.push(n);
    const before = entry.keys.size;
    if (n.type === 'object') entry.keys.add(n.key);
    else await addFolderKeys(entry.group.client, n.bucket, n.prefix, entry.keys, signal, (k) => onFound?.(found + k));
    found += entry.keys.size - before;
    onFound?.(found);
  }
  const out: DeletionGroup[] = [];
  let objects = 0;
  for (const { group, keys } of groups.values()) {
    const all = [...keys];
    group.keys = [...all.filter((k) => !isMarker(k)), ...all.filter(isMarker)];
    objects += all.filter((k) => !isMarker(k)).length;
    out.push(group);
  }
  return { groups: out, keys: found, objects };
}

/** Adds every key under `prefix` (a listing, markers of subfolders included) and the folder's own marker, when it has one. */
async function addFolderKeys(client: ClusterClient, ref: BucketRef, prefix: string, keys: Set<string>, signal: AbortSignal | undefined, onFound: (added: number) => void): Promise<void> {
  const before = keys.size;
  let token: string | undefined;
  do {
    if (signal?.aborted) return;
    const page = await client.listObjects(ref, { prefix, folders: false, pageSize: DELETE_BATCH_SIZE, token });
    for (const o of page.objects) keys.add(o.key);
    onFound(keys.size - before);
    token = page.nextToken;
  } while (token);
  // S3 listings leave out the marker "prefix/" itself (it is where they are): ask for it by name.
  if (!keys.has(prefix) && (await client.headObject(ref, prefix).then(() => true, (e) => (isClientError(e) && e.kind === 'not-found' ? false : Promise.reject(e))))) keys.add(prefix);
}

/** What to delete as a sentence: "hello.txt", "the folder docs/ and its 12 objects", "1,200 objects". */
function whatText(plan: DeletionPlan): string {
  const nodes = plan.groups.flatMap((g) => g.nodes);
  if (nodes.length === 1 && nodes[0].type === 'object') return vscode.l10n.t('"{0}"', nodes[0].key);
  if (nodes.length === 1 && nodes[0].type === 'folder') {
    const folder = nodes[0].prefix;
    if (plan.objects === 0) return vscode.l10n.t('the empty folder "{0}"', folder);
    return plan.objects === 1 ? vscode.l10n.t('the folder "{0}" and the 1 object in it', folder) : vscode.l10n.t('the folder "{0}" and the {1} objects in it', folder, count(plan.objects));
  }
  return plan.objects === 1 ? vscode.l10n.t('1 object') : vscode.l10n.t('{0} objects', count(plan.objects));
}

/** The confirmation's question and detail: how many objects, from which bucket, that it cannot be undone. */
export function deletionQuestion(plan: DeletionPlan): { message: string; detail: string } {
  const message = vscode.l10n.t('Delete {0} from {1}?', whatText(plan), bucketsText(plan.groups.map((g) => g.bucket)));
  const nodes = plan.groups.flatMap((g) => g.nodes);
  // A selection of several: which ones, so that the count can be checked against what was meant.
  const names = nodes.length > 1 ? nodes.slice(0, NAMED_IN_MESSAGE).map((n) => (n.type === 'object' ? n.key : n.prefix)).join(', ') + (nodes.length > NAMED_IN_MESSAGE ? vscode.l10n.t(' and {0} more', nodes.length - NAMED_IN_MESSAGE) : '') : '';
  const detail = names ? vscode.l10n.t('Selected: {0}. This cannot be undone.', names) : vscode.l10n.t('This cannot be undone.');
  return { message, detail };
}

export interface DeletionResult {
  /** Keys deleted, markers included. */
  deleted: number;
  /** Objects deleted, markers left out. */
  objects: number;
  failed: DeleteFailure[];
  cancelled: boolean;
}

/**
 * Deletes what `plan` holds: one request per 1000 keys of a bucket, under a progress notification whose
 * Cancel stops before the next batch. Keys that could not be deleted are named in a message and all in the log.
 */
export async function runDeletion(log: vscode.LogOutputChannel, plan: DeletionPlan): Promise<DeletionResult> {
  const title = vscode.l10n.t('Deleting {0} from {1}', whatText(plan), bucketsText(plan.groups.map((g) => g.bucket)));
  return withDeleteProgress(title, async (run) => {
    let deleted = 0;
    let objects = 0;
    let done = 0;
    let cancelled = run.signal.aborted;
    const failed: DeleteFailure[] = [];
    run.report(0, plan.keys);
    for (const g of plan.groups) {
      if (cancelled) break;
      const uriOf = (key: string) => objectUri(g.bucket, key);
      const result = await g.client.deleteObjects(g.bucket, g.keys, { signal: run.signal, onProgress: (n) => run.report(done + n, plan.keys) });
      done += g.keys.length;
      deleted += result.deleted;
      const objectKeys = g.keys.filter((k) => !isMarker(k)).length;
      // Objects go first: a stopped run deleted objects before any marker.
      objects += Math.max(0, Math.min(result.deleted, objectKeys) - result.failed.filter((f) => !isMarker(f.key)).length);
      cancelled = result.cancelled;
      logFailedKeys(log, result.failed, uriOf);
      failed.push(...result.failed.map((f) => ({ ...f, key: uriOf(f.key) })));
      if (!result.cancelled && result.failed.length === 0) for (const n of g.nodes) log.info(`deleted ${n.type === 'object' ? objectUri(n.bucket, n.key) : objectUri(n.bucket, n.prefix) + ' (folder)'}`);
    }
    if (cancelled) log.info(`${title}: cancelled after ${deleted} of ${plan.keys} objects`);
    if (failed.length > 0) {
      const text = vscode.l10n.t('Could not delete {0} of {1} objects: {2}', count(failed.length), count(plan.keys), nameFailedKeys(failed));
      void vscode.window.showErrorMessage(text, vscode.l10n.t('Show Log')).then((p) => p && log.show());
    }
    return { deleted, objects, failed, cancelled };
  });
}

/**
 * Deletes objects and everything under folders. With `confirm`, lists first (under a progress notification
 * when there are folders to list), asks with the count and the bucket, and tells what was deleted at the
 * end; without it (a caller's own run) it asks and tells nothing. Returns how many keys were deleted.
 */
export async function deleteNodes(registry: ClusterRegistry, log: vscode.LogOutputChannel, nodes: (FolderNode | ObjectNode)[], options: { confirm: boolean }): Promise<number> {
  if (nodes.length === 0) return 0;
  const folders = nodes.filter((n): n is FolderNode => n.type === 'folder');
  let plan: DeletionPlan | undefined;
  if (folders.length === 0) plan = await planDeletion(registry, nodes);
  else {
    const where = folders.length === 1 ? objectUri(folders[0].bucket, folders[0].prefix) : bucketsText(folders.map((f) => f.bucket));
    plan = await withCancellableProgress(vscode.l10n.t('Listing the objects to delete in {0}', where), async (progress, abort) => {
      const listed = await planDeletion(registry, nodes, abort.signal, (n) => progress.report({ message: vscode.l10n.t('{0} found', count(n)) }));
      return abort.signal.aborted ? undefined : listed;
    });
  }
  if (!plan) {
    log.info('delete: cancelled while listing; nothing was deleted');
    return 0;
  }
  if (options.confirm) {
    const { message, detail } = deletionQuestion(plan);
    const del = vscode.l10n.t('Delete');
    if ((await vscode.window.showWarningMessage(message, { modal: true, detail }, del)) !== del) return 0;
  }
  const result = await runDeletion(log, plan);
  if (options.confirm && (result.failed.length === 0 || result.cancelled)) {
    const only = plan.groups.length === 1 && plan.groups[0].nodes.length === 1 ? plan.groups[0].nodes[0] : undefined;
    reportDeletion({
      deleted: result.objects,
      total: plan.objects,
      buckets: plan.groups.map((g) => g.bucket),
      single: only?.type === 'object' ? only.key : undefined,
      folder: only?.type === 'folder' ? only.prefix : undefined,
      cancelled: result.cancelled,
    });
  }
  return result.deleted;
}
