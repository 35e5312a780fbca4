// Copy Bucket…: a bucket (or the names under a prefix) into a new or an existing bucket of the same
// cluster, of any provider it has. A dry run first says how many objects and bytes the copy takes; on
// AIStore the copy is one server-side job (copy-bck), on an S3 endpoint the extension copies key by key
// (CopyObject), and both show in the Jobs view.
import * as vscode from 'vscode';
import { type BucketRef, type ClusterClient, sameBucket } from '../client/cluster';
import { JOB_KIND, type BucketSummary } from '../client/jobs';
import { copySelected, countSelected } from '../jobs/clientside';
import { shortBucket } from '../jobs/items';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import { validateBucketName } from '../objects/names';
import type { BucketNode } from '../views/model';
import { showFailure, targetFlow, withCancellableProgress } from './common';
import { MultiStepInput, type Step } from './input/multistep';
import { followJob, type JobsContext, startClusterJob, startLocalJob, type StartedJob } from './jobs';
import { count } from './outcome';

export interface CopyBucketArgs {
  /** The destination bucket (created when missing); same cluster as the source. */
  to: BucketRef;
  prefix?: string;
  /** Ask first, with the dry run's count (default: no, when args are given). */
  confirm?: boolean;
}

const NEW_BUCKET = Symbol('new bucket');

export function registerCopyBucketCommand(context: vscode.ExtensionContext, ctx: JobsContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.copyBucket', async (node?: BucketNode, args?: CopyBucketArgs): Promise<StartedJob | undefined> => {
      if (node?.type === 'bucket' && args) return copyBucket(ctx, node.clusterName, node.bucket, args.to, args.prefix ?? '', args.confirm ?? false);
      const asked = await askCopy(ctx, node?.type === 'bucket' ? node : undefined);
      if (!asked) return undefined;
      try {
        return await copyBucket(ctx, asked.clusterName, asked.source, asked.destination, asked.prefix, true);
      } catch (e) {
        showFailure(ctx.log, vscode.l10n.t('Copy Bucket'), e, { showLog: true });
        return undefined;
      }
    }),
  );
}

interface AskedCopy {
  clusterName: string;
  source: BucketRef;
  destination: BucketRef;
  prefix: string;
}

/** The source (from the palette), the destination (an existing bucket, or a new one by name), a prefix: one quick input. */
async function askCopy(ctx: JobsContext, given?: BucketNode): Promise<AskedCopy | undefined> {
  let answer: AskedCopy | undefined;
  let newName = '';
  let prefix = '';
  const prefixStep = (clusterName: string, source: BucketRef, destination: BucketRef): Step => async (input) => {
    prefix = await input.inputBox({
      prompt: vscode.l10n.t('Copy only the names that start with this (empty: the whole bucket)'),
      placeholder: vscode.l10n.t('e.g. images/2025/'),
      value: prefix,
      allowEmpty: true,
      remember: (v) => (prefix = v),
    });
    answer = { clusterName, source, destination, prefix };
  };
  const nameStep = (clusterName: string, client: ClusterClient, source: BucketRef): Step => async (input) => {
    const provider = client.kind === 'ais' ? 'ais' : source.provider;
    newName = await input.inputBox({
      prompt: vscode.l10n.t('Name of the new bucket to copy {0} into', objectUri(source)),
      value: newName || `${source.name}-copy`,
      validate: (v) => {
        if (!v.trim()) return undefined;
        if (v.trim() === source.name && provider === source.provider) return vscode.l10n.t('That is the source bucket: type another name.');
        return validateBucketName(v.trim(), client.kind);
      },
      remember: (v) => (newName = v),
    });
    return prefixStep(clusterName, source, { name: newName.trim(), provider });
  };
  const destinationStep = (clusterName: string, source: BucketRef): Step => async (input) => {
    const client = await ctx.registry.client(clusterName);
    const items = (async () => [
      { label: `$(add) ${vscode.l10n.t('New bucket…')}`, value: NEW_BUCKET as BucketRef | typeof NEW_BUCKET },
      ...(await client.listBuckets())
        .filter((b) => !sameBucket(b, source))
        .map((b) => ({ label: b.name, description: objectUri(b), iconPath: new vscode.ThemeIcon('database'), value: b as BucketRef | typeof NEW_BUCKET })),
    ])();
    const picked = await input.quickPick({ placeholder: vscode.l10n.t('Copy {0} into which bucket?', objectUri(source)), items });
    if (picked === NEW_BUCKET) return nameStep(clusterName, client, source);
    return prefixStep(clusterName, source, { name: picked.name, provider: picked.provider, ...(picked.namespace ? { namespace: picked.namespace } : {}) });
  };
  const flow = given
    ? { steps: 0, first: destinationStep(given.clusterName, given.bucket) }
    : await targetFlow(ctx.registry, { bucket: true, browse: false }, (p) => destinationStep(p.clusterName, p.bucket));
  if (!flow) return undefined;
  const title = given ? vscode.l10n.t('Copy Bucket {0}', objectUri(given.bucket)) : vscode.l10n.t('Copy Bucket');
  // Destination, (a new name,) prefix.
  if (!(await MultiStepInput.run(title, () => flow.steps + 2, flow.first))) return undefined;
  return answer;
}

/** Counts what the copy takes (AIStore: a dry-run job), asks, then starts it; undefined when not confirmed. */
async function copyBucket(ctx: JobsContext, clusterName: string, source: BucketRef, destination: BucketRef, prefix: string, confirm: boolean): Promise<StartedJob | undefined> {
  if (sameBucket(source, destination)) throw new Error(vscode.l10n.t('{0} is the source bucket: choose another destination.', objectUri(destination)));
  const client = await ctx.registry.client(clusterName);
  const from = objectUri(source, prefix);
  const to = objectUri(destination);
  if (confirm) {
    const counted = await dryRun(ctx, client, clusterName, source, destination, prefix);
    if (!counted) return undefined;
    if (counted.objects === 0) {
      void vscode.window.showInformationMessage(prefix ? vscode.l10n.t('Nothing to copy: no name in {0} starts with "{1}".', objectUri(source), prefix) : vscode.l10n.t('Nothing to copy: {0} is empty.', from));
      return undefined;
    }
    const copy = vscode.l10n.t('Copy');
    const how = client.jobs ? vscode.l10n.t('The cluster copies them as a job; watch it in the Jobs view.') : vscode.l10n.t('AIS Buckets copies them one by one (CopyObject); watch it in the Jobs view.');
    const question = vscode.l10n.t('Copy {0} objects ({1}) from {2} to {3}?', count(counted.objects), formatSize(counted.bytes), from, to);
    if ((await vscode.window.showInformationMessage(question, { modal: true, detail: how }, copy)) !== copy) return undefined;
  }
  const title = vscode.l10n.t('Copy {0} → {1}', shortBucket(source, prefix), shortBucket(destination));
  const spec = { kind: JOB_KIND.copyBucket, bucket: source, destination, title };
  let started: StartedJob;
  if (client.jobs) {
    const jobs = client.jobs;
    started = await startClusterJob(ctx, clusterName, spec, () => jobs.copyBucket(source, destination, { prefix }));
  } else {
    await ensureBucket(client, destination);
    started = startLocalJob(ctx, clusterName, spec, (control) =>
      copySelected({ source: { client, bucket: source }, destination: { client, bucket: destination, sameCluster: true }, filter: { prefix } }, control),
    );
  }
  followJob(
    ctx,
    started,
    {
      done: (what) => vscode.l10n.t('Copied {0} from {1} to {2}.', what, from, to),
      stopped: (what) => vscode.l10n.t('Stopped the copy to {0} after {1}; what was copied stays.', to, what),
      failed: (why) => vscode.l10n.t('The copy from {0} to {1} failed: {2}', from, to, why),
    },
    { clusterName, bucket: destination },
  );
  return started;
}

/** How many objects and bytes the copy takes, under a progress notification with Cancel. */
function dryRun(ctx: JobsContext, client: ClusterClient, clusterName: string, source: BucketRef, destination: BucketRef, prefix: string): Thenable<BucketSummary | undefined> {
  return withCancellableProgress(vscode.l10n.t('Counting what a copy of {0} takes', objectUri(source, prefix)), async (progress, abort) => {
    try {
      if (!client.jobs) {
        const total = await countSelected(client, source, { prefix }, abort.signal, (s) => progress.report({ message: vscode.l10n.t('{0} objects so far', count(s.objects)) }));
        return abort.signal.aborted ? undefined : total;
      }
      const jobs = client.jobs;
      const id = await jobs.copyBucket(source, destination, { prefix, dryRun: true });
      const spec = { kind: JOB_KIND.copyBucket, bucket: source, destination, title: vscode.l10n.t('Dry run: copy {0} → {1}', shortBucket(source, prefix), shortBucket(destination)) };
      await ctx.board.started(clusterName, id, spec);
      abort.signal.addEventListener('abort', () => void ctx.board.stop(clusterName, id).catch(() => undefined));
      const job = await ctx.board.whenEnded(clusterName, id);
      if (abort.signal.aborted || job.aborted) return undefined;
      if (job.error) throw new Error(job.error);
      return { objects: job.objects, bytes: job.bytes };
    } catch (e) {
      if (abort.signal.aborted) return undefined;
      throw new Error(vscode.l10n.t('The dry run of the copy failed: {0}', errorText(e)), { cause: e });
    }
  });
}

async function ensureBucket(client: ClusterClient, bucket: BucketRef): Promise<void> {
  const exists = (await client.listBuckets()).some((b) => sameBucket(b, bucket));
  if (!exists) await client.createBucket(bucket);
}
