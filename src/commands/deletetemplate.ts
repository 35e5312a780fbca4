// Delete by Template…: the objects whose names an AIStore template selects ("shard-{0000..0999}.tar",
// "logs/2025-@12.txt", a prefix "tmp/"), counted by a listing before anything is deleted. On AIStore the
// delete is one job (delete-listrange with the template); on an S3 endpoint, one DeleteObjects per 1000
// matching keys, run here. Both show in the Jobs view.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { JOB_KIND, type BucketSummary } from '../client/jobs';
import { parseTemplate, TemplateError } from '../common/template';
import { countSelected, deleteSelected, templateFilter } from '../jobs/clientside';
import { shortBucket } from '../jobs/items';
import { formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ContainerNode } from '../views/model';
import { destinationOf, showFailure, targetFlow, withCancellableProgress } from './common';
import { MultiStepInput, type Step } from './input/multistep';
import { followJob, type JobsContext, startClusterJob, startLocalJob, type StartedJob } from './jobs';
import { count } from './outcome';

/** Why a template cannot be used, in a sentence; undefined when it can. */
export function templateProblem(template: string): string | undefined {
  if (!template.trim()) return vscode.l10n.t('Type a template, a prefix, or "*" for every object.');
  try {
    parseTemplate(template);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return vscode.l10n.t('Not a template AIStore takes: {0}', e.message);
    throw e;
  }
}

export function registerDeleteByTemplateCommand(context: vscode.ExtensionContext, ctx: JobsContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.deleteByTemplate', async (node?: ContainerNode, template?: string, options?: { confirm?: boolean }): Promise<StartedJob | undefined> => {
      const given = destinationOf(node);
      if (given && template !== undefined) {
        const problem = templateProblem(template);
        if (problem) throw new Error(problem);
        return deleteByTemplate(ctx, given.clusterName, given.bucket, template, options?.confirm ?? false);
      }
      let asked: { clusterName: string; bucket: BucketRef; template: string } | undefined;
      let typed: string | undefined;
      const templateStep = (clusterName: string, bucket: BucketRef, prefix: string): Step => async (input) => {
        const value = await input.inputBox({
          prompt: vscode.l10n.t('Names to delete from {0}: a template, a prefix, or "*" for all', objectUri(bucket)),
          placeholder: vscode.l10n.t('e.g. shard-{0000..0999}.tar'),
          value: typed ?? prefix,
          validate: (v) => (v ? templateProblem(v) : undefined),
          remember: (v) => (typed = v),
        });
        asked = { clusterName, bucket, template: value };
      };
      const flow = given
        ? { steps: 0, first: templateStep(given.clusterName, given.bucket, given.prefix) }
        : await targetFlow(ctx.registry, { bucket: true, folders: true }, (p) => {
            const d = destinationOf(p)!;
            return templateStep(d.clusterName, d.bucket, d.prefix);
          });
      if (!flow) return undefined;
      if (!(await MultiStepInput.run(vscode.l10n.t('Delete by Template'), () => flow.steps + 1, flow.first)) || !asked) return undefined;
      try {
        return await deleteByTemplate(ctx, asked.clusterName, asked.bucket, asked.template, true);
      } catch (e) {
        showFailure(ctx.log, vscode.l10n.t('Delete by Template'), e, { showLog: true });
        return undefined;
      }
    }),
  );
}

async function deleteByTemplate(ctx: JobsContext, clusterName: string, bucket: BucketRef, template: string, confirm: boolean): Promise<StartedJob | undefined> {
  const client = await ctx.registry.client(clusterName);
  // "*" and "" are the whole bucket to AIStore; the listing's filter takes them as the empty prefix.
  const filter = templateFilter(template === '*' ? '' : template);
  const where = objectUri(bucket);
  if (confirm) {
    const counted = await withCancellableProgress(vscode.l10n.t('Counting the objects in {0} that match "{1}"', where, template), async (progress, abort) => {
      const total: BucketSummary = await countSelected(client, bucket, filter, abort.signal, (s) => progress.report({ message: vscode.l10n.t('{0} found', count(s.objects)) }));
      return abort.signal.aborted ? undefined : total;
    });
    if (!counted) return undefined;
    if (counted.objects === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No object in {0} matches "{1}": nothing was deleted.', where, template));
      return undefined;
    }
    const del = vscode.l10n.t('Delete');
    const question = vscode.l10n.t('Delete {0} objects ({1}) matching "{2}" from {3}?', count(counted.objects), formatSize(counted.bytes), template, where);
    if ((await vscode.window.showWarningMessage(question, { modal: true, detail: vscode.l10n.t('This cannot be undone.') }, del)) !== del) return undefined;
  }
  const spec = { kind: JOB_KIND.deleteObjects, bucket, title: vscode.l10n.t('Delete "{0}" from {1}', template, shortBucket(bucket)) };
  let started: StartedJob;
  if (client.jobs) {
    const jobs = client.jobs;
    started = await startClusterJob(ctx, clusterName, spec, () => jobs.deleteObjects(bucket, { template }));
  } else {
    started = startLocalJob(ctx, clusterName, spec, (control) => deleteSelected(client, bucket, filter, control));
  }
  followJob(ctx, started, {
    done: (what) => vscode.l10n.t('Deleted {0} matching "{1}" from {2}.', what, template, where),
    stopped: (what) => vscode.l10n.t('Stopped deleting from {0} after {1}.', where, what),
    failed: (why) => vscode.l10n.t('Deleting "{0}" from {1} failed: {2}', template, where, why),
  });
  return started;
}
