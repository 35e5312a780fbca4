// AIStore's native HTTP API (/v1), served the way a real AIStore cluster answers it: this file is the
// routing table; one file per resource holds one function per route (cluster.ts, buckets.ts,
// listobjects.ts, objects.ts; shards: archget.ts, archlist.ts, archive.ts; jobs: multiobj.ts, copybucket.ts,
// summary.ts, jobqueries.ts; a remote bucket's cache: prefetch.ts, blobdownload.ts, remotecache.ts,
// lscache.ts), errors.ts renders errors, wire.ts the JSON and msgpack shapes, jobengine.ts runs the jobs.
//
// Verified against AIStore's source (repository NVIDIA/aistore, read at commit 583e7729): URL paths
// api/apc/urlpaths.go (/v1/{buckets,objects,daemon,cluster,health}); query params api/apc/query.go; action
// messages api/apc/actmsg.go ActMsg {action, name, value}, whose action picks the route where a method has
// several (as ais/proxy.go's handlers switch on it). Redirects (ais/prxred.go) are server.ts's.
import type * as http from 'node:http';
import { ACT } from '../../common/aisapi';
import type { RequestContext } from '../context';
import { answerAfterBody } from '../errors';
import { badRequest, methodNotAllowed, NativeError, notImplemented, sendError, Subject } from './errors';
import { ActMsg, BucketCall, decodePath, NativeCall, ObjectCall, providerOf, readActMsg, validateBucket } from './http';
import * as buckets from './buckets';
import * as cluster from './cluster';
import { archiveObjects } from './archive';
import { copyBucket, copyListRange } from './copybucket';
import * as jobs from './jobqueries';
import { listObjects } from './listobjects';
import { blobDownload } from './blobdownload';
import { deleteListRange } from './multiobj';
import * as objects from './objects';
import { prefetchListRange } from './prefetch';
import { evictRemoteBucket } from './remotecache';
import { headBucketSummary, summaryOfBucket, summaryOfBuckets } from './summary';

type Route<C> = (call: C) => Promise<void>;
type ActionRoute<C> = (call: C, msg: ActMsg) => Promise<void>;

/** A method whose body is an action message: the action picks the route. */
interface ByAction<C> {
  actions: Record<string, ActionRoute<C>>;
  /** An action not in the table, in the words AIStore answers it with on this route. */
  unknown: (action: string) => NativeError;
}

/** By method, in the order a 405 lists them. */
type MethodRoutes<C> = Record<string, Route<C> | ByAction<C>>;

// GET /v1/buckets
const BUCKETS_ROUTES: MethodRoutes<NativeCall> = {
  GET: {
    actions: { [ACT.list]: buckets.listBuckets, '': buckets.listBuckets, [ACT.summaryBck]: summaryOfBuckets },
    unknown: (a) => badRequest(`invalid action "${a}" for GET /v1/buckets (expecting "list" or "summary-bck")`),
  },
};

// /v1/buckets/NAME
const BUCKET_ROUTES: MethodRoutes<BucketCall> = {
  GET: {
    // ais/proxy.go httpbckget: "list" without a value lists buckets (this one, if it exists); with an LsoMsg,
    // or with no message at all (curl), it lists objects.
    actions: {
      [ACT.list]: (call, msg) => (msg.value === undefined || msg.value === null ? buckets.queryBucket(call) : listObjects(call, msg)),
      '': listObjects,
      [ACT.summaryBck]: summaryOfBucket,
    },
    unknown: (a) => notImplemented(`bucket action "${a}" (GET /v1/buckets/NAME)`),
  },
  HEAD: buckets.headBucket,
  POST: {
    actions: {
      [ACT.createBck]: buckets.createBucket,
      [ACT.copyBck]: copyBucket,
      [ACT.copyListRange]: copyListRange,
      [ACT.prefetchListRange]: prefetchListRange,
    },
    unknown: (a) => notImplemented(`bucket action "${a}" (POST /v1/buckets/NAME)`),
  },
  DELETE: {
    actions: {
      [ACT.destroyBck]: buckets.destroyBucket,
      [ACT.evictRemoteBck]: evictRemoteBucket,
      [ACT.deleteListRange]: deleteListRange,
      [ACT.evictListRange]: deleteListRange,
    },
    unknown: (a) =>
      badRequest(`invalid action "${a}" for DELETE /v1/buckets/NAME (expecting destroy-bck, delete-listrange, evict-remote-bck, evict-listrange)`),
  },
  PUT: {
    actions: { [ACT.archive]: archiveObjects },
    unknown: (a) => badRequest(`invalid action "${a}" for PUT /v1/buckets/NAME (expecting archive)`),
  },
  PATCH: {
    actions: { [ACT.setBprops]: buckets.setBucketProps, [ACT.resetBprops]: buckets.resetBucketProps },
    unknown: (a) => badRequest(`invalid action "${a}" for PATCH /v1/buckets/NAME (expecting set-bprops or reset-bprops)`),
  },
};

// /v1/objects/BUCKET/OBJECT
const OBJECT_ROUTES: MethodRoutes<ObjectCall> = {
  GET: objects.getObject,
  HEAD: objects.headObject,
  PUT: objects.putObject,
  DELETE: {
    actions: { '': objects.deleteObject, [ACT.deleteObj]: objects.deleteObject, [ACT.evictListRange]: objects.evictObject },
    unknown: (a) => badRequest(`invalid action "${a}" for DELETE /v1/objects`),
  },
  POST: {
    actions: { [ACT.renameObj]: objects.renameObject, [ACT.blobDownload]: blobDownload },
    unknown: (a) => notImplemented(`object action "${a}"`),
  },
  PATCH: objects.setCustomProps,
};

// /v1/objects/BUCKET: the object named in the action message (api/blob.go BlobDownload)
const BUCKET_OBJECTS_ROUTES: MethodRoutes<BucketCall> = {
  POST: {
    actions: { [ACT.blobDownload]: blobDownload },
    unknown: (a) => badRequest(`invalid action "${a}" for POST /v1/objects/BUCKET (expecting ${ACT.blobDownload}, or the object's name in the path)`),
  },
};

// GET /v1/cluster?what=..., GET /v1/daemon?what=... (anything else is "unexpected query": ais/err.go fmtUnknownQue)
const CLUSTER_GETS: Record<string, Route<NativeCall>> = {
  'cluster?what=smap': cluster.getSmap,
  'daemon?what=smap': cluster.getSmap,
  'cluster?what=cluster_config': cluster.getClusterConfig,
  'daemon?what=config': cluster.getNodeConfig,
  'cluster?what=backends': cluster.getBackends,
  'cluster?what=status': jobs.getJobStatus,
  'cluster?what=status_all': jobs.getAllJobStatus,
  'cluster?what=running_all': jobs.getRunningJobs,
  'cluster?what=qryxstats': jobs.queryJobSnaps,
};

// PUT /v1/cluster
const CLUSTER_PUT: ByAction<NativeCall> = {
  actions: { [ACT.setConfig]: cluster.setConfig, [ACT.stopJob]: jobs.stopJobs },
  unknown: (a) => notImplemented(`cluster action "${a}"`),
};

/** An error answered before routing (authentication), as AIStore's JSON. */
export function sendNativeError(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
  answerAfterBody(req, () => sendError(ctx, req, res, e, {}));
}

export function handleNative(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const subject: Subject = {};
  route(ctx, req, res, subject).catch((e) => sendError(ctx, req, res, e, subject));
}

async function route(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, subject: Subject): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const raw = (req.url ?? '/').split('?', 1)[0];
  const parts = raw.split('/').slice(2); // ['', 'v1', ...]
  const l2 = parts[0] ?? '';
  const method = req.method ?? 'GET';
  const call: NativeCall = { ctx, req, res, query: url.searchParams };

  switch (l2) {
    case 'health':
      // GET /v1/health
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['GET']);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    case 'daemon':
    case 'cluster':
      return clusterRoute(call, l2, parts.slice(1));
    case 'buckets': {
      const name = decodePath(parts.slice(1).join('/'));
      if (name === '') {
        if (['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'].includes(method)) throw badRequest('bucket name is missing');
        return dispatch(BUCKETS_ROUTES, call);
      }
      // HEAD /v1/buckets/NAME/PREFIX?bsumm_remote=: a summary of that prefix (ais/proxy.go httpbckhead).
      const summary = method === 'HEAD' && call.query.has('bsumm_remote');
      const [bname, ...prefix] = summary ? name.split('/') : [name];
      if (bname.includes('/')) throw badRequest(`invalid bucket name "${bname}"`);
      validateBucket(bname);
      const bucket = { provider: providerOf(ctx, call.query, true)!, name: bname };
      subject.bucket = bucket;
      if (summary) return headBucketSummary({ ...call, bucket }, prefix.join('/'));
      return dispatch(BUCKET_ROUTES, { ...call, bucket });
    }
    case 'objects': {
      const name = decodePath(parts[1] ?? '');
      const key = decodePath(parts.slice(2).join('/'));
      validateBucket(name);
      if (!key && method === 'POST') {
        const bucket = { provider: providerOf(ctx, call.query, true)!, name };
        subject.bucket = bucket;
        return dispatch(BUCKET_OBJECTS_ROUTES, { ...call, bucket });
      }
      if (!key) throw badRequest(`object name is missing (expecting /v1/objects/${name}/OBJECT)`);
      const bucket = { provider: providerOf(ctx, call.query, true)!, name };
      subject.bucket = bucket;
      subject.key = key;
      return dispatch(OBJECT_ROUTES, { ...call, bucket, key });
    }
    default:
      throw new NativeError(400, '', `invalid URL path "${raw}": expecting /v1/{buckets,objects,cluster,daemon,health}/...`);
  }
}

/** The route for the request's method; for a method taking an action message, read it and pick by action. */
async function dispatch<C extends NativeCall>(routes: MethodRoutes<C>, call: C): Promise<void> {
  const method = call.req.method ?? '';
  if (!Object.hasOwn(routes, method)) throw methodNotAllowed(method, Object.keys(routes));
  const r = routes[method];
  return typeof r === 'function' ? r(call) : byAction(r, call);
}

async function byAction<C extends NativeCall>(routes: ByAction<C>, call: C): Promise<void> {
  const msg = await readActMsg(call.req);
  if (!Object.hasOwn(routes.actions, msg.action)) throw routes.unknown(msg.action);
  return routes.actions[msg.action](call, msg);
}

async function clusterRoute(call: NativeCall, l2: 'cluster' | 'daemon', rest: string[]): Promise<void> {
  const method = call.req.method ?? 'GET';
  const sub = rest.filter(Boolean);
  if (method === 'GET' && sub.length === 0) {
    const what = call.query.get('what') ?? '';
    const key = `${l2}?what=${what}`;
    if (!Object.hasOwn(CLUSTER_GETS, key)) throw badRequest(`unexpected query [what=${what}]`);
    return CLUSTER_GETS[key](call);
  }
  // PUT /v1/cluster/set-config?NAME=VALUE...
  if (method === 'PUT' && rest[0] === 'set-config') return cluster.setConfigFromQuery(call);
  if (method === 'PUT' && sub.length === 0) return byAction(CLUSTER_PUT, call);
  throw notImplemented(`${method} /v1/${l2}/${rest.join('/')}`);
}
