// AIStore's native HTTP API (/v1), served the way a real AIStore cluster answers it.
//
// Wire format verified against AIStore's source (repository NVIDIA/aistore, read at commit 583e7729):
// - URL paths: api/apc/urlpaths.go (/v1/{buckets,objects,daemon,cluster,health}, /v1/cluster/set-config).
// - Query params: api/apc/query.go (provider, presence, what=smap|config|cluster_config, props).
//   Providers and schemes: api/apc/provider.go (aws prints as s3://, `s3` is accepted for aws).
// - Action messages: api/apc/actmsg.go ActMsg {action, name, value}; actions create-bck, destroy-bck,
//   list, set-bprops, reset-bprops, delete-listrange (value apc.ListRange {objnames, template}, api/apc/multiobj.go),
//   evict-remote-bck, evict-listrange, rename-obj (name = new object name), set-config.
// - List objects: api/apc/lsmsg.go LsoMsg {uuid, props, time_format, prefix, start_after, continuation_token,
//   flags (`json:",string"`: a decimal string; numbers accepted too), pagesize}; flag bits LsCached=1 ...
//   LsNameOnly=16, LsNameSize=32, LsNoRecursion=2048, LsNoDirs=8192. Reply cmn/objlist.go LsoRes
//   {uuid, continuation_token, entries, flags}, entries {name, checksum, atime, version, location, custom-md,
//   size (`,string`), copies, flags}, all but name omitempty; msgpack (cmn/objlist_gen.go) keys UUID,
//   ContinuationToken, Entries, Flags and n cs a v t m s c f, size an integer. api/ls.go sends
//   `Accept: application/msgpack`; so does the Python SDK (which also insists on that Content-Type back).
//   Entry flags: EntryIsCached = 1<<6, EntryIsDir = 1<<8 (dirs are "name/" entries, xact/xs/lso.go);
//   atime formatted with time_format, default Go's RFC822 (xact/xs/wanted_lso.go, cmn/cos/time_format.go).
// - Object headers: api/apc/headers.go and cmn/objattrs.go ToHeader: Ais-Checksum-Type, Ais-Checksum-Value
//   (omitted for none), Ais-Atime (Unix nanoseconds, decimal), Ais-Version, Content-Length; GET sends
//   Content-Type application/octet-stream; a Range read is 206 with Accept-Ranges and Content-Range, 416 with
//   `Content-Range: bytes */SIZE`, one range only; with checksum.enable_read_range the checksum headers
//   describe the range (ais/tgtobj.go). HEAD (ais/target.go objHead) adds Ais-Name, Ais-Bucket-Name,
//   Ais-Bucket-Provider, Ais-Present, Ais-Mirror-Copies; with `?props=` it is HEAD V2 (ais/tgthead.go): only
//   the requested attributes (+ Last-Modified, ETag on request), unknown props a 400. PUT verifies
//   Ais-Checksum-* (always, for user PUTs: putOI.validateCksum) and answers with the object's
//   checksum/atime/version headers. validate_warm_get re-checks a local copy before a GET (cmn/config.go).
// - Bucket props: `Ais-Bucket-Props` header = cmn.Bprops JSON (cmn/api.go; bid, created, access, features
//   are `,string`); checksum section = cmn/config.go CksumConf {type, validate_cold_get, validate_warm_get,
//   validate_obj_move, enable_read_range}; bucket list = array of cmn.Bck {name, provider, namespace{uuid,name}}.
// - Cluster map: core/meta/smap.go Smap {pmap, proxy_si, tmap, uuid, creation_time, version (`,string`)},
//   core/meta/snode_wire.go Snode {public_net, intra_data_net, intra_control_net (NetInfo {node_ip_addr,
//   daemon_port, direct_url}), daemon_type, daemon_id, flags, id_digest (xxhash64 of the id, uint64)}.
// - Config: cmn/config.go ClusterConfig (checksum, versioning, uuid, lastupdate_time, config_version `,string`).
// - Errors: cmn/err.go ErrHTTP JSON {tcode, message, method, url_path, remote_addr, caller, node, status}
//   with the HTTP status; for HEAD the JSON goes in the `Hdr-Error` header and the body stays empty.
//   Messages follow AIStore's: bucket "ais://b" does not exist (ErrBckNotFound), t[ID]: ais://b/o does not
//   exist (ErrNotFound), bucket "ais://b" already exists (ErrBucketAlreadyExists), BAD DATA CHECKSUM: ...
// - Redirects (ais/prxred.go): Location = target URL + path + query + pid & utm (see server.ts).
import type * as http from 'node:http';
import { sendBody } from '../store/filebody';
import * as crypto from 'node:crypto';
import { ChecksumType, createHasher, isChecksumType, CHECKSUM_TYPES } from '../checksum';
import { errors, GatewayError } from '../errors';
import type { RequestContext } from '../context';
import type { BucketRef, ByteRange, Provider } from '../store/types';
import { verifiedPayload } from '../payload';
import { compareKeys } from '../store/keys';
import type { ClusterListPage, Presence } from '../cluster/cluster';
import {
  bckJson,
  bpropsJson,
  bucketCname,
  configJson,
  ENTRY,
  formatGoTime,
  LS,
  LsoEntry,
  lsoJson,
  lsoMsgpack,
  MAX_PAGE_SIZE,
  normalizeProvider,
  PRESENCE,
  RFC822,
  smapJson,
  unixNanos,
} from './wire';

const MAX_CONTROL_BODY = 4 * 1024 * 1024;

/** What an error happened to, so its message can name it the way AIStore does. */
interface Subject {
  bucket?: BucketRef;
  key?: string;
}

/** An error the handler raises with AIStore's own type code (cmn/err.go `tcode`). */
class NativeError extends GatewayError {
  constructor(
    status: number,
    readonly tcode: string,
    message: string,
  ) {
    super(status, tcode, message);
  }
}

const badRequest = (message: string) => new NativeError(400, '', message);
const notImplemented = (what: string) => new NativeError(501, 'ErrNotImpl', `${what} is not implemented by the AIS Buckets gateway`);

// ---------------------------------------------------------------- responses

/** JSON that is safe in an HTTP header: non-ASCII as \u escapes (Node refuses other bytes in headers). */
function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * A name as raw UTF-8 header bytes, as Go's server writes it (Node takes header strings as Latin-1, so the
 * UTF-8 bytes go in one per character); control characters, which no header may carry, are %-escaped.
 */
function rawHeaderValue(s: string): string {
  let clean = '';
  for (const c of s) clean += c.charCodeAt(0) < 0x20 || c === '\x7f' ? encodeURIComponent(c) : c;
  return Buffer.from(clean, 'utf8').toString('latin1');
}

function sendJson(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function toNative(ctx: RequestContext, e: unknown, subject: Subject): { status: number; tcode: string; message: string } {
  if (e instanceof NativeError) return { status: e.status, tcode: e.tcode, message: e.message };
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
        message: `${nodeName(ctx, 'target')}: ${b ? bucketCname(b) : ''}/${subject.key ?? e.extra.Key ?? ''} does not exist`,
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

function nodeName(ctx: RequestContext, role: 'proxy' | 'target'): string {
  return role === 'proxy' ? `p[${ctx.info.proxy.id}]` : `t[${ctx.info.target.id}]`;
}

/** cmn/err.go ErrHTTP.write: JSON body, or for HEAD the same JSON in `Hdr-Error` and no body. */
function sendError(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, e: unknown, subject: Subject): void {
  const { status, tcode, message } = toNative(ctx, e, subject);
  const body: Record<string, unknown> = {};
  if (tcode) body.tcode = tcode;
  Object.assign(body, {
    message,
    method: req.method,
    url_path: (req.url ?? '/').split('?', 1)[0],
    remote_addr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
    caller: '',
    node: nodeName(ctx, ctx.role),
    status,
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' };
  if (status === 416 && e instanceof RangeError416) headers['Content-Range'] = `bytes */${e.size}`;
  if (req.method === 'HEAD') {
    headers['Hdr-Error'] = headerJson(body);
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = headerJson(body);
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

class RangeError416 extends NativeError {
  constructor(
    readonly size: number,
    message: string,
  ) {
    super(416, 'ErrRangeNotSatisfiable', message);
  }
}

// ---------------------------------------------------------------- request parsing

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of verifiedPayload(req)) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY) throw badRequest(`request body is larger than ${MAX_CONTROL_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface ActMsg {
  action: string;
  name: string;
  value: unknown;
}

/** api/apc/actmsg.go ActMsg; an empty body is an empty message. */
async function readActMsg(req: http.IncomingMessage): Promise<ActMsg> {
  const raw = (await readBody(req)).toString('utf8').trim();
  if (!raw) return { action: '', name: '', value: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw badRequest(`failed to unmarshal JSON action message: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('action message must be a JSON object');
  const m = parsed as Record<string, unknown>;
  if (m.action !== undefined && typeof m.action !== 'string') throw badRequest('"action" must be a string');
  if (m.name !== undefined && typeof m.name !== 'string') throw badRequest('"name" must be a string');
  return { action: (m.action as string) ?? '', name: (m.name as string) ?? '', value: m.value };
}

function providerOf(ctx: RequestContext, query: URLSearchParams, required: boolean): Provider | undefined {
  const raw = query.get('provider');
  if (!raw && !required) return undefined;
  const p = normalizeProvider(raw);
  if (!p) throw badRequest(`invalid backend provider "${raw}": must be one of [ais aws gcp azure oci]`);
  if (query.get('namespace')) throw notImplemented('bucket namespaces (remote AIS clusters)');
  if (!ctx.cluster.providers().includes(p))
    throw new NativeError(400, 'ErrMissingBackend', `${p} backend is missing in the cluster configuration`);
  return p;
}

/** AIStore's bucket name rules (cmn/bck.go ValidateName, cos.CheckAlphaPlus). */
function validateBucket(name: string): void {
  if (!name) throw badRequest('bucket name is missing');
  if (name.startsWith('.')) throw badRequest(`reserved bucket name "${name}" (unknown system bucket)`);
  if (name.length > 255 || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw badRequest(`bucket name "${name}" is invalid: may only contain letters, numbers, dashes (-), underscores (_), and dots (.)`);
}

function decodePath(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`malformed URL path: ${part}`);
  }
}

function newUuid(): string {
  // cos.IsValidUUID: at least 9 characters, letters/digits (and inner - or _).
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...crypto.randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
}

// ---------------------------------------------------------------- routing

/** An error answered before routing (authentication), as AIStore's JSON. */
export function sendNativeError(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
  if (!req.complete) req.resume();
  sendError(ctx, req, res, e, {});
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
  const query = url.searchParams;

  switch (l2) {
    case 'health':
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET');
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    case 'daemon':
    case 'cluster':
      return clusterRoute(ctx, req, res, l2, parts.slice(1), query);
    case 'buckets': {
      const name = decodePath(parts.slice(1).join('/'));
      if (name === '') return listBuckets(ctx, req, res, query);
      if (name.includes('/')) throw badRequest(`invalid bucket name "${name}"`);
      validateBucket(name);
      const ref = { provider: providerOf(ctx, query, true)!, name };
      subject.bucket = ref;
      return bucketRoute(ctx, req, res, ref, query);
    }
    case 'objects': {
      const bucket = decodePath(parts[1] ?? '');
      const key = decodePath(parts.slice(2).join('/'));
      validateBucket(bucket);
      if (!key) throw badRequest(`object name is missing (expecting /v1/objects/${bucket}/OBJECT)`);
      const ref = { provider: providerOf(ctx, query, true)!, name: bucket };
      subject.bucket = ref;
      subject.key = key;
      return objectRoute(ctx, req, res, ref, key, query);
    }
    default:
      throw new NativeError(400, '', `invalid URL path "${raw}": expecting /v1/{buckets,objects,cluster,daemon,health}/...`);
  }
}

function methodNotAllowed(method: string, ...allowed: string[]): NativeError {
  return new NativeError(405, '', `method ${method} is not allowed here (expecting ${allowed.join(', ')})`);
}

// ---------------------------------------------------------------- cluster and daemon

async function clusterRoute(
  ctx: RequestContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  l2: string,
  rest: string[],
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET' && rest.filter(Boolean).length === 0) {
    const what = query.get('what') ?? '';
    // A proxy splits these by path (ais/prxclu.go httpcluget, ais/proxy.go httpdaeget): the cluster-wide
    // config is /v1/cluster?what=cluster_config, a node's own (cluster + local) /v1/daemon?what=config;
    // backends only on /v1/cluster. Anything else is "unexpected query" (ais/err.go fmtUnknownQue).
    const config = () => configJson(ctx.cluster.config(), ctx.info.configVersion, ctx.info.configUpdated, ctx.cluster.providers().filter((p) => p !== 'ais'));
    switch (`${l2}:${what}`) {
      case 'cluster:smap':
      case 'daemon:smap':
        return sendJson(res, 200, smapJson(ctx.info));
      case 'cluster:cluster_config':
        return sendJson(res, 200, JSON.stringify(config()));
      case 'daemon:config':
        return sendJson(res, 200, JSON.stringify({ ...localConfigJson(ctx), ...config() }));
      case 'cluster:backends':
        return sendJson(res, 200, JSON.stringify(ctx.cluster.providers().filter((p) => p !== 'ais')));
      default:
        throw badRequest(`unexpected query [what=${what}]`);
    }
  }
  if (method === 'PUT' && rest[0] === 'set-config') return setConfigFromQuery(ctx, res, query);
  if (method === 'PUT' && rest.filter(Boolean).length === 0) {
    const msg = await readActMsg(req);
    if (msg.action !== 'set-config') throw notImplemented(`cluster action "${msg.action}"`);
    await applyConfig(ctx, msg.value);
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
    return;
  }
  throw notImplemented(`${method} /v1/${l2}/${rest.join('/')}`);
}

/** cmn.LocalConfig (cmn/config.go), inlined next to the cluster config in a node's config (cmn.Config). */
function localConfigJson(ctx: RequestContext): Record<string, unknown> {
  const own = ctx.role === 'proxy' ? ctx.info.proxy : ctx.info.target;
  const u = new URL(own.url);
  const port = u.port; // ports are `json:",string"`
  return {
    fspaths: own.type === 'target' ? { paths: { [ctx.cluster.dataDir]: '' } } : {},
    confdir: '',
    log_dir: '',
    test_fspaths: { root: '', count: 0, instance: 0 },
    host_net: { hostname: u.hostname.replace(/^\[|\]$/g, ''), hostname_intra_control: '', hostname_intra_data: '', port, port_intra_control: port, port_intra_data: port },
  };
}

const CONFIG_BOOLEANS = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'];

/** `ais config cluster checksum.type=md5` → PUT /v1/cluster/set-config?checksum.type=md5 (api/cluster.go SetClusterConfig). */
async function setConfigFromQuery(ctx: RequestContext, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  const checksum: Record<string, unknown> = {};
  for (const [name, value] of query) {
    if (name === 'transient') continue;
    const m = /^checksum\.(.+)$/.exec(name);
    if (!m) throw badRequest(`unknown or unsupported configuration property "${name}" (supported: checksum.*)`);
    const field = m[1];
    if (field === 'type') {
      if (!isChecksumType(value))
        throw badRequest(`invalid checksum type "${value}" (expecting [${CHECKSUM_TYPES.join(' ')}])`);
      checksum.type = value;
    } else if (CONFIG_BOOLEANS.includes(field)) {
      if (value !== 'true' && value !== 'false') throw badRequest(`invalid value "${value}" for ${name}: expecting true or false`);
      checksum[field] = value === 'true';
    } else {
      throw badRequest(`unknown configuration property "${name}" (checksum has: type, ${CONFIG_BOOLEANS.join(', ')})`);
    }
  }
  if (Object.keys(checksum).length === 0) throw badRequest('set-config: no properties given (e.g. ?checksum.type=md5)');
  await applyConfig(ctx, { checksum });
  res.writeHead(200, { 'Content-Length': 0 });
  res.end();
}

async function applyConfig(ctx: RequestContext, value: unknown): Promise<void> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('set-config: value must be a JSON object');
  for (const section of Object.keys(value)) {
    if (section !== 'checksum') throw badRequest(`unknown or unsupported configuration section "${section}" (supported: checksum)`);
  }
  const cks = (value as { checksum?: Record<string, unknown> }).checksum;
  if (cks && typeof cks === 'object' && 'type' in cks && !isChecksumType(cks.type))
    throw badRequest(`invalid checksum type ${JSON.stringify(cks.type)} (expecting [${CHECKSUM_TYPES.join(' ')}])`);
  await ctx.cluster.setConfig({ checksum: cks });
  ctx.info.configVersion++;
  ctx.info.configUpdated = Date.now();
}

// ---------------------------------------------------------------- buckets

function presenceOf(query: URLSearchParams): Presence {
  const raw = query.get('presence');
  if (raw === null || raw === '') return 'exists';
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0 || v > 5) throw badRequest(`invalid presence=${raw} (expecting 0..5, api/apc/query.go)`);
  if (v === PRESENCE.present || v === PRESENCE.presentNoProps || v === PRESENCE.presentCluster) return 'present';
  if (v === PRESENCE.existsOutside) return 'outside';
  return 'exists';
}

async function listBuckets(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  if (req.method !== 'GET') {
    if (req.method === 'POST' || req.method === 'DELETE' || req.method === 'PATCH' || req.method === 'HEAD')
      throw badRequest('bucket name is missing');
    throw methodNotAllowed(req.method ?? '', 'GET');
  }
  const msg = await readActMsg(req);
  if (msg.action && msg.action !== 'list') throw badRequest(`invalid action "${msg.action}" for GET /v1/buckets (expecting "list")`);
  const provider = providerOf(ctx, query, false);
  const found = await ctx.cluster.listBuckets(provider, presenceOf(query));
  const out = found.filter((b) => !msg.name || b.ref.name === msg.name).map((b) => bckJson(b.ref));
  sendJson(res, 200, JSON.stringify(out));
}

async function bucketRoute(
  ctx: RequestContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ref: BucketRef,
  query: URLSearchParams,
): Promise<void> {
  const cluster = ctx.cluster;
  switch (req.method) {
    case 'HEAD': {
      const presence = presenceOf(query);
      if (presence === 'present' && !cluster.isPresent(ref)) throw errors.noSuchBucket(ref.name);
      const info = await cluster.getBucket(ref);
      res.writeHead(200, { 'Ais-Bucket-Props': headerJson(bpropsJson(info)) });
      res.end();
      return;
    }
    case 'GET': {
      const msg = await readActMsg(req);
      if (msg.action !== 'list' && msg.action !== '')
        throw notImplemented(`bucket action "${msg.action}" (GET /v1/buckets/NAME)`);
      // ais/proxy.go httpbckget: "list" without a value lists buckets (this one, if it exists: api.QueryBuckets);
      // with an LsoMsg, or with no message at all (curl), it lists objects.
      if (msg.action === 'list' && (msg.value === undefined || msg.value === null)) {
        const found = await cluster.listBuckets(ref.provider, presenceOf(query));
        sendJson(res, 200, JSON.stringify(found.filter((b) => b.ref.name === ref.name).map((b) => bckJson(b.ref))));
        return;
      }
      return listObjects(ctx, req, res, ref, msg.value);
    }
    case 'POST': {
      const msg = await readActMsg(req);
      if (msg.action !== 'create-bck') throw notImplemented(`bucket action "${msg.action}" (POST /v1/buckets/NAME)`);
      const props = bpropsToSet(msg.value);
      await cluster.createBucket(ref, props);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    case 'DELETE': {
      const msg = await readActMsg(req);
      switch (msg.action) {
        case 'destroy-bck':
          if (ref.provider === 'ais') await cluster.deleteBucket(ref, { force: true });
          else {
            // A remote bucket is "completely evicted" (ais/tgttxn.go destroyBucket): its in-cluster copy
            // goes, the bucket and objects in the cloud stay. AIStore has no backend call that deletes one.
            await cluster.getBucket(ref); // 404 when the remote has no such bucket
            await cluster.evictBucket(ref);
          }
          res.writeHead(200, { 'Content-Length': 0 });
          res.end();
          return;
        case 'evict-remote-bck':
          await cluster.evictBucket(ref);
          res.writeHead(200, { 'Content-Length': 0 });
          res.end();
          return;
        case 'delete-listrange':
        case 'evict-listrange':
          return deleteListRange(ctx, res, ref, msg);
        default:
          throw badRequest(`invalid action "${msg.action}" for DELETE /v1/buckets/NAME (expecting destroy-bck, delete-listrange, evict-remote-bck, evict-listrange)`);
      }
    }
    case 'PATCH': {
      const msg = await readActMsg(req);
      if (msg.action === 'set-bprops') await cluster.setBucketProps(ref, bpropsToSet(msg.value) ?? {});
      else if (msg.action === 'reset-bprops') await cluster.resetBucketProps(ref);
      else throw badRequest(`invalid action "${msg.action}" for PATCH /v1/buckets/NAME (expecting set-bprops or reset-bprops)`);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    default:
      throw methodNotAllowed(req.method ?? '', 'GET', 'HEAD', 'POST', 'DELETE', 'PATCH');
  }
}

/** cmn.BpropsToSet: a partial props object; only the checksum section (and versioning) is ours to set. */
function bpropsToSet(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('bucket props must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [section, v] of Object.entries(value)) {
    if (v === null) continue;
    if (section !== 'checksum' && section !== 'versioning')
      throw badRequest(`unknown or unsupported bucket property "${section}" (supported: checksum, versioning)`);
    if (section === 'checksum' && typeof v === 'object' && !Array.isArray(v)) {
      // Go's *string/*bool fields: null means "leave as is".
      out.checksum = Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== null));
      const t = (out.checksum as { type?: unknown }).type;
      if (t !== undefined && !isChecksumType(t))
        throw badRequest(`invalid checksum type ${JSON.stringify(t)} (expecting [${CHECKSUM_TYPES.join(' ')}])`);
    } else out[section] = v;
  }
  return out;
}

async function deleteListRange(ctx: RequestContext, res: http.ServerResponse, ref: BucketRef, msg: ActMsg): Promise<void> {
  const v = (msg.value ?? {}) as { objnames?: unknown; template?: unknown };
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${msg.action}: value must be {"objnames": [...]} or {"template": "..."}`);
  let names: string[];
  if (Array.isArray(v.objnames) && v.objnames.length > 0) {
    if (!v.objnames.every((n) => typeof n === 'string')) throw badRequest(`${msg.action}: objnames must be strings`);
    names = v.objnames as string[];
  } else if (typeof v.template === 'string' && v.template !== '') {
    names = expandTemplate(v.template);
  } else if (typeof v.template === 'string') {
    // An empty template means "the whole bucket" (AIStore: prefix-less range).
    names = [];
    let startAfter: string | undefined;
    for (;;) {
      const page: ClusterListPage = await ctx.cluster.listObjects(ref, { maxKeys: 1000, startAfter, cachedOnly: msg.action === 'evict-listrange' });
      names.push(...page.objects.map((o) => o.key));
      if (!page.isTruncated) break;
      startAfter = page.last;
    }
  } else {
    throw badRequest(`${msg.action}: value must be {"objnames": [...]} or {"template": "..."}`);
  }
  if (msg.action === 'evict-listrange') {
    for (const n of names) await ctx.cluster.evictObject(ref, n).catch((e) => ignoreMissing(e));
  } else {
    const { failed } = await ctx.cluster.deleteObjects(ref, names);
    const hard = failed.find((f) => f.error.code !== 'NoSuchKey');
    if (hard) throw hard.error;
  }
  // AIStore runs this as a job and answers with its id (ais/proxy.go writeXid).
  const xid = newUuid();
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(xid) });
  res.end(xid);
}

function ignoreMissing(e: unknown): void {
  if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
}

/** Bash-style range templates as AIStore takes them (cmn/cos/template.go): "shard-{001..100..1}.tar". */
export function expandTemplate(template: string): string[] {
  const m = /\{(\d+)\.\.(\d+)(?:\.\.(\d+))?\}/.exec(template);
  if (!m) return [template];
  const [all, a, b, s] = m;
  const start = Number(a);
  const end = Number(b);
  const step = s ? Number(s) : 1;
  if (step <= 0 || end < start) throw badRequest(`invalid range template "${template}"`);
  if ((end - start) / step > 1_000_000) throw badRequest(`range template "${template}" is too large`);
  const width = a.length === b.length && a.startsWith('0') ? a.length : 0;
  const head = template.slice(0, m.index);
  const tail = template.slice(m.index + all.length);
  const out: string[] = [];
  for (let i = start; i <= end; i += step) {
    const n = width ? String(i).padStart(width, '0') : String(i);
    for (const rest of expandTemplate(tail)) out.push(head + n + rest);
  }
  return out;
}

// ---------------------------------------------------------------- list objects

interface LsoMsg {
  uuid: string;
  props: string;
  timeFormat: string;
  prefix: string;
  startAfter: string;
  token: string;
  flags: number;
  pageSize: number;
}

function parseLsoMsg(value: unknown): LsoMsg {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest('list objects: value must be an LsoMsg JSON object');
  const str = (name: string): string => {
    const x = v[name];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw badRequest(`list objects: "${name}" must be a string`);
    return x;
  };
  // `flags` is `json:"flags,string"`: Go and Python send a decimal string; a bare number is taken too.
  const rawFlags = v.flags;
  let flags = 0;
  if (rawFlags !== undefined && rawFlags !== null && rawFlags !== '') {
    flags = typeof rawFlags === 'number' ? rawFlags : typeof rawFlags === 'string' && /^\d+$/.test(rawFlags) ? Number(rawFlags) : NaN;
    if (!Number.isSafeInteger(flags) || flags < 0) throw badRequest(`list objects: invalid flags ${JSON.stringify(rawFlags)}`);
  }
  const rawPage = v.pagesize;
  let pageSize = 0;
  if (rawPage !== undefined && rawPage !== null) {
    pageSize = typeof rawPage === 'number' ? rawPage : Number(rawPage);
    if (!Number.isSafeInteger(pageSize) || pageSize < 0) throw badRequest(`list objects: invalid pagesize ${JSON.stringify(rawPage)}`);
  }
  return {
    uuid: str('uuid'),
    props: str('props'),
    timeFormat: str('time_format'),
    prefix: str('prefix'),
    startAfter: str('start_after'),
    token: str('continuation_token'),
    flags,
    pageSize,
  };
}

async function listObjects(ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, ref: BucketRef, value: unknown): Promise<void> {
  const msg = parseLsoMsg(value);
  const has = (flag: number) => (msg.flags & flag) === flag;
  // apc.LsoMsg.NormalizeNameSizeDflt: no props → name,size (+cached); "name" alone → names only.
  let props = msg.props;
  let nameOnly = has(LS.nameOnly);
  if (props === '') props = has(LS.cached) ? 'name,size,checksum,atime' : 'name,size,cached';
  else if (props === 'name') nameOnly = true;
  const want = (p: string) => props.includes(p);

  const maxPage = MAX_PAGE_SIZE[ref.provider];
  const pageSize = msg.pageSize > 0 ? Math.min(msg.pageSize, maxPage) : maxPage;
  const noRecursion = has(LS.noRecursion);
  // Non-recursive listing is directory-wise: "a/b" lists the children of a/b/ (cmn.CheckDirNoRecurs).
  let prefix = msg.prefix;
  if (noRecursion && prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  let startAfter = msg.token || undefined;
  if (msg.startAfter && (!startAfter || compareKeys(msg.startAfter, startAfter) > 0)) startAfter = msg.startAfter;

  const page = await ctx.cluster.listObjects(ref, {
    prefix,
    delimiter: noRecursion ? '/' : undefined,
    startAfter,
    maxKeys: pageSize,
    cachedOnly: has(LS.cached),
  });

  const timeFormat = msg.timeFormat || RFC822;
  const entries: LsoEntry[] = [];
  for (const o of page.objects) {
    if (has(LS.notCached) && o.cached) continue;
    const e: LsoEntry = { name: o.key, flags: o.cached ? ENTRY.isCached : 0 };
    if (!nameOnly) {
      if (want('size') || has(LS.nameSize)) e.size = o.size;
      if (want('checksum') && o.checksum.type !== 'none') e.checksum = o.checksum.value;
      if (want('atime') && o.cached && o.atime > 0) e.atime = formatGoTime(new Date(o.atime), timeFormat);
      if (want('version')) e.version = o.version;
      if (want('copies') && o.cached) e.copies = 1;
      if (want('location') && o.cached) e.location = `${nodeName(ctx, 'target')}:${ctx.cluster.dataDir}`;
      if (want('custom') && o.etag) e.custom = customMd(ref, o);
    }
    entries.push(e);
  }
  if (!has(LS.noDirs)) for (const cp of page.commonPrefixes) entries.push({ name: cp, flags: ENTRY.isDir });
  // Lexicographic, dirs among objects (ais/plstcx.go: SortLsoLex with LsNoRecursion, as tokens are names).
  entries.sort((a, b) => compareKeys(a.name, b.name));

  const result = {
    uuid: msg.uuid || newUuid(),
    continuationToken: page.isTruncated && page.last ? page.last : '',
    entries,
    flags: 0,
  };
  if ((req.headers.accept ?? '').includes('application/msgpack')) {
    const body = lsoMsgpack(result);
    res.writeHead(200, { 'Content-Type': 'application/msgpack', 'Content-Length': body.byteLength });
    res.end(body);
    return;
  }
  sendJson(res, 200, lsoJson(result));
}

/**
 * LsoEnt.custom-md as cmn.CustomMD2S writes it: "[ETag:abc LastModified:2023-09-20T21:04:51Z]" (unquoted
 * ETag, RFC3339 LastModified as remote backends record it). AIStore has an ETag there for remote objects and
 * those written through S3; we give every object's, which clients that know the format can use.
 */
function customMd(ref: BucketRef, o: { etag: string; mtime: number }): string {
  const kv = [`ETag:${o.etag.replace(/"/g, '')}`];
  if (ref.provider !== 'ais' && o.mtime > 0) kv.push(`LastModified:${formatGoTime(new Date(o.mtime), '2006-01-02T15:04:05Z07:00')}`);
  return `[${kv.join(' ')}]`;
}

// ---------------------------------------------------------------- objects

/** Parses one `bytes=` range against the size (RFC 7233); AIStore refuses multi-range reads. */
export function parseRange(header: string, size: number): ByteRange | undefined {
  const m = /^bytes=(.*)$/i.exec(header.trim());
  if (!m) return undefined; // not a bytes range: ignored, the whole object is sent
  const specs = m[1].split(',').map((s) => s.trim());
  if (specs.length > 1) throw new RangeError416(size, 'multi-range read is not supported');
  const r = /^(\d*)-(\d*)$/.exec(specs[0]);
  if (!r || (r[1] === '' && r[2] === '')) throw new RangeError416(size, `invalid range "${header}"`);
  let start: number;
  let end: number;
  if (r[1] === '') {
    const n = Number(r[2]);
    if (n === 0) throw new RangeError416(size, `range "${header}" is not satisfiable (object size ${size})`);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(r[1]);
    end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
    if (r[2] !== '' && Number(r[2]) < start) throw new RangeError416(size, `invalid range "${header}"`);
  }
  if (start >= size) throw new RangeError416(size, `range "${header}" is not satisfiable (object size ${size})`);
  return { start, end };
}

const HEAD_V2_PROPS = ['name', 'size', 'checksum', 'atime', 'version', 'custom', 'last-modified', 'etag', 'location', 'copies', 'ec', 'chunked'];

/** The `props` of a HEAD V2; unknown ones (and V1-only cached, status) are a 400, as in AIStore. */
function headV2Props(props: string): Set<string> {
  const out = new Set<string>();
  for (const raw of props.split(',')) {
    const p = raw.trim();
    if (!p) continue;
    if (!HEAD_V2_PROPS.includes(p)) throw badRequest(`invalid property "${p}" in props list`);
    out.add(p);
  }
  return out;
}

interface ObjAttrs {
  size: number;
  atime: number;
  version: string;
  checksum: { type: string; value: string };
}

/**
 * The object's custom metadata as cmn.ObjAttrs keeps it: user props (PATCH set-custom) and, for a remote
 * object, the backend's ETag and Last-Modified (cmn/objattrs.go ETag, cos.HdrLastModified).
 */
function customOf(ref: BucketRef, meta: { etag: string; mtime: number; userMeta?: Record<string, string> }): Record<string, string> {
  const custom: Record<string, string> = { ...(meta.userMeta ?? {}) };
  if (ref.provider !== 'ais' && meta.etag) custom.ETag = meta.etag.replace(/"/g, '');
  if (ref.provider !== 'ais' && meta.mtime > 0) custom['Last-Modified'] = new Date(meta.mtime).toUTCString();
  return custom;
}

/** cmn/objattrs.go ToHeader: one `Ais-Custom-Md: k=v` per custom key, and `ETag` when there is one. */
function objHeaders(meta: ObjAttrs, size?: number, custom: Record<string, string> = {}): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  const kvs = Object.entries(custom).map(([k, v]) => rawHeaderValue(`${k}=${v}`));
  if (kvs.length > 0) h['Ais-Custom-Md'] = kvs;
  if (custom.ETag) h['ETag'] = custom.ETag;
  if (meta.checksum.type !== 'none' && meta.checksum.value) {
    h['Ais-Checksum-Type'] = meta.checksum.type;
    h['Ais-Checksum-Value'] = meta.checksum.value;
  }
  if (meta.atime > 0) h['Ais-Atime'] = unixNanos(meta.atime);
  if (size !== undefined && size > 0) h['Content-Length'] = String(size);
  if (meta.version) h['Ais-Version'] = meta.version;
  return h;
}

async function objectRoute(
  ctx: RequestContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ref: BucketRef,
  key: string,
  query: URLSearchParams,
): Promise<void> {
  const cluster = ctx.cluster;
  switch (req.method) {
    case 'GET':
      return getObject(ctx, req, res, ref, key, query);
    case 'HEAD': {
      const presence = query.get('presence');
      const props = query.get('props');
      // With `props`, AIStore answers HEAD V2: only the requested attributes (ais/tgthead.go _objHeadV2).
      const wanted = props ? headV2Props(props) : undefined;
      const meta = await cluster.headObject(ref, key);
      if ((presence === '2' || presence === '3') && !meta.present) throw errors.noSuchKey(ref.name, key);
      if (presence === '1' || presence === '3') {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
      let h: Record<string, string | string[]>;
      if (!wanted) {
        h = objHeaders(meta, undefined, customOf(ref, meta));
        h['Ais-Name'] = rawHeaderValue(key);
        h['Ais-Bucket-Name'] = ref.name;
        h['Ais-Bucket-Provider'] = ref.provider;
        if (meta.present) h['Ais-Mirror-Copies'] = '1';
      } else {
        const full = objHeaders(meta, undefined, customOf(ref, meta));
        h = {};
        const copy = (name: string) => {
          if (full[name]) h[name] = full[name];
        };
        if (wanted.has('checksum')) ['Ais-Checksum-Type', 'Ais-Checksum-Value'].forEach(copy);
        if (wanted.has('atime')) copy('Ais-Atime');
        if (wanted.has('version')) copy('Ais-Version');
        if (wanted.has('custom')) copy('Ais-Custom-Md');
        if (wanted.has('last-modified') && meta.mtime > 0) h['Last-Modified'] = new Date(meta.mtime).toUTCString();
        if (wanted.has('etag') && meta.etag) h['ETag'] = `"${meta.etag}"`;
        if (wanted.has('copies') && meta.present) h['Ais-Mirror-Copies'] = '1';
        if (wanted.has('location') && meta.present) h['Ais-Location'] = `${nodeName(ctx, 'target')}:${cluster.dataDir}`;
      }
      h['Content-Length'] = String(meta.size);
      h['Ais-Present'] = String(meta.present);
      res.writeHead(200, h);
      res.end();
      return;
    }
    case 'PUT': {
      if (query.get('append_type') || query.get('archpath') || query.get('uploadId'))
        throw notImplemented('append, archive and multipart PUT on /v1/objects');
      const cksType = req.headers['ais-checksum-type'];
      const cksValue = req.headers['ais-checksum-value'];
      let expectedChecksum: { type: ChecksumType; value: string } | undefined;
      if (typeof cksValue === 'string' && cksValue !== '') {
        const t = typeof cksType === 'string' ? cksType.toLowerCase() : '';
        if (!isChecksumType(t)) throw badRequest(`invalid checksum type "${cksType ?? ''}" (expecting [${CHECKSUM_TYPES.join(' ')}])`);
        if (t !== 'none') expectedChecksum = { type: t, value: cksValue.toLowerCase() };
      }
      const len = req.headers['content-length'];
      // Under credentials a SigV4-signed body must have the SHA-256 it declared (../payload.ts).
      const meta = await cluster.putObject(ref, key, verifiedPayload(req), {
        expectedChecksum,
        expectedSize: len !== undefined ? Number(len) : undefined,
      });
      res.writeHead(200, { ...objHeaders(meta), 'Content-Length': 0 });
      res.end();
      return;
    }
    case 'DELETE': {
      // api/object.go EvictObject: the same DELETE with {"action": "evict-listrange"}.
      const msg = await readActMsg(req);
      if (msg.action === 'evict-listrange') await cluster.evictObject(ref, key);
      else if (msg.action === '' || msg.action === 'delete-obj') await cluster.deleteObject(ref, key);
      else throw badRequest(`invalid action "${msg.action}" for DELETE /v1/objects`);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    case 'POST': {
      const msg = await readActMsg(req);
      if (msg.action !== 'rename-obj') throw notImplemented(`object action "${msg.action}"`);
      // ais/proxy.go _checkObjMv: ais buckets only (ErrUnsupp is 501), a new name, not the same one.
      if (ref.provider !== 'ais')
        throw new NativeError(501, 'ErrUnsupp', `invalid action "rename-obj": not supported for remote buckets (${bucketCname(ref)})`);
      if (!msg.name) throw badRequest('rename-obj: the new object name ("name") is missing');
      if (msg.name === key) throw badRequest(`cannot rename ${bucketCname(ref)}/${key} to self, nothing to do`);
      await cluster.renameObject(ref, key, msg.name);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    case 'PATCH': {
      // api/object.go SetObjectCustomProps: {"value": {k: v, ...}} merged into the object's custom metadata,
      // or replacing it with ?set-new-custom=true. A metadata-only rewrite: the bytes stay as they are.
      const msg = await readActMsg(req);
      const custom = msg.value ?? {};
      if (typeof custom !== 'object' || custom === null || Array.isArray(custom) || !Object.values(custom).every((v) => typeof v === 'string'))
        throw badRequest('set-custom: value must be a JSON object of string values');
      const meta = await cluster.headObject(ref, key);
      if (!meta.present && ref.provider === 'ais') throw errors.noSuchKey(ref.name, key);
      const replace = /^(true|1|yes)$/i.test(query.get('set-new-custom') ?? '');
      const userMeta = { ...(replace ? {} : meta.userMeta), ...(custom as Record<string, string>) };
      await cluster.copyObject(ref, key, ref, key, { contentType: meta.contentType, userMeta, headers: meta.headers });
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    default:
      throw methodNotAllowed(req.method ?? '', 'GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH');
  }
}

async function getObject(
  ctx: RequestContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ref: BucketRef,
  key: string,
  query: URLSearchParams,
): Promise<void> {
  if (query.get('archpath')) throw notImplemented('reading files out of archives (archpath)');
  const rangeHeader = typeof req.headers.range === 'string' ? req.headers.range : undefined;
  const got = await ctx.cluster.getObject(ref, key, rangeHeader ? (size) => parseRange(rangeHeader, size) : undefined);
  const { meta, range } = got;
  let stream = got.stream;
  const length = range ? range.end - range.start + 1 : meta.size;
  let checksum = meta.checksum;
  const bucketConf = (await ctx.cluster.getBucket(ref)).props.checksum;
  if (range && bucketConf.enable_read_range && meta.checksum.type !== 'none' && length < meta.size) {
    // The range's own checksum (ais/tgtobj.go _doCksumRange): hash the range, then send it from a fresh read.
    const hasher = createHasher(meta.checksum.type);
    for await (const chunk of stream) hasher.update(chunk as Buffer);
    checksum = { type: meta.checksum.type, value: hasher.digest() };
    const again = await ctx.cluster.getObject(ref, key, () => range);
    stream = again.stream;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    ...objHeaders({ ...meta, checksum }, undefined, customOf(ref, meta)),
    'Content-Length': String(length),
  };
  if (range) {
    headers['Accept-Ranges'] = 'bytes';
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
  }
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    stream.destroy();
    res.end();
    return;
  }
  try {
    await sendBody(stream, res);
  } catch {
    // The client went away or the disk failed mid-body: the status is sent, so only the connection can say so.
    res.destroy();
  }
}
