// Shards in the tree: open a member (read-only, the shard stays where it is), list a compressed shard that has
// no index once the user agrees to read it whole, download members or a whole shard's content into a folder,
// and Create Shard from Selection… (AIStore's archive job, watched in the Jobs view).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../client/cluster';
import { JOB_KIND, type ObjectSelection } from '../client/jobs';
import { shardFormatOf, type ShardMember } from '../client/shards';
import type { ShardMemberFileSystem } from '../fs/shardmembers';
import { memberUri } from '../fs/shardmembers';
import { shortBucket } from '../jobs/items';
import { ARCH_EXTENSIONS } from '../common/aisapi';
import { createShardWriter } from '../common/archive/writer';
import type { LocalJobControl } from '../jobs/board';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { BucketTreeProvider } from '../views/tree';
import type { FolderNode, MemberNode, ObjectNode, TreeNode } from '../views/model';
import { selection, showFailure, withCancellableProgress } from './common';
import { followJob, type JobsContext, startClusterJob, startLocalJob, type StartedJob } from './jobs';
import { count } from './outcome';

/** Members fetched at once by a download. */
const DOWNLOAD_PARALLEL = 4;

/** What a download takes from one shard: some members, or all of them (a shard row). */
interface ShardPick {
  clusterName: string;
  bucket: BucketRef;
  shard: string;
  members?: ShardMember[];
}

export interface MemberDownloadResult {
  files: number;
  bytes: number;
  skipped: number;
  /** Names that would land outside the folder ("../x"): never written. */
  unsafe: string[];
  cancelled: boolean;
}

export function registerShardCommands(context: vscode.ExtensionContext, ctx: JobsContext, tree: BucketTreeProvider, memberFs: ShardMemberFileSystem): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.openMember', async (n?: MemberNode, options?: { preview?: boolean }) => {
      if (n?.type !== 'member') return;
      const uri = memberUri({ cluster: n.clusterName, bucket: n.bucket, shard: n.shard, member: n.member.name });
      memberFs.remember(uri, n.member.size);
      await vscode.commands.executeCommand('vscode.open', uri, { preview: options?.preview ?? true, preserveFocus: options?.preview ?? true });
    }),
    vscode.commands.registerCommand('aisBuckets.listWholeShard', (n?: ObjectNode) => {
      if (n?.type !== 'object') return;
      tree.model.allowFullRead(n);
      tree.refresh(n);
    }),
    vscode.commands.registerCommand('aisBuckets.downloadMembers', async (node?: TreeNode, nodes?: TreeNode[], target?: vscode.Uri): Promise<MemberDownloadResult | undefined> => {
      const picks = shardPicks(selection(node, nodes));
      if (picks.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose files of a shard, or a shard, in the AIS Buckets view to download.'));
        return undefined;
      }
      const dir = target ?? (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Download to folder'), canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: vscode.l10n.t('Download Here') }))?.[0];
      if (!dir) return undefined;
      try {
        const result = await withCancellableProgress(vscode.l10n.t('Downloading from {0}', picks.length === 1 ? objectUri(picks[0].bucket, picks[0].shard) : vscode.l10n.t('{0} shards', picks.length)), (progress, abort) =>
          downloadPicks(ctx, picks, dir.fsPath, abort.signal, target ? 'overwrite' : 'ask', (done, bytes) => progress.report({ message: vscode.l10n.t('{0} files · {1}', count(done), formatSize(bytes)) })),
        );
        if (!target && result) reportDownload(result, dir);
        return result;
      } catch (e) {
        if (target) throw e;
        showFailure(ctx.log, vscode.l10n.t('Download'), e, { showLog: true });
        return undefined;
      }
    }),
    // The same download, named for what it does on a shard row: every file of the shard into a folder.
    vscode.commands.registerCommand('aisBuckets.extractShard', (node?: TreeNode, nodes?: TreeNode[], target?: vscode.Uri) => vscode.commands.executeCommand('aisBuckets.downloadMembers', node, nodes, target)),
    vscode.commands.registerCommand('aisBuckets.createShard', async (node?: TreeNode, nodes?: TreeNode[], given?: { name: string }): Promise<StartedJob | undefined> => {
      const chosen = selection(node, nodes).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose objects or folders in the AIS Buckets view, then Create Shard from Selection….'));
        return undefined;
      }
      const first = chosen[0];
      if (chosen.some((n) => n.clusterName !== first.clusterName || n.bucket.name !== first.bucket.name || n.bucket.provider !== first.bucket.provider)) {
        void vscode.window.showErrorMessage(vscode.l10n.t('A shard is made from the objects of one bucket: choose objects and folders of one bucket.'));
        return undefined;
      }
      try {
        const client = await ctx.registry.client(first.clusterName);
        const base = commonBase(chosen);
        const name = given?.name ?? (await askShardName(first.bucket, base, chosen));
        if (!name) return undefined;
        const what = chosen.length === 1 ? (chosen[0].type === 'object' ? chosen[0].key : chosen[0].prefix) : vscode.l10n.t('{0} items', chosen.length);
        const spec = { kind: JOB_KIND.archive, bucket: first.bucket, title: vscode.l10n.t('Create shard {0} from {1}', shortBucket(first.bucket, name), what) };
        const jobs = client.jobs;
        // AIStore packs the objects itself (its archive job); an S3 endpoint cannot, so this window streams
        // each object into the shard's upload, as a job in the same view.
        const started = jobs
          ? await startClusterJob(ctx, first.clusterName, spec, async () => jobs.archive(first.bucket, name, await selectionOf(client, chosen)))
          : startLocalJob(ctx, first.clusterName, spec, (control) => packHere(client, first.bucket, name, chosen, control));
        const uri = objectUri(first.bucket, name);
        followJob(
          ctx,
          started,
          {
            // AIStore counts the shard written (1 object, its size), not the objects packed: name what was chosen.
            done: () => vscode.l10n.t('Created the shard {0} from {1}.', uri, what),
            stopped: () => vscode.l10n.t('Stopped making {0}; no shard was written.', uri),
            failed: (why) => vscode.l10n.t('Could not create the shard {0}: {1}', uri, why),
          },
          { clusterName: first.clusterName, bucket: first.bucket },
        );
        return started;
      } catch (e) {
        if (given) throw e;
        showFailure(ctx.log, vscode.l10n.t('Create Shard'), e, { showLog: true });
        return undefined;
      }
    }),
  );
}

/** The shards and members a selection names: a member or sample by itself, a shard row as all of it. */
function shardPicks(nodes: TreeNode[]): ShardPick[] {
  const picks = new Map<string, ShardPick>();
  const pick = (n: { clusterName: string; bucket: BucketRef }, shard: string) => {
    const id = `${n.clusterName}\n${n.bucket.provider}\n${n.bucket.name}\n${shard}`;
    let p = picks.get(id);
    if (!p) picks.set(id, (p = { clusterName: n.clusterName, bucket: n.bucket, shard, members: [] }));
    return p;
  };
  for (const n of nodes) {
    if (n.type === 'object' && shardFormatOf(n.key)) pick(n, n.key).members = undefined;
    else if (n.type === 'member') pick(n, n.shard).members?.push(n.member);
    else if (n.type === 'sample') pick(n, n.shard).members?.push(...n.members);
  }
  return [...picks.values()];
}

async function downloadPicks(
  ctx: JobsContext,
  picks: ShardPick[],
  dir: string,
  signal: AbortSignal,
  overwrite: 'overwrite' | 'ask',
  onProgress: (files: number, bytes: number) => void,
): Promise<MemberDownloadResult | undefined> {
  const result: MemberDownloadResult = { files: 0, bytes: 0, skipped: 0, unsafe: [], cancelled: false };
  const root = path.resolve(dir);
  let policy: 'overwrite' | 'skip' | 'ask' = overwrite;
  for (const p of picks) {
    const client = await ctx.registry.client(p.clusterName);
    const members = p.members ?? (await allMembers(client, p, signal));
    const jobs: { member: ShardMember; file: string }[] = [];
    for (const m of members) {
      const file = path.resolve(root, m.name);
      if (!file.startsWith(root + path.sep)) result.unsafe.push(m.name);
      else jobs.push({ member: m, file });
    }
    if (policy === 'ask') {
      const existing = jobs.filter((j) => fs.existsSync(j.file)).length;
      if (existing > 0) {
        const replace = vscode.l10n.t('Overwrite');
        const skip = vscode.l10n.t('Skip Existing');
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} of these files already exist in {1}. Overwrite them?', count(existing), root), { modal: true }, replace, skip);
        if (!answer) return undefined;
        policy = answer === replace ? 'overwrite' : 'skip';
      } else policy = 'overwrite';
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !signal.aborted) {
        const j = jobs[next++];
        if (policy === 'skip' && fs.existsSync(j.file)) {
          result.skipped++;
          continue;
        }
        await fs.promises.mkdir(path.dirname(j.file), { recursive: true });
        const { body } = await client.shards.open(p.bucket, p.shard, j.member.name, { signal });
        // Written beside the file and renamed: a download cut short never leaves a half file under the name.
        const partial = `${j.file}.part-${process.pid}`;
        try {
          await pipeline(body, fs.createWriteStream(partial), { signal });
          await fs.promises.rename(partial, j.file);
        } catch (e) {
          await fs.promises.rm(partial, { force: true });
          throw e;
        }
        result.files++;
        result.bytes += j.member.size;
        onProgress(result.files, result.bytes);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(DOWNLOAD_PARALLEL, jobs.length) }, worker));
    } catch (e) {
      if (!signal.aborted) throw e;
    }
    if (signal.aborted) {
      result.cancelled = true;
      break;
    }
  }
  return result;
}

/** Every member of a shard, page by page (a shard without an index is read once: the user asked for all of it). */
async function allMembers(client: ClusterClient, p: ShardPick, signal: AbortSignal): Promise<ShardMember[]> {
  const out: ShardMember[] = [];
  let token: string | undefined;
  do {
    const page = await client.shards.list(p.bucket, p.shard, { token, pageSize: 1000, fullRead: true, signal });
    out.push(...page.members);
    token = page.nextToken;
  } while (token && !signal.aborted);
  return out;
}

function reportDownload(r: MemberDownloadResult, dir: vscode.Uri): void {
  const parts = [vscode.l10n.t('Downloaded {0} files ({1}) to {2}.', count(r.files), formatSize(r.bytes), dir.fsPath)];
  if (r.skipped) parts.push(vscode.l10n.t('{0} existing files kept.', count(r.skipped)));
  if (r.unsafe.length) parts.push(vscode.l10n.t('{0} files not written: their names lead outside the folder ({1}).', r.unsafe.length, r.unsafe.slice(0, 3).join(', ')));
  if (r.cancelled) parts.unshift(vscode.l10n.t('Cancelled.'));
  const reveal = vscode.l10n.t('Reveal in Folder');
  void (r.unsafe.length ? vscode.window.showWarningMessage(parts.join(' '), reveal) : vscode.window.showInformationMessage(parts.join(' '), reveal)).then(
    (pick) => pick === reveal && vscode.commands.executeCommand('revealFileInOS', dir),
  );
}

/** The folder the selection shares: the new shard goes there. */
function commonBase(nodes: (FolderNode | ObjectNode)[]): string {
  const parents = nodes.map((n) => (n.type === 'object' ? n.parentPrefix : n.prefix.slice(0, n.prefix.slice(0, -1).lastIndexOf('/') + 1)));
  return parents.reduce((a, b) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return a.slice(0, a.lastIndexOf('/', i - 1) + 1);
  });
}

async function askShardName(bucket: BucketRef, base: string, nodes: (FolderNode | ObjectNode)[]): Promise<string | undefined> {
  const single = nodes.length === 1 && nodes[0].type === 'folder' ? nodes[0].prefix.slice(base.length, -1) : 'shard';
  const value = `${base}${single}.tar`;
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Create Shard from Selection'),
    prompt: vscode.l10n.t('Name of the new shard in {0}; its extension picks the format: {1}', objectUri(bucket), ARCH_EXTENSIONS.join(', ')),
    value,
    valueSelection: [base.length, base.length + single.length],
    validateInput: (v) => shardNameProblem(v),
  });
}

function shardNameProblem(name: string): string | undefined {
  if (!name.trim()) return vscode.l10n.t('Enter a name for the shard.');
  if (name.startsWith('/') || name.includes('//')) return vscode.l10n.t('A name cannot start with "/" or hold "//".');
  if (!shardFormatOf(name)) return vscode.l10n.t('End the name with one of {0}: the extension picks the format.', ARCH_EXTENSIONS.join(', '));
  return undefined;
}

/** One folder alone goes as its prefix (AIStore lists it); otherwise every name, folders listed here. */
async function selectionOf(client: ClusterClient, nodes: (FolderNode | ObjectNode)[]): Promise<ObjectSelection> {
  if (nodes.length === 1 && nodes[0].type === 'folder') return { template: nodes[0].prefix };
  return { names: (await objectsOf(client, nodes)).map((o) => o.key) };
}

/** The objects a selection stands for: objects as they are, folders by a listing of all below them. */
async function objectsOf(client: ClusterClient, nodes: (FolderNode | ObjectNode)[], signal?: AbortSignal): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  for (const n of nodes) {
    if (n.type === 'object') {
      out.push({ key: n.key, size: n.entry.size });
      continue;
    }
    let token: string | undefined;
    do {
      const page = await client.listObjects(n.bucket, { prefix: n.prefix, folders: false, token });
      out.push(...page.objects.filter((o) => !o.key.endsWith('/')).map((o) => ({ key: o.key, size: o.size })));
      token = page.nextToken;
    } while (token && !signal?.aborted);
  }
  if (out.length === 0) throw new Error(vscode.l10n.t('Nothing to pack: the folders chosen are empty.'));
  return out;
}

/**
 * A shard packed by this window (an S3 endpoint has no archive job): each object streamed from its GET into
 * the shard's upload, one at a time, memory flat. Stopped or failed midway, the upload is aborted and no
 * shard appears (an existing one stays as it was).
 */
async function packHere(client: ClusterClient, bucket: BucketRef, name: string, nodes: (FolderNode | ObjectNode)[], control: LocalJobControl): Promise<void> {
  const objects = await objectsOf(client, nodes, control.signal);
  const out = new PassThrough();
  let uploadError: unknown;
  // A refused upload stops reading: the packer is told at once, not left waiting on a full pipe.
  const upload = client.putObject(bucket, name, { stream: out }).catch((e: unknown) => {
    uploadError = e;
    out.destroy(e instanceof Error ? e : new Error(String(e)));
    throw e;
  });
  upload.catch(() => undefined); // awaited below; a stop must not surface as unhandled
  const writer = await createShardWriter(shardFormatOf(name)!, out);
  try {
    for (const o of objects) {
      if (control.signal.aborted) throw control.signal.reason ?? new Error('stopped');
      const { body, head } = await client.getObject(bucket, o.key);
      await writer.add(o.key, head.size, head.mtime ?? new Date(), body);
      control.add(1, head.size);
    }
    await writer.finish();
  } catch (e) {
    // The upload sees the error first (an end would complete a shard cut short), then the packer stops.
    out.destroy(e instanceof Error ? e : new Error(String(e)));
    writer.abort();
    if (!control.signal.aborted) control.fail(errorText(uploadError ?? e));
    await upload.catch(() => undefined);
    return;
  }
  await upload;
}

