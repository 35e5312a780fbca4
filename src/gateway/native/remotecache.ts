// What the cluster holds of a remote bucket, beyond listing (lscache.ts), prefetch (prefetch.ts) and
// blob-download (blobdownload.ts): evicting the whole bucket, and a GET that first makes sure the copy is
// the remote's latest version. Neither evict touches the remote.
import { ACT, bucketCname, QPARAM } from '../../common/aisapi';
import { isNoSuchKey, refreshIfChanged } from '../cluster/latest';
import type { RequestContext } from '../context';
import type { BucketRef } from '../store/types';
import { badRequest, NativeError } from './errors';
import { ActMsg, BucketCall, ObjectCall, sendOk } from './http';
import { Job, jobEngine } from './jobengine';
import { JOB_PAGE } from './multiobj';

/** cos.IsParseBool: Go's strconv.ParseBool, anything else false. */
export function parseBool(s: string | null | undefined): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s ?? '');
}

// DELETE /v1/buckets/NAME?keep_bck_md=BOOL {"action": "evict-remote-bck"} (api/bucket.go EvictRemoteBucket;
// the Python SDK's Bucket.evict(keep_md) sends keep_bck_md=True or False). ais/proxy.go httpbckdelete looks
// the bucket up in the cluster only (dontHeadRemote), and one that is not there is nothing to evict: 200.
// Without keep_bck_md the bucket leaves the cluster with its copies (its props too: a later access adds it
// again with the defaults); with it, only the copies go, and an evict-remote-bck job records that it ran
// (ais/tgtbck.go). A value {"keep_bck_md": true} is taken too.
export async function evictRemoteBucket({ ctx, res, query, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  if (!ctx.cluster.isPresent(bucket)) return sendOk(res);
  if (bucket.provider === 'ais') throw badRequest(`${ACT.evictRemoteBck}: expecting remote bucket (have ${bucketCname(bucket)})`);
  const value = msg.value !== null && typeof msg.value === 'object' ? (msg.value as Record<string, unknown>) : {};
  const keepMd = parseBool(query.get(QPARAM.keepBckMd)) || value[QPARAM.keepBckMd] === true;
  if (!keepMd) {
    await ctx.cluster.evictBucket(bucket);
    return sendOk(res);
  }
  const job = jobEngine(ctx.cluster).start({ kind: ACT.evictRemoteBck, bck: bucket, ctlMsg: 'keep-md' }, (j) => evictCopies(ctx, j, bucket));
  await job.done;
  if (job.err) throw new NativeError(500, '', job.err);
  sendOk(res);
}

/** Every cached copy of the bucket, a page of the cluster's own listing at a time. */
async function evictCopies(ctx: RequestContext, job: Job, bucket: BucketRef): Promise<void> {
  let startAfter: string | undefined;
  for (;;) {
    const page = await ctx.cluster.listObjects(bucket, { maxKeys: JOB_PAGE, startAfter, cachedOnly: true });
    for (const o of page.objects) {
      if (!(await job.next())) return;
      try {
        await ctx.cluster.evictObject(bucket, o.key);
        job.objs++;
        job.bytes += o.size;
      } catch (e) {
        if (!isNoSuchKey(e)) throw e; // evicted meanwhile
      }
    }
    if (!page.isTruncated || !page.last) return;
    startAfter = page.last;
  }
}

/**
 * GET ?latest-ver=true (the Python SDK's get_reader(latest=True); also the bucket's
 * versioning.validate_warm_get): the copy is first checked against the remote and read again when it
 * changed (ais/tgtobj.go getObject); ?synchronize=true (or versioning.synchronize) also removes a copy
 * whose remote object is gone. Does nothing for ais buckets or without either.
 */
export async function latestBeforeGet({ ctx, query, bucket, key }: ObjectCall): Promise<void> {
  if (bucket.provider === 'ais') return;
  const { versioning } = (await ctx.cluster.getBucket(bucket)).props;
  if (!parseBool(query.get(QPARAM.latestVer)) && !versioning.validate_warm_get) return;
  await refreshIfChanged(ctx.cluster, bucket, key, { sync: parseBool(query.get(QPARAM.sync)) || versioning.synchronize });
}
