// For the extension-host suite (test/suite/): what the runners tell it about its surroundings, the set-up
// every suite that needs the runner's gateway shares, and reading the Clusters tree by its labels.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClusterClient } from '../../src/client/cluster';
import type { AisBucketsApi } from '../../src/extension';
import type { TreeNode } from '../../src/views/model';

export const EXTENSION_ID = 'ais-buckets.ais-buckets';

export interface SeededBucket {
  name: string;
  keys: string[];
}

/**
 * The embedded gateway the runner started for this run (test/e2e/run.mjs and test/e2e/desktop.mjs).
 * AIS_BUCKETS_CLUSTER_URL is its base URL (S3 API under /s3, AIStore API under /v1); the extension shows
 * it as a cluster named AIS_BUCKETS_CLUSTER_NAME ("e2e"). AIS_BUCKETS_TEST_SEED lists the buckets and
 * keys it was seeded with. undefined when the suite was not started by one of those runners.
 */
export function testGateway(): { url: string; cluster: string; seeded: SeededBucket[] } | undefined {
  const url = process.env.AIS_BUCKETS_CLUSTER_URL;
  if (!url) return undefined;
  return {
    url,
    cluster: process.env.AIS_BUCKETS_CLUSTER_NAME || 'dev',
    seeded: JSON.parse(process.env.AIS_BUCKETS_TEST_SEED || '[]') as SeededBucket[],
  };
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return ext;
}

/** Activates the extension (idempotent) and returns its API. */
export async function activate<T = unknown>(): Promise<T> {
  return (await extension().activate()) as T;
}

/** The commands the extension contributes in package.json, with their titles. */
export function contributedCommands(): { command: string; title: string }[] {
  return (extension().packageJSON.contributes?.commands ?? []) as { command: string; title: string }[];
}

export interface SuiteGateway {
  api: AisBucketsApi;
  /** The runner's gateway as the extension names it, its base URL, and the extension's client for it. */
  cluster: string;
  url: string;
  client: ClusterClient;
}

/**
 * The start of every suite that works against the runner's gateway, called from its before() hook with
 * the hook's `this`: skips the suite when no runner started a gateway (the suite run by hand), else
 * activates the extension and returns its API, the cluster and the extension's own client for it.
 */
export async function activateWithGateway(hook: Mocha.Context): Promise<SuiteGateway> {
  const gw = testGateway();
  if (!gw) return hook.skip();
  const api = await activate<AisBucketsApi>();
  return { api, cluster: gw.cluster, url: gw.url, client: await api.registry.client(gw.cluster) };
}

export function labelOf(api: AisBucketsApi, n: TreeNode): string {
  const label = api.tree.getTreeItem(n).label;
  return typeof label === 'string' ? label : label?.label ?? '';
}

/** The child of `parent` (a root when undefined) labelled `label`; fails naming the labels there are. */
export async function findChild(api: AisBucketsApi, parent: TreeNode | undefined, label: string): Promise<TreeNode> {
  const kids = await api.tree.getChildren(parent);
  const hit = kids.find((k) => labelOf(api, k) === label);
  assert.ok(hit, `"${label}" not among [${kids.map((k) => labelOf(api, k)).join(', ')}]`);
  return hit;
}
