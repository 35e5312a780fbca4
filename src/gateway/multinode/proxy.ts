// A local multi-node cluster: this process is the proxy, N child processes are its targets (targets.ts).
// Object requests go to the target HRW picks for the object (hrw.ts): native ones are redirected as
// ais/proxy.go does (GET 301, the rest 307, with pid and utm added: ais/prxred.go); S3 ones are forwarded,
// as AIStore does with its S3-Reverse-Proxy feature (ais/prxs3.go s3Redirect), because stock S3 clients
// (AWS SDKs, aws CLI, s3cmd) do not follow a 307 (AIStore ships a botocore patch for that). Bucket create,
// destroy, props and multi-object deletes go to every target; listings are merged (listing.ts); the
// cluster map is the proxy's (smap.ts). Everything else (bucket list, HEAD bucket, config, jobs) is
// answered by the first target that is up: jobs such as copy-bck or archive only see that target's objects.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HDR, normalizeProvider } from '../../common/aisapi';
import type { NodeAddr } from '../cluster/nodes';
import { Buffered, readBody, requestBuffered, sendBuffered, streamTo, TargetUnreachable } from './forward';
import { hrwTarget, initHrw, idDigest, objectUname } from './hrw';
import { asker, ListTargets, mergeNativeListing, mergeS3Listing } from './listing';
import { multiSmapJson, SmapState } from './smap';
import { clusterIds, TargetNode, TargetSet } from './targets';

export interface MultiNodeOptions {
  /** This program (dist/gateway.js): the targets run it with --node-id. */
  script: string;
  dataDir: string;
  host: string;
  port: number;
  targets: number;
  /** Flags every target gets (--checksum, --fsync). */
  targetArgs: string[];
  log: (line: string) => void;
  /** Keepalive period (ms), 1000 by default. */
  keepaliveMs?: number;
}

export interface MultiNodeProxy {
  url: string;
  port: number;
  proxyId: string;
  targets: TargetNode[];
  close(): Promise<void>;
}

const ok = (b: Buffered) => b.status >= 200 && b.status < 300;

export async function startMultiNode(opts: MultiNodeOptions): Promise<MultiNodeProxy> {
  await initHrw();
  const ids = clusterIds(opts.dataDir, opts.targets);
  const smap: SmapState = { uuid: '', created: new Date(), version: 0, proxy: undefined as unknown as NodeAddr, targets: [] };
  const addr = (t: TargetNode): NodeAddr => ({ id: t.id, type: 'target', url: t.url, digest: t.digest.toString() });
  const set = await TargetSet.start({
    script: opts.script,
    dataDir: opts.dataDir,
    host: opts.host,
    ids: ids.targetIds,
    args: opts.targetArgs,
    log: opts.log,
    intervalMs: opts.keepaliveMs,
    onChange: () => {
      smap.targets = set.alive().map(addr);
      smap.version++;
    },
  });
  const name = `p[${ids.proxyId}]`;
  const designated = () => set.alive()[0];
  const down = (t: TargetNode) => (e: Error) => set.markDown(t, `it does not answer (${e.message})`);
  const listTargets = (): ListTargets => ({ askers: set.alive().map((t) => asker(t.url, down(t))) });

  /** AIStore's error JSON (native/errors.ts shape), from the proxy. */
  const nativeError = (req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string) => {
    const body = JSON.stringify({
      message,
      method: req.method,
      url_path: (req.url ?? '/').split('?', 1)[0],
      remote_addr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
      caller: '',
      node: name,
      status,
    });
    if (res.headersSent) return void res.destroy();
    if (req.method === 'HEAD') {
      res.writeHead(status, { 'Content-Type': 'application/json', [HDR.error]: body });
      return void res.end();
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const s3Error = (req: http.IncomingMessage, res: http.ServerResponse, status: number, code: string, message: string) => {
    if (res.headersSent) return void res.destroy();
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message><Resource>${esc((req.url ?? '/').split('?', 1)[0].replace(/^\/s3/, ''))}</Resource></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': req.method === 'HEAD' ? 0 : Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const noTargets = () => `no target is up (all ${set.nodes.length} are down): restart the gateway`;
  const downMessage = (t: TargetNode, what: string) =>
    `${what} is on target t[${t.id}], which is down (${t.downReason ?? 'not answering'}): restart the gateway to bring the target back`;

  /** The HRW target of an object, over every configured target (see below for why the down ones count). */
  const ownerOf = (provider: string, bucket: string, key: string) => hrwTarget(set.nodes, objectUname(provider, bucket, key))!;

  /** Streams the request to a target; an unreachable one is marked down and the client told so. */
  const forwardTo = async (t: TargetNode | undefined, req: http.IncomingMessage, res: http.ServerResponse, s3: boolean) => {
    if (!t) return s3 ? s3Error(req, res, 503, 'ServiceUnavailable', noTargets()) : nativeError(req, res, 503, noTargets());
    try {
      await streamTo(t.url, req, res);
    } catch (e) {
      if (!(e instanceof TargetUnreachable)) throw e;
      set.markDown(t, `it does not answer (${e.reason.message})`);
      const msg = `target t[${t.id}] does not answer (${e.reason.message}): try again, or restart the gateway`;
      if (s3) s3Error(req, res, 503, 'ServiceUnavailable', msg);
      else nativeError(req, res, 503, msg);
    }
  };

  /** The same buffered request to every target that is up; the first failure, else the first target's answer. */
  const fanOut = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, s3: boolean) => {
    const targets = set.alive();
    if (!targets.length) return s3 ? s3Error(req, res, 503, 'ServiceUnavailable', noTargets()) : nativeError(req, res, 503, noTargets());
    const answers = await Promise.all(
      targets.map((t) =>
        requestBuffered(t.url, req.method ?? 'GET', req.url ?? '/', req.headers, body).catch((e: Error) => {
          set.markDown(t, `it does not answer (${e.message})`);
          return undefined;
        }),
      ),
    );
    const got = answers.filter((a): a is Buffered => !!a);
    if (!got.length) return s3 ? s3Error(req, res, 503, 'ServiceUnavailable', noTargets()) : nativeError(req, res, 503, noTargets());
    sendBuffered(res, got.find((a) => !ok(a)) ?? got[0]);
  };

  /** Native object request → 301/307 to its target (ais/prxred.go redurl: + pid, utm). */
  const redirectObject = (req: http.IncomingMessage, res: http.ServerResponse, path: string, query: string, provider: string, bucket: string, key: string) => {
    const t = ownerOf(provider, bucket, key);
    // A down target still owns its objects here: AIStore would remap them to a survivor, which (without
    // rebalance) answers 404 for them; naming the down target is the clearer answer.
    if (!t.up) return nativeError(req, res, 503, downMessage(t, `${provider}://${bucket}/${key}`));
    const location = `${t.url}${path}?${query ? `${query}&` : ''}pid=${ids.proxyId}&utm=${BigInt(Date.now()) * 1_000_000n}`;
    if (req.method === 'GET') {
      const html = `<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&#34;')}">Moved Permanently</a>.\n`;
      res.writeHead(301, { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
      return void res.end(html);
    }
    res.writeHead(307, { Location: location, 'Content-Length': 0 });
    res.end();
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    const params = new URLSearchParams(query);
    const method = req.method ?? 'GET';
    const parts = path.split('/');
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      const msg = `malformed URL path: ${path}`;
      return parts[1] === 's3' ? s3Error(req, res, 400, 'InvalidURI', msg) : nativeError(req, res, 400, msg);
    }

    if (path === '/v1/health') {
      res.writeHead(200, { 'Content-Length': 0 });
      return void res.end();
    }
    if (method === 'GET' && (path === '/v1/daemon' || path === '/v1/cluster') && params.get('what') === 'smap') {
      const body = multiSmapJson(smap);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (parts[1] === 'v1' && parts[2] === 'objects' && parts.length > 4 && parts.slice(4).join('/') !== '') {
      const provider = normalizeProvider(params.get('provider') || 'ais') ?? 'ais';
      const bucket = decoded[3];
      const key = decoded.slice(4).join('/');
      return redirectObject(req, res, path, query, provider, bucket, key);
    }
    if (parts[1] === 'v1' && parts[2] === 'buckets' && parts[3]) {
      const provider = normalizeProvider(params.get('provider') || 'ais') ?? 'ais';
      if (method === 'HEAD') return forwardTo(designated(), req, res, false);
      const body = await readBody(req);
      let msg: { action?: string; value?: Record<string, unknown> | null } = {};
      try {
        if (body.length) msg = JSON.parse(body.toString('utf8')) as typeof msg;
      } catch {
        return nativeError(req, res, 400, 'the request body is not a JSON action message ({"action": ..., "value": ...})');
      }
      const action = msg.action ?? '';
      if (method === 'GET' && ((action === 'list' && msg.value !== undefined && msg.value !== null) || action === '')) {
        const targets = listTargets();
        if (!targets.askers.length) return nativeError(req, res, 503, noTargets());
        return sendBuffered(res, await mergeNativeListing(targets, req, msg, provider));
      }
      const everywhere =
        (method === 'POST' && action === 'create-bck') ||
        (method === 'DELETE' && ['destroy-bck', 'delete-listrange', 'evict-listrange', 'evict-remote-bck'].includes(action)) ||
        method === 'PATCH';
      if (everywhere) return fanOut(req, res, body, false);
      const t = designated();
      if (!t) return nativeError(req, res, 503, noTargets());
      return sendBuffered(res, await requestBuffered(t.url, method, raw, req.headers, body));
    }
    if (parts[1] === 's3' && parts[2]) {
      const bucket = decoded[2];
      const key = decoded.slice(3).join('/');
      if (key) {
        // Every request on an object (data, multipart, ACL, tagging) is its target's.
        const t = ownerOf('ais', bucket, key);
        if (!t.up) return s3Error(req, res, 503, 'ServiceUnavailable', downMessage(t, `s3://${bucket}/${key}`));
        return forwardTo(t, req, res, true);
      }
      const sub = ['location', 'acl', 'versioning', 'logging', 'notification', 'requestPayment', 'accelerate', 'uploads', 'versions', 'policy', 'cors', 'tagging', 'lifecycle', 'website', 'encryption', 'replication', 'object-lock', 'ownershipControls', 'publicAccessBlock', 'analytics', 'metrics', 'inventory', 'intelligent-tiering'];
      const hasSub = sub.some((s) => params.has(s));
      if (method === 'GET' && !hasSub) {
        const targets = listTargets();
        if (!targets.askers.length) return s3Error(req, res, 503, 'ServiceUnavailable', noTargets());
        return sendBuffered(res, await mergeS3Listing(targets, req));
      }
      if (method === 'PUT' || method === 'DELETE' || (method === 'POST' && params.has('delete'))) return fanOut(req, res, await readBody(req), true);
    }
    return forwardTo(designated(), req, res, parts[1] === 's3');
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    route(req, res).catch((e: Error) => {
      const s3 = (req.url ?? '').startsWith('/s3');
      const msg = `the proxy could not complete the request: ${e.message}`;
      if (s3) s3Error(req, res, 500, 'InternalError', msg);
      else nativeError(req, res, 500, msg);
    });
  };
  const server = http.createServer(handle);
  // A native object PUT behind "Expect: 100-continue" gets its 307 before the client sends the body (a
  // one-time stream can then go to the target whole: what a client buffers for a replay is bounded).
  // Everything else is read or forwarded here, so it may go ahead at once.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parts = (req.url ?? '/').split('?', 1)[0].split('/');
    const redirected = parts[1] === 'v1' && parts[2] === 'objects' && parts.length > 4 && parts.slice(4).join('/') !== '';
    if (!redirected) res.writeContinue();
    handle(req, res);
  });
  // S3 servers ignore Expect values other than 100-continue; Node would answer 417.
  server.on('checkExpectation', handle);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve((server.address() as AddressInfo).port));
  }).catch(async (e) => {
    await set.stop();
    throw e;
  });
  const urlHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${urlHost}:${port}`;
  smap.proxy = { id: ids.proxyId, type: 'proxy', url, digest: idDigest(ids.proxyId).toString() };
  smap.targets = set.alive().map(addr);
  smap.version = 1 + set.nodes.length;
  // The cluster's uuid is the first target's (its config's): cluster_config, forwarded there, agrees.
  try {
    const s = await requestBuffered(set.nodes[0].url, 'GET', '/v1/cluster?what=smap', {});
    smap.uuid = (JSON.parse(s.body.toString('utf8')) as { uuid?: string }).uuid ?? '';
  } catch {
    smap.uuid = '';
  }
  return {
    url,
    port,
    proxyId: ids.proxyId,
    targets: set.nodes,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await set.stop();
    },
  };
}
