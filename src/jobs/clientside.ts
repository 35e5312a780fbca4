// The jobs an S3 endpoint has no server-side form of, run by the extension itself: a listing one page
// (1000 keys) at a time, then per page one DeleteObjects, or CopyObject per key (a streamed GET → PUT
// between clusters). Memory holds one page; the signal stops before the next request.
import { type BucketRef, type ClusterClient, type ObjectEntry, sameBucket } from '../client/cluster';
import type { BucketSummary } from '../client/jobs';
import { parseTemplate, templateMatcher } from '../common/template';
import type { LocalJobControl } from './board';

const PAGE = 1000;
/** Copies in flight at once: S3 services answer CopyObject per key, and waiting on one at a time wastes the link. */
const COPY_CONCURRENCY = 8;

/** Which names a job takes: those under `prefix` that `matches` (a template's matcher) accepts. */
export interface NameFilter {
  prefix: string;
  matches?: (name: string) => boolean;
}

/** A template as a listing filter: its fixed start as the prefix, the matcher for the rest. */
export function templateFilter(template: string): NameFilter {
  const sel = parseTemplate(template);
  return { prefix: sel.prefix, matches: sel.kind === 'range' ? templateMatcher(sel) : undefined };
}

/** The listing's objects that pass the filter, a page at a time. */
export async function* selectedPages(client: ClusterClient, bucket: BucketRef, filter: NameFilter, signal?: AbortSignal): AsyncGenerator<ObjectEntry[]> {
  let token: string | undefined;
  do {
    if (signal?.aborted) return;
    const page = await client.listObjects(bucket, { prefix: filter.prefix, folders: false, pageSize: PAGE, token });
    const objects = filter.matches ? page.objects.filter((o) => filter.matches!(o.key)) : page.objects;
    if (objects.length) yield objects;
    token = page.nextToken;
  } while (token);
}

/** Counts (and sizes) what the filter selects; `onProgress` hears the running totals. */
export async function countSelected(client: ClusterClient, bucket: BucketRef, filter: NameFilter, signal?: AbortSignal, onProgress?: (s: BucketSummary) => void): Promise<BucketSummary> {
  const total: BucketSummary = { objects: 0, bytes: 0 };
  for await (const page of selectedPages(client, bucket, filter, signal)) {
    for (const o of page) {
      total.objects++;
      total.bytes += o.size;
    }
    onProgress?.({ ...total });
  }
  return total;
}

/** Deletes what the filter selects: one request per page of up to 1000 keys. */
export async function deleteSelected(client: ClusterClient, bucket: BucketRef, filter: NameFilter, control: LocalJobControl): Promise<void> {
  // Collected first: deleting behind a listing's continuation token would make some servers skip keys.
  const keys: { key: string; size: number }[] = [];
  for await (const page of selectedPages(client, bucket, filter, control.signal)) keys.push(...page.map((o) => ({ key: o.key, size: o.size })));
  for (let at = 0; at < keys.length && !control.signal.aborted; at += PAGE) {
    const batch = keys.slice(at, at + PAGE);
    const result = await client.deleteObjects(bucket, batch.map((k) => k.key));
    const failed = new Set(result.failed.map((f) => f.key));
    control.add(batch.length - failed.size, batch.filter((k) => !failed.has(k.key)).reduce((n, k) => n + k.size, 0));
    for (const f of result.failed.slice(0, 3)) control.fail(`${f.key}: ${f.message}`);
  }
}

export interface CopyPlan {
  source: { client: ClusterClient; bucket: BucketRef };
  destination: { client: ClusterClient; bucket: BucketRef; sameCluster: boolean };
  filter: NameFilter;
  /** The destination name: `prepend` + the name with `strip` taken off its start. */
  strip?: string;
  prepend?: string;
}

export function destinationKey(plan: Pick<CopyPlan, 'strip' | 'prepend'>, key: string): string {
  const strip = plan.strip ?? '';
  return (plan.prepend ?? '') + (key.startsWith(strip) ? key.slice(strip.length) : key);
}

/** Copies what the filter selects, a page at a time. */
export async function copySelected(plan: CopyPlan, control: LocalJobControl): Promise<void> {
  for await (const page of selectedPages(plan.source.client, plan.source.bucket, plan.filter, control.signal)) await copyEntries(plan, page, control);
}

/** Copies the given objects, COPY_CONCURRENCY in flight; a key that fails is told and the rest go on. */
export async function copyEntries(plan: Omit<CopyPlan, 'filter'>, entries: { key: string; size: number }[], control: LocalJobControl): Promise<void> {
  const { source, destination } = plan;
  const same = destination.sameCluster && sameBucket(source.bucket, destination.bucket);
  let next = 0;
  const worker = async () => {
    while (next < entries.length && !control.signal.aborted) {
      const o = entries[next++];
      const key = destinationKey(plan, o.key);
      if (same && key === o.key) continue; // onto itself
      try {
        if (destination.sameCluster) await destination.client.copyObject(source.bucket, o.key, destination.bucket, key);
        else {
          const { body, head } = await source.client.getObject(source.bucket, o.key);
          await destination.client.putObject(destination.bucket, key, { stream: body, size: head.size }, { contentType: head.contentType, userMeta: head.userMeta });
        }
        control.add(1, o.size);
      } catch (e) {
        control.fail(`${o.key}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker));
}
