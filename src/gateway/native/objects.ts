// Objects: read, head, write, delete or evict, rename, custom props (ais/target.go, ais/tgtobj.go,
// ais/tgthead.go). Object headers are cmn/objattrs.go ToHeader: Ais-Checksum-Type and -Value (omitted for
// none), Ais-Atime (Unix nanoseconds), Ais-Version, Ais-Custom-Md; a GET is application/octet-stream, a
// Range read 206 with Accept-Ranges and Content-Range, one range only (416 with `Content-Range: bytes
// */SIZE`), and with checksum.enable_read_range the checksum describes the range. HEAD adds Ais-Name,
// Ais-Bucket-Name, Ais-Bucket-Provider, Ais-Present, Ais-Mirror-Copies; with `?props=` it is HEAD V2: only
// the requested attributes (+ Last-Modified, ETag on request), unknown props a 400. PUT verifies
// Ais-Checksum-* (always, for user PUTs: putOI.validateCksum) and keeps Ais-Custom-Md (the object's type
// under "Content-Type", where AIStore keeps it; its own Content-Type header is ignored, as in AIStore).
import { fromHeaderBytes } from '../../common/headerbytes';
import { ACT, bucketCname, CUSTOM_KEY, HDR, HEAD_V2_PROPS } from '../../common/aisapi';
import { ChecksumType, CHECKSUM_TYPES, createHasher, isChecksumType } from '../checksum';
import { errors } from '../errors';
import { verifiedPayload } from '../payload';
import { parseRange } from '../range';
import { sendBody } from '../store/filebody';
import type { BucketRef } from '../store/types';
import { archQueryOf, getFromShard } from './archget';
import { badRequest, NativeError, notImplemented } from './errors';
import { ActMsg, ObjectCall, readActMsg, sendOk, targetLocation } from './http';
import { latestBeforeGet } from './remotecache';
import { rawHeaderValue, unixNanos } from './wire';

interface ObjAttrs {
  size: number;
  atime: number;
  version: string;
  checksum: { type: string; value: string };
}

// GET /v1/objects/BUCKET/OBJECT (Range: bytes=FIRST-LAST; ?archpath=, ?archregx=&archmode=)
export async function getObject(call: ObjectCall): Promise<void> {
  const { ctx, req, res, query, bucket, key } = call;
  await latestBeforeGet(call); // ?latest-ver: a stale copy of a remote object is read again first
  // ?archpath= or ?archregx=&archmode=: a shard's members rather than its bytes (archget.ts).
  const arch = archQueryOf(query);
  if (arch) return getFromShard(call, arch);
  const rangeHeader = typeof req.headers.range === 'string' ? req.headers.range : undefined;
  const got = await ctx.cluster.getObject(bucket, key, rangeHeader ? (size) => parseRange(rangeHeader, size, 'native') : undefined);
  const { meta, range } = got;
  let stream = got.stream;
  const length = range ? range.end - range.start + 1 : meta.size;
  let checksum = meta.checksum;
  const bucketConf = (await ctx.cluster.getBucket(bucket)).props.checksum;
  if (range && bucketConf.enable_read_range && meta.checksum.type !== 'none' && length < meta.size) {
    // The range's own checksum (ais/tgtobj.go _doCksumRange): hash the range, then send it from a fresh read.
    const hasher = createHasher(meta.checksum.type);
    for await (const chunk of stream) hasher.update(chunk as Buffer);
    checksum = { type: meta.checksum.type, value: hasher.digest() };
    const again = await ctx.cluster.getObject(bucket, key, () => range);
    stream = again.stream;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    ...objHeaders({ ...meta, checksum }, customOf(bucket, meta)),
    'Content-Length': String(length),
  };
  if (range) {
    headers['Accept-Ranges'] = 'bytes';
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
  }
  res.writeHead(range ? 206 : 200, headers);
  try {
    await sendBody(stream, res);
  } catch {
    // The client went away or the disk failed mid-body: the status is sent, so only the connection can say so.
    res.destroy();
  }
}

// HEAD /v1/objects/BUCKET/OBJECT (?presence=N, ?props=a,b,c for HEAD V2: ais/tgthead.go _objHeadV2)
export async function headObject({ ctx, res, query, bucket, key }: ObjectCall): Promise<void> {
  const presence = query.get('presence');
  const props = query.get('props');
  const wanted = props ? headV2Props(props) : undefined;
  const meta = await ctx.cluster.headObject(bucket, key);
  if ((presence === '2' || presence === '3') && !meta.present) throw errors.noSuchKey(bucket.name, key);
  if (presence === '1' || presence === '3') return sendOk(res);
  const full = objHeaders(meta, customOf(bucket, meta));
  let h: Record<string, string | string[]>;
  if (!wanted) {
    h = full;
    h[HDR.objName] = rawHeaderValue(key);
    h[HDR.bucketName] = bucket.name;
    h[HDR.bucketProvider] = bucket.provider;
    if (meta.present) h[HDR.mirrorCopies] = '1';
  } else {
    h = {};
    const copy = (name: string) => {
      if (full[name]) h[name] = full[name];
    };
    if (wanted.has('checksum')) [HDR.checksumType, HDR.checksumValue].forEach(copy);
    if (wanted.has('atime')) copy(HDR.atime);
    if (wanted.has('version')) copy(HDR.version);
    if (wanted.has('custom')) copy(HDR.customMd);
    if (wanted.has('last-modified') && meta.mtime > 0) h['Last-Modified'] = new Date(meta.mtime).toUTCString();
    if (wanted.has('etag') && meta.etag) h['ETag'] = `"${meta.etag}"`;
    if (wanted.has('copies') && meta.present) h[HDR.mirrorCopies] = '1';
    if (wanted.has('location') && meta.present) h[HDR.location] = targetLocation(ctx);
  }
  h['Content-Length'] = String(meta.size);
  h[HDR.present] = String(meta.present);
  res.writeHead(200, h);
  res.end();
}

// PUT /v1/objects/BUCKET/OBJECT (Ais-Checksum-Type, Ais-Checksum-Value)
export async function putObject({ ctx, req, res, query, bucket, key }: ObjectCall): Promise<void> {
  if (query.get('append_type') || query.get('archpath') || query.get('uploadId'))
    throw notImplemented('append, archive and multipart PUT on /v1/objects');
  const cksType = req.headers[HDR.checksumType.toLowerCase()];
  const cksValue = req.headers[HDR.checksumValue.toLowerCase()];
  let expectedChecksum: { type: ChecksumType; value: string } | undefined;
  if (typeof cksValue === 'string' && cksValue !== '') {
    const t = typeof cksType === 'string' ? cksType.toLowerCase() : '';
    if (!isChecksumType(t)) throw badRequest(`invalid checksum type "${cksType ?? ''}" (expecting [${CHECKSUM_TYPES.join(' ')}])`);
    if (t !== 'none') expectedChecksum = { type: t, value: cksValue.toLowerCase() };
  }
  const len = req.headers['content-length'];
  // The PUT's own Content-Type says nothing (AIStore's clients send application/json): Ais-Custom-Md does.
  const custom = splitCustom(customFromHeaders(req));
  // Under credentials a SigV4-signed body must have the SHA-256 it declared (../payload.ts).
  const meta = await ctx.cluster.putObject(bucket, key, verifiedPayload(req), {
    expectedChecksum,
    expectedSize: len !== undefined ? Number(len) : undefined,
    contentType: custom.contentType,
    userMeta: custom.userMeta,
  });
  res.writeHead(200, { ...objHeaders(meta), 'Content-Length': 0 });
  res.end();
}

// DELETE /v1/objects/BUCKET/OBJECT (no message, or {"action": "delete-obj"})
export async function deleteObject({ ctx, res, bucket, key }: ObjectCall): Promise<void> {
  await ctx.cluster.deleteObject(bucket, key);
  sendOk(res);
}

// DELETE /v1/objects/BUCKET/OBJECT {"action": "evict-listrange"} (api/object.go EvictObject)
export async function evictObject({ ctx, res, bucket, key }: ObjectCall): Promise<void> {
  await ctx.cluster.evictObject(bucket, key);
  sendOk(res);
}

// POST /v1/objects/BUCKET/OBJECT {"action": "rename-obj", "name": NEW}
export async function renameObject({ ctx, res, bucket, key }: ObjectCall, msg: ActMsg): Promise<void> {
  // ais/proxy.go _checkObjMv: ais buckets only (ErrUnsupp is 501), a new name, not the same one.
  if (bucket.provider !== 'ais')
    throw new NativeError(501, 'ErrUnsupp', `invalid action "${ACT.renameObj}": not supported for remote buckets (${bucketCname(bucket)})`);
  if (!msg.name) throw badRequest(`${ACT.renameObj}: the new object name ("name") is missing`);
  if (msg.name === key) throw badRequest(`cannot rename ${bucketCname(bucket)}/${key} to self, nothing to do`);
  await ctx.cluster.renameObject(bucket, key, msg.name);
  sendOk(res);
}

// PATCH /v1/objects/BUCKET/OBJECT {"value": {k: v, ...}} (?set-new-custom=true) (api/object.go SetObjectCustomProps)
export async function setCustomProps({ ctx, req, res, query, bucket, key }: ObjectCall): Promise<void> {
  // Merged into the object's custom metadata, or replacing it with set-new-custom. A metadata-only
  // rewrite: the bytes stay as they are. Whatever the action (AIStore's client sends none).
  const msg = await readActMsg(req);
  const custom = msg.value ?? {};
  if (typeof custom !== 'object' || custom === null || Array.isArray(custom) || !Object.values(custom).every((v) => typeof v === 'string'))
    throw badRequest('set-custom: value must be a JSON object of string values');
  const meta = await ctx.cluster.headObject(bucket, key);
  if (!meta.present && bucket.provider === 'ais') throw errors.noSuchKey(bucket.name, key);
  const replace = /^(true|1|yes)$/i.test(query.get('set-new-custom') ?? '');
  const given = splitCustom(custom as Record<string, string>);
  const userMeta = { ...(replace ? {} : meta.userMeta), ...given.userMeta };
  // The type is kept unless the value names one (even when replacing: it is the object's, not the user's).
  await ctx.cluster.copyObject(bucket, key, bucket, key, { contentType: given.contentType ?? meta.contentType, userMeta, headers: meta.headers });
  sendOk(res);
}

/** The `props` of a HEAD V2; unknown ones (and V1-only cached, status) are a 400, as in AIStore. */
function headV2Props(props: string): Set<string> {
  const out = new Set<string>();
  for (const raw of props.split(',')) {
    const p = raw.trim();
    if (!p) continue;
    if (!HEAD_V2_PROPS.includes(p)) throw badRequest(`invalid property "${p}" in props list`);
    out.add(p);
  }
  return out;
}

/**
 * The custom metadata a PUT carries (cmn/objattrs.go FromHeader): one `Ais-Custom-Md: k=v` header per key,
 * values as raw UTF-8 bytes; one without "=" is a 400, as in AIStore.
 */
function customFromHeaders(req: ObjectCall['req']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of req.headersDistinct[HDR.customMd.toLowerCase()] ?? []) {
    const i = line.indexOf('=');
    if (i <= 0) throw badRequest(`custom: invalid format "${line}" (expecting key=value)`);
    out[fromHeaderBytes(line.slice(0, i))] = fromHeaderBytes(line.slice(i + 1));
  }
  return out;
}

/** Custom metadata split as we store it: the key "Content-Type" is the object's type, the rest the user's. */
function splitCustom(custom: Record<string, string>): { contentType?: string; userMeta: Record<string, string> } {
  const userMeta: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [k, v] of Object.entries(custom)) {
    if (k.toLowerCase() === CUSTOM_KEY.contentType.toLowerCase()) contentType = v.trim() || undefined;
    else userMeta[k] = v;
  }
  return { contentType, userMeta };
}

/**
 * The object's custom metadata as cmn.ObjAttrs keeps it: user props (PATCH set-custom) and, for a remote
 * object, the backend's ETag and Last-Modified (cmn/objattrs.go ETag, cos.HdrLastModified).
 */
function customOf(ref: BucketRef, meta: { etag: string; mtime: number; contentType?: string; userMeta?: Record<string, string> }): Record<string, string> {
  const custom: Record<string, string> = { ...(meta.userMeta ?? {}) };
  // Where AIStore keeps an object's content type when it knows one (ais/backend/aws.go, cos.HdrContentType).
  if (meta.contentType) custom[CUSTOM_KEY.contentType] = meta.contentType;
  if (ref.provider !== 'ais' && meta.etag) custom[CUSTOM_KEY.etag] = meta.etag.replace(/"/g, '');
  if (ref.provider !== 'ais' && meta.mtime > 0) custom[CUSTOM_KEY.lastModifiedHeader] = new Date(meta.mtime).toUTCString();
  return custom;
}

/** cmn/objattrs.go ToHeader: one `Ais-Custom-Md: k=v` per custom key, and `ETag` when there is one. */
function objHeaders(meta: ObjAttrs, custom: Record<string, string> = {}): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  const kvs = Object.entries(custom).map(([k, v]) => rawHeaderValue(`${k}=${v}`));
  if (kvs.length > 0) h[HDR.customMd] = kvs;
  if (custom[CUSTOM_KEY.etag]) h['ETag'] = custom[CUSTOM_KEY.etag];
  if (meta.checksum.type !== 'none' && meta.checksum.value) {
    h[HDR.checksumType] = meta.checksum.type;
    h[HDR.checksumValue] = meta.checksum.value;
  }
  if (meta.atime > 0) h[HDR.atime] = unixNanos(meta.atime);
  if (meta.version) h[HDR.version] = meta.version;
  return h;
}
