// The proxy's HTTP legs to its targets: a streamed reverse-proxy of one request (S3 object calls, which
// stock S3 clients cannot follow as redirects), and small buffered requests for fan-out and merged listings.
import * as http from 'node:http';

/** A node that does not answer: connection refused, reset, or timed out. */
export class TargetUnreachable extends Error {
  constructor(
    readonly targetUrl: string,
    readonly reason: Error,
  ) {
    super(`${targetUrl}: ${reason.message}`);
  }
}

// Hop-by-hop headers (RFC 9110 7.6.1) and Expect: the proxy already answered 100 Continue itself.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

function forwardHeaders(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  // Host stays the client's: a SigV4 signature covers it, and path-style S3 does not route by it.
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Streams `req` to the same path on `targetUrl` and the answer back to `res`. Rejects with
 * TargetUnreachable when the target cannot be reached before anything was answered.
 */
export function streamTo(targetUrl: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url ?? '/', targetUrl);
    const headers = forwardHeaders(req.headers);
    const out = http.request(u, { method: req.method, headers, agent }, (tres) => {
      const h: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(tres.headers)) if (v !== undefined && !HOP.has(k)) h[k] = v;
      res.writeHead(tres.statusCode ?? 502, h);
      tres.pipe(res);
      tres.on('end', () => resolve());
      tres.on('error', () => (res.destroy(), resolve()));
    });
    out.on('error', (e) => {
      if (!res.headersSent) reject(new TargetUnreachable(targetUrl, e));
      else {
        res.destroy();
        resolve();
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
}

export interface Buffered {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One small request to a target, answer read whole. Rejects with TargetUnreachable when it does not answer. */
export function requestBuffered(
  targetUrl: string,
  method: string,
  pathAndQuery: string,
  headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders,
  body?: Buffer,
  timeoutMs = 60_000,
): Promise<Buffered> {
  return new Promise((resolve, reject) => {
    const h = forwardHeaders(headers);
    delete h['content-length'];
    if (body && body.length) h['content-length'] = body.length;
    const out = http.request(new URL(pathAndQuery, targetUrl), { method, headers: h, agent, signal: AbortSignal.timeout(timeoutMs) }, (tres) => {
      const chunks: Buffer[] = [];
      tres.on('data', (c: Buffer) => chunks.push(c));
      tres.on('end', () => resolve({ status: tres.statusCode ?? 502, headers: tres.headers, body: Buffer.concat(chunks) }));
      tres.on('error', (e) => reject(new TargetUnreachable(targetUrl, e)));
    });
    out.on('error', (e) => reject(new TargetUnreachable(targetUrl, e)));
    out.end(body && body.length ? body : undefined);
  });
}

/** Reads a request's (small) body whole: action messages, S3 bucket calls. */
export function readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new Error(`request body over ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes a buffered answer through, as the target gave it. */
export function sendBuffered(res: http.ServerResponse, b: Buffered): void {
  const h: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(b.headers)) if (v !== undefined && !HOP.has(k)) h[k] = v;
  // A HEAD's Content-Length is the object's (no body); otherwise it is what we send.
  if (b.body.length || h['content-length'] === undefined) h['content-length'] = b.body.length;
  res.writeHead(b.status, h);
  res.end(b.body);
}
