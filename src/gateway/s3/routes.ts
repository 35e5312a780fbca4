// The S3 API under /s3, path-style: /s3, /s3/BUCKET, /s3/BUCKET/KEY. This file is the routing table: by
// path shape, method and the query's sub-resource (?acl, ?uploads, ?uploadId, ?delete, ?list-type=2…),
// the way AIStore's ais/prxs3.go keeps one handler per route. One file per resource holds one function per
// route: buckets.ts (the service and buckets), acl.ts, listing.ts, batchdelete.ts, objects.ts, multipart.ts;
// conditions.ts checks preconditions, http.ts is the plumbing they share.
// Signatures, when the gateway has credentials, are verified before routing (../auth.ts); request bodies
// are checked against the signed payload hash or chunk signatures as they stream (takeBody, ../payload.ts).
import type * as http from 'node:http';
import { GatewayError } from '../errors';
import type { RequestContext } from '../context';
import { checkPresignedWindow } from './presign';
import { BucketCall, newRequestId, notImplemented, ObjectCall, S3Call, S3Request, sendError } from './http';
import * as acl from './acl';
import { deleteObjects } from './batchdelete';
import * as buckets from './buckets';
import { listObjectsV1, listObjectsV2 } from './listing';
import * as multipart from './multipart';
import * as objects from './objects';

/** When a route answers: tested in the table's order, the first that holds wins. */
type When = (r: S3Request) => boolean;
type Routes<C> = readonly (readonly [When, (call: C) => Promise<void>])[];

/** The query names any of these sub-resources. */
const has = (...subs: string[]): When => (r) => subs.some((s) => r.query.has(s));
const always: When = () => true;

const refuse = (what: string) => async (): Promise<void> => {
  throw notImplemented(what);
};

// GET, HEAD /s3
const SERVICE_ROUTES: Record<string, Routes<S3Call>> = {
  GET: [[always, buckets.listBuckets]],
  HEAD: [[always, buckets.listBuckets]],
};

// PUT /s3/BUCKET...: the bucket may not exist yet, so it is not resolved before routing.
const BUCKET_PUT: Routes<S3Call> = [
  [has('acl'), acl.putBucketAcl],
  [has('policy', 'cors', 'tagging', 'lifecycle', 'versioning'), refuse('bucket configuration')],
  [always, buckets.createBucket],
];

// GET, HEAD, DELETE, POST /s3/BUCKET...: the bucket is resolved first, so a missing or ambiguous one
// answers 404 whatever the sub-resource.
const BUCKET_ROUTES: Record<string, Routes<BucketCall>> = {
  GET: [
    [has('location'), buckets.getLocation],
    [has('acl'), acl.getBucketAcl],
    [has('versioning'), buckets.getVersioning],
    [has('logging'), buckets.getLogging],
    [has('notification'), buckets.getNotification],
    [has('requestPayment'), buckets.getRequestPayment],
    [has('accelerate'), buckets.getAccelerate],
    [has(...buckets.NEVER_CONFIGURED), buckets.getNotConfigured],
    [has('uploads'), multipart.listUploads],
    [has('versions'), refuse('ListObjectVersions')],
    [(r) => r.query.get('list-type') === '2', listObjectsV2],
    [always, listObjectsV1],
  ],
  HEAD: [[always, buckets.headBucket]],
  DELETE: [
    [has('policy', 'cors', 'tagging', 'lifecycle', 'website', 'encryption'), buckets.deleteBucketConfig],
    [always, buckets.deleteBucket],
  ],
  POST: [
    [has('delete'), deleteObjects],
    [always, refuse('POST on a bucket other than ?delete')],
  ],
};

// GET, HEAD /s3/BUCKET/KEY...: HEAD answers as GET does (getObject tells them apart), sub-resources included.
const OBJECT_GET: Routes<ObjectCall> = [
  [has('acl'), acl.getObjectAcl],
  [has('tagging'), objects.getObjectTagging],
  [has('uploadId'), multipart.listParts],
  [always, objects.getObject],
];

// /s3/BUCKET/KEY...: the bucket is resolved first, before the method is looked at.
const OBJECT_ROUTES: Record<string, Routes<ObjectCall>> = {
  GET: OBJECT_GET,
  HEAD: OBJECT_GET,
  PUT: [
    [has('acl'), acl.putObjectAcl],
    [has('tagging', 'retention', 'legal-hold'), refuse('object configuration')],
    [has('uploadId', 'partNumber'), multipart.uploadPart],
    [(r) => r.req.headers['x-amz-copy-source'] !== undefined, objects.copyObject],
    [always, objects.putObject],
  ],
  DELETE: [
    [has('uploadId'), multipart.abortUpload],
    [has('tagging'), objects.deleteObjectTagging],
    [always, objects.deleteObject],
  ],
  POST: [
    [has('uploads'), multipart.createUpload],
    [has('uploadId'), multipart.completeUpload],
    [always, refuse('POST on an object other than multipart uploads')],
  ],
};

export function handleS3(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const r: S3Request = {
    req,
    res,
    method: req.method ?? 'GET',
    query: new URLSearchParams(),
    requestId: newRequestId(),
    bodyTaken: false,
  };
  route({ ctx, r }).catch((e) => sendError(r, e));
}

async function route(call: S3Call): Promise<void> {
  const { ctx, r } = call;
  const raw = r.req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  r.query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  checkPresignedWindow(r.query);
  // '/s3' or '/s3/' is the service; then the bucket up to the next '/', then the key (may hold '/').
  const rest = path.slice(3).replace(/^\//, '');
  if (rest === '') return pick(methodRoutes(SERVICE_ROUTES, r, 'the service'), call);
  const slash = rest.indexOf('/');
  try {
    r.bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    if (slash >= 0 && slash < rest.length - 1) r.key = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    // S3's answer to a key or bucket that is not UTF-8 once percent-decoded (%FF).
    throw new GatewayError(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
  // A bare S3 bucket name must name exactly one bucket across providers (AIStore's rule for S3 clients):
  // an ais bucket, or a bucket of the remote S3 service behind the `aws` provider (Cluster.resolveBucket).
  if (r.key === undefined) {
    if (r.method === 'PUT') return pick(BUCKET_PUT, call);
    const routes = methodRoutes(BUCKET_ROUTES, r, 'a bucket');
    return pick(routes, { ...call, ref: await ctx.cluster.resolveBucket(r.bucket) });
  }
  const ref = await ctx.cluster.resolveBucket(r.bucket);
  return pick(methodRoutes(OBJECT_ROUTES, r, 'an object'), { ...call, ref, key: r.key });
}

function methodRoutes<C>(table: Record<string, Routes<C>>, r: S3Request, what: string): Routes<C> {
  if (!Object.hasOwn(table, r.method)) throw new GatewayError(405, 'MethodNotAllowed', `${r.method} is not allowed on ${what}`);
  return table[r.method];
}

function pick<C extends S3Call>(routes: Routes<C>, call: C): Promise<void> {
  const found = routes.find(([when]) => when(call.r));
  // Every table ends in `always`.
  return found![1](call);
}
