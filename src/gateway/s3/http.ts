// Request/response plumbing shared by the S3 routes: what a route is given, errors as S3 XML, headers,
// bodies, and the query and XML pieces several routes share.
import { fromEncodedWords } from '../../common/encodedwords';
import { fromHeaderBytes, toHeaderBytes } from '../../common/headerbytes';
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { Readable } from 'node:stream';
import type { RequestContext } from '../context';
import { answerAfterBody, errors, GatewayError } from '../errors';
import { MAX_PART_NUMBER } from '../store/multipart';
import type { BucketRef, ObjectMeta } from '../store/types';
import { AmzChecksumVerifier, requestedChecksum } from './checksums';
import { AwsChunkedDecoder, isAwsChunked } from './chunked';
import { chunkSigning, verifiedPayload } from '../payload';
import { xmlDocument, XmlNode } from './xml';

export interface S3Request {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  query: URLSearchParams;
  bucket?: string;
  key?: string;
  requestId: string;
  /** Set once the request body has been read (or handed to a reader). */
  bodyTaken: boolean;
}

/** What a route is given: the cluster to ask, and the request. */
export interface S3Call {
  ctx: RequestContext;
  r: S3Request;
}

/** A route on an existing bucket: its bare name resolved to its one bucket across providers. */
export interface BucketCall extends S3Call {
  ref: BucketRef;
}

export interface ObjectCall extends BucketCall {
  key: string;
}

/** The one user of this gateway, who owns every bucket and object. */
export const OWNER_ID = 'ais-buckets';
export const OWNER: XmlNode = ['Owner', [['ID', OWNER_ID], ['DisplayName', OWNER_ID]]];
export const isoDate = (ms: number) => new Date(ms).toISOString();

export function notImplemented(what: string): GatewayError {
  return new GatewayError(501, 'NotImplemented', `${what} is not implemented by this gateway`);
}

/** A listing's page size (max-keys, max-uploads, max-parts): at most `cap`, which is also the default. */
export function maxKeysOf(q: URLSearchParams, name = 'max-keys', cap = 1000): number {
  const v = q.get(name);
  if (v === null || v === '') return cap;
  if (!/^\d+$/.test(v)) throw errors.invalidArgument(`${name} must be a non-negative integer, not "${v}"`);
  return Math.min(Number(v), cap);
}

/** ?partNumber=N of UploadPart, and of GET/HEAD of one part of an object. */
export function partNumberOf(q: URLSearchParams): number {
  const v = q.get('partNumber') ?? '';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_PART_NUMBER)
    throw errors.invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}`);
  return Number(v);
}

// Unique per process and cheap: random bytes for every request cost ~10 µs of a 4 KB PUT.
const REQUEST_ID_BASE = crypto.randomBytes(4).readUInt32BE(0) * 2 ** 20;
let requestCount = 0;

export function newRequestId(): string {
  return (REQUEST_ID_BASE + ++requestCount).toString(16).toUpperCase().padStart(16, '0');
}

export function baseHeaders(r: S3Request): Record<string, string> {
  return { 'x-amz-request-id': r.requestId, 'x-amz-id-2': r.requestId, Server: 'AIS-Buckets' };
}

export function sendXml(r: S3Request, status: number, root: string, children: XmlNode[], extra: Record<string, string> = {}) {
  const body = xmlDocument(root, children);
  r.res.writeHead(status, {
    ...baseHeaders(r),
    'Content-Type': 'application/xml',
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
  });
  r.res.end(body);
}

export function sendEmpty(r: S3Request, status: number, extra: Record<string, string | number> = {}) {
  r.res.writeHead(status, { ...baseHeaders(r), 'Content-Length': '0', ...extra });
  r.res.end();
}

export function sendError(r: S3Request, err: unknown): void {
  const { res, req } = r;
  // The client went away (a killed upload): nobody is left to answer, and it is not a server fault.
  if (res.destroyed || req.socket?.destroyed) {
    res.destroy();
    return;
  }
  if (res.headersSent) {
    // Mid-stream failure: the only honest signal left is to cut the connection.
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const e =
    err instanceof GatewayError
      ? err
      : new GatewayError(500, 'InternalError', `We encountered an internal error: ${(err as Error)?.message ?? String(err)}`);
  if (e.status >= 500 && e.status !== 501) console.error(`[s3] ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
  const resource = r.bucket ? `/${r.bucket}${r.key !== undefined ? '/' + r.key : ''}` : '/';
  const body =
    req.method === 'HEAD'
      ? ''
      : xmlDocument(
          'Error',
          [
            ['Code', e.code],
            ['Message', e.message],
            ...Object.entries(e.extra).map(([k, v]) => [k, v] as XmlNode),
            ['Resource', resource],
            ['RequestId', r.requestId],
          ],
          false,
        );
  const headers: Record<string, string> = {
    ...baseHeaders(r),
    'Content-Type': 'application/xml',
    'Content-Length': String(Buffer.byteLength(body)),
  };
  const send = () => {
    if (res.destroyed) return;
    res.writeHead(e.status, headers);
    res.end(body);
  };
  if (!req.complete && hasBody(req)) {
    if (!r.bodyTaken && /100-continue/i.test(String(req.headers.expect ?? ''))) {
      // The client waits for a 100 Continue that will not come, so it will not send the body: the
      // connection cannot carry another request (Node closes it too).
      headers.Connection = 'close';
    } else {
      // The client is sending the body: read and drop the rest, so it gets to read this answer (closing
      // with unread bytes would reset the connection under it: EPIPE instead of the error) and the
      // connection stays usable for its next request.
      req.unpipe();
      return answerAfterBody(req, send);
    }
  }
  send();
}

function hasBody(req: http.IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The request body as the object's bytes: sends 100-continue if the client waits for it and decodes
 * aws-chunked framing. `size` is the decoded length when the client declared one.
 */
export function takeBody(r: S3Request): { body: Readable; size?: number; trailers?: Record<string, string> } {
  r.bodyTaken = true;
  const { req, res } = r;
  if (String(req.headers.expect ?? '').toLowerCase() === '100-continue') res.writeContinue();
  // Under credentials, checked against what the signature covers (../payload.ts); the request itself otherwise.
  const payload = verifiedPayload(req);
  if (isAwsChunked(req.headers)) {
    const decoded = req.headers['x-amz-decoded-content-length'];
    const decoder = new AwsChunkedDecoder(chunkSigning(req));
    payload.on('error', (e) => decoder.destroy(e));
    req.on('aborted', () => decoder.destroy(new GatewayError(400, 'IncompleteBody', 'The client closed the connection mid-body')));
    // A body only drained (.resume()) has no error listener: a bad chunk must not crash the gateway.
    decoder.on('error', () => undefined);
    return {
      body: payload.pipe(decoder),
      size: decoded !== undefined ? parseSize(String(decoded), 'x-amz-decoded-content-length') : undefined,
      trailers: decoder.trailers,
    };
  }
  if (payload !== req) payload.on('error', () => undefined); // as above
  const len = req.headers['content-length'];
  return { body: payload, size: len !== undefined ? parseSize(len, 'Content-Length') : undefined };
}

function parseSize(value: string, header: string): number {
  if (!/^\d{1,16}$/.test(value)) throw new GatewayError(400, 'InvalidArgument', `Invalid ${header}: "${value}"`);
  return Number(value);
}

/**
 * takeBody, checked against an additional S3 checksum (x-amz-checksum-* header or aws-chunked trailer)
 * when the client sent one: a mismatch fails the body at its end with BadDigest, so nothing is stored.
 * `checksum()` gives the header to echo once the body has been stored.
 */
export function takeVerifiedBody(r: S3Request): { body: Readable; size?: number; checksum(): Record<string, string> } {
  const taken = takeBody(r);
  const wanted = requestedChecksum(r.req.headers);
  if (!wanted) return { ...taken, checksum: () => ({}) };
  const verifier = new AmzChecksumVerifier(wanted.algorithm, () => wanted.header ?? taken.trailers?.[wanted.trailer!]);
  taken.body.on('error', (e) => verifier.destroy(e));
  taken.body.pipe(verifier);
  return {
    body: verifier,
    size: taken.size,
    checksum: () => (verifier.value ? { [`x-amz-checksum-${wanted.algorithm}`]: verifier.value } : {}),
  };
}

/** Reads a small request body (XML documents) with a hard cap. */
export async function readSmallBody(r: S3Request, limit = 8 * 1024 * 1024): Promise<string> {
  const { body } = takeBody(r);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new GatewayError(400, 'MaxMessageLengthExceeded', `The request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Content-MD5 (base64) as hex, or undefined. */
export function contentMd5(r: S3Request): string | undefined {
  const v = r.req.headers['content-md5'];
  if (v === undefined) return undefined;
  const raw = Buffer.from(String(v), 'base64');
  if (raw.length !== 16) throw new GatewayError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid');
  return raw.toString('hex');
}

// S3 clients send UTF-8 metadata values as raw bytes, or as RFC 2047 encoded words, which S3 decodes
// before it stores the value.
const fromMetadataHeader = (value: string) => fromEncodedWords(fromHeaderBytes(value));

const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

export function objectHeadersFromRequest(req: http.IncomingMessage): {
  contentType?: string;
  userMeta: Record<string, string>;
  headers: Record<string, string>;
} {
  const userMeta: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(',') : value;
    if (name.startsWith('x-amz-meta-')) userMeta[name.slice(11)] = fromMetadataHeader(v);
    else if (STORED_HEADERS.includes(name)) headers[name] = fromMetadataHeader(v);
  }
  // aws-chunked is transport framing, never part of the stored object.
  if (headers['content-encoding']) {
    const kept = headers['content-encoding']
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== 'aws-chunked');
    if (kept.length) headers['content-encoding'] = kept.join(', ');
    else delete headers['content-encoding'];
  }
  const ct = req.headers['content-type'];
  return { contentType: ct ? String(ct) : undefined, userMeta, headers };
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export function objectResponseHeaders(meta: ObjectMeta, query?: URLSearchParams): Record<string, string> {
  const h: Record<string, string> = {
    ETag: `"${meta.etag}"`,
    'Last-Modified': httpDate(meta.mtime),
    'Content-Type': meta.contentType || 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    // AIStore's own object attributes, handy for clients that verify downloads.
    'Ais-Checksum-Type': meta.checksum.type,
    'Ais-Checksum-Value': meta.checksum.value,
    'Ais-Version': meta.version,
  };
  for (const [name, value] of Object.entries(meta.headers ?? {})) h[name] = toHeaderBytes(value);
  for (const [name, value] of Object.entries(meta.userMeta)) h[`x-amz-meta-${name}`] = toHeaderBytes(value);
  if (meta.parts) h['x-amz-mp-parts-count'] = String(meta.parts);
  if (query) {
    const overrides: Record<string, string> = {
      'response-content-type': 'Content-Type',
      'response-content-language': 'Content-Language',
      'response-expires': 'Expires',
      'response-cache-control': 'Cache-Control',
      'response-content-disposition': 'Content-Disposition',
      'response-content-encoding': 'Content-Encoding',
    };
    for (const [param, header] of Object.entries(overrides)) {
      const v = query.get(param);
      if (v !== null) {
        for (const k of Object.keys(h)) if (k.toLowerCase() === header.toLowerCase()) delete h[k];
        h[header] = toHeaderBytes(v);
      }
    }
  }
  return h;
}

/** S3's encoding-type=url: percent-encode like AWS does, keeping '/' readable. */
export function urlEncodeKey(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/');
}
