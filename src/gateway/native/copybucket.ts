// Server-side copies between buckets, as jobs (ais/proxy.go _bckpost):
//   POST /v1/buckets/SRC?bck_to=ais/@#/DST/ {"action": "copy-bck", "value": apc.TCBMsg}        whole bucket
//   POST /v1/buckets/SRC {"action": "copy-listrange", "value": cmn.TCOMsg {tobck, objnames|template, ...}}
// TCBMsg is CopyBckMsg {prefix, prepend, dry_run, force, latest-ver, synchronize} with ext and num-workers
// inlined. The destination is created when missing, with the source's checksum props; each object is
// written to a temp file and renamed into place (store.copyObject), so a stopped job leaves whole objects
// only. num-workers objects are copied at once (16 when not given). A dry run counts the objects and bytes
// it would copy and writes nothing.
import { ACT, bucketCname, normalizeProvider } from '../../common/aisapi';
import type { RequestContext } from '../context';
import { GatewayError } from '../errors';
import type { BucketRef, Provider } from '../store/types';
import { badRequest, msgFields, notImplemented, toNative } from './errors';
import { ActMsg, BucketCall, providerOf, sendXid, validateBucket } from './http';
import { Job, jobEngine } from './jobengine';
import { ctlMsgOf, forEachSelected, isNoSuchKey, listRangeOf, numWorkersOf, ObjectSelection, selectedObjects } from './multiobj';

/** The TCBMsg fields this gateway acts on. */
interface CopyOptions {
  prefix: string;
  prepend: string;
  dryRun: boolean;
  /** apc.TCBMsg.Ext: an extension to replace ("jpg" → "png"). */
  ext: Record<string, string>;
  continueOnError: boolean;
  /** apc.TCBMsg.NumWorkers as numWorkersOf reads it: the objects copied at once. */
  workers: number;
}

// POST /v1/buckets/SRC {"action": "copy-bck"}
export async function copyBucket(call: BucketCall, msg: ActMsg): Promise<void> {
  const { ctx, res, query, bucket: src } = call;
  const opts = copyOptions(msg.value);
  const uname = query.get('bck_to') ?? '';
  if (!uname) throw badRequest('missing "bck_to" query parameter');
  const dst = parseUname(ctx, uname);
  await ctx.cluster.getBucket(src);
  if (!opts.dryRun && sameBucket(src, dst) && src.provider === 'ais') throw badRequest(`cannot ${msg.action} bucket "${bucketCname(src)}" onto itself`);
  if (!opts.dryRun) await ensureDestination(ctx, src, dst);
  const sel: ObjectSelection = { kind: 'prefix', prefix: opts.prefix, template: '' };
  const job = jobEngine(ctx.cluster).start({ kind: ACT.copyBck, bck: src, src, dst, ctlMsg: copyCtlMsg(opts) }, (j) => copySelected(ctx, j, src, dst, sel, opts));
  sendXid(res, job.id);
}

// POST /v1/buckets/SRC {"action": "copy-listrange", "value": {"tobck": {...}, "objnames": [...] | "template": "..."}}
export async function copyListRange(call: BucketCall, msg: ActMsg): Promise<void> {
  const { ctx, res, bucket: src } = call;
  const v = (msg.value ?? {}) as { tobck?: { name?: unknown; provider?: unknown } };
  const opts = copyOptions(msg.value);
  const to = v.tobck;
  if (!to || typeof to !== 'object' || typeof to.name !== 'string' || !to.name) throw badRequest(`${msg.action}: missing destination bucket ("tobck")`);
  validateBucket(to.name);
  const dst: BucketRef = { name: to.name, provider: providerIn(ctx, typeof to.provider === 'string' ? to.provider : '') };
  const sel = listRangeOf(msg.action, msg.value);
  await ctx.cluster.getBucket(src);
  if (!opts.dryRun && !sameBucket(src, dst)) await ensureDestination(ctx, src, dst);
  // AIStore's copy-listrange idles before it finishes (xact/api_table.go): its clients wait for idle.
  const job = jobEngine(ctx.cluster).start({ kind: ACT.copyListRange, bck: src, src, dst, ctlMsg: ctlMsgOf(sel), idles: true }, (j) =>
    copySelected(ctx, j, src, dst, sel, opts),
  );
  sendXid(res, job.id);
}

/** Copies opts.workers objects at a time (small objects are bound by per-file syscalls, not bytes). */
async function copySelected(ctx: RequestContext, job: Job, src: BucketRef, dst: BucketRef, sel: ObjectSelection, opts: CopyOptions): Promise<void> {
  await forEachSelected(job, selectedObjects(ctx, src, sel), opts.workers, async (o, addError) => {
    if (opts.prefix && !o.name.startsWith(opts.prefix)) return;
    const dstKey = toName(o.name, opts);
    try {
      let size = o.size;
      if (opts.dryRun) size ??= (await ctx.cluster.headObject(src, o.name)).size;
      else if (!(sameBucket(src, dst) && dstKey === o.name)) size = (await ctx.cluster.copyObject(src, o.name, dst, dstKey)).size;
      if (job.aborted) return false; // the copy in flight was whole; the job counts what ended before the stop
      job.objs++;
      job.bytes += size ?? 0;
    } catch (e) {
      // A name a template produced may not be there: not an error (xact/xs/lrit.go).
      if (isNoSuchKey(e) && sel.kind !== 'list') return;
      if (!(e instanceof GatewayError)) throw e;
      addError(toNative(ctx, e, { bucket: src, key: o.name }).message);
      if (!opts.continueOnError && sel.kind === 'list' && !isNoSuchKey(e)) return false;
    }
  });
}

/** apc.TCBMsg.ToName: the extension replaced, then the prefix prepended. */
function toName(name: string, opts: CopyOptions): string {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    const to = opts.ext[name.slice(dot + 1)];
    if (to !== undefined) name = name.slice(0, dot + 1) + to.replace(/^\.+/, '');
  }
  return opts.prepend + name;
}

function copyOptions(value: unknown): CopyOptions {
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) throw badRequest('copy: value must be a JSON object');
  const v = (value ?? {}) as Record<string, unknown>;
  const { str, bool } = msgFields('copy', v);
  const prepend = str('prepend');
  if (bool('synchronize') && prepend) throw badRequest(`prepend option (${JSON.stringify(prepend)}) is incompatible with the request to synchronize buckets`);
  const ext = v.ext && typeof v.ext === 'object' && !Array.isArray(v.ext) ? (v.ext as Record<string, string>) : {};
  bool('latest-ver'); // validated; a local source is always its latest version
  bool('force');
  // cos.TrimPrefix: a trailing "*" adds nothing to a prefix.
  const workers = numWorkersOf('copy', v);
  return { prefix: str('prefix').replace(/\*$/, ''), prepend, dryRun: bool('dry_run'), ext, continueOnError: bool('coer'), workers };
}

function copyCtlMsg(opts: CopyOptions): string {
  const parts = [];
  if (opts.prefix) parts.push(`prefix:${opts.prefix}`);
  if (opts.prepend) parts.push(`prepend:${opts.prepend}`);
  if (opts.dryRun) parts.push('dry-run');
  return parts.join(', ');
}

/** The destination exists, or is created with the source's checksum props (ais/proxy.go warnDstNotExist). */
async function ensureDestination(ctx: RequestContext, src: BucketRef, dst: BucketRef): Promise<void> {
  if (ctx.cluster.isPresent(dst)) return;
  if (dst.provider !== 'ais') {
    await ctx.cluster.getBucket(dst); // a remote bucket must exist there
    return;
  }
  const from = await ctx.cluster.getBucket(src);
  await ctx.cluster.createBucket(dst, { checksum: from.props.checksum }).catch((e) => {
    if (!(e instanceof GatewayError && e.status === 409)) throw e; // made meanwhile
  });
}

/** meta.ParseUname of `bck_to`: "PROVIDER/@NS_UUID#NS_NAME/NAME/" (cmn.Bck.MakeUname). */
function parseUname(ctx: RequestContext, uname: string): BucketRef {
  const [provider, ns, name] = uname.split('/');
  if (name === undefined || !ns?.startsWith('@')) throw badRequest(`invalid "bck_to" ${JSON.stringify(uname)} (expecting PROVIDER/@#/NAME/, e.g. ais/@#/dst/)`);
  if (ns !== '@#' && ns !== '@') throw notImplemented('bucket namespaces (remote AIS clusters)');
  validateBucket(name);
  return { name, provider: providerIn(ctx, provider) };
}

function providerIn(ctx: RequestContext, raw: string): Provider {
  const p = normalizeProvider(raw);
  if (!p) throw badRequest(`invalid backend provider "${raw}"`);
  return providerOf(ctx, new URLSearchParams({ provider: p }), true)!;
}

function sameBucket(a: BucketRef, b: BucketRef): boolean {
  return a.name === b.name && a.provider === b.provider;
}
