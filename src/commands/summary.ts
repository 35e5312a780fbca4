// Show Summary: a bucket's or a folder's object count and total size. AIStore counts them in a job
// (summary-bck; a remote bucket's cached objects and, when asked, all its objects in the cloud); on an S3
// endpoint a listing counts them, with progress and Cancel. The result stays in the row's tooltip until
// the tree is refreshed there.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { JOB_KIND, type BucketSummary } from '../client/jobs';
import { countSelected } from '../jobs/clientside';
import { shortBucket } from '../jobs/items';
import type { KeptSummary, SummaryCache } from '../jobs/summaries';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ContainerNode } from '../views/model';
import { destinationOf, pickTarget, withCancellableProgress } from './common';
import type { JobsContext } from './jobs';
import { count } from './outcome';

/** "100,000 objects, 95.4 MiB" (and for a remote bucket what its cloud holds). */
export function summaryText(s: BucketSummary): string {
  const here = s.objects === 1 ? vscode.l10n.t('1 object, {0}', formatSize(s.bytes)) : vscode.l10n.t('{0} objects, {1}', count(s.objects), formatSize(s.bytes));
  if (s.remoteObjects === undefined) return here;
  return vscode.l10n.t('{0} cached; {1} objects, {2} in the cloud', here, count(s.remoteObjects), formatSize(s.remoteBytes ?? 0));
}

export function registerSummaryCommand(context: vscode.ExtensionContext, ctx: JobsContext, summaries: SummaryCache, redraw: (node?: ContainerNode) => void): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.showSummary', async (node?: ContainerNode, options?: { quiet?: boolean }): Promise<KeptSummary | undefined> => {
      let where = destinationOf(node);
      if (!where) {
        const picked = await pickTarget(ctx.registry, vscode.l10n.t('Show Summary'), { bucket: true, folders: true, chooseHere: vscode.l10n.t('Summarize This') });
        where = picked && destinationOf(picked);
        if (!where) return undefined;
      }
      const { clusterName, bucket, prefix } = where;
      try {
        const summary = await summarize(ctx, clusterName, bucket, prefix);
        if (!summary) return undefined;
        const kept = summaries.set(clusterName, bucket, prefix, summary);
        ctx.log.info(`summary of ${objectUri(bucket, prefix)} on ${clusterName}: ${summary.objects} objects, ${summary.bytes} bytes`);
        redraw(node);
        if (!options?.quiet) void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1}', objectUri(bucket, prefix), summaryText(summary)));
        return kept;
      } catch (e) {
        if (options?.quiet) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not summarize {0}: {1}', objectUri(bucket, prefix), errorText(e)));
        return undefined;
      }
    }),
  );
}

function summarize(ctx: JobsContext, clusterName: string, bucket: BucketRef, prefix: string): Thenable<BucketSummary | undefined> {
  return withCancellableProgress(vscode.l10n.t('Summarizing {0}', objectUri(bucket, prefix)), async (progress, abort) => {
    const client = await ctx.registry.client(clusterName);
    if (client.jobs) {
      const jobs = client.jobs;
      try {
        return await jobs.summary(bucket, {
          prefix,
          // A remote bucket: what the cloud holds too, as `ais bucket summary` shows by default.
          remote: bucket.provider !== 'ais',
          signal: abort.signal,
          onJob: (id) => void ctx.board.started(clusterName, id, { kind: JOB_KIND.summary, bucket, title: vscode.l10n.t('Summary of {0}', shortBucket(bucket, prefix)) }),
        });
      } catch (e) {
        if (abort.signal.aborted) return undefined;
        throw e;
      }
    }
    const total = await countSelected(client, bucket, { prefix }, abort.signal, (s) => progress.report({ message: vscode.l10n.t('{0} objects so far', count(s.objects)) }));
    return abort.signal.aborted ? undefined : total;
  });
}
