// Errors of the native API as AIStore answers them (cmn/err.go ErrHTTP): JSON {tcode, message, method,
// url_path, remote_addr, caller, node, status} with the HTTP status; for HEAD the JSON goes in the
// `Hdr-Error` header and the body stays empty. Messages follow AIStore's: bucket "ais://b" does not exist
// (ErrBckNotFound), t[ID]: ais://b/o does not exist (ErrNotFound), bucket "ais://b" already exists
// (ErrBucketAlreadyExists), BAD DATA CHECKSUM: ...
import type * as http from 'node:http';
import { bucketCname, HDR } from '../../common/aisapi';
import { nodeName } from '../cluster/nodes';
import type { RequestContext } from '../context';
import { GatewayError } from '../errors';
import { ArchiveError } from '../../common/archive/formats';
import { RangeNotSatisfiable } from '../range';
import type { BucketRef, Provider } from '../store/types';
import { headerJson } from './wire';

/** What an error happened to, so its message can name it the way AIStore does. */
export interface Subject {
  bucket?: BucketRef;
  key?: string;
}

/** An error raised with AIStore's own type code (cmn/err.go `tcode`). */
export class NativeError extends GatewayError {
  constructor(
    status: number,
    readonly tcode: string,
    message: string,
  ) {
    super(status, tcode, message);
  }
}

export const badRequest = (message: string) => new NativeError(400, '', message);
export const notImplemented = (what: string) => new NativeError(501, 'ErrNotImpl', `${what} is not implemented by the AIS Buckets gateway`);

export function methodNotAllowed(method: string, allowed: string[]): NativeError {
  return new NativeError(405, '', `method ${method} is not allowed here (expecting ${allowed.join(', ')})`);
}

/** A gateway error (the S3 codes both APIs raise) in AIStore's words. */
export function toNative(ctx: RequestContext, e: unknown, subject: Subject): { status: number; tcode: string; message: string } {
  if (e instanceof NativeError || e instanceof ArchiveError) return { status: e.status, tcode: e.tcode, message: e.message };
  if (!(e instanceof GatewayError)) {
    const err = e as Error;
    return { status: 500, tcode: '', message: err?.message ?? String(e) };
  }
  const b = subject.bucket;
  switch (e.code) {
    case 'NoSuchBucket': {
      const ref = b ?? { provider: 'ais' as Provider, name: e.extra.BucketName ?? '' };
      if (ref.provider === 'ais') return { status: 404, tcode: 'ErrBckNotFound', message: `bucket "${bucketCname(ref)}" does not exist` };
      return { status: 404, tcode: 'ErrRemoteBckNotFound', message: `${ref.provider} bucket "${bucketCname(ref)}" does not exist` };
    }
    case 'NoSuchKey':
      return {
        status: 404,
        tcode: 'ErrNotFound',
        message: `${nodeName(ctx.info, 'target')}: ${b ? bucketCname(b) : ''}/${subject.key ?? e.extra.Key ?? ''} does not exist`,
      };
    case 'BucketAlreadyOwnedByYou':
    case 'BucketAlreadyExists':
      if (b && e.code === 'BucketAlreadyOwnedByYou')
        return { status: 409, tcode: 'ErrBucketAlreadyExists', message: `bucket "${bucketCname(b)}" already exists` };
      return { status: e.status, tcode: 'ErrBucketAlreadyExists', message: e.message };
    case 'BadDigest':
      return {
        status: e.status,
        tcode: 'ErrBadCksum',
        message: e.message.startsWith('BAD DATA CHECKSUM') ? e.message : `BAD DATA CHECKSUM: ${e.message}`,
      };
    case 'InvalidRange':
      return { status: 416, tcode: 'ErrRangeNotSatisfiable', message: e.message };
    default:
      return { status: e.status, tcode: e.message.startsWith('BAD DATA CHECKSUM') ? 'ErrBadCksum' : '', message: e.message };
  }
}

/** cmn/err.go ErrHTTP.write: JSON body, or for HEAD the same JSON in `Hdr-Error` and no body. */
export function sendError(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, e: unknown, subject: Subject): void {
  const { status, tcode, message } = toNative(ctx, e, subject);
  const body: Record<string, unknown> = {};
  if (tcode) body.tcode = tcode;
  Object.assign(body, {
    message,
    method: req.method,
    url_path: (req.url ?? '/').split('?', 1)[0],
    remote_addr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
    caller: '',
    node: nodeName(ctx.info, ctx.role),
    status,
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' };
  if (status === 416 && e instanceof RangeNotSatisfiable) headers['Content-Range'] = `bytes */${e.size}`;
  if (req.method === 'HEAD') {
    headers[HDR.error] = headerJson(body);
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = headerJson(body);
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Typed reads of an action message's fields (Go's json.Unmarshal into a struct): absent or null is the zero
 * value, any other type is a 400 that names the action and the field.
 */
export function msgFields(action: string, v: Record<string, unknown>) {
  const given = (k: string) => v[k] !== undefined && v[k] !== null;
  return {
    str(k: string): string {
      if (given(k) && typeof v[k] !== 'string') throw badRequest(`${action}: "${k}" must be a string`);
      return (v[k] as string | undefined) ?? '';
    },
    bool(k: string): boolean {
      if (given(k) && typeof v[k] !== 'boolean') throw badRequest(`${action}: "${k}" must be true or false`);
      return v[k] === true;
    },
    /** An integer in [min, max]; absent is 0. */
    int(k: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
      if (!given(k)) return 0;
      const x = v[k];
      if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) throw badRequest(`${action}: invalid ${k}=${JSON.stringify(x)}`);
      return x;
    },
  };
}
