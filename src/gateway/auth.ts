// Request authentication, one check before routing, for both APIs, when the gateway has credentials.
//
// S3 (/s3) and native (/v1) requests may be signed like S3 requests:
// - AWS Signature V4, in the Authorization header or as a presigned URL (X-Amz-* query). The canonical
//   request and signature are computed by @smithy/signature-v4 (what the AWS SDK signs with) from the
//   headers the client says it signed; we only parse the request and compare.
// - AWS Signature V2 (s3cmd's signature_v2 = True): HMAC-SHA1 over the V2 string to sign, header or
//   presigned (AWSAccessKeyId/Expires/Signature query).
// Native requests may instead carry `Authorization: Bearer <token>`, as AIStore clients send an AuthN
// token; the token is derived from the credentials (nativeToken below), so whoever holds the keys can
// compute it and nobody else can.
//
// The signature covers the payload hash the client declared (x-amz-content-sha256), not the body, which
// has not arrived yet. So an authenticated request leaves what its body must be checked against
// (payloadSigning): a hex SHA-256 the body must have, or for SigV4 streaming uploads the key and seed
// its chunk signatures chain from. The body readers (payload.ts, s3/http.ts takeBody) check it as the body streams.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { createScope, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { GatewayError } from './errors';
import { NodeSha256, uriEscape } from '../common/sigv4';
import { nativeToken } from '../common/token';

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** How far a request's date may be from ours (S3's limit). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

export { nativeToken };

const accessDenied = (message: string) => new GatewayError(403, 'AccessDenied', message);
// S3 names the access key in both (AWSAccessKeyId), so a client can say which key failed.
const mismatch = (key: string) =>
  new GatewayError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { AWSAccessKeyId: key });
const unknownKey = (key: string) =>
  new GatewayError(403, 'InvalidAccessKeyId', `The access key "${key}" does not exist in our records`, { AWSAccessKeyId: key });
const skewed = (date: Date) =>
  new GatewayError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
    RequestTime: date.toISOString(),
    ServerTime: new Date().toISOString(),
    MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
  });

/** Raw query → decoded pairs in order. S3 never treats '+' as a space, unlike form encoding. */
function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new GatewayError(400, 'InvalidURI', 'Could not parse the specified URI: bad percent-encoding');
      }
    };
    return eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))];
  });
}

/** S3's URI encoding: everything but unreserved characters, '/' kept. */
function s3Encode(path: string): string {
  return uriEscape(path).replace(/%2F/g, '/');
}

/** x-amz-date / X-Amz-Date (ISO 8601 basic) → Date. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
}

/**
 * Throws a GatewayError (403, or 400 for a malformed Authorization) unless the request is signed with
 * `creds` (or, for the native API, carries their Bearer token). On success, what the body must be
 * checked against is left for payloadSigning(req).
 */
export async function authenticate(req: http.IncomingMessage, creds: Credentials, api: 's3' | 'native'): Promise<void> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const query = parseQuery(q < 0 ? '' : raw.slice(q + 1));
  const auth = headerValue(req, 'authorization');
  const param = (name: string) => query.find(([k]) => k === name)?.[1];

  let v4: SignedV4 | undefined;
  if (auth?.startsWith('Bearer ')) {
    if (api !== 'native') throw accessDenied('Bearer tokens are accepted by the native API (/v1) only; sign S3 requests');
    if (!safeEqual(auth.slice(7).trim(), nativeToken(creds))) throw new GatewayError(401, 'AccessDenied', 'Invalid token');
  } else if (auth?.startsWith('AWS4-HMAC-SHA256 ')) v4 = await verifyV4Header(req, creds, auth, rawPath, query);
  else if (param('X-Amz-Algorithm') !== undefined || param('X-Amz-Signature') !== undefined) await verifyV4Query(req, creds, rawPath, query);
  else if (auth?.startsWith('AWS ')) verifyV2(req, creds, rawPath, query, auth.slice(4));
  else if (param('AWSAccessKeyId') !== undefined && param('Signature') !== undefined) verifyV2(req, creds, rawPath, query);
  else if (auth) throw new GatewayError(400, 'InvalidArgument', 'Unsupported Authorization type');
  else throw accessDenied('Anonymous access is forbidden: this gateway has credentials, sign your requests');
  const payload = await payloadCheck(req, creds, v4);
  if (payload) payloads.set(req, payload);
}

/** SHA-256 of no bytes. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What a signed streaming upload's chunks are checked with (built here from the verified request; s3/chunked.ts checks them). */
export interface ChunkSigning {
  /** The SigV4 signing key of the request's date, region and service. */
  key: Uint8Array;
  /** x-amz-date of the request (ISO 8601 basic). */
  amzDate: string;
  /** The credential scope: date/region/service/aws4_request. */
  scope: string;
  /** The request's signature, which the first chunk's signature chains from. */
  seed: string;
}

/** What a request's body must be checked against, once its signature has been verified. */
export interface PayloadSigning {
  /** Lowercase hex SHA-256 the whole body must have. */
  sha256?: string;
  /** SigV4 streaming upload: what each aws-chunked chunk signature is checked with. */
  chunks?: ChunkSigning;
}

const payloads = new WeakMap<http.IncomingMessage, PayloadSigning>();

/** Undefined when the body needs no check: no credentials, an unsigned payload, or no body hash declared. */
export function payloadSigning(req: http.IncomingMessage): PayloadSigning | undefined {
  return payloads.get(req);
}

/** A verified SigV4 header signature: what chunk signatures chain from. */
interface SignedV4 {
  signature: string;
  amzDate: string;
  scope: { date: string; region: string; service: string };
}

/**
 * x-amz-content-sha256 as S3 takes it: a hex SHA-256 is checked against the body (whatever signed the
 * request: V2 signs it as an x-amz- header, and a presigned URL may carry it), UNSIGNED-PAYLOAD and
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER are not, the signed STREAMING variants need a SigV4 header signature
 * to chain from. A SigV4 header request without it was signed with the empty body's hash.
 */
async function payloadCheck(req: http.IncomingMessage, creds: Credentials, v4: SignedV4 | undefined): Promise<PayloadSigning | undefined> {
  const declared = headerValue(req, 'x-amz-content-sha256');
  if (declared === undefined) return v4 ? { sha256: EMPTY_SHA256 } : undefined;
  if (/^[0-9a-fA-F]{64}$/.test(declared)) return { sha256: declared.toLowerCase() };
  switch (declared) {
    case 'UNSIGNED-PAYLOAD':
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return undefined;
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': {
      if (!v4) throw new GatewayError(400, 'InvalidRequest', `${declared} needs a request signed with AWS4-HMAC-SHA256 in the Authorization header (its chunk signatures chain from it)`);
      const { date, region, service } = v4.scope;
      const key = await getSigningKey(NodeSha256, { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey }, date, region, service);
      return { chunks: { key, amzDate: v4.amzDate, scope: createScope(date, region, service), seed: v4.signature } };
    }
    default:
      throw new GatewayError(
        400,
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], or the hex SHA-256 of the body',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: declared.slice(0, 80) },
      );
  }
}

function credentialScope(credential: string | undefined, creds: Credentials): { date: string; region: string; service: string } {
  const parts = (credential ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') throw new GatewayError(400, 'AuthorizationHeaderMalformed', `Invalid credential "${credential}"`);
  if (!safeEqual(parts[0], creds.accessKey)) throw unknownKey(parts[0]);
  return { date: parts[1], region: parts[2], service: parts[3] };
}

function checkSkew(date: Date): void {
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS) throw skewed(date);
}

/** The request as the signer sees it: only the signed headers count. */
function signable(req: http.IncomingMessage, rawPath: string, query: [string, string][], signed: string[]) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new GatewayError(400, 'InvalidURI', 'Could not parse the specified URI: bad percent-encoding');
  }
  const q: Record<string, string | string[]> = {};
  for (const [k, v] of query) {
    const prev = q[k];
    q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = headerValue(req, name);
    if (v !== undefined) headers[name] = v;
  }
  return new HttpRequest({ method: req.method ?? 'GET', protocol: 'http:', hostname: 'gateway', path: s3Encode(decoded), query: q, headers });
}

async function verifyV4Header(req: http.IncomingMessage, creds: Credentials, auth: string, rawPath: string, query: [string, string][]): Promise<SignedV4> {
  const fields = new Map(
    auth
      .slice('AWS4-HMAC-SHA256 '.length)
      .split(',')
      .map((f) => f.trim().split('=') as [string, string])
      .map(([k, ...v]) => [k, v.join('=')]),
  );
  const scope = credentialScope(fields.get('Credential'), creds);
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter(Boolean);
  const signature = fields.get('Signature') ?? '';
  if (!signedHeaders.length || !signature) throw new GatewayError(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
  if (!signedHeaders.includes('host')) throw accessDenied('SigV4 requests must sign the Host header');
  const amzDate = headerValue(req, 'x-amz-date') ?? '';
  const date = parseAmzDate(amzDate);
  if (!date) throw accessDenied('SigV4 requests need an x-amz-date header (ISO 8601 basic format)');
  if (date.toISOString().slice(0, 10).replace(/-/g, '') !== scope.date) throw mismatch(creds.accessKey);
  checkSkew(date);
  const unsignable = new Set(['x-amz-date', 'x-amz-content-sha256'].filter((h) => !signedHeaders.includes(h)));
  const signer = new SignatureV4({ credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey }, region: scope.region, service: scope.service, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  // s3cmd with host_base = "HOST:PORT/s3" signs the host as "HOST:PORT/s3" and the path without "/s3":
  // a second reading of the same request, tried only when the plain one does not match.
  const readings: { path: string; host?: string }[] = [{ path: rawPath }];
  if (rawPath === '/s3' || rawPath.startsWith('/s3/')) readings.push({ path: rawPath.slice(3) || '/', host: `${headerValue(req, 'host') ?? ''}/s3` });
  for (const reading of readings) {
    const request = signable(req, reading.path, query, signedHeaders);
    if (reading.host !== undefined) request.headers.host = reading.host;
    // The payload hash the client declared (it is part of what it signed); empty-body hash if none.
    const payload = headerValue(req, 'x-amz-content-sha256');
    if (payload !== undefined) request.headers['x-amz-content-sha256'] = payload;
    const signedReq = await signer.sign(request, {
      signingDate: date,
      signingRegion: scope.region,
      signingService: scope.service,
      signableHeaders: new Set(signedHeaders),
      unsignableHeaders: unsignable,
    });
    const expected = /Signature=([0-9a-f]+)/.exec(String(signedReq.headers.authorization))?.[1] ?? '';
    if (safeEqual(expected, signature)) return { signature, amzDate, scope };
  }
  throw mismatch(creds.accessKey);
}

async function verifyV4Query(req: http.IncomingMessage, creds: Credentials, rawPath: string, query: [string, string][]): Promise<void> {
  const get = (k: string) => query.find(([n]) => n === k)?.[1];
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw new GatewayError(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256');
  const scope = credentialScope(get('X-Amz-Credential'), creds);
  const date = parseAmzDate(get('X-Amz-Date'));
  const expires = Number(get('X-Amz-Expires'));
  const signedHeaders = (get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const signature = get('X-Amz-Signature') ?? '';
  if (!date || !Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS || !signedHeaders.includes('host') || !signature)
    throw new GatewayError(400, 'AuthorizationQueryParametersError', 'Presigned URL parameters are missing or malformed');
  if (date.toISOString().slice(0, 10).replace(/-/g, '') !== scope.date) throw mismatch(creds.accessKey);
  if (date.getTime() - Date.now() > MAX_SKEW_MS) throw skewed(date);
  if (Date.now() > date.getTime() + expires * 1000) throw accessDenied('Request has expired');
  const request = signable(
    req,
    rawPath,
    query.filter(([k]) => k !== 'X-Amz-Signature'),
    signedHeaders,
  );
  // Presigned URLs sign UNSIGNED-PAYLOAD; the header only tells the signer so and is not signed itself.
  request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signer = new SignatureV4({ credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey }, region: scope.region, service: scope.service, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const presigned = await signer.presign(request, {
    signingDate: date,
    expiresIn: expires,
    signingRegion: scope.region,
    signingService: scope.service,
    signableHeaders: new Set(signedHeaders),
    unsignableHeaders: new Set(['x-amz-content-sha256']),
    unhoistableHeaders: new Set(signedHeaders.filter((h) => h.startsWith('x-amz-')).concat('x-amz-content-sha256')),
  });
  if (!safeEqual(String(presigned.query?.['X-Amz-Signature'] ?? ''), signature)) throw mismatch(creds.accessKey);
}

/** Query parameters that are part of a V2 canonical resource (the S3 sub-resources). */
const V2_SUBRESOURCES = new Set([
  'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy', 'requestPayment',
  'restore', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires',
]);

function verifyV2(req: http.IncomingMessage, creds: Credentials, rawPath: string, query: [string, string][], header?: string): void {
  let key: string;
  let signature: string;
  let dateLine: string[];
  if (header !== undefined) {
    const colon = header.lastIndexOf(':');
    if (colon < 0) throw new GatewayError(400, 'InvalidArgument', 'AWS authorization header is invalid: expected AWS AccessKeyId:Signature');
    key = header.slice(0, colon).trim();
    signature = header.slice(colon + 1).trim();
    const amzDate = headerValue(req, 'x-amz-date');
    const dateHeader = headerValue(req, 'date');
    const when = new Date(amzDate ?? dateHeader ?? NaN);
    if (isNaN(when.getTime())) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    checkSkew(when);
    // With x-amz-date the Date line is empty (s3cmd, boto); some clients send both. Either is signed.
    dateLine = [...new Set([dateHeader ?? '', ''])];
  } else {
    key = query.find(([k]) => k === 'AWSAccessKeyId')![1];
    signature = query.find(([k]) => k === 'Signature')![1];
    const expires = query.find(([k]) => k === 'Expires')?.[1] ?? '';
    if (!/^\d+$/.test(expires)) throw accessDenied('Presigned V2 URLs need Expires');
    if (Date.now() / 1000 > Number(expires)) throw accessDenied('Request has expired');
    dateLine = [expires];
  }
  if (!safeEqual(key, creds.accessKey)) throw unknownKey(key);
  const amz = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${headerValue(req, h)!.trim()}\n`)
    .join('');
  const sub = query
    .filter(([k]) => V2_SUBRESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const subStr = sub.length ? `?${sub.join('&')}` : '';
  // The resource as signed: clients configured with host ".../s3" sign the path without the /s3 prefix
  // (s3cmd) or with it; encoded as sent or decoded. Each candidate is an HMAC with the secret.
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    /* compared as sent */
  }
  const paths = new Set<string>();
  for (const p of [rawPath, decoded, s3Encode(decoded)]) {
    paths.add(p);
    if (p === '/s3' || p.startsWith('/s3/')) paths.add(p.slice(3) || '/');
  }
  const base = `${req.method}\n${headerValue(req, 'content-md5') ?? ''}\n${headerValue(req, 'content-type') ?? ''}\n`;
  for (const d of dateLine) {
    for (const p of paths) {
      const expected = crypto.createHmac('sha1', creds.secretKey).update(`${base}${d}\n${amz}${p}${subStr}`, 'utf8').digest('base64');
      if (safeEqual(expected, signature)) return;
    }
  }
  throw mismatch(creds.accessKey);
}
