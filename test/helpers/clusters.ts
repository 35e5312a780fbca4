// For the suite's connection tests: the saved clusters as settings hold them, what SecretStorage keeps for a
// name, and a cluster's buckets (or errors) as the Clusters tree shows them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClusterSecrets, ClusterSettings } from '../../src/config/clusters';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode, MessageNode, ObjectNode, TreeNode } from '../../src/views/model';
import { labelOf } from './extension-host';

export function savedClusters(): ClusterSettings[] {
  return vscode.workspace.getConfiguration('aisBuckets').get<ClusterSettings[]>('clusters') ?? [];
}

export function savedCluster(name: string): ClusterSettings | undefined {
  return savedClusters().find((c) => c.name === name);
}

async function writeSavedClusters(list: ClusterSettings[]): Promise<void> {
  await vscode.workspace.getConfiguration('aisBuckets').update('clusters', list, vscode.ConfigurationTarget.Global);
}

/**
 * What SecretStorage holds under a cluster name. The extension reads secrets only for saved clusters, and
 * saving through it rewrites them, so this puts a bare entry of that name into the settings by hand, reads
 * the entry through the registry, and puts the settings back.
 */
export async function secretsKeptFor(api: AisBucketsApi, name: string): Promise<ClusterSecrets> {
  const before = savedClusters();
  assert.ok(!before.some((c) => c.name === name), `"${name}" is not saved`);
  await writeSavedClusters([...before, { name, kind: 's3', endpoint: 'http://127.0.0.1:9' }]);
  try {
    const spec = (await api.registry.entry(name))?.spec;
    assert.ok(spec, `the hand-written "${name}" is an entry`);
    const { accessKey, secretKey, sessionToken, authToken } = spec;
    return Object.fromEntries(Object.entries({ accessKey, secretKey, sessionToken, authToken }).filter(([, v]) => v !== undefined));
  } finally {
    await writeSavedClusters(before);
  }
}

/** The cluster's buckets in the tree (below its providers, when it has them), and the error rows met on the way. */
export async function treeOf(api: AisBucketsApi, clusterName: string): Promise<{ buckets: string[]; errors: MessageNode[] }> {
  api.tree.refresh();
  const roots = await api.tree.getChildren();
  const cluster = roots.find((r) => r.type === 'cluster' && r.clusterName === clusterName);
  assert.ok(cluster, `"${clusterName}" is a root of the tree: [${roots.map((r) => labelOf(api, r)).join(', ')}]`);
  const buckets: string[] = [];
  const errors: MessageNode[] = [];
  const visit = async (kids: TreeNode[]) => {
    for (const k of kids) {
      if (k.type === 'error') errors.push(k);
      else if (k.type === 'bucket') buckets.push(k.bucket.name);
      else if (k.type === 'provider') await visit(await api.tree.getChildren(k));
    }
  };
  await visit(await api.tree.getChildren(cluster));
  return { buckets: buckets.sort(), errors };
}

export function bucketNode(clusterName: string, name: string, provider: string): BucketNode {
  return { type: 'bucket', clusterName, bucket: { name, provider } };
}

export function objectNode(clusterName: string, bucket: string, provider: string, key: string, size = 0): ObjectNode {
  return { type: 'object', clusterName, bucket: { name: bucket, provider }, key, entry: { key, size }, parentPrefix: key.slice(0, key.lastIndexOf('/') + 1) };
}

/** Runs a command and returns its rejection (a command run with arguments throws what went wrong). */
export async function commandError(command: string, ...args: unknown[]): Promise<Error & { authProblem?: string }> {
  try {
    await vscode.commands.executeCommand(command, ...args);
  } catch (e) {
    return e as Error & { authProblem?: string };
  }
  assert.fail(`${command} was expected to fail`);
}
