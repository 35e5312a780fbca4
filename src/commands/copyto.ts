// Copy to… on a selection of objects and folders: into a bucket or folder of any cluster, names kept
// below what was selected. Within one AIStore cluster each source bucket's selection is one server-side
// job (copy-listrange: the objects by name, a folder by its prefix); elsewhere (S3, between clusters) the
// extension copies key by key as a job of its own. All show in the Jobs view.
import * as vscode from 'vscode';
import type { ClusterClient } from '../client/cluster';
import { JOB_KIND, type ObjectSelection } from '../client/jobs';
import { copyEntries, copySelected } from '../jobs/clientside';
import type { LocalJobControl } from '../jobs/board';
import { shortBucket } from '../jobs/items';
import { objectUri } from '../objects/location';
import type { FolderNode, ObjectNode, TreeNode } from '../views/model';
import { type Destination, pickDestination, selection, showFailure } from './common';
import { followJob, type JobsContext, startClusterJob, startLocalJob, type StartedJob } from './jobs';

/** The folder a selected item's name is kept below: an object's own folder, a folder's parent. */
function baseOf(n: FolderNode | ObjectNode): string {
  return n.type === 'object' ? n.parentPrefix : n.prefix.slice(0, n.prefix.slice(0, -1).lastIndexOf('/') + 1);
}

/** One piece of the copy: items of one bucket with one base, as one job. */
interface CopyGroup {
  source: FolderNode | ObjectNode;
  base: string;
  objects: { key: string; size: number }[];
  folders: string[];
}

function groupsOf(nodes: (FolderNode | ObjectNode)[]): CopyGroup[] {
  const groups = new Map<string, CopyGroup>();
  for (const n of nodes) {
    const base = baseOf(n);
    const id = [n.clusterName, n.bucket.provider, n.bucket.namespace?.uuid ?? '', n.bucket.namespace?.name ?? '', n.bucket.name, base].join('\n');
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { source: n, base, objects: [], folders: [] }));
    if (n.type === 'object') g.objects.push({ key: n.key, size: n.entry.size });
    else g.folders.push(n.prefix);
  }
  return [...groups.values()];
}

export function registerCopyToCommand(context: vscode.ExtensionContext, ctx: JobsContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.copyTo', async (node?: TreeNode, nodes?: TreeNode[], dest?: Destination): Promise<StartedJob[]> => {
      const chosen = selection(node, nodes).filter((n): n is FolderNode | ObjectNode => n.type === 'folder' || n.type === 'object');
      if (chosen.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose objects or folders in the AIS Buckets view, then Copy to….'));
        return [];
      }
      const given = dest !== undefined;
      const target = dest ?? (await pickDestination(ctx.registry, vscode.l10n.t('Copy to'), { chooseHere: vscode.l10n.t('Copy Here'), newFolder: true }));
      if (!target) return [];
      try {
        return await copyTo(ctx, chosen, target);
      } catch (e) {
        if (given) throw e;
        showFailure(ctx.log, vscode.l10n.t('Copy'), e, { showLog: true });
        return [];
      }
    }),
  );
}

async function copyTo(ctx: JobsContext, nodes: (FolderNode | ObjectNode)[], dest: Destination): Promise<StartedJob[]> {
  const to = objectUri(dest.bucket, dest.prefix);
  const destClient = await ctx.registry.client(dest.clusterName);
  const started: StartedJob[] = [];
  for (const g of groupsOf(nodes)) {
    const { source, base } = g;
    const what = g.objects.length + g.folders.length === 1 ? (g.objects[0]?.key ?? g.folders[0]) : vscode.l10n.t('{0} items', g.objects.length + g.folders.length);
    const spec = { kind: JOB_KIND.copyObjects, bucket: source.bucket, destination: dest.bucket, title: vscode.l10n.t('Copy {0} from {1} → {2}', what, shortBucket(source.bucket, base), shortBucket(dest.bucket, dest.prefix)) };
    const srcClient = await ctx.registry.client(source.clusterName);
    const sameCluster = source.clusterName === dest.clusterName;
    // AIStore keeps a name and puts `prepend` before it: the copy is its job when the destination folder
    // ends with the base the names are kept below (a/x → dst/a/x: prepend "dst/").
    const jobs = sameCluster ? srcClient.jobs : undefined;
    if (jobs && dest.prefix.endsWith(base)) {
      const prepend = dest.prefix.slice(0, dest.prefix.length - base.length);
      const selections: ObjectSelection[] = [...(g.objects.length ? [{ names: g.objects.map((o) => o.key) }] : []), ...g.folders.map((f) => ({ template: f }))];
      for (const sel of selections) started.push(await startClusterJob(ctx, dest.clusterName, spec, () => jobs.copyObjects(source.bucket, dest.bucket, sel, { prepend })));
    } else {
      started.push(startLocalJob(ctx, dest.clusterName, spec, (control) => copyGroup(srcClient, destClient, g, dest, sameCluster, control)));
    }
  }
  for (const s of started) {
    followJob(
      ctx,
      s,
      {
        done: (what) => vscode.l10n.t('Copied {0} to {1}.', what, to),
        stopped: (what) => vscode.l10n.t('Stopped the copy to {0} after {1}; what was copied stays.', to, what),
        failed: (why) => vscode.l10n.t('The copy to {0} failed: {1}', to, why),
      },
      { clusterName: dest.clusterName, bucket: dest.bucket },
    );
  }
  return started;
}

/** The group copied here: the objects by name, each folder by its listing. */
async function copyGroup(srcClient: ClusterClient, destClient: ClusterClient, g: CopyGroup, dest: Destination, sameCluster: boolean, control: LocalJobControl): Promise<void> {
  const plan = { source: { client: srcClient, bucket: g.source.bucket }, destination: { client: destClient, bucket: dest.bucket, sameCluster }, strip: g.base, prepend: dest.prefix };
  await copyEntries(plan, g.objects, control);
  for (const prefix of g.folders) {
    if (control.signal.aborted) return;
    await copySelected({ ...plan, filter: { prefix } }, control);
  }
}
