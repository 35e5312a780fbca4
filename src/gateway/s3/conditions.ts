// Conditional requests: the preconditions of a read (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since), of a write (S3's conditional PutObject and CompleteMultipartUpload), and of a copy
// (x-amz-copy-source-if-…), with the copy source they apply to.
import type * as http from 'node:http';
import { errors, GatewayError } from '../errors';
import type { ObjectMeta } from '../store/types';
import { notImplemented, ObjectCall } from './http';

/** RFC 7232 precondition evaluation: 304/412 or undefined to go on. */
export function checkPreconditions(req: http.IncomingMessage, meta: ObjectMeta): 304 | 412 | undefined {
  const etag = `"${meta.etag}"`;
  const lastModified = Math.floor(meta.mtime / 1000) * 1000;
  const matches = (list: string) =>
    list.split(',').some((t) => {
      const v = t.trim().replace(/^W\//, '');
      return v === '*' || v === etag || v === meta.etag;
    });
  const ifMatch = req.headers['if-match'];
  const ifUnmodified = req.headers['if-unmodified-since'];
  const ifNoneMatch = req.headers['if-none-match'];
  const ifModified = req.headers['if-modified-since'];
  if (ifMatch !== undefined) {
    if (!matches(ifMatch)) return 412;
  } else if (ifUnmodified !== undefined) {
    const t = Date.parse(ifUnmodified);
    if (!isNaN(t) && lastModified > t) return 412;
  }
  if (ifNoneMatch !== undefined) {
    if (matches(ifNoneMatch)) return 304;
  } else if (ifModified !== undefined) {
    const t = Date.parse(ifModified);
    if (!isNaN(t) && lastModified <= t) return 304;
  }
  return undefined;
}

/**
 * S3 conditional writes (PutObject, CompleteMultipartUpload): `If-None-Match: *` only creates, `If-Match`
 * only replaces that version. Checked before the write, not atomically with it: two writers racing on
 * one key can both pass.
 */
export async function writePreconditions({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  const ifNoneMatch = r.req.headers['if-none-match'];
  const ifMatch = r.req.headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  let current: { etag: string } | undefined;
  try {
    current = await ctx.cluster.headObject(ref, key);
  } catch (e) {
    if (!(e instanceof GatewayError && e.code === 'NoSuchKey')) throw e;
  }
  const failed = (condition: string) =>
    new GatewayError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
  if (ifNoneMatch !== undefined) {
    if (String(ifNoneMatch).trim() !== '*') throw notImplemented('If-None-Match other than "*" on writes');
    if (current) throw failed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (!current) throw errors.noSuchKey(ref.name, key);
    const wanted = String(ifMatch)
      .split(',')
      .map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
    if (!wanted.includes('*') && !wanted.includes(current.etag)) throw failed('If-Match');
  }
}

/** x-amz-copy-source: "[/]bucket/key[?versionId=…]", percent-encoded (CopyObject, UploadPartCopy). */
export function parseCopySource(header: string): { bucket: string; key: string } {
  let src = header.split('?', 1)[0];
  try {
    src = decodeURIComponent(src);
  } catch {
    throw errors.invalidArgument('x-amz-copy-source has bad percent-encoding');
  }
  src = src.replace(/^\//, '');
  const slash = src.indexOf('/');
  if (slash <= 0 || slash === src.length - 1)
    throw errors.invalidArgument('x-amz-copy-source must be "bucket/key"');
  return { bucket: src.slice(0, slash), key: src.slice(slash + 1) };
}

/** The x-amz-copy-source-if-… headers, read as a GET's preconditions on the source: the 412 to answer, if any. */
export function copyPreconditions(req: http.IncomingMessage, etag: string, mtime: number): GatewayError | undefined {
  const fake = {
    headers: {
      'if-match': req.headers['x-amz-copy-source-if-match'],
      'if-none-match': req.headers['x-amz-copy-source-if-none-match'],
      'if-modified-since': req.headers['x-amz-copy-source-if-modified-since'],
      'if-unmodified-since': req.headers['x-amz-copy-source-if-unmodified-since'],
    },
  } as unknown as http.IncomingMessage;
  const pre = checkPreconditions(fake, { etag, mtime } as never);
  return pre ? new GatewayError(412, 'PreconditionFailed', 'At least one of the copy-source preconditions did not hold') : undefined;
}
