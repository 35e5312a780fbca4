// Listing a bucket's objects: ListObjects (V1, marker) and ListObjectsV2 (continuation token), with
// common prefixes under a delimiter and S3's encoding-type=url.
import { errors } from '../errors';
import { BucketCall, isoDate, maxKeysOf, OWNER, sendXml, urlEncodeKey } from './http';
import type { XmlNode } from './xml';

// GET /s3/BUCKET (?prefix, ?delimiter, ?marker, ?max-keys, ?encoding-type)
export async function listObjectsV1({ ctx, r, ref }: BucketCall): Promise<void> {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = maxKeysOf(q);
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? urlEncodeKey(s) : s);
  const page = await listPage(ctx, ref, { prefix, delimiter, startAfter: marker || undefined, maxKeys });
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

/** max-keys=0 asks for nothing: no keys and, as S3 answers, not truncated. */
async function listPage(ctx: BucketCall['ctx'], ref: BucketCall['ref'], opts: Parameters<BucketCall['ctx']['cluster']['listObjects']>[1]) {
  const page = await ctx.cluster.listObjects(ref, opts);
  return opts?.maxKeys === 0 ? { ...page, objects: [], commonPrefixes: [], isTruncated: false } : page;
}

/** A continuation token is the last key (or common prefix) returned, base64url: the next page seeks straight to it. */
const encodeToken = (last: string) => Buffer.from(last, 'utf8').toString('base64url');
function decodeToken(token: string): string {
  const last = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || encodeToken(last) !== token) throw errors.invalidArgument('The continuation token provided is incorrect');
  return last;
}

// GET /s3/BUCKET?list-type=2 (?prefix, ?delimiter, ?start-after, ?continuation-token, ?max-keys, ?fetch-owner, ?encoding-type)
export async function listObjectsV2({ ctx, r, ref }: BucketCall): Promise<void> {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after') ?? '';
  const token = q.get('continuation-token');
  const maxKeys = maxKeysOf(q);
  const fetchOwner = q.get('fetch-owner') === 'true';
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? urlEncodeKey(s) : s);
  // An empty continuation-token is none (SDKs send one when a loop starts from "").
  const from = token ? decodeToken(token) : startAfter || undefined;
  const page = await listPage(ctx, ref, { prefix, delimiter, startAfter: from, maxKeys });
  sendXml(r, 200, 'ListBucketResult', [
    ['Name', ref.name],
    ['Prefix', enc(prefix)],
    delimiter ? ['Delimiter', enc(delimiter)] : undefined,
    ['MaxKeys', maxKeys],
    url ? ['EncodingType', 'url'] : undefined,
    ['KeyCount', page.objects.length + page.commonPrefixes.length],
    ['IsTruncated', page.isTruncated],
    token ? ['ContinuationToken', token] : undefined,
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
