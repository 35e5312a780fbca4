// HTTP front of the embedded gateway: S3 under /s3, AIStore's native API under /v1.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Store, StoreOptions } from './store/store';
import { handleS3 } from './s3/routes';
import { handleNative, sendNativeError } from './native/routes';
import { authenticate, Credentials } from './auth';
import { authorize, serveClusterTokens } from './authn/guard';
import { AuthnOptions, AuthnServer, startAuthn } from './authn/server';
import { AuthnTokens } from './authn/tokens';
import { newRequestId, sendError as sendS3Error } from './s3/http';
import { Cluster, RemoteOptions } from './cluster/cluster';
import { ClusterInfo, makeClusterInfo } from './cluster/nodes';
import type { RequestContext } from './context';
import { jobEngine } from './native/jobengine';

export interface GatewayOptions extends StoreOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: { cert: Buffer; key: Buffer };
  /** Behave like a real AIStore proxy: redirect object requests to a target listener (307). */
  redirect?: boolean;
  /** The remote S3 service behind the `aws` provider (any S3 endpoint). */
  remote?: RemoteOptions;
  /**
   * With credentials, every /s3 and /v1 request must be signed with them (SigV4 header or presigned, or
   * V2), or for /v1 carry their Bearer token (auth.ts nativeToken); /v1/health stays open. Without,
   * requests are anonymous.
   */
  credentials?: Credentials;
  /**
   * Run an AuthN beside the gateway (its own listener, as AIStore's) and require its tokens: /v1 wants
   * `Authorization: Bearer <JWT>`, /s3 takes the JWT in X-Amz-Security-Token too (authn/guard.ts). With
   * `credentials` as well, requests without a token are checked against the keys as before.
   */
  authn?: AuthnOptions;
  /** Serve as one target of a multi-node cluster (multinode/proxy.ts), with the id its proxy gave it. */
  targetId?: string;
}

export interface Gateway {
  readonly store: Store;
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Buckets across providers (ais local, aws remote): what both APIs call. */
  readonly cluster: Cluster;
  /** The target listener object requests are redirected to with `redirect`; the public URL otherwise. */
  readonly targetUrl: string;
  /** The AuthN's URL (sign in: POST {authnUrl}/v1/users/NAME), when it runs with `authn`. */
  readonly authnUrl?: string;
  close(): Promise<void>;
}

/**
 * Object data requests a real AIStore proxy redirects to a target (ais/proxy.go, ais/prxs3.go):
 * GET/PUT/HEAD of an object, native or S3 (S3 sub-resources like ?acl or ListParts excepted), and the other
 * native object requests (DELETE, PATCH, POST).
 */
function isObjectDataRequest(req: http.IncomingMessage): 'native' | 's3' | undefined {
  const method = req.method;
  const [path, query = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
  // Native DELETE, PATCH (custom props) and POST (rename) of an object go to its target too (ais/proxy.go).
  if (path.startsWith('/v1/objects/') && ['GET', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'POST'].includes(method ?? '')) return 'native';
  if (method !== 'GET' && method !== 'PUT' && method !== 'HEAD') return undefined;
  if (!path.startsWith('/s3/')) return undefined;
  const slash = path.indexOf('/', 4);
  if (slash < 0 || slash === path.length - 1) return undefined; // bucket-level request
  const params = new URLSearchParams(query);
  for (const sub of ['acl', 'tagging', 'uploads', 'legal-hold', 'retention', 'attributes', 'torrent']) if (params.has(sub)) return undefined;
  if (params.has('uploadId') && method !== 'PUT') return undefined;
  return 's3';
}

/** 307 (native GET: 301) to the target listener, as ais/prxred.go redurl builds it (native: + pid & utm) and s3Redirect words it. */
function redirect(ctx: RequestContext, kind: 'native' | 's3', req: http.IncomingMessage, res: http.ServerResponse): void {
  const [path, query] = (req.url ?? '/').split(/\?(.*)/s, 2);
  let location: string;
  if (kind === 'native') {
    const marks = `pid=${ctx.info.proxy.id}&utm=${BigInt(Date.now()) * 1_000_000n}`;
    location = `${ctx.info.target.url}${path}?${query ? `${query}&` : ''}${marks}`;
    // ais/proxy.go httpobjget redirects with 301 (Go's http.Redirect then writes a small HTML body); all else 307.
    if (req.method === 'GET') {
      const html = `<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&#34;')}">Moved Permanently</a>.\n`;
      res.writeHead(301, { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    res.writeHead(307, { Location: location, 'Content-Length': 0 });
    res.end();
    return;
  }
  location = `${ctx.info.target.url}${path}${query ? `?${query}` : ''}`;
  const bucket = decodeURIComponent(path.split('/')[2] ?? '');
  const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>TemporaryRedirect</Code><Message>Redirect</Message>' +
    `<Endpoint>${xmlEsc(location)}</Endpoint><Bucket>${xmlEsc(bucket)}</Bucket></Error>`;
  res.writeHead(307, { Location: location, 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const store = await Store.open(options.dataDir, options);
  const host = options.host ?? '127.0.0.1';
  const cluster = Cluster.create(store, options.remote);
  const tokens = options.authn ? new AuthnTokens(options.authn.secret, store.config().uuid) : undefined;
  const ctx: RequestContext = { cluster, role: options.targetId ? 'target' : 'proxy', info: undefined as unknown as ClusterInfo };
  // The target listener (redirect mode only) serves everything directly, as an AIStore target does.
  const targetCtx: RequestContext = { ...ctx, role: 'target' };
  const makeHandler = (c: RequestContext) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const api = path === '/s3' || path.startsWith('/s3/') ? 's3' : path === '/v1' || path.startsWith('/v1/') ? 'native' : undefined;
    // One check before routing (and before a redirect): the request is signed with our credentials, or
    // carries a valid AuthN token.
    if (tokens && path === '/v1/tokens') {
      serveClusterTokens(req, res, tokens).catch((e) => sendNativeError(c, req, res, e));
      return;
    }
    if ((options.credentials || tokens) && api && path !== '/v1/health') {
      const check = tokens ? authorize(req, api, tokens, options.credentials) : authenticate(req, options.credentials!, api);
      check.then(
        () => routeRequest(c, req, res, path),
        (e) => {
          if (api === 'native') return sendNativeError(c, req, res, e);
          sendS3Error({ req, res, method: req.method ?? 'GET', query: new URLSearchParams(), requestId: newRequestId(), bodyTaken: false }, e);
        },
      );
      return;
    }
    routeRequest(c, req, res, path);
  };
  const routeRequest = (c: RequestContext, req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    if (c.role === 'proxy' && options.redirect) {
      const kind = isObjectDataRequest(req);
      if (kind) return redirect(c, kind, req, res);
    }
    if (path === '/s3' || path.startsWith('/s3/')) return handleS3(c, req, res);
    if (path.startsWith('/v1/') || path === '/v1') return handleNative(c, req, res);
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('AIS Buckets gateway: the S3 API is under /s3, the AIStore API under /v1\n');
  };
  const createServer = (c: RequestContext) => {
    const handler = makeHandler(c);
    const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
    // S3 servers ignore Expect values other than 100-continue; Node would answer 417.
    server.on('checkExpectation', handler);
    // The S3 side sends 100 Continue only once it accepts the request (takeBody), so a PUT to a missing
    // bucket is refused before the client sends the body. Other routes get it at once.
    server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      // A PUT about to be redirected gets its 307 before the client sends the body.
      if (c.role === 'proxy' && options.redirect && isObjectDataRequest(req)) return handler(req, res);
      const path = (req.url ?? '/').split('?', 1)[0];
      if (!(path === '/s3' || path.startsWith('/s3/'))) res.writeContinue();
      handler(req, res);
    });
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0; // large uploads on slow links must not be cut off
    server.headersTimeout = 60_000;
    return server;
  };
  const closeServer = (s: http.Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  const server = createServer(ctx);
  const targetServer = options.redirect ? createServer(targetCtx) : undefined;
  const port = await listen(server, options.port ?? 0, host);
  const scheme = options.tls ? 'https' : 'http';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const publicUrl = `${scheme}://${urlHost}:${port}`;
  const targetUrl = targetServer ? `${scheme}://${urlHost}:${await listen(targetServer, 0, host)}` : publicUrl;
  ctx.info = targetCtx.info = await makeClusterInfo(store.config().uuid, publicUrl, targetUrl, options.targetId);
  let authn: AuthnServer | undefined;
  try {
    if (options.authn && tokens) authn = await startAuthn(options.authn, tokens, host, options.tls);
  } catch (e) {
    await Promise.all([closeServer(server), targetServer ? closeServer(targetServer) : undefined]);
    await jobEngine(cluster).stopAll();
    cluster.close();
    throw e;
  }
  return {
    store,
    url: publicUrl,
    port,
    host,
    cluster,
    targetUrl,
    authnUrl: authn?.url,
    close: async () => {
      await Promise.all([closeServer(server), targetServer ? closeServer(targetServer) : undefined, authn?.close()]);
      await jobEngine(cluster).stopAll();
      cluster.close();
      await store.close();
    },
  };
}
