// Jobs over many objects picked by an apc.ListRange {objnames} or {template} (api/apc/multiobj.go; the
// selection as xact/xs/lrit.go walks it): delete-listrange and evict-listrange here, copy-listrange in
// copybucket.ts. A list is taken as given; a range template is expanded one name at a time; a prefix (or
// an empty template: the whole bucket) is walked a page of the listing at a time.
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
  const job = jobEngine(ctx.cluster).start({ kind: msg.action, bck: bucket, ctlMsg: ctlMsgOf(sel) }, (j) => deleteSelected(ctx, j, bucket, sel, evict));
  if (sel.kind === 'list') await job.done;
  sendXid(res, job.id);
}

async function deleteSelected(ctx: RequestContext, job: Job, bucket: BucketRef, sel: ObjectSelection, evict: boolean): Promise<void> {
  for await (const o of selectedObjects(ctx, bucket, sel, { cachedOnly: evict })) {
    if (!(await job.next())) return;
    try {
      if (evict) await ctx.cluster.evictObject(bucket, o.name);
      else await ctx.cluster.deleteObject(bucket, o.name);
      job.objs++;
      if (o.size !== undefined) job.bytes += o.size;
    } catch (e) {
      // A listed name that is not there is an error; one a template or prefix produced is not
      // (xact/xs/evict.go evictDelete.do). An evict of what has no copy here is nothing to do.
      if (isNoSuchKey(e) && (sel.kind !== 'list' || evict)) continue;
      if (!(e instanceof GatewayError)) throw e;
      job.addError(toNative(ctx, e, { bucket, key: o.name }).message);
    }
  }
}

/** How AIStore shows a ListRange in a job's ctlmsg (apc.ListRange.Str). */
export function ctlMsgOf(sel: ObjectSelection): string {
  if (sel.kind === 'list') return sel.names.length > 3 ? `list(${sel.names.length} names):[${sel.names[0]}, ...]` : `list:[${sel.names.join(' ')}]`;
  if (sel.kind === 'prefix') return sel.prefix ? `prefix:${sel.prefix}` : '';
  return `template:${sel.template}`;
}
