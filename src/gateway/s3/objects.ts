// Objects: read (whole, a range, or one part), write, copy, delete, and their (empty) tag sets.
import { GatewayError } from '../errors';
import { parseRange } from '../range';
import { sendBody } from '../store/filebody';
import type { ByteRange, OpenedObject } from '../store/types';
import { checkPreconditions, copyPreconditions, parseCopySource, writePreconditions } from './conditions';
import {
  baseHeaders,
  contentMd5,
  isoDate,
  ObjectCall,
  objectHeadersFromRequest,
  objectResponseHeaders,
  partNumberOf,
  S3Request,
  sendEmpty,
  sendXml,
  takeBody,
  takeVerifiedBody,
} from './http';

// GET, HEAD /s3/BUCKET/KEY (?partNumber=N, Range, If-…, ?response-…)
export async function getObject({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  const head = r.method === 'HEAD';
  const rangeHeader = r.req.headers.range;
  let partNumber: number | undefined;
  if (r.query.has('partNumber')) {
    partNumber = partNumberOf(r.query);
    if (rangeHeader) throw new GatewayError(400, 'InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  if (head) {
    const meta = await ctx.cluster.headObject(ref, key);
    const pre = checkPreconditions(r.req, meta);
    if (pre) return sendPrecondition(r, pre, meta.etag, meta.mtime);
    const range = partNumber ? partByteRange(meta, partNumber) : parseRange(rangeHeader, meta.size, 's3');
    const headers = objectResponseHeaders(meta, r.query);
    if (range || partNumber) {
      const [start, end] = range ? [range.start, range.end] : [0, meta.size - 1];
      if (meta.size > 0) headers['Content-Range'] = `bytes ${start}-${end}/${meta.size}`;
      return sendEmpty(r, 206, { ...headers, 'Content-Length': end - start + 1 });
    }
    return sendEmpty(r, 200, { ...headers, 'Content-Length': meta.size });
  }
  // Range and preconditions are checked on the opened file, so they apply to exactly the bytes served;
  // preconditions first (RFC 9110: a 304 wins over an unsatisfiable range).
  let rangeError: unknown;
  let opened: OpenedObject | undefined;
  for (let attempt = 0; !opened; attempt++) {
    // Part boundaries come from the object's metadata: read it, open, and make sure it is still that object.
    const parts = partNumber ? await ctx.cluster.headObject(ref, key) : undefined;
    const got = await ctx.cluster.getObject(ref, key, (size) => {
      try {
        return parts && partNumber ? partByteRange({ size, partSizes: parts.partSizes }, partNumber) : parseRange(rangeHeader, size, 's3');
      } catch (e) {
        rangeError = e;
        return undefined;
      }
    });
    if (parts && got.meta.etag !== parts.etag && attempt < 3) {
      got.stream.destroy(); // overwritten in between: its parts may differ
      rangeError = undefined;
      continue;
    }
    opened = got;
  }
  const { meta, range, stream } = opened;
  const pre = checkPreconditions(r.req, meta);
  if (pre || rangeError) stream.destroy();
  if (pre) return sendPrecondition(r, pre, meta.etag, meta.mtime);
  if (rangeError) throw rangeError;
  const headers = objectResponseHeaders(meta, r.query);
  let status = 200;
  let length = meta.size;
  if (range) {
    status = 206;
    length = range.end - range.start + 1;
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
  } else if (partNumber) status = 206; // part 1 of an empty object
  r.res.writeHead(status, { ...baseHeaders(r), ...headers, 'Content-Length': String(length) });
  try {
    await sendBody(stream, r.res);
  } catch (e) {
    // The client went away or the disk failed mid-body: nothing more can be said to the client.
    if (!r.res.destroyed) r.res.destroy(e as Error);
  }
}

/**
 * The bytes of part N of an object (S3's GET/HEAD ?partNumber=N): a multipart object's parts as completed,
 * a single-part object has just part 1. Undefined means the whole object (an empty one).
 */
function partByteRange(meta: { size: number; partSizes?: number[] }, partNumber: number): ByteRange | undefined {
  const sizes = meta.partSizes && meta.partSizes.reduce((a, b) => a + b, 0) === meta.size ? meta.partSizes : [meta.size];
  // 400, as S3 answers it today (the s3-tests conformance suite checks the status; AWS's error table still
  // lists 416), on multipart and single-part objects alike.
  if (partNumber > sizes.length)
    throw new GatewayError(400, 'InvalidPartNumber', 'The requested partnumber is not satisfiable', {
      PartNumberRequested: String(partNumber),
      ActualPartCount: String(sizes.length),
    });
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  const size = sizes[partNumber - 1];
  return size > 0 ? { start, end: start + size - 1 } : undefined;
}

function sendPrecondition(r: S3Request, status: 304 | 412, etag: string, mtime: number): void {
  if (status === 304) return sendEmpty(r, 304, { ETag: `"${etag}"`, 'Last-Modified': new Date(mtime).toUTCString() });
  throw new GatewayError(412, 'PreconditionFailed', 'At least one of the preconditions you specified did not hold', {
    Condition: 'If-Match',
  });
}

// PUT /s3/BUCKET/KEY
export async function putObject(call: ObjectCall): Promise<void> {
  const { ctx, r, ref, key } = call;
  const md5 = contentMd5(r);
  const attrs = objectHeadersFromRequest(r.req);
  await writePreconditions(call);
  const { body, size, checksum } = takeVerifiedBody(r);
  const meta = await ctx.cluster.putObject(ref, key, body, { ...attrs, expectedMd5: md5, expectedSize: size });
  sendEmpty(r, 200, {
    ETag: `"${meta.etag}"`,
    ...checksum(),
    'Ais-Checksum-Type': meta.checksum.type,
    'Ais-Checksum-Value': meta.checksum.value,
  });
}

// PUT /s3/BUCKET/KEY with x-amz-copy-source (x-amz-metadata-directive, x-amz-copy-source-if-…)
export async function copyObject({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  const src = parseCopySource(String(r.req.headers['x-amz-copy-source']));
  const srcRef = await ctx.cluster.resolveBucket(src.bucket);
  const replace = String(r.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase() === 'REPLACE';
  const srcMeta = await ctx.cluster.headObject(srcRef, src.key);
  const pre = copyPreconditions(r.req, srcMeta.etag, srcMeta.mtime);
  if (pre) throw pre;
  if (!replace && srcRef.provider === ref.provider && srcRef.name === ref.name && src.key === key)
    throw new GatewayError(
      400,
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata",
    );
  takeBody(r).body.resume();
  const attrs = objectHeadersFromRequest(r.req);
  const meta = await ctx.cluster.copyObject(srcRef, src.key, ref, key, replace ? { ...attrs } : undefined);
  sendXml(r, 200, 'CopyObjectResult', [['LastModified', isoDate(meta.mtime)], ['ETag', `"${meta.etag}"`]]);
}

// DELETE /s3/BUCKET/KEY: deleting what is not there succeeds, as in S3
export async function deleteObject({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  try {
    await ctx.cluster.deleteObject(ref, key);
  } catch (e) {
    if (!(e instanceof GatewayError && e.code === 'NoSuchKey')) throw e;
  }
  return sendEmpty(r, 204);
}

// GET, HEAD /s3/BUCKET/KEY?tagging: objects here carry no tags
export async function getObjectTagging({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  await ctx.cluster.headObject(ref, key);
  return sendXml(r, 200, 'Tagging', [['TagSet', []]]);
}

// DELETE /s3/BUCKET/KEY?tagging
export async function deleteObjectTagging({ r }: ObjectCall): Promise<void> {
  return sendEmpty(r, 204);
}
