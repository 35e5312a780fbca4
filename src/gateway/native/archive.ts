// Building a shard from a bucket's objects, as a job (ais/proxy.go httpbckput, ais/tgttxn.go, xact/xs/archive.go):
//   PUT /v1/buckets/SRC {"action": "archive", "value": cmn.ArchiveBckMsg}
// The value: archname (the shard, with one of the shard extensions), mime (when given, that very extension:
// archive.Strict), objnames | template (apc.ListRange, as the other multi-object jobs select), tobck (the
// destination bucket, which must exist; none: the source), isbn (name members SRCBUCKET/OBJECT), bnonly
// (the base name only), aate (append to the shard when it exists), coer (accepted; AIStore's archive job
// goes on past a failed object whatever it says, and so does this one).
// The answer is the job's id; the job is kind "archive" and, like AIStore's, counts one object (the shard)
// and its new bytes when it is done, and idles before finishing (is_idle). The shard is written into a temp
// file and put in place only when whole: a stopped or failed job leaves the old shard (or none) as it was.
// An archive of no object is the job's error ("empty"), and no shard.
import * as fs from 'node:fs';
import { ACT, ArchExt, bucketCname, normalizeProvider } from '../../common/aisapi';
import { strictMime } from '../../common/archive/formats';
import { ShardFile } from '../archive/source';
import { createShardWriter, ShardWriter, tarAppendOffset } from '../../common/archive/writer';
import type { RequestContext } from '../context';
import { GatewayError } from '../errors';
import type { BucketRef } from '../store/types';
import { badRequest, msgFields, NativeError, toNative } from './errors';
import { ActMsg, BucketCall, providerOf, sendXid, validateBucket } from './http';
import { Job, jobEngine } from './jobengine';
import { ctlMsgOf, isNoSuchKey, listRangeOf, ObjectSelection, selectedObjects } from './multiobj';

interface ArchiveMsg {
  dst: BucketRef;
  archName: string;
  mime: ArchExt;
  sel: ObjectSelection;
  baseNameOnly: boolean;
  inclSrcBname: boolean;
  appendIfExists: boolean;
}

/** The shard to append to, opened when the request is taken: a broken one is the request's error. */
interface Existing {
  file: ShardFile;
  /** .tar: where its members end. */
  tarEnd?: number;
}

// PUT /v1/buckets/SRC {"action": "archive", "value": {"archname": ..., "objnames": [...] | "template": ..., ...}}
export async function archiveObjects(call: BucketCall, msg: ActMsg): Promise<void> {
  const { ctx, res, bucket: src } = call;
  const m = parseArchiveMsg(ctx, src, msg.value);
  await ctx.cluster.getBucket(src);
  if (!sameBucket(src, m.dst)) {
    // The destination must exist (createAIS: false), and its 404 names it, not the source.
    await ctx.cluster.getBucket(m.dst).catch((e) => {
      throw e instanceof GatewayError && e.code === 'NoSuchBucket' ? toNativeError(ctx, e, m.dst) : e;
    });
  }
  const existing = m.appendIfExists ? await openExisting(ctx, m) : undefined;
  const differ = !sameBucket(src, m.dst);
  const job = jobEngine(ctx.cluster).start(
    { kind: ACT.archive, bck: src, src: differ ? src : undefined, dst: differ ? m.dst : undefined, ctlMsg: ctlMsgOfArchive(src, m), idles: true },
    (j) => archive(ctx, j, src, m, existing),
  );
  // A job stopped before it ran never opens the shard it was given: close it when the job ends, however.
  void job.done.then(() => existing?.file.close());
  sendXid(res, job.id);
}

/** cos.MorphMarshal into cmn.ArchiveBckMsg, then archive.Strict on the name and mime. */
function parseArchiveMsg(ctx: RequestContext, src: BucketRef, value: unknown): ArchiveMsg {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('archive: value must be a JSON object (cmn.ArchiveBckMsg)');
  const v = value as Record<string, unknown>;
  const { str, bool } = msgFields('archive', v);
  let dst = src;
  const to = v.tobck as { name?: unknown; provider?: unknown } | undefined | null;
  if (to !== undefined && to !== null) {
    if (typeof to !== 'object' || (to.name !== undefined && typeof to.name !== 'string')) throw badRequest('archive: "tobck" must be a bucket {name, provider}');
    if (to.name) {
      validateBucket(to.name as string);
      const p = normalizeProvider(typeof to.provider === 'string' ? to.provider : '');
      if (!p) throw badRequest(`invalid backend provider ${JSON.stringify(to.provider)}`);
      dst = { name: to.name as string, provider: providerOf(ctx, new URLSearchParams({ provider: p }), true)! };
    }
  }
  const archName = str('archname');
  const mime = strictMime(str('mime'), archName);
  const sel = listRangeOf(ACT.archive, value);
  bool('coer');
  bool('non-recurs');
  return { dst, archName, mime, sel, baseNameOnly: bool('bnonly'), inclSrcBname: bool('isbn'), appendIfExists: bool('aate') };
}

/** The shard to append to when there is one (archwi.beginAppend); a .tar is scanned to its end now. */
async function openExisting(ctx: RequestContext, m: ArchiveMsg): Promise<Existing | undefined> {
  let opened;
  try {
    opened = await ctx.cluster.openObject(m.dst, m.archName);
  } catch (e) {
    if (isNoSuchKey(e)) return undefined; // nothing to append to: a new shard
    throw e;
  }
  const file = new ShardFile(opened.fh, opened.dataSize);
  try {
    return { file, tarEnd: m.mime === '.tar' ? await tarAppendOffset(file) : undefined };
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** The job: members in selection order into a temp file, then the shard put in place. */
async function archive(ctx: RequestContext, job: Job, src: BucketRef, m: ArchiveMsg, existing?: Existing): Promise<void> {
  const tmp = ctx.cluster.tmpPath();
  const shardName = `${bucketCname(m.dst)}/${m.archName}`;
  let writer: ShardWriter | undefined;
  let count = 0;
  // A stop ends the member being written too: its streams are destroyed, the temp file removed.
  const stopped = new Promise<'stopped'>((resolve) => job.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
  try {
    writer = await createShardWriter(m.mime, fs.createWriteStream(tmp), existing && { shard: existing.file, tarEnd: existing.tarEnd });
    for await (const o of selectedObjects(ctx, src, m.sel)) {
      if (!(await job.next())) return;
      let got;
      try {
        got = await ctx.cluster.getObject(src, o.name);
      } catch (e) {
        // A name a template or prefix produced may not be there; a listed one that is not is an error.
        if (isNoSuchKey(e) && m.sel.kind !== 'list') continue;
        if (!(e instanceof GatewayError)) throw e;
        job.addError(toNative(ctx, e, { bucket: src, key: o.name }).message);
        continue;
      }
      const added = writer.add(nameInArch(src, o.name, m), got.meta.size, new Date(got.meta.atime), got.stream);
      try {
        if ((await Promise.race([added, stopped])) === 'stopped') return void got.stream.destroy();
      } catch (e) {
        // One member that cannot go in (a name ZIP refuses, a read that failed): the job goes on, as AIStore's.
        got.stream.destroy();
        job.addError(`${shardName}: ${o.name}: ${(e as Error).message}`);
        continue;
      }
      count++;
    }
    if (job.aborted) return;
    if (count === 0) {
      const more = job.err ? `, err: ${job.err}` : '';
      throw new Error(`x-archive[${job.id}]: ${existing ? 'no new appends to' : 'empty'} ${shardName}${more}`);
    }
    await writer.finish();
    writer = undefined;
    if (job.aborted) return;
    const { size } = await fs.promises.stat(tmp);
    // Put in place as one object (its own temp file and rename): the shard appears whole or not at all.
    await ctx.cluster.putObject(m.dst, m.archName, fs.createReadStream(tmp), { expectedSize: size });
    job.objs++;
    job.bytes += size - (existing?.tarEnd ?? 0);
  } finally {
    writer?.abort();
    await fs.promises.rm(tmp, { force: true });
  }
}

/** archwi.nameInArch: the object's name, or its base name (bnonly), under SRCBUCKET/ with isbn. */
function nameInArch(src: BucketRef, name: string, m: ArchiveMsg): string {
  if (m.baseNameOnly) name = name.slice(name.lastIndexOf('/') + 1);
  return m.inclSrcBname ? `${src.name}/${name}` : name;
}

/** XactArch.CtlMsg: "ais://src=>ais://dst [selection, flags:...]". */
function ctlMsgOfArchive(src: BucketRef, m: ArchiveMsg): string {
  const flags = [m.baseNameOnly && 'basename-only', m.inclSrcBname && 'incl-src-bname', m.appendIfExists && 'append-iff'].filter(Boolean).join(',');
  const to = sameBucket(src, m.dst) ? '' : `=>${bucketCname(m.dst)}`;
  return `${bucketCname(src)}${to} [${ctlMsgOf(m.sel)}, flags:${flags}]`;
}

function toNativeError(ctx: RequestContext, e: GatewayError, bucket: BucketRef): NativeError {
  const n = toNative(ctx, e, { bucket });
  return new NativeError(n.status, n.tcode, n.message);
}

function sameBucket(a: BucketRef, b: BucketRef): boolean {
  return a.name === b.name && a.provider === b.provider;
}
