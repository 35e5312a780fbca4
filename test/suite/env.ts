// What the runners tell the extension-host suite about its surroundings, and small shared helpers.
import * as vscode from 'vscode';

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
