// The Jobs view's commands (Refresh, Stop, Reveal, Clear Finished) and what the job-starting commands
// share: start a job (on the cluster, or run here where the cluster has none), show it in the view, and
// tell how it ended.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { isRunning, type JobInfo } from '../client/jobs';
import type { JobBoard, LocalJobControl, LocalJobSpec } from '../jobs/board';
import { elapsedMs, formatElapsed, jobDescription, jobLabel } from '../jobs/items';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import type { ClusterRegistry } from '../registry';
import type { JobsNode, JobsTreeProvider } from '../views/jobs';
import { count } from './outcome';

export interface JobsContext {
  registry: ClusterRegistry;
  board: JobBoard;
  log: vscode.LogOutputChannel;
  /** Redraws the Clusters tree (a job changed a bucket). */
  refreshTree: () => void;
}

/** What a started job hands back to callers (and tests): where it runs, its id, and its end. */
export interface StartedJob {
  clusterName: string;
  id: string;
  done: Promise<JobInfo>;
}

/** How the end of a job reads, for its notification. */
export interface JobEndText {
  /** "Copied {count} from ais://a to ais://b": `{0}` is the objects and bytes done. */
  done: (what: string) => string;
  stopped: (what: string) => string;
  failed: (why: string) => string;
}

function amount(job: JobInfo): string {
  const objects = job.objects === 1 ? vscode.l10n.t('1 object') : vscode.l10n.t('{0} objects', count(job.objects));
  return job.bytes > 0 ? `${objects} (${formatSize(job.bytes)})` : objects;
}

/** Shows the job in the Jobs view and, when it ends, a notification that says how (Reveal opens the bucket). */
export function followJob(ctx: JobsContext, started: StartedJob, text: JobEndText, reveal?: { bucket: BucketRef; clusterName: string }): void {
  void vscode.commands.executeCommand('aisBuckets.jobs.reveal', started.clusterName, started.id).then(undefined, () => vscode.commands.executeCommand('aisBuckets.jobs.focus'));
  void started.done.then((job) => {
    ctx.refreshTree();
    const revealLabel = vscode.l10n.t('Reveal Bucket');
    const actions = reveal && !job.error ? [revealLabel] : [];
    const then = (pick: string | undefined) => {
      if (pick === revealLabel && reveal) void vscode.commands.executeCommand('aisBuckets.revealInTree', reveal.clusterName, reveal.bucket, '');
    };
    if (job.aborted) {
      ctx.log.info(`job ${job.id} (${job.kind}) stopped after ${job.objects} objects`);
      void vscode.window.showInformationMessage(text.stopped(amount(job)), ...actions).then(then);
    } else if (job.error) {
      ctx.log.error(`job ${job.id} (${job.kind}) failed: ${job.error}`);
      void vscode.window.showErrorMessage(text.failed(job.error), vscode.l10n.t('Show Log')).then((p) => p && ctx.log.show());
    } else {
      ctx.log.info(`job ${job.id} (${job.kind}) done: ${job.objects} objects, ${job.bytes} bytes in ${formatElapsed(elapsedMs(job))}`);
      void vscode.window.showInformationMessage(text.done(amount(job)), ...actions).then(then);
    }
  });
}

/** A job the cluster runs: started by `start` (which returns its id), then watched on the board. */
export async function startClusterJob(ctx: JobsContext, clusterName: string, spec: LocalJobSpec, start: () => Promise<string>): Promise<StartedJob> {
  const id = await start();
  ctx.log.info(`started job ${id} (${spec.kind}) on ${clusterName}: ${spec.title ?? ''}`);
  await ctx.board.started(clusterName, id, spec);
  return { clusterName, id, done: ctx.board.whenEnded(clusterName, id) };
}

/** A job this window runs (no server-side job for it): in the same view, stopped by the same Stop. */
export function startLocalJob(ctx: JobsContext, clusterName: string, spec: LocalJobSpec, work: (control: LocalJobControl) => Promise<void>): StartedJob {
  const { id, done } = ctx.board.runLocal(clusterName, spec, work);
  ctx.log.info(`running ${spec.kind} here as ${id} on ${clusterName}: ${spec.title ?? ''}`);
  return { clusterName, id, done };
}

export function registerJobCommands(context: vscode.ExtensionContext, ctx: JobsContext, view: vscode.TreeView<JobsNode>, tree: JobsTreeProvider): void {
  const jobOf = (n?: JobsNode) => (n?.type === 'job' ? n.entry : undefined);
  context.subscriptions.push(
    // Jobs started elsewhere (the CLI, another user) show when the view is opened or refreshed.
    view.onDidChangeVisibility((e) => {
      if (e.visible) void ctx.board.refresh();
    }),
    vscode.commands.registerCommand('aisBuckets.jobs.refresh', () => ctx.board.refresh()),
    // Internal: a job just started shows in the view, its row scrolled to.
    vscode.commands.registerCommand('aisBuckets.jobs.reveal', async (clusterName: string, id: string) => {
      await vscode.commands.executeCommand('aisBuckets.jobs.focus');
      await tree.reveal(view, clusterName, id);
    }),
    vscode.commands.registerCommand('aisBuckets.jobs.clearFinished', () => ctx.board.clearFinished()),
    vscode.commands.registerCommand('aisBuckets.stopJob', async (n?: JobsNode) => {
      const entry = jobOf(n) ?? (await pickRunningJob(ctx));
      if (!entry) return;
      if (!isRunning(entry.info)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Job {0} has already ended.', entry.info.id));
        return;
      }
      try {
        await ctx.board.stop(entry.clusterName, entry.info.id);
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not stop job {0}: {1}', entry.info.id, errorText(e)));
      }
    }),
    vscode.commands.registerCommand('aisBuckets.revealJobBucket', async (n?: JobsNode) => {
      const entry = jobOf(n);
      const bucket = entry?.info.destination ?? entry?.info.bucket;
      if (!entry || !bucket) return;
      await vscode.commands.executeCommand('aisBuckets.revealInTree', entry.clusterName, bucket, '');
    }),
  );
}

async function pickRunningJob(ctx: JobsContext) {
  await ctx.board.refresh();
  const running = (await ctx.board.state()).flatMap((c) => c.jobs.filter((j) => isRunning(j.info)));
  if (running.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No job is running.'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    running.map((entry) => ({ label: jobLabel(entry), description: `${entry.clusterName} · ${jobDescription(entry.info)}`, entry })),
    { title: vscode.l10n.t('Stop Job'), placeHolder: vscode.l10n.t('Which job?') },
  );
  return pick?.entry;
}
