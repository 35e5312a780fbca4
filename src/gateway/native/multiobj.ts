// Jobs over many objects picked by an apc.ListRange {objnames} or {template} (api/apc/multiobj.go; the
// selection as xact/xs/lrit.go walks it): delete-listrange and evict-listrange here, copy-listrange in
// copybucket.ts. A list is taken as given; a range template is expanded one name at a time; a prefix (or
// an empty template: the whole bucket) is walked a page of the listing at a time. A job works on up to
// num-workers of the selected objects at once (forEachSelected).
import { ACT, bucketCname } from '../../common/aisapi';
import { GatewayError } from '../errors';
import type { BucketRef } from '../store/types';
import { badRequest, toNative } from './errors';
import { ActMsg, BucketCall, sendXid } from './http';
import { Job, jobEngine } from './jobengine';
import { parseTemplate, rangeNames, Selection, TemplateError } from '../../common/template';
import type { RequestContext } from '../context';

/** Listing page a job walks a bucket by: a job never holds more names than this. */
export const JOB_PAGE = 1000;

/** The objects a ListRange selects. */
export type ObjectSelection = { kind: 'list'; names: string[] } | (Selection & { template: string });

/** apc.ListRange from an action's value: objnames when given, else the template ("" is the whole bucket). */
export function listRangeOf(action: string, value: unknown): ObjectSelection {
  const v = (value ?? {}) as { objnames?: unknown; template?: unknown };
  const shape = `${action}: value must be {"objnames": [...]} or {"template": "..."}`;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(shape);
  if (Array.isArray(v.objnames) && v.objnames.length > 0) {
    if (!v.objnames.every((n) => typeof n === 'string')) throw badRequest(`${action}: objnames must be strings`);
    return { kind: 'list', names: v.objnames as string[] };
  }
  if (v.template !== undefined && v.template !== null && typeof v.template !== 'string') throw badRequest(shape);
  if (v.template === undefined && v.objnames === undefined) throw badRequest(shape);
  const template = (v.template as string | undefined) ?? '';
  try {
    return { ...parseTemplate(template), template };
  } catch (e) {
    throw e instanceof TemplateError ? badRequest(e.message) : e;
  }
}

/** One selected object: its name, and its size when a listing gave it. */
export interface Selected {
  name: string;
  size?: number;
}

/** The names a selection yields, one at a time; a prefix walk lists `bucket` by pages. */
export async function* selectedObjects(ctx: RequestContext, bucket: BucketRef, sel: ObjectSelection, opts: { cachedOnly?: boolean } = {}): AsyncGenerator<Selected> {
  if (sel.kind === 'list') {
    for (const name of sel.names) yield { name };
  } else if (sel.kind === 'range') {
    for (const name of rangeNames(sel)) yield { name };
  } else {
    let startAfter: string | undefined;
    for (;;) {
      const page = await ctx.cluster.listObjects(bucket, { prefix: sel.prefix || undefined, maxKeys: JOB_PAGE, startAfter, cachedOnly: opts.cachedOnly });
      for (const o of page.objects) yield { name: o.key, size: o.size };
      if (!page.isTruncated || !page.last) return;
      startAfter = page.last;
    }
  }
}

export function isNoSuchKey(e: unknown): boolean {
  return e instanceof GatewayError && e.code === 'NoSuchKey';
}

/** Objects a job works on at once when its message leaves it to the cluster (num-workers 0). */
export const JOB_WORKERS = 16;
/** The most a num-workers may ask for: beyond it, more in flight only queues for the thread pool. */
export const MAX_JOB_WORKERS = 64;

/** apc num-workers (TCBMsg, EvdMsg): absent or 0 is this gateway's pick, negative is serial, more is that many, capped. */
export function numWorkersOf(action: string, value: unknown): number {
  const n = value && typeof value === 'object' ? (value as Record<string, unknown>)['num-workers'] : undefined;
  if (n === undefined || n === null || n === 0) return JOB_WORKERS;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`${action}: "num-workers" must be an integer`);
  return n < 0 ? 1 : Math.min(n, MAX_JOB_WORKERS);
}

/** Errors of objects that finished before an earlier one a job holds back, at most, to keep them in order. */
const HELD_ERRORS = 256;

/**
 * Runs `work` on the selected objects, up to `workers` at once, taking the next from `objects` only when a
 * slot is free: a job holds a listing page and what is in flight, never the whole selection. `job.next()` is
 * asked before each object starts; once it says stop, or `work` returns false or throws, no more start.
 * Settles only after every started `work` has (a stopped job's last copies are whole), rethrowing a throw.
 * The errors `work` reports reach the job in the selection's order, as one at a time would add them (the
 * job's error names the first): an object's error waits for the objects before it.
 */
export async function forEachSelected(
  job: Job,
  objects: AsyncIterable<Selected>,
  workers: number,
  work: (o: Selected, addError: (message: string) => void) => Promise<boolean | void>,
): Promise<void> {
  const inFlight = new Map<number, Promise<void>>();
  const held: { seq: number; message: string }[] = []; // by seq
  const release = () => {
    let head = Infinity;
    for (const seq of inFlight.keys()) head = Math.min(head, seq);
    while (held.length > 0 && (held[0].seq < head || held.length > HELD_ERRORS)) job.addError(held.shift()!.message);
  };
  let halted = false;
  let failure: { error: unknown } | undefined;
  let seq = 0;
  try {
    for await (const o of objects) {
      if (halted || !(await job.next())) break;
      const mine = seq++;
      const addError = (message: string) => {
        let i = held.length;
        while (i > 0 && held[i - 1].seq > mine) i--;
        held.splice(i, 0, { seq: mine, message });
      };
      const p = work(o, addError)
        .then(
          (go) => {
            if (go === false) halted = true;
          },
          (error: unknown) => {
            failure ??= { error };
            halted = true;
          },
        )
        .finally(() => {
          inFlight.delete(mine);
          release();
        });
      inFlight.set(mine, p);
      if (inFlight.size >= workers) await Promise.race(inFlight.values());
      if (halted || job.aborted) break; // no further page listed for a job that will not use it
    }
  } finally {
    await Promise.all(inFlight.values());
    release();
  }
  if (failure) throw failure.error;
}

// DELETE /v1/buckets/NAME {"action": "delete-listrange" | "evict-listrange", "value": apc.ListRange}
// AIStore answers the job's id at once (ais/proxy.go writeXid) and the job runs on. A list of names is
// bounded by the request's size, and this gateway answers it when its job has ended, which its own client
// counts on; a template or prefix may select millions, and its job runs on after the answer.
export async function deleteListRange({ ctx, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  const evict = msg.action === ACT.evictListRange;
  const sel = listRangeOf(msg.action, msg.value);
  await ctx.cluster.getBucket(bucket); // 404 before any job
  // ais/proxy.go httpbckdelete: cmn.ValidateRemoteBck(apc.ActEvictRemoteBck, ...)
  if (evict && bucket.provider === 'ais') throw badRequest(`${ACT.evictRemoteBck}: expecting remote bucket (have ${bucketCname(bucket)})`);
  const workers = numWorkersOf(msg.action, msg.value);
  const job = jobEngine(ctx.cluster).start({ kind: msg.action, bck: bucket, ctlMsg: ctlMsgOf(sel) }, (j) => deleteSelected(ctx, j, bucket, sel, evict, workers));
  if (sel.kind === 'list') await job.done;
  sendXid(res, job.id);
}

async function deleteSelected(ctx: RequestContext, job: Job, bucket: BucketRef, sel: ObjectSelection, evict: boolean, workers: number): Promise<void> {
  await forEachSelected(job, selectedObjects(ctx, bucket, sel, { cachedOnly: evict }), workers, async (o, addError) => {
    try {
      if (evict) await ctx.cluster.evictObject(bucket, o.name);
      else await ctx.cluster.deleteObject(bucket, o.name);
      job.objs++;
      if (o.size !== undefined) job.bytes += o.size;
    } catch (e) {
      // A listed name that is not there is an error; one a template or prefix produced is not
      // (xact/xs/evict.go evictDelete.do). An evict of what has no copy here is nothing to do.
      if (isNoSuchKey(e) && (sel.kind !== 'list' || evict)) return;
      if (!(e instanceof GatewayError)) throw e;
      addError(toNative(ctx, e, { bucket, key: o.name }).message);
    }
  });
}

/** How AIStore shows a ListRange in a job's ctlmsg (apc.ListRange.Str). */
export function ctlMsgOf(sel: ObjectSelection): string {
  if (sel.kind === 'list') return sel.names.length > 3 ? `list(${sel.names.length} names):[${sel.names[0]}, ...]` : `list:[${sel.names.join(' ')}]`;
  if (sel.kind === 'prefix') return sel.prefix ? `prefix:${sel.prefix}` : '';
  return `template:${sel.template}`;
}
