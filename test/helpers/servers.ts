// Tiny loopback servers for what a real gateway cannot produce on demand: a port nobody listens on, a
// server that accepts and never answers, a fixed HTTP answer (garbage, or an auth failure from a cluster
// that checks keys), a forward proxy, a counting pass-through, a download that stalls mid-way and a redirect
// that comes late.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TinyServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on a free loopback port; close() drops every open connection (tracked here) and the server. */
async function serveOnLoopback(server: net.Server): Promise<TinyServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never says a word. */
export function silentServer(): Promise<TinyServer> {
  return serveOnLoopback(net.createServer(() => undefined));
}

/** A loopback port that was free a moment ago and has nobody listening now. */
export async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Answers every request with the same status, headers and body. */
export function fixedAnswerServer(status: number, headers: Record<string, string>, body: string): Promise<TinyServer> {
  return serveOnLoopback(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    }),
  );
}

export interface ForwardProxy extends TinyServer {
  host: string;
  /** Absolute-form requests it forwarded ("GET http://..."). */
  forwarded: string[];
  /** CONNECT tunnels it opened ("127.0.0.1:443"). */
  tunnels: string[];
}

/** A small but real forward proxy: absolute-form HTTP requests and CONNECT tunnels, like squid does. */
export async function forwardProxy(): Promise<ForwardProxy> {
  const forwarded: string[] = [];
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(up);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const at = (req.url ?? '').lastIndexOf(':');
    const host = (req.url ?? '').slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number((req.url ?? '').slice(at + 1));
    const up = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    forwarded,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends headers and the first bytes of a body it never finishes: a download that stalls mid-way. */
export function stallingServer(declared: number, sent: Buffer): Promise<TinyServer> {
  return serveOnLoopback(
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Length': String(declared), 'Content-Type': 'application/octet-stream', ETag: '"abc"', 'Last-Modified': new Date().toUTCString() });
      res.write(sent);
    }),
  );
}

/**
 * Takes part of a PUT body (after answering 100 Continue, as Node does), then redirects it with 307 to
 * `target` + the same path: a proxy that redirects late, so the client has to replay what it sent.
 */
export function lateRedirectServer(target: string, readBeforeRedirect: number): Promise<TinyServer> {
  const server = http.createServer((req, res) => {
    let seen = 0;
    let answered = false;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (!answered && seen >= readBeforeRedirect) {
        answered = true;
        res.writeHead(307, { Location: `${target}${req.url}`, 'Content-Length': '0', Connection: 'close' });
        res.end();
      }
    });
    req.on('end', () => {
      if (!answered) res.writeHead(307, { Location: `${target}${req.url}`, 'Content-Length': '0' }).end();
    });
  });
  return serveOnLoopback(server);
}

/** Sends `req` on to `upstream` and its answer back to `res`; `onAnswer` sees the answer before it is piped. */
export function forward(req: http.IncomingMessage, res: http.ServerResponse, upstream: URL, agent: http.Agent, onAnswer?: (answer: http.IncomingMessage) => void): void {
  const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    onAnswer?.(answer);
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

export interface CountingProxy {
  url: string;
  /** "METHOD /path?query" of every request that went through. */
  seen: string[];
  /** Every request that went through: its method, URL and headers. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  /** The methods of the requests whose path (decoded) ends with "/key". */
  perKey(key: string): string[];
  close(): Promise<void>;
}

/** Forwards every request to `target`, noting it; requests `refuse` picks get S3's 403 AccessDenied instead. */
export async function countingProxy(target: string, refuse: (req: http.IncomingMessage) => boolean = () => false): Promise<CountingProxy> {
  const seen: string[] = [];
  const requests: CountingProxy['requests'] = [];
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (refuse(req)) {
      req.resume();
      const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied: object lock</Message></Error>';
      res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(req.method === 'HEAD' ? undefined : xml);
      return;
    }
    forward(req, res, upstream, agent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    requests,
    perKey: (key) => seen.filter((r) => decodeURIComponent(r.split(' ')[1].split('?')[0]).endsWith(`/${key}`)).map((r) => r.split(' ')[0]),
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
