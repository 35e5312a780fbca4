// The S3 API under /s3, path-style: /s3, /s3/BUCKET, /s3/BUCKET/KEY.
// Signatures, when the gateway has credentials, are verified before routing (../auth.ts); request bodies
// are checked against the signed payload hash or chunk signatures as they stream (takeBody, ../payload.ts).
import type * as http from 'node:http';
import { sendBody } from '../store/filebody';
import { GatewayError, errors } from '../errors';
import type { RequestContext } from '../context';
import { parseRange } from '../range';
import { validateBucketName } from '../store/keys';
import { MAX_PART_NUMBER } from '../store/multipart';
import type { BucketRef, ByteRange, OpenedObject } from '../store/types';
import { checkPresignedWindow } from './presign';
import {
  checkPreconditions,
  contentMd5,
  newRequestId,
  objectHeadersFromRequest,
  objectResponseHeaders,
  readSmallBody,
  S3Request,
  sendEmpty,
  sendError,
  sendXml,
  takeBody,
  takeVerifiedBody,
  urlEncodeKey,
} from './http';
import { parseXml, XmlNode } from './xml';

const OWNER_ID = 'ais-buckets';
const OWNER: XmlNode = ['Owner', [['ID', OWNER_ID], ['DisplayName', OWNER_ID]]];
const isoDate = (ms: number) => new Date(ms).toISOString();

export function handleS3(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const r: S3Request = {
    req,
    res,
    method: req.method ?? 'GET',
    query: new URLSearchParams(),
    requestId: newRequestId(),
    bodyTaken: false,
  };
  route(ctx, r).catch((e) => sendError(r, e));
}

async function route(ctx: RequestContext, r: S3Request): Promise<void> {
  const raw = r.req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  r.query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  checkPresignedWindow(r.query);
  // '/s3' or '/s3/' is the service; then the bucket up to the next '/', then the key (may hold '/').
  const rest = path.slice(3).replace(/^\//, '');
  if (rest === '') return serviceOp(ctx, r);
  const slash = rest.indexOf('/');
  try {
    r.bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    if (slash >= 0 && slash < rest.length - 1) r.key = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    throw new GatewayError(400, 'InvalidURI', 'Could not parse the specified URI: bad percent-encoding');
  }
  if (r.key === undefined) return bucketOp(ctx, r);
  return objectOp(ctx, r);
}

/**
 * A bare S3 bucket name must name exactly one bucket across providers (AIStore's rule for S3 clients):
 * an ais bucket, or a bucket of the remote S3 service behind the `aws` provider. Two of one name are
 * ambiguous (404 AmbiguousBucketName, as AIStore answers).
 */
export function resolveBucket(ctx: RequestContext, name: string): Promise<BucketRef> {
  return ctx.cluster.resolveBucket(name);
}

// ------------------------------------------------------------------ service

async function serviceOp(ctx: RequestContext, r: S3Request): Promise<void> {
  if (r.method !== 'GET' && r.method !== 'HEAD')
    throw new GatewayError(405, 'MethodNotAllowed', `${r.method} is not allowed on the service`);
  const buckets = await ctx.cluster.listBuckets();
  sendXml(r, 200, 'ListAllMyBucketsResult', [
    OWNER,
    ['Buckets', buckets.map((b): XmlNode => ['Bucket', [['Name', b.ref.name], ['CreationDate', isoDate(b.created ?? 0)]]])],
  ]);
}

// ------------------------------------------------------------------ buckets

const NOT_CONFIGURED: Record<string, [string, string]> = {
  policy: ['NoSuchBucketPolicy', 'The bucket policy does not exist'],
  cors: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
  lifecycle: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
  tagging: ['NoSuchTagSet', 'The TagSet does not exist'],
  website: ['NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'],
  encryption: ['ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found'],
  'object-lock': ['ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'],
  ownershipControls: ['OwnershipControlsNotFoundError', 'The bucket ownership controls were not found'],
  replication: ['ReplicationConfigurationNotFoundError', 'The replication configuration was not found'],
};

function aclPolicy(): XmlNode[] {
  return [
    OWNER,
    [
      'AccessControlList',
      [
        [
          'Grant',
          [
            ['Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"', [['ID', 'ais-buckets'], ['DisplayName', 'ais-buckets']]],
            ['Permission', 'FULL_CONTROL'],
          ],
        ],
      ],
    ],
  ];
}

async function bucketOp(ctx: RequestContext, r: S3Request): Promise<void> {
  const name = r.bucket!;
  const q = r.query;
  switch (r.method) {
    case 'PUT': {
      if (q.has('acl')) {
        await resolveBucket(ctx, name);
        await putAcl(r);
        return sendEmpty(r, 200);
      }
      if (q.has('policy') || q.has('cors') || q.has('tagging') || q.has('lifecycle') || q.has('versioning'))
        throw notImplemented('bucket configuration');
      validateBucketName(name);
      await readSmallBody(r, 64 * 1024); // optional CreateBucketConfiguration: regions do not apply here
      await ctx.cluster.createBucket({ provider: 'ais', name }, {}, { unique: true });
      return sendEmpty(r, 200, { Location: `/${name}` });
    }
    case 'HEAD': {
      await resolveBucket(ctx, name);
      return sendEmpty(r, 200, { 'x-amz-bucket-region': 'us-east-1' });
    }
    case 'DELETE': {
      const ref = await resolveBucket(ctx, name);
      for (const sub of ['policy', 'cors', 'tagging', 'lifecycle', 'website', 'encryption']) if (q.has(sub)) return sendEmpty(r, 204);
      await ctx.cluster.deleteBucket(ref);
      return sendEmpty(r, 204);
    }
    case 'POST': {
      const ref = await resolveBucket(ctx, name);
      if (q.has('delete')) return deleteObjects(ctx, r, ref);
      throw notImplemented('POST on a bucket other than ?delete');
    }
    case 'GET': {
      const ref = await resolveBucket(ctx, name);
      if (q.has('location'))
        return sendXml(r, 200, 'LocationConstraint', []);
      if (q.has('acl')) return sendXml(r, 200, 'AccessControlPolicy', aclPolicy());
      if (q.has('versioning')) return sendXml(r, 200, 'VersioningConfiguration', []);
      if (q.has('logging')) return sendXml(r, 200, 'BucketLoggingStatus', []);
      if (q.has('notification')) return sendXml(r, 200, 'NotificationConfiguration', []);
      if (q.has('requestPayment')) return sendXml(r, 200, 'RequestPaymentConfiguration', [['Payer', 'BucketOwner']]);
      if (q.has('accelerate')) return sendXml(r, 200, 'AccelerateConfiguration', []);
      for (const [sub, [code, message]] of Object.entries(NOT_CONFIGURED))
        if (q.has(sub)) throw new GatewayError(404, code, message, { BucketName: name });
      if (q.has('uploads')) return listUploads(ctx, r, ref);
      if (q.has('versions')) throw notImplemented('ListObjectVersions');
      if (q.get('list-type') === '2') return listObjectsV2(ctx, r, ref);
      return listObjectsV1(ctx, r, ref);
    }
    default:
      throw new GatewayError(405, 'MethodNotAllowed', `${r.method} is not allowed on a bucket`);
  }
}

/**
 * PutBucketAcl/PutObjectAcl. The gateway has one user who owns everything, so the only ACL it can honour
 * is "owner has FULL_CONTROL" (canned `private`, or the policy GET ?acl returns, which `s3cmd cp`/`mv`
 * write back after copying). Anything that grants to others is refused with 501, which s3cmd tolerates.
 */
async function putAcl(r: S3Request): Promise<void> {
  const h = r.req.headers;
  const canned = h['x-amz-acl'];
  if (canned !== undefined && String(canned) !== 'private') throw notImplemented(`the canned ACL "${String(canned)}"`);
  if (Object.keys(h).some((name) => name.startsWith('x-amz-grant-'))) throw notImplemented('ACL grants to other users');
  const text = await readSmallBody(r, 64 * 1024);
  if (!text.trim()) return;
  const policy = parseXml(text).AccessControlPolicy as { AccessControlList?: { Grant?: unknown } } | undefined;
  if (!policy || typeof policy !== 'object') throw new GatewayError(400, 'MalformedACLError', 'Expected an <AccessControlPolicy> document');
  const grant = policy.AccessControlList?.Grant;
  const grants = (Array.isArray(grant) ? grant : grant === undefined ? [] : [grant]) as { Grantee?: { ID?: unknown }; Permission?: unknown }[];
  for (const g of grants) {
    if (String(g?.Permission ?? '').trim() !== 'FULL_CONTROL' || String(g?.Grantee?.ID ?? '').trim() !== OWNER_ID)
      throw notImplemented('ACL grants to other users');
  }
}

function notImplemented(what: string): GatewayError {
  return new GatewayError(501, 'NotImplemented', `${what} is not implemented by this gateway`);
}

function maxKeysOf(q: URLSearchParams, name = 'max-keys', cap = 1000): number {
  const v = q.get(name);
  if (v === null || v === '') return cap;
  if (!/^\d+$/.test(v)) throw errors.invalidArgument(`${name} must be a non-negative integer, not "${v}"`);
  return Math.min(Number(v), cap);
}

async function listObjectsV1(ctx: RequestContext, r: S3Request, ref: BucketRef): Promise<void> {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = maxKeysOf(q);
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? urlEncodeKey(s) : s);
  const page = await ctx.cluster.listObjects(ref, { prefix, delimiter, startAfter: marker || undefined, maxKeys });
  sendXml(r, 200, 'ListBucketResult', [
    ['Name', ref.name],
    ['Prefix', enc(prefix)],
    ['Marker', enc(marker)],
    ['MaxKeys', maxKeys],
    delimiter ? ['Delimiter', enc(delimiter)] : undefined,
    url ? ['EncodingType', 'url'] : undefined,
    ['IsTruncated', page.isTruncated],
    page.isTruncated && page.last !== undefined ? ['NextMarker', enc(page.last)] : undefined,
    ...page.objects.map((o): XmlNode => ['Contents', [
      ['Key', enc(o.key)],
      ['LastModified', isoDate(o.mtime)],
      ['ETag', `"${o.etag}"`],
      ['Size', o.size],
      OWNER,
      ['StorageClass', 'STANDARD'],
    ]]),
    ...page.commonPrefixes.map((p): XmlNode => ['CommonPrefixes', [['Prefix', enc(p)]]]),
  ]);
}

const encodeToken = (last: string) => Buffer.from(last, 'utf8').toString('base64url');
function decodeToken(token: string): string {
  const last = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || encodeToken(last) !== token) throw errors.invalidArgument('The continuation token provided is incorrect');
  return last;
}

async function listObjectsV2(ctx: RequestContext, r: S3Request, ref: BucketRef): Promise<void> {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after') ?? '';
  const token = q.get('continuation-token');
  const maxKeys = maxKeysOf(q);
  const fetchOwner = q.get('fetch-owner') === 'true';
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? urlEncodeKey(s) : s);
  // The token is the last key (or common prefix) returned: the next page seeks straight to it.
  const from = token !== null ? decodeToken(token) : startAfter || undefined;
  const page = await ctx.cluster.listObjects(ref, { prefix, delimiter, startAfter: from, maxKeys });
  sendXml(r, 200, 'ListBucketResult', [
    ['Name', ref.name],
    ['Prefix', enc(prefix)],
    delimiter ? ['Delimiter', enc(delimiter)] : undefined,
    ['MaxKeys', maxKeys],
    url ? ['EncodingType', 'url'] : undefined,
    ['KeyCount', page.objects.length + page.commonPrefixes.length],
    ['IsTruncated', page.isTruncated],
    token !== null ? ['ContinuationToken', token] : undefined,
    page.isTruncated && page.last !== undefined ? ['NextContinuationToken', encodeToken(page.last)] : undefined,
    startAfter ? ['StartAfter', enc(startAfter)] : undefined,
    ...page.objects.map((o): XmlNode => ['Contents', [
      ['Key', enc(o.key)],
      ['LastModified', isoDate(o.mtime)],
      ['ETag', `"${o.etag}"`],
      ['Size', o.size],
      fetchOwner ? OWNER : undefined,
      ['StorageClass', 'STANDARD'],
    ]]),
    ...page.commonPrefixes.map((p): XmlNode => ['CommonPrefixes', [['Prefix', enc(p)]]]),
  ]);
}

async function deleteObjects(ctx: RequestContext, r: S3Request, ref: BucketRef): Promise<void> {
  const doc = parseXml(await readSmallBody(r));
  const del = doc.Delete as { Object?: { Key?: unknown }[]; Quiet?: unknown } | undefined;
  if (!del || typeof del !== 'object') throw new GatewayError(400, 'MalformedXML', 'Expected a <Delete> document');
  const objects = del.Object ?? [];
  if (objects.length > 1000) throw new GatewayError(400, 'MalformedXML', 'At most 1000 keys can be deleted in one request');
  const quiet = String(del.Quiet ?? '').trim() === 'true';
  const results: XmlNode[] = [];
  for (const o of objects) {
    const key = typeof o?.Key === 'string' ? o.Key : o?.Key === undefined ? undefined : String(o.Key);
    if (key === undefined) throw new GatewayError(400, 'MalformedXML', 'Every <Object> needs a <Key>');
    try {
      await ctx.cluster.deleteObject(ref, key);
      if (!quiet) results.push(['Deleted', [['Key', key]]]);
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'NoSuchKey') {
        if (!quiet) results.push(['Deleted', [['Key', key]]]); // S3: deleting what is not there succeeds
      } else {
        const ge = e instanceof GatewayError ? e : new GatewayError(500, 'InternalError', String((e as Error).message));
        results.push(['Error', [['Key', key], ['Code', ge.code], ['Message', ge.message]]]);
      }
    }
  }
  sendXml(r, 200, 'DeleteResult', results);
}

async function listUploads(ctx: RequestContext, r: S3Request, ref: BucketRef): Promise<void> {
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
      ['Initiator', [['ID', 'ais-buckets'], ['DisplayName', 'ais-buckets']]],
      OWNER,
      ['StorageClass', 'STANDARD'],
      ['Initiated', isoDate(u.initiated)],
    ]]),
  ]);
}

// ------------------------------------------------------------------ objects

async function objectOp(ctx: RequestContext, r: S3Request): Promise<void> {
  const q = r.query;
  const ref = await resolveBucket(ctx, r.bucket!);
  const key = r.key!;
  switch (r.method) {
    case 'GET':
    case 'HEAD':
      if (q.has('acl')) {
        await ctx.cluster.headObject(ref, key);
        return sendXml(r, 200, 'AccessControlPolicy', aclPolicy());
      }
      if (q.has('tagging')) {
        await ctx.cluster.headObject(ref, key);
        return sendXml(r, 200, 'Tagging', [['TagSet', []]]);
      }
      if (q.has('uploadId')) return listParts(ctx, r, ref, key);
      return getObject(ctx, r, ref, key);
    case 'PUT':
      if (q.has('acl')) {
        await ctx.cluster.headObject(ref, key);
        await putAcl(r);
        return sendEmpty(r, 200);
      }
      if (q.has('tagging') || q.has('retention') || q.has('legal-hold')) throw notImplemented('object configuration');
      if (q.has('uploadId') || q.has('partNumber')) return uploadPart(ctx, r, ref, key);
      if (r.req.headers['x-amz-copy-source'] !== undefined) return copyObject(ctx, r, ref, key);
      return putObject(ctx, r, ref, key);
    case 'DELETE':
      if (q.has('uploadId')) {
        await ctx.cluster.abortUpload(ref, q.get('uploadId')!);
        return sendEmpty(r, 204);
      }
      if (q.has('tagging')) return sendEmpty(r, 204);
      try {
        await ctx.cluster.deleteObject(ref, key);
      } catch (e) {
        if (!(e instanceof GatewayError && e.code === 'NoSuchKey')) throw e;
      }
      return sendEmpty(r, 204);
    case 'POST':
      if (q.has('uploads')) return createUpload(ctx, r, ref, key);
      if (q.has('uploadId')) return completeUpload(ctx, r, ref, key);
      throw notImplemented('POST on an object other than multipart uploads');
    default:
      throw new GatewayError(405, 'MethodNotAllowed', `${r.method} is not allowed on an object`);
  }
}

async function putObject(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
  const md5 = contentMd5(r);
  const attrs = objectHeadersFromRequest(r.req);
  await writePreconditions(ctx, r, ref, key);
  const { body, size, checksum } = takeVerifiedBody(r);
  const meta = await ctx.cluster.putObject(ref, key, body, { ...attrs, expectedMd5: md5, expectedSize: size });
  sendEmpty(r, 200, {
    ETag: `"${meta.etag}"`,
    ...checksum(),
    'Ais-Checksum-Type': meta.checksum.type,
    'Ais-Checksum-Value': meta.checksum.value,
  });
}

/**
 * The bytes of part N of an object (S3's GET/HEAD ?partNumber=N): a multipart object's parts as completed,
 * a single-part object has just part 1. Undefined means the whole object (an empty one).
 */
function partByteRange(meta: { size: number; partSizes?: number[] }, partNumber: number): ByteRange | undefined {
  const sizes = meta.partSizes && meta.partSizes.reduce((a, b) => a + b, 0) === meta.size ? meta.partSizes : [meta.size];
  if (partNumber > sizes.length)
    throw new GatewayError(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable', {
      PartNumberRequested: String(partNumber),
      ActualPartCount: String(sizes.length),
    });
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  const size = sizes[partNumber - 1];
  return size > 0 ? { start, end: start + size - 1 } : undefined;
}

async function getObject(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
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
  r.res.writeHead(status, { ...headersWithId(r), ...headers, 'Content-Length': String(length) });
  try {
    await sendBody(stream, r.res);
  } catch (e) {
    // The client went away or the disk failed mid-body: nothing more can be said to the client.
    if (!r.res.destroyed) r.res.destroy(e as Error);
  }
}

/**
 * S3 conditional writes (PutObject, CompleteMultipartUpload): `If-None-Match: *` only creates, `If-Match`
 * only replaces that version. Checked before the write, not atomically with it: two writers racing on
 * one key can both pass.
 */
async function writePreconditions(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
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

function headersWithId(r: S3Request): Record<string, string> {
  return { 'x-amz-request-id': r.requestId, 'x-amz-id-2': r.requestId, Server: 'AIS-Buckets' };
}

function sendPrecondition(r: S3Request, status: 304 | 412, etag: string, mtime: number): void {
  if (status === 304) return sendEmpty(r, 304, { ETag: `"${etag}"`, 'Last-Modified': new Date(mtime).toUTCString() });
  throw new GatewayError(412, 'PreconditionFailed', 'At least one of the preconditions you specified did not hold', {
    Condition: 'If-Match',
  });
}

function parseCopySource(header: string): { bucket: string; key: string } {
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

async function copyObject(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
  const src = parseCopySource(String(r.req.headers['x-amz-copy-source']));
  const srcRef = await resolveBucket(ctx, src.bucket);
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

function copyPreconditions(req: http.IncomingMessage, etag: string, mtime: number): GatewayError | undefined {
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

// ------------------------------------------------------------------ multipart

async function createUpload(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
  const attrs = objectHeadersFromRequest(r.req);
  takeBody(r).body.resume();
  const up = await ctx.cluster.createUpload(ref, key, attrs);
  sendXml(r, 200, 'InitiateMultipartUploadResult', [['Bucket', ref.name], ['Key', key], ['UploadId', up.uploadId]]);
}

function partNumberOf(q: URLSearchParams): number {
  const v = q.get('partNumber') ?? '';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_PART_NUMBER)
    throw errors.invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}`);
  return Number(v);
}

async function uploadPart(ctx: RequestContext, r: S3Request, ref: BucketRef, _key: string): Promise<void> {
  const uploadId = r.query.get('uploadId');
  if (!uploadId) throw errors.invalidArgument('UploadPart needs uploadId');
  const partNumber = partNumberOf(r.query);
  const copySource = r.req.headers['x-amz-copy-source'];
  if (copySource !== undefined) {
    // UploadPartCopy: the part's bytes come from an existing object (optionally a range of it).
    const src = parseCopySource(String(copySource));
    const srcRef = await resolveBucket(ctx, src.bucket);
    const rangeHeader = r.req.headers['x-amz-copy-source-range'];
    takeBody(r).body.resume();
    const { stream, meta } = await ctx.cluster.getObject(srcRef, src.key, (size) =>
      rangeHeader ? parseRange(String(rangeHeader), size, 's3') : undefined,
    );
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

async function completeUpload(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
  const uploadId = r.query.get('uploadId')!;
  const doc = parseXml(await readSmallBody(r));
  const root = doc.CompleteMultipartUpload as { Part?: { PartNumber?: unknown; ETag?: unknown }[] } | undefined;
  if (!root || typeof root !== 'object') throw new GatewayError(400, 'MalformedXML', 'Expected a <CompleteMultipartUpload> document');
  const parts = (root.Part ?? []).map((p) => {
    const n = String(p?.PartNumber ?? '').trim();
    if (!/^\d+$/.test(n)) throw new GatewayError(400, 'MalformedXML', 'Every <Part> needs a numeric <PartNumber>');
    return { partNumber: Number(n), etag: String(p?.ETag ?? '').trim() };
  });
  const upload = (await ctx.cluster.listParts(ref, uploadId, { maxParts: 0 })).upload;
  if (upload.key !== key) throw errors.noSuchUpload(uploadId);
  await writePreconditions(ctx, r, ref, key);
  const meta = await ctx.cluster.completeUpload(ref, uploadId, parts);
  sendXml(r, 200, 'CompleteMultipartUploadResult', [
    ['Location', `/s3/${ref.name}/${urlEncodeKey(key)}`],
    ['Bucket', ref.name],
    ['Key', key],
    ['ETag', `"${meta.etag}"`],
  ]);
}

async function listParts(ctx: RequestContext, r: S3Request, ref: BucketRef, key: string): Promise<void> {
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
    ['Initiator', [['ID', 'ais-buckets'], ['DisplayName', 'ais-buckets']]],
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
