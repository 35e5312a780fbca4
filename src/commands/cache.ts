// A remote bucket (aws://, gs://, …) on AIStore is a cache of the cloud bucket: Show Cached… filters its
// listing (cached only, not cached, changed remotely), Prefetch and Get Latest Version fetch objects into
// the cluster, Evict drops the cluster's copies (the cloud keeps them). Each runs as one AIStore job
// (prefetch-listrange, evict-listrange) on the selection: objects by name, a folder by its prefix, a
// bucket whole, or a template; the Jobs view shows it.
import * as vscode from 'vscode';
import type { BucketRef, Presence } from '../client/cluster';
import { JOB_KIND, type ObjectSelection } from '../client/jobs';
import { shortBucket } from '../jobs/items';
import { objectUri } from '../objects/location';
import { isRemote, presenceWords } from '../views/model';
import type { BucketNode, ContainerNode, FolderNode, ObjectNode, TreeNode } from '../views/model';
import type { BucketTreeProvider } from '../views/tree';
import { selection, showFailure } from './common';
import { templateProblem } from './deletetemplate';
import { MultiStepInput } from './input/multistep';
import { followJob, type JobsContext, startClusterJob, type StartedJob } from './jobs';

type Chosen = BucketNode | FolderNode | ObjectNode;
type CacheAction = 'prefetch' | 'latest' | 'evict';

/** One bucket's part of a selection, as the job selections AIStore takes. */
function selectionsOf(nodes: Chosen[]): { clusterName: string; bucket: BucketRef; selections: ObjectSelection[]; what: string }[] {
  const groups = new Map<string, { clusterName: string; bucket: BucketRef; names: string[]; templates: string[] }>();
  for (const n of nodes) {
    const id = `${n.clusterName}\n${n.bucket.provider}\n${n.bucket.name}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { clusterName: n.clusterName, bucket: n.bucket, names: [], templates: [] }));
    if (n.type === 'object') g.names.push(n.key);
    else g.templates.push(n.type === 'folder' ? n.prefix : '');
  }
  return [...groups.values()].map((g) => {
    // The whole bucket takes in everything else of it.
    const selections: ObjectSelection[] = g.templates.includes('') ? [{ template: '' }] : [...(g.names.length ? [{ names: g.names }] : []), ...g.templates.map((t) => ({ template: t }))];
    const count = g.names.length + g.templates.length;
    const what = g.templates.includes('') ? shortBucket(g.bucket) : count === 1 ? shortBucket(g.bucket, g.names[0] ?? g.templates[0]) : vscode.l10n.t('{0} items in {1}', count, shortBucket(g.bucket));
    return { clusterName: g.clusterName, bucket: g.bucket, selections, what };
  });
}

const TITLES: Record<CacheAction, (what: string) => string> = {
  prefetch: (what) => vscode.l10n.t('Prefetch {0}', what),
  latest: (what) => vscode.l10n.t('Get latest version of {0}', what),
  evict: (what) => vscode.l10n.t('Evict {0}', what),
};

const ACTION_NAMES: Record<CacheAction, () => string> = {
  prefetch: () => vscode.l10n.t('Prefetch'),
  latest: () => vscode.l10n.t('Get Latest Version'),
  evict: () => vscode.l10n.t('Evict'),
};

async function runCacheJobs(ctx: JobsContext, action: CacheAction, nodes: Chosen[], template?: string): Promise<StartedJob[]> {
  const started: StartedJob[] = [];
  for (const g of selectionsOf(nodes)) {
    const client = await ctx.registry.client(g.clusterName);
    const jobs = client.jobs;
    if (!jobs || !client.capabilities.cacheState || !isRemote(g.bucket)) {
      throw new Error(vscode.l10n.t('{0} is not a remote bucket of an AIStore cluster: there is no cache to prefetch into or evict from.', objectUri(g.bucket)));
    }
    const selections = template !== undefined ? [{ template }] : g.selections;
    const what = template !== undefined ? `"${template}" ${vscode.l10n.t('in {0}', shortBucket(g.bucket))}` : g.what;
    for (const sel of selections) {
      const kind = action === 'evict' ? JOB_KIND.evictObjects : JOB_KIND.prefetchObjects;
      const spec = { kind, bucket: g.bucket, title: TITLES[action](what) };
      const job = await startClusterJob(ctx, g.clusterName, spec, () => (action === 'evict' ? jobs.evict(g.bucket, sel) : jobs.prefetch(g.bucket, sel, { latest: action === 'latest' })));
      followJob(ctx, job, {
        done: (amount) =>
          action === 'evict' ? vscode.l10n.t('Evicted {0} of {1} from the cluster; the remote bucket keeps them.', amount, what) : vscode.l10n.t('Fetched {0} of {1} into the cluster.', amount, what),
        stopped: (amount) => vscode.l10n.t('Stopped after {0}.', amount),
        failed: (why) => vscode.l10n.t('{0} failed: {1}', TITLES[action](what), why),
      });
      started.push(job);
    }
  }
  return started;
}

export function registerCacheCommands(context: vscode.ExtensionContext, ctx: JobsContext, tree: BucketTreeProvider): void {
  const chosenOf = (node?: TreeNode, nodes?: TreeNode[]) => selection(node, nodes).filter((n): n is Chosen => n.type === 'bucket' || n.type === 'folder' || n.type === 'object');
  const command = (id: string, action: CacheAction) =>
    vscode.commands.registerCommand(id, async (node?: TreeNode, nodes?: TreeNode[], options?: { quiet?: boolean }): Promise<StartedJob[]> => {
      const chosen = chosenOf(node, nodes);
      if (chosen.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose objects, folders or a bucket of a remote bucket (aws://, gs://, …) in the AIS Buckets view.'));
        return [];
      }
      // A whole bucket or folder can be much: asked first; named objects are what the user picked.
      const containers = chosen.filter((n) => n.type !== 'object');
      if (!options?.quiet && containers.length > 0) {
        const go = ACTION_NAMES[action]();
        const where = containers.map((n) => objectUri(n.bucket, n.type === 'folder' ? n.prefix : '')).join(', ');
        const question = action === 'evict' ? vscode.l10n.t('Evict every cached object under {0}?', where) : vscode.l10n.t('Fetch every object under {0} into the cluster?', where);
        const detail = action === 'evict' ? vscode.l10n.t('The remote bucket keeps them; the next read fetches them again.') : vscode.l10n.t('It runs on the cluster as a job; watch it in the Jobs view.');
        if ((await vscode.window.showInformationMessage(question, { modal: true, detail }, go)) !== go) return [];
      }
      try {
        return await runCacheJobs(ctx, action, chosen);
      } catch (e) {
        if (options?.quiet) throw e;
        showFailure(ctx.log, ACTION_NAMES[action](), e, { showLog: true });
        return [];
      }
    });
  context.subscriptions.push(
    command('aisBuckets.prefetch', 'prefetch'),
    command('aisBuckets.getLatestVersion', 'latest'),
    command('aisBuckets.evict', 'evict'),
    vscode.commands.registerCommand('aisBuckets.prefetchByTemplate', async (node?: ContainerNode, template?: string): Promise<StartedJob[]> => {
      if (!node) return [];
      let typed = template;
      if (typed === undefined) {
        const prefix = node.type === 'folder' ? node.prefix : '';
        const ok = await MultiStepInput.run(vscode.l10n.t('Prefetch by Template'), () => 1, async (input) => {
          typed = await input.inputBox({
            prompt: vscode.l10n.t('Names to fetch into the cluster from {0}: a template, or a prefix', objectUri(node.bucket)),
            placeholder: vscode.l10n.t('e.g. shard-{0000..0999}.tar'),
            value: prefix,
            validate: (v) => (v ? templateProblem(v) : undefined),
          });
        });
        if (!ok || typed === undefined) return [];
      } else {
        const problem = templateProblem(typed);
        if (problem) throw new Error(problem);
      }
      try {
        return await runCacheJobs(ctx, 'prefetch', [node], typed);
      } catch (e) {
        if (template !== undefined) throw e;
        showFailure(ctx.log, vscode.l10n.t('Prefetch'), e, { showLog: true });
        return [];
      }
    }),
    vscode.commands.registerCommand('aisBuckets.showCached', async (node?: ContainerNode, presence?: Presence) => {
      if (!node || (node.type !== 'bucket' && node.type !== 'folder')) return undefined;
      let chosen = presence;
      if (!chosen) {
        const now = tree.model.presenceOf(node);
        const items = (['all', 'cached', 'notCached', 'changed'] as Presence[]).map((p) => ({ label: presenceWords(p), description: p === now ? vscode.l10n.t('current') : undefined, value: p }));
        const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show in {0}', objectUri(node.bucket)), placeHolder: vscode.l10n.t('Which objects of this remote bucket?') });
        chosen = pick?.value;
      }
      if (!chosen) return undefined;
      tree.setPresence(node, chosen);
      return chosen;
    }),
  );
}
