// POST /v1/buckets/NAME {"action": "prefetch-listrange", "value": apc.PrefetchMsg}: a job that reads a
// remote bucket's objects into the cluster (xact/xs/prefetch.go). PrefetchMsg is apc.ListRange {objnames |
// template} inlined with blob-threshold, blob-chunk-size, blob-num-workers, num-workers, coer, latest-ver
// and non-recurs (api/apc/multiobj.go). Per object (prefetch.do): a copy already here is left alone, unless
// latest-ver (or the bucket's versioning.validate_warm_get, or a blob-threshold: LoadLatest is asked then
// too) finds the remote's version changed; then the object is read whole, or in parallel ranges when it is
// at least blob-threshold bytes. A listed name the remote does not have is an error; one a template or
// prefix produced is not. The job counts what it fetched. Errors of one object do not stop it, except a
// remote that cannot be reached: every other object would fail the same way, so the job ends there with
// that error (AIStore tries each one). Nothing already cached is lost: a copy is replaced only by whole,
// verified bytes (Cluster.cacheRemote).
import { ACT, bucketCname } from '../../common/aisapi';
import { rangedSource } from '../cluster/blob';
import { checkAgainstRemote, headRemote, isNoSuchKey } from '../cluster/latest';
import type { RemoteObject } from '../cluster/remote';
import { nodeName } from '../cluster/nodes';
import type { RequestContext } from '../context';
import { errors, GatewayError } from '../errors';
import type { BucketRef } from '../store/types';
import { badRequest, msgFields, toNative } from './errors';
import { ActMsg, BucketCall, sendXid } from './http';
import { Job, jobEngine } from './jobengine';
import { ctlMsgOf, listRangeOf, ObjectSelection, Selected, selectedObjects } from './multiobj';

/** blob_download.go minBlobDlPrefetch: a smaller blob-threshold is raised to this. */
const MIN_BLOB_THRESHOLD = 1024 * 1024;
/** Objects fetched at once when num-workers is 0 (AIStore tunes it to the target's disks). */
const DEFAULT_WORKERS = 4;
const MAX_WORKERS = 32;

interface PrefetchOptions {
  latest: boolean;
  blobThreshold: number;
  blobChunkSize: number;
  blobWorkers: number;
  workers: number;
  /** The ctlmsg's own words (apc.PrefetchMsg.Str). */
  str: (sel: ObjectSelection) => string;
}

// POST /v1/buckets/NAME {"action": "prefetch-listrange"}
export async function prefetchListRange({ ctx, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  const opts = prefetchOptions(msg.value);
  const sel = listRangeOf(msg.action, msg.value);
  const info = await ctx.cluster.getBucket(bucket); // 404 before anything else (ais/proxy.go initAndTry)
  if (bucket.provider === 'ais') throw badRequest(`${ACT.prefetchListRange}: expecting remote bucket (have ${bucketCname(bucket)})`);
  // prefetch.go newPrefetch: latestVer = versioning.validate_warm_get || msg.LatestVer
  const latest = opts.latest || info.props.versioning.validate_warm_get;
  const ctlMsg = `${nodeName(ctx.info, 'target')}: cfg(${opts.str(sel)})`;
  const job = jobEngine(ctx.cluster).start({ kind: ACT.prefetchListRange, bck: bucket, ctlMsg }, (j) => prefetchSelected(ctx, j, bucket, sel, { ...opts, latest }));
  sendXid(res, job.id);
}

async function prefetchSelected(ctx: RequestContext, job: Job, bucket: BucketRef, sel: ObjectSelection, opts: PrefetchOptions): Promise<void> {
  const names = selectedObjects(ctx, bucket, sel)[Symbol.asyncIterator]();
  let ended = false;
  const worker = async () => {
    while (!ended && (await job.next())) {
      let item: IteratorResult<Selected>;
      try {
        item = await names.next(); // an async generator queues concurrent next() calls
      } catch (e) {
        // The prefix walk lists the remote: unreachable, it ends the job with the listing's error.
        if (!ended && !job.aborted) job.addError(`list-objects ${bucketCname(bucket)}: ${toNative(ctx, e, { bucket }).message}`);
        ended = true;
        return;
      }
      if (item.done) return;
      if ((await prefetchOne(ctx, job, bucket, item.value, sel.kind === 'list', opts)) === 'end') ended = true;
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
}

/** One object (prefetch.go prefetch.do); 'end' when the job cannot go on. */
async function prefetchOne(ctx: RequestContext, job: Job, bucket: BucketRef, o: Selected, listed: boolean, opts: PrefetchOptions): Promise<'end' | void> {
  try {
    const copy = await ctx.cluster.isCached(bucket, o.name);
    const check = opts.latest || opts.blobThreshold > 0;
    if (copy && !check) return; // cached: nothing to do
    let head: RemoteObject | undefined;
    if (check) {
      const checked = copy ? await checkAgainstRemote(ctx.cluster, bucket, o.name) : { head: await headRemote(ctx.cluster, bucket, o.name) };
      if (checked.copy && checked.head && !checked.change) return; // the latest is here
      // Gone from the remote (or never there): an error for a listed name only.
      if (!checked.head) {
        if (listed) job.addError(toNative(ctx, errors.noSuchKey(bucket.name, o.name), { bucket, key: o.name }).message);
        return;
      }
      head = checked.head;
    }
    const blob = head && opts.blobThreshold > 0 && head.size >= opts.blobThreshold;
    const source = blob ? rangedSource(bucket.name, head!, { chunkSize: opts.blobChunkSize, workers: opts.blobWorkers, signal: job.signal }) : undefined;
    await ctx.cluster.cacheRemote(bucket, o.name, source);
    if (job.aborted) return 'end'; // whole, but after the stop: not counted
    job.objs++;
    job.bytes += head?.size ?? o.size ?? (await ctx.cluster.isCached(bucket, o.name))?.size ?? 0;
  } catch (e) {
    if (job.aborted) return 'end';
    if (isNoSuchKey(e) && !listed) return;
    const { message } = toNative(ctx, e, { bucket, key: o.name });
    job.addError(isNoSuchKey(e) ? message : `prefetch ${bucketCname(bucket)}/${o.name}: ${message}`);
    if (unreachable(e)) return 'end';
  }
}

/** The remote backend did not answer at all (RemoteS3: no S3 reply, "cannot reach"). */
function unreachable(e: unknown): boolean {
  return e instanceof GatewayError && e.status === 502 && e.code === 'BadGateway';
}

function prefetchOptions(value: unknown): PrefetchOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${ACT.prefetchListRange}: value must be a PrefetchMsg JSON object`);
  const v = value as Record<string, unknown>;
  const { int, bool } = msgFields(ACT.prefetchListRange, v);
  const latest = bool('latest-ver');
  bool('coer'); // prefetch goes on past the errors of single objects either way (prefetch.go do)
  bool('non-recurs');
  const blobWorkers = int('blob-num-workers', -1); // prfFactory.Start: "expecting (-1..N) range"
  const blobChunkSize = int('blob-chunk-size', 0);
  let blobThreshold = int('blob-threshold', 0);
  if (blobThreshold > 0 && blobThreshold < MIN_BLOB_THRESHOLD) blobThreshold = MIN_BLOB_THRESHOLD;
  const numWorkers = int('num-workers', -1);
  const workers = numWorkers === 0 ? DEFAULT_WORKERS : numWorkers < 0 ? 1 : Math.min(numWorkers, MAX_WORKERS);
  const str = (sel: ObjectSelection) => {
    const parts = [ctlMsgOf(sel)].filter(Boolean);
    if (blobThreshold > 0) parts.push(`blob-threshold:${iec(blobThreshold)}`);
    if (blobChunkSize > 0) parts.push(`blob-chunk-size:${iec(blobChunkSize)}`);
    if (blobWorkers !== 0) parts.push(`blob-workers:${blobWorkers}`);
    if (numWorkers > 0) parts.push(`workers:${numWorkers}`);
    if (latest) parts.push('latest');
    return parts.join(', ');
  };
  return { latest, blobThreshold, blobChunkSize, blobWorkers, workers, str };
}

/** cos.IEC(n, 0): "1MiB", "512KiB". */
export function iec(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Math.round(n)}${units[i]}`;
}
