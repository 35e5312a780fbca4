// Bucket summaries (ais/prxbsumm.go), a job like any other (kind summary-bck), asked for in two ways:
//   GET /v1/buckets/NAME {"action": "summary-bck", "value": apc.BsummCtrlMsg {uuid, prefix, cached, present}}
//     no uuid: starts the job, 202 and its id; with that uuid: 202 while it runs, then 200 and [BsummResult]
//     (the Python SDK's Bucket.summary(), api.GetBucketSummary). GET /v1/buckets (no name) sums every bucket.
//   HEAD /v1/buckets/NAME[/PREFIX]?bsumm_remote=BOOL[&uuid=ID]: the same, the result in the Ais-Bucket-Summ
//     header and the id in Ais-Xaction-Id (Bucket.info(), api.GetBucketInfo).
import * as fs from 'node:fs';
import { ACT, HDR } from '../../common/aisapi';
import { nodeName } from '../cluster/nodes';
import type { RequestContext } from '../context';
import type { BucketRef } from '../store/types';
import { badRequest, NativeError } from './errors';
import { ActMsg, BucketCall, NativeCall, providerOf, sendJson, sendXid } from './http';
import { Job, jobEngine } from './jobengine';
import { isValidUuid } from './jobqueries';
import { JOB_PAGE } from './multiobj';
import { bckJson, bpropsJson, headerJson } from './wire';

interface SummaryMsg {
  uuid: string;
  prefix: string;
  /** Only what is in the cluster: a remote bucket's objects elsewhere are not listed. */
  cached: boolean;
}

/** cmn.BsummResult: cmn.Bck inlined, then the untagged ObjCount, ObjSize, TotalSize structs. */
interface BsummResult {
  bck: BucketRef;
  present: { count: number; size: number };
  remote: { count: number; size: number };
  min: number;
  max: number;
}

// GET /v1/buckets/NAME {"action": "summary-bck"}
export async function summaryOfBucket(call: BucketCall, msg: ActMsg): Promise<void> {
  return summaryAction(call, msg, [call.bucket]);
}

// GET /v1/buckets {"action": "summary-bck"}: every bucket (of ?provider=, when given)
export async function summaryOfBuckets(call: NativeCall, msg: ActMsg): Promise<void> {
  const found = await call.ctx.cluster.listBuckets(providerOf(call.ctx, call.query, false), 'present');
  return summaryAction(call, msg, found.map((b) => b.ref));
}

async function summaryAction({ ctx, res }: NativeCall, msg: ActMsg, buckets: BucketRef[]): Promise<void> {
  const m = summaryMsg(msg.value);
  if (!m.uuid) {
    for (const b of buckets) await ctx.cluster.getBucket(b);
    sendXid(res, startSummary(ctx, buckets, m).id, 202);
    return;
  }
  const job = summaryJob(ctx, m.uuid);
  if (job.running) return sendJson(res, 202, '[]');
  const done = job.result as SummaryOutcome;
  sendJson(res, 200, JSON.stringify(done.results.map((r) => bsummJson(r, done.disks))));
}

// HEAD /v1/buckets/NAME[/PREFIX]?bsumm_remote=BOOL: a bucket's props, and its summary (ais/proxy.go httpbckhead)
export async function headBucketSummary({ ctx, res, query, bucket }: BucketCall, prefix: string): Promise<void> {
  const info = await ctx.cluster.getBucket(bucket);
  const headers: Record<string, string> = { [HDR.bucketProps]: headerJson(bpropsJson(info)) };
  const uuid = query.get('uuid') ?? '';
  if (!uuid) {
    const cached = !parseBool(query.get('bsumm_remote') ?? '');
    const job = startSummary(ctx, [bucket], { uuid: '', prefix, cached });
    res.writeHead(202, { ...headers, [HDR.xactionId]: job.id });
    res.end();
    return;
  }
  if (!isValidUuid(uuid)) throw badRequest(`${ACT.summaryBck}: invalid UUID ${JSON.stringify(uuid)}`);
  const job = summaryJob(ctx, uuid);
  if (!job.running) {
    const done = job.result as SummaryOutcome;
    if (done.results[0]) headers[HDR.bucketSumm] = headerJson(bsummJson(done.results[0], done.disks));
  }
  res.writeHead(job.running ? 202 : 200, { ...headers, [HDR.xactionId]: uuid });
  res.end();
}

/** A summary job's result: one per bucket, and the size of the target's disk (TotalSize.Disks). */
interface SummaryOutcome {
  results: BsummResult[];
  disks: number;
}

function startSummary(ctx: RequestContext, buckets: BucketRef[], m: SummaryMsg): Job {
  const spec = { kind: ACT.summaryBck, bck: buckets.length === 1 ? buckets[0] : undefined, ctlMsg: m.prefix ? `prefix:${m.prefix}` : '' };
  return jobEngine(ctx.cluster).start(spec, async (job): Promise<SummaryOutcome> => {
    const results: BsummResult[] = [];
    for (const b of buckets) results.push(await summarize(ctx, job, b, m));
    return { results, disks: await diskSize(ctx.cluster.dataDir) };
  });
}

function summaryJob(ctx: RequestContext, uuid: string): Job {
  if (!isValidUuid(uuid)) throw badRequest(`${ACT.summaryBck}: invalid UUID ${JSON.stringify(uuid)}`);
  const job = jobEngine(ctx.cluster).get(uuid);
  // ais/tgtbck.go: the target has no such summary job.
  if (!job || job.kind !== ACT.summaryBck) throw new NativeError(404, 'ErrNotFound', `${nodeName(ctx.info, 'target')}: ${ACT.summaryBck} job ${uuid} does not exist`);
  if (job.err && !job.running) throw new NativeError(500, '', job.err);
  return job;
}

/** Counts by pages: the cached copies, and for a remote bucket (unless `cached`) everything the remote lists. */
async function summarize(ctx: RequestContext, job: Job, bucket: BucketRef, m: SummaryMsg): Promise<BsummResult> {
  const r: BsummResult = { bck: bucket, present: { count: 0, size: 0 }, remote: { count: 0, size: 0 }, min: 0, max: 0 };
  const remote = bucket.provider !== 'ais' && !m.cached;
  let startAfter: string | undefined;
  for (;;) {
    const page = await ctx.cluster.listObjects(bucket, { prefix: m.prefix || undefined, maxKeys: JOB_PAGE, startAfter, cachedOnly: !remote });
    for (const o of page.objects) {
      if (!(await job.next())) return r;
      if (o.cached) {
        r.present.count++;
        r.present.size += o.size;
      }
      if (remote) {
        r.remote.count++;
        r.remote.size += o.size;
      }
      r.min = r.present.count + r.remote.count === 1 ? o.size : Math.min(r.min, o.size);
      r.max = Math.max(r.max, o.size);
      job.objs++;
      job.bytes += o.size;
    }
    if (!page.isTruncated || !page.last) return r;
    startAfter = page.last;
  }
}

function bsummJson(r: BsummResult, disksSize: number): Record<string, unknown> {
  // The average is over what was counted: everything the remote lists, or the copies here.
  const counted = r.remote.count ? r.remote : r.present;
  const onDisk = r.present.size;
  return {
    ...bckJson(r.bck),
    ObjCount: { obj_count_present: String(r.present.count), obj_count_remote: String(r.remote.count) },
    ObjSize: { obj_min_size: r.min, obj_avg_size: counted.count ? Math.floor(counted.size / counted.count) : 0, obj_max_size: r.max },
    TotalSize: {
      size_on_disk: String(onDisk),
      size_all_present_objs: String(r.present.size),
      size_all_remote_objs: String(r.remote.size),
      total_disks_size: String(disksSize),
    },
    used_pct: disksSize ? Math.floor((onDisk * 100) / disksSize) : 0,
    is_present: true,
  };
}

async function diskSize(dir: string): Promise<number> {
  try {
    const s = await fs.promises.statfs(dir);
    return s.blocks * s.bsize;
  } catch {
    return 0;
  }
}

function summaryMsg(value: unknown): SummaryMsg {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${ACT.summaryBck}: value must be a BsummCtrlMsg object`);
  const uuid = typeof v.uuid === 'string' ? v.uuid : '';
  if (uuid && !isValidUuid(uuid)) throw badRequest(`${ACT.summaryBck}: invalid UUID ${JSON.stringify(uuid)}`);
  return { uuid, prefix: typeof v.prefix === 'string' ? v.prefix : '', cached: v.cached !== false };
}

/** cos.IsParseBool: Go's strconv.ParseBool, anything else false. */
function parseBool(s: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s);
}
