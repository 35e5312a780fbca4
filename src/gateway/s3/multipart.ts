// Multipart uploads: create, upload (or copy) a part, complete, abort, and list uploads and parts.
import { errors, GatewayError } from '../errors';
import { copyPreconditions, parseCopySource, writePreconditions } from './conditions';
import {
  BucketCall,
  contentMd5,
  isoDate,
  maxKeysOf,
  ObjectCall,
  objectHeadersFromRequest,
  OWNER,
  OWNER_ID,
  partNumberOf,
  readSmallBody,
  sendEmpty,
  sendXml,
  takeBody,
  takeVerifiedBody,
  urlEncodeKey,
} from './http';
import { parseXml, XmlNode } from './xml';

const INITIATOR: XmlNode = ['Initiator', [['ID', OWNER_ID], ['DisplayName', OWNER_ID]]];

// POST /s3/BUCKET/KEY?uploads
export async function createUpload({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  const attrs = objectHeadersFromRequest(r.req);
  takeBody(r).body.resume();
  const up = await ctx.cluster.createUpload(ref, key, attrs);
  sendXml(r, 200, 'InitiateMultipartUploadResult', [['Bucket', ref.name], ['Key', key], ['UploadId', up.uploadId]]);
}

// PUT /s3/BUCKET/KEY?partNumber=N&uploadId=ID (with x-amz-copy-source: UploadPartCopy)
export async function uploadPart({ ctx, r, ref }: ObjectCall): Promise<void> {
  const uploadId = r.query.get('uploadId');
  if (!uploadId) throw errors.invalidArgument('UploadPart needs uploadId');
  const partNumber = partNumberOf(r.query);
  const copySource = r.req.headers['x-amz-copy-source'];
  if (copySource !== undefined) {
    // UploadPartCopy: the part's bytes come from an existing object (optionally a range of it).
    const src = parseCopySource(String(copySource));
    const srcRef = await ctx.cluster.resolveBucket(src.bucket);
    const rangeHeader = r.req.headers['x-amz-copy-source-range'];
    const spec = rangeHeader === undefined ? undefined : copySourceRange(String(rangeHeader));
    takeBody(r).body.resume();
    const { stream, meta } = await ctx.cluster.getObject(srcRef, src.key, (size) => {
      if (spec && spec.last >= size)
        throw errors.invalidArgument(`Range specified is not valid for source object of size: ${size}`);
      return spec ? { start: spec.first, end: spec.last } : undefined;
    });
    const pre = copyPreconditions(r.req, meta.etag, meta.mtime);
    if (pre) {
      stream.destroy();
      throw pre;
    }
    const part = await ctx.cluster.uploadPart(ref, uploadId, partNumber, stream);
    return sendXml(r, 200, 'CopyPartResult', [['LastModified', isoDate(part.mtime)], ['ETag', `"${part.etag}"`]]);
  }
  const md5 = contentMd5(r);
  const { body, size, checksum } = takeVerifiedBody(r);
  const part = await ctx.cluster.uploadPart(ref, uploadId, partNumber, body, { expectedMd5: md5, expectedSize: size });
  sendEmpty(r, 200, { ETag: `"${part.etag}"`, ...checksum() });
}

/**
 * x-amz-copy-source-range: exactly `bytes=first-last`, both given (unlike a GET's Range, nothing is
 * ignored): anything else is 400 InvalidArgument, as S3 answers, and so is a range past the source's end.
 */
function copySourceRange(header: string): { first: number; last: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1]))
    throw errors.invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
    );
  return { first: Number(m[1]), last: Number(m[2]) };
}

// POST /s3/BUCKET/KEY?uploadId=ID <CompleteMultipartUpload>
export async function completeUpload(call: ObjectCall): Promise<void> {
  const { ctx, r, ref, key } = call;
  const uploadId = r.query.get('uploadId')!;
  const doc = parseXml(await readSmallBody(r));
  const root = doc.CompleteMultipartUpload as { Part?: { PartNumber?: unknown; ETag?: unknown }[] } | undefined;
  if (!root || typeof root !== 'object') throw new GatewayError(400, 'MalformedXML', 'Expected a <CompleteMultipartUpload> document');
  const parts = (root.Part ?? []).map((p) => {
    const n = String(p?.PartNumber ?? '').trim();
    if (!/^\d+$/.test(n)) throw new GatewayError(400, 'MalformedXML', 'Every <Part> needs a numeric <PartNumber>');
    return { partNumber: Number(n), etag: String(p?.ETag ?? '').trim() };
  });
  const upload = await ctx.cluster.listParts(ref, uploadId, { maxParts: 0 }).then(
    (l) => l.upload,
    (e: unknown) => {
      // Gone: maybe completed already, and this is a retry (completeUpload answers it or says NoSuchUpload).
      if (e instanceof GatewayError && e.code === 'NoSuchUpload') return undefined;
      throw e;
    },
  );
  if (upload && upload.key !== key) throw errors.noSuchUpload(uploadId);
  // A retry's preconditions held the first time (If-None-Match: * would fail now on the object it made).
  if (upload) await writePreconditions(call);
  const meta = await ctx.cluster.completeUpload(ref, uploadId, parts);
  if (meta.key !== key) throw errors.noSuchUpload(uploadId);
  sendXml(r, 200, 'CompleteMultipartUploadResult', [
    ['Location', `/s3/${ref.name}/${urlEncodeKey(key)}`],
    ['Bucket', ref.name],
    ['Key', key],
    ['ETag', `"${meta.etag}"`],
  ]);
}

// DELETE /s3/BUCKET/KEY?uploadId=ID
export async function abortUpload({ ctx, r, ref }: ObjectCall): Promise<void> {
  await ctx.cluster.abortUpload(ref, r.query.get('uploadId')!);
  return sendEmpty(r, 204);
}

// GET /s3/BUCKET?uploads (?prefix, ?key-marker, ?upload-id-marker, ?max-uploads, ?encoding-type)
export async function listUploads({ ctx, r, ref }: BucketCall): Promise<void> {
  const q = r.query;
  const maxUploads = maxKeysOf(q, 'max-uploads');
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? urlEncodeKey(s) : s);
  const { uploads, isTruncated } = await ctx.cluster.listUploads(ref, { prefix, keyMarker, uploadIdMarker, maxUploads });
  const last = uploads[uploads.length - 1];
  sendXml(r, 200, 'ListMultipartUploadsResult', [
    ['Bucket', ref.name],
    ['KeyMarker', enc(keyMarker)],
    ['UploadIdMarker', uploadIdMarker],
    isTruncated && last ? ['NextKeyMarker', enc(last.key)] : undefined,
    isTruncated && last ? ['NextUploadIdMarker', last.uploadId] : undefined,
    ['Prefix', enc(prefix)],
    ['MaxUploads', maxUploads],
    url ? ['EncodingType', 'url'] : undefined,
    ['IsTruncated', isTruncated],
    ...uploads.map((u): XmlNode => ['Upload', [
      ['Key', enc(u.key)],
      ['UploadId', u.uploadId],
      INITIATOR,
      OWNER,
      ['StorageClass', 'STANDARD'],
      ['Initiated', isoDate(u.initiated)],
    ]]),
  ]);
}

// GET, HEAD /s3/BUCKET/KEY?uploadId=ID (?part-number-marker, ?max-parts)
export async function listParts({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  const q = r.query;
  const uploadId = q.get('uploadId')!;
  const marker = q.get('part-number-marker');
  const partNumberMarker = marker && /^\d+$/.test(marker) ? Number(marker) : 0;
  const maxParts = maxKeysOf(q, 'max-parts');
  const { upload, parts, isTruncated } = await ctx.cluster.listParts(ref, uploadId, { partNumberMarker, maxParts });
  if (upload.key !== key) throw errors.noSuchUpload(uploadId);
  const last = parts[parts.length - 1];
  sendXml(r, 200, 'ListPartsResult', [
    ['Bucket', ref.name],
    ['Key', key],
    ['UploadId', uploadId],
    INITIATOR,
    OWNER,
    ['StorageClass', 'STANDARD'],
    ['PartNumberMarker', partNumberMarker],
    ['NextPartNumberMarker', last ? last.partNumber : partNumberMarker],
    ['MaxParts', maxParts],
    ['IsTruncated', isTruncated],
    ...parts.map((p): XmlNode => ['Part', [
      ['PartNumber', p.partNumber],
      ['LastModified', isoDate(p.mtime)],
      ['ETag', `"${p.etag}"`],
      ['Size', p.size],
    ]]),
  ]);
}
