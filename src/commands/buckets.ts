// Create and delete buckets, from the tree's context menu or the palette (then a QuickPick chooses).
import * as vscode from 'vscode';
import { DELETE_BATCH_SIZE, type BucketRef, type ClusterClient, type DeleteFailure } from '../client/cluster';
import { logFailedKeys, nameFailedKeys, withDeleteProgress } from './deletion';
import { errorText } from '../objects/errors';
import { objectUri } from '../objects/location';
import { validateBucketName } from '../objects/names';
import type { ClusterRegistry } from '../registry';
import { clusterFlow, pickBucket, pickCluster, pickTarget } from './common';
import { MultiStepInput, type Step } from './input/multistep';

/** What tree nodes (cluster, provider, bucket) and callers pass: a cluster, maybe a provider or a bucket. */
export interface BucketTarget {
  clusterName?: string;
  provider?: string;
  bucket?: BucketRef;
}

/**
 * Deletes every object of a bucket: a page of up to 1000 keys, then one batch request for them, under a
 * progress notification whose Cancel stops before the next page (then false: the bucket stays). Throws
 * naming the keys that could not be deleted, after logging every one.
 */
async function emptyBucket(client: ClusterClient, bucket: BucketRef, log: vscode.LogOutputChannel): Promise<boolean> {
  const uri = `${bucket.provider}://${bucket.name}`;
  return withDeleteProgress(vscode.l10n.t('Deleting the objects of {0}', uri), async (run) => {
    const failed: DeleteFailure[] = [];
    let deleted = 0;
    // Listed from after the previous page: keys that failed stay behind and are not listed again.
    let startAfter: string | undefined;
    for (;;) {
      if (run.signal.aborted) {
        log.info(`emptying ${uri}: cancelled after ${deleted} objects; the bucket stays`);
        return false;
      }
      const page = await client.listObjects(bucket, { folders: false, pageSize: DELETE_BATCH_SIZE, startAfter });
      if (page.objects.length === 0) break;
      const keys = page.objects.map((o) => o.key);
      const result = await client.deleteObjects(bucket, keys, { signal: run.signal });
      deleted += result.deleted;
      failed.push(...result.failed);
      run.report(deleted);
      startAfter = keys[keys.length - 1];
    }
    if (failed.length > 0) {
      logFailedKeys(log, failed, (key) => `${uri}/${key}`);
      throw new Error(vscode.l10n.t('{0} objects could not be deleted: {1}', failed.length, nameFailedKeys(failed)));
    }
    return true;
  });
}

export function registerBucketCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: () => void) {
  /** The client a bucket is created with and the provider it gets, or why this cluster cannot create one. */
  const creationTarget = async (clusterName: string, provider?: string) => {
    const client = await registry.client(clusterName);
    const problem = client.capabilities.createBucket ? undefined : vscode.l10n.t('Cluster "{0}" does not allow creating buckets from here.', clusterName);
    // AIStore creates only ais:// buckets itself; remote ones exist in their cloud.
    return { client, provider: client.kind === 'ais' ? 'ais' : provider ?? 's3', problem };
  };
  const create = async (client: ClusterClient, clusterName: string, ref: BucketRef) => {
    try {
      await client.createBucket(ref);
    } catch (e) {
      log.error(`create bucket ${ref.provider}://${ref.name}: ${errorText(e)}`);
      throw e;
    }
    log.info(`created bucket ${ref.provider}://${ref.name} on ${clusterName}`);
    refresh();
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.createBucket', async (target?: BucketTarget, nameArg?: string) => {
      // With a name (callers, tests): no questions, failures thrown.
      if (nameArg !== undefined) {
        const clusterName = target?.clusterName ?? (await pickCluster(registry, vscode.l10n.t('Create Bucket')));
        if (!clusterName) return undefined;
        const { client, provider, problem } = await creationTarget(clusterName, target?.provider);
        if (problem) throw new Error(problem);
        const name = nameArg.trim();
        const invalid = validateBucketName(name, client.kind);
        if (invalid) throw new Error(invalid);
        await create(client, clusterName, { name, provider });
        return name;
      }
      // The palette: the cluster (when there are several), then the name, in one quick input; from the
      // tree, only the name. The bucket is created on the name's Enter: a refusal stays on that step.
      let created: { clusterName: string; bucket: BucketRef } | undefined;
      let flowing = false;
      const typedNames = new Map<string, string>();
      const nameStep = (clusterName: string): Step => async (input) => {
        const { client, provider, problem } = await creationTarget(clusterName, target?.provider);
        if (problem) {
          void vscode.window.showErrorMessage(problem);
          return undefined;
        }
        const ais = client.kind === 'ais';
        const typed = await input.inputBox({
          // In a flow the title has no room for the cluster: the prompt names it.
          prompt: flowing
            ? ais ? vscode.l10n.t('Name of the new ais:// bucket on {0}', clusterName) : vscode.l10n.t('Name of the new bucket on {0}', clusterName)
            : ais ? vscode.l10n.t('Name of the new ais:// bucket') : vscode.l10n.t('Name of the new bucket'),
          placeholder: vscode.l10n.t({ message: 'my-bucket', comment: ['An example bucket name: letters, digits, "-", "_" and "."'] }),
          value: typedNames.get(clusterName),
          validate: (v) => (v.trim() ? validateBucketName(v.trim(), client.kind) : undefined),
          remember: (v) => typedNames.set(clusterName, v),
          accept: async (v) => {
            try {
              await create(client, clusterName, { name: v.trim(), provider });
              return undefined;
            } catch (e) {
              return vscode.l10n.t('Could not create bucket {0}: {1}', `${provider}://${v.trim()}`, errorText(e));
            }
          },
        });
        created = { clusterName, bucket: { name: typed.trim(), provider } };
        return undefined;
      };
      const flow = target?.clusterName ? { steps: 0, first: nameStep(target.clusterName) } : await clusterFlow(registry, nameStep);
      if (!flow) return undefined;
      flowing = flow.steps > 0;
      // A single question (from the tree, or one cluster) says the cluster in its title, as before.
      const only = flowing ? undefined : target?.clusterName ?? (await registry.entries())[0]?.spec.name;
      const title = only ? vscode.l10n.t('Create Bucket on {0}', only) : vscode.l10n.t('Create Bucket');
      if (!(await MultiStepInput.run(title, () => flow.steps + 1, flow.first)) || !created) return undefined;
      const { clusterName, bucket } = created;
      const reveal = vscode.l10n.t('Reveal in Tree');
      void vscode.window.showInformationMessage(vscode.l10n.t('Created bucket {0} on {1}.', objectUri(bucket), clusterName), reveal).then((pick) => {
        if (pick === reveal) void vscode.commands.executeCommand('aisBuckets.revealInTree', clusterName, bucket, '');
      });
      return bucket.name;
    }),
    vscode.commands.registerCommand('aisBuckets.deleteBucket', async (target?: BucketTarget, options?: { confirm?: boolean }) => {
      // From the palette (or a cluster's row): cluster → bucket in one quick input.
      let clusterName = target?.clusterName;
      let bucket = target?.bucket;
      if (!clusterName || !bucket) {
        if (clusterName) bucket = await pickBucket(registry, clusterName, vscode.l10n.t('Delete Bucket'));
        else {
          const picked = await pickTarget(registry, vscode.l10n.t('Delete Bucket'), { bucket: true, browse: false });
          if (picked?.type === 'bucket') ({ clusterName, bucket } = picked);
        }
        if (!clusterName || !bucket) return false;
      }
      const client = await registry.client(clusterName);
      const uri = `${bucket.provider}://${bucket.name}`;
      // On AIStore a remote bucket (aws://, gs://, ...) is only evicted: the cloud bucket and its objects stay.
      const evicts = client.kind === 'ais' && bucket.provider !== 'ais';
      const empty = evicts || (await client.listObjects(bucket, { folders: false, pageSize: 1 })).objects.length === 0;
      if (options?.confirm !== false && !(await (evicts ? confirmEvict(uri, clusterName, bucket.provider) : confirmDelete(uri, clusterName, empty)))) return false;
      try {
        // AIStore's destroy-bck takes the objects with it; S3's DeleteBucket needs an empty bucket.
        if (!empty && client.kind === 's3' && !(await emptyBucket(client, bucket, log))) return false;
        await client.deleteBucket(bucket);
        log.info(`${evicts ? 'evicted remote bucket' : 'deleted bucket'} ${uri} on ${clusterName}`);
        refresh();
        return true;
      } catch (e) {
        log.error(`delete bucket ${uri}: ${errorText(e)}`);
        if (options?.confirm === false) throw e;
        const text = evicts ? vscode.l10n.t('Could not remove bucket {0} from the cluster: {1}', uri, errorText(e)) : vscode.l10n.t('Could not delete bucket {0}: {1}', uri, errorText(e));
        void vscode.window.showErrorMessage(text);
        return false;
      }
    }),
  );
}

async function confirmEvict(uri: string, clusterName: string, provider: string): Promise<boolean> {
  const evict = vscode.l10n.t('Remove from Cluster');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove {0} from cluster {1}?', uri, clusterName),
    { modal: true, detail: vscode.l10n.t('AIStore evicts a remote bucket: its cached objects and properties leave the cluster; the bucket and its objects stay in {0}.', provider) },
    evict,
  );
  return answer === evict;
}

/** Asks once, and once more when the bucket still holds objects. */
async function confirmDelete(uri: string, clusterName: string, empty: boolean): Promise<boolean> {
  const del = vscode.l10n.t('Delete');
  const first = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete bucket {0} on {1}?', uri, clusterName),
    { modal: true, detail: empty ? vscode.l10n.t('The bucket is empty.') : vscode.l10n.t('The bucket is NOT empty: all of its objects will be deleted too.') },
    del,
  );
  if (first !== del) return false;
  if (empty) return true;
  const delAll = vscode.l10n.t('Delete Bucket and Objects');
  const second = await vscode.window.showWarningMessage(vscode.l10n.t('Really delete {0} and every object in it? This cannot be undone.', uri), { modal: true }, delAll);
  return second === delAll;
}
