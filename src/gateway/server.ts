// HTTP front of the embedded gateway: S3 under /s3, AIStore's native API under /v1.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Store, StoreOptions } from './store/store';
import { handleS3 } from './s3/handler';
import { handleNative } from './native/handler';

export interface GatewayOptions extends StoreOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: { cert: Buffer; key: Buffer };
  /** Behave like a real AIStore proxy: redirect object requests to a target listener (307). */
  redirect?: boolean;
}

export interface Gateway {
  readonly store: Store;
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export interface RequestContext {
  store: Store;
  options: GatewayOptions;
  /** The public URL of this gateway (http://host:port), for Location headers and smap URLs. */
  publicUrl: string;
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
  const ctx: RequestContext = { store, options, publicUrl: '' };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/s3' || path.startsWith('/s3/')) return handleS3(ctx, req, res);
    if (path.startsWith('/v1/') || path === '/v1') return handleNative(ctx, req, res);
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('AIS Buckets gateway: the S3 API is under /s3, the AIStore API under /v1\n');
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  // S3 servers ignore Expect values other than 100-continue; Node would answer 417.
  server.on('checkExpectation', handler);
  // The S3 side sends 100 Continue only once it accepts the request (takeBody), so a PUT to a missing
  // bucket is refused before the client sends the body. Other routes get it at once.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (!(path === '/s3' || path.startsWith('/s3/'))) res.writeContinue();
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0; // large uploads on slow links must not be cut off
  server.headersTimeout = 60_000;
  const port = await listen(server, options.port ?? 0, host);
  const scheme = options.tls ? 'https' : 'http';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  ctx.publicUrl = `${scheme}://${urlHost}:${port}`;
  return {
    store,
    url: ctx.publicUrl,
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
