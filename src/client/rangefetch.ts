// Ranged downloads from an AIS cluster move their bytes on a worker thread: request, response body, and
// positional writes into the download's temp file all happen there; the caller's thread only hears
// "n more bytes written" and the outcome.
//
// Why: Node's HTTP parser hands over every 64 KB of body as a new external buffer. Their sheer volume
// (16,000 per GB) sets off full mark-compacts of whatever heap they land in: 50–90 per GB were counted on
// the bench client's 12 MB heap, and the extension host's heap is far larger, so each one costs more and
// stalls the event loop the UI runs on. A worker's heap holds almost nothing, so the same collections
// there cost next to nothing. Measured on the bench's 1 GB md5 download (3 runs each): the client's CPU
// went from 2.7–5.9 s to 3.6–4.7 s (steadier, both including the MD5 hashing) and the median speed from
// 331 to 389 MB/s.
//
// The worker is an eval'd script with built-ins only (no bundle path or node_modules needed), like the
// hash workers. Redirects, connect and idle timeouts behave as in HttpTransport; errors come back as
// plain data for the caller to turn into its ClientErrors. No proxies here: a proxied client streams on
// its own thread (HttpTransport).
import { Worker } from 'node:worker_threads';

/** One range of an object to fetch into `file` at `position`. */
export interface RangeFetch {
  url: string;
  headers: Record<string, string>;
  file: string;
  position: number;
  length: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxRedirects: number;
  /** The caller's connection settings: requests with the same key share the worker's keep-alive agent. */
  agentKey: number;
  /** The caller's agent options (httpsAgentOptions) but for checkServerIdentity, a function, which cannot be posted. */
  agentOptions: { keepAlive?: boolean; maxSockets?: number; rejectUnauthorized?: boolean; ca?: unknown };
  /** False: the certificate chain is verified, the host name in it is not (s3cmd's check_ssl_hostname = False). */
  checkHostname: boolean;
}

export type RangeOutcome =
  /** The 2xx body, all `length` bytes of it, is in the file. */
  | { kind: 'done'; bytes: number }
  /** A final answer that is not 2xx (after redirects): its status, headers and the start of its body. */
  | { kind: 'status'; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  /**
   * Nothing usable came: `code`/`syscall` as Node's errors have them; `tag` for what the worker itself
   * decided (a timeout, too many redirects, a body of the wrong length) or 'file' when opening or writing
   * the local file failed.
   */
  | { kind: 'error'; message: string; code?: string; syscall?: string; tag?: 'connect-timeout' | 'idle-timeout' | 'redirects' | 'length' | 'worker' | 'file'; location?: string; status?: number }
  | { kind: 'cancelled' };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const BATCH = ${1 << 20};   // bytes gathered for one writev
const AHEAD = ${8 << 20};   // received but not yet written: pause the socket beyond this
const LINGER_MS = 100;      // a slow link's bytes are written (and reported) at least this often
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const agents = new Map();
const live = new Map();

function agentFor(url, m) {
  const key = m.agentKey + ' ' + url.protocol;
  let a = agents.get(key);
  if (!a) {
    const o = Object.assign({}, m.agentOptions);
    if (!m.checkHostname) o.checkServerIdentity = () => undefined;
    a = url.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
    agents.set(key, a);
  }
  return a;
}

function tagged(tag, message) {
  return Object.assign(new Error(message), { tag });
}

function fetchRange(m) {
  let url;
  let hops = 0;
  let done = false;
  let fd;
  let req;
  let res;
  let connectTimer;
  // A writev in flight when the fetch ends: the fd is closed (and the outcome posted) only after it, since
  // a closed fd's number can be reused by the next open in this process, and a late write would land there.
  let writeInFlight = false;
  let afterWrite;
  const finish = (msg, destroy) => {
    if (done) return;
    done = true;
    live.delete(m.id);
    clearTimeout(connectTimer);
    // A failed request's socket is not reused: it may still carry body bytes.
    if (destroy) {
      if (res) res.destroy();
      if (req) req.destroy();
    }
    const post = () => parentPort.postMessage(Object.assign({ id: m.id }, msg));
    const close = () => (fd === undefined ? post() : fs.close(fd, post));
    if (writeInFlight) afterWrite = close;
    else close();
  };
  const fail = (e) => finish({ kind: 'error', message: String((e && e.message) || e), code: e && e.code, syscall: e && e.syscall, tag: e && e.tag, location: e && e.location, status: e && e.status }, true);
  live.set(m.id, () => finish({ kind: 'cancelled' }, true));

  const attempt = () => {
    res = undefined;
    req = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers: m.headers, agent: agentFor(url, m) });
    connectTimer = setTimeout(() => req.destroy(tagged('connect-timeout', 'connect timeout')), m.connectTimeoutMs);
    req.on('socket', (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (socket.connecting) socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    req.setTimeout(m.timeoutMs, () => {
      const e = tagged('idle-timeout', 'idle timeout');
      if (res) res.destroy(e);
      else req.destroy(e);
    });
    req.on('error', fail);
    req.on('response', (r) => {
      if (done) return r.resume();
      clearTimeout(connectTimer);
      res = r;
      r.on('error', fail);
      const status = r.statusCode || 0;
      if (REDIRECTS.has(status) && r.headers.location) {
        r.resume();
        if (++hops > m.maxRedirects) return fail(Object.assign(tagged('redirects', 'too many redirects'), { location: r.headers.location, status }));
        url = new URL(r.headers.location, url);
        return attempt();
      }
      if (status < 200 || status >= 300) return readText(r, status);
      writeBody(r);
    });
    req.end();
  };

  const readText = (r, status) => {
    const chunks = [];
    let size = 0;
    const end = () => finish({ kind: 'status', status, headers: r.headers, text: Buffer.concat(chunks).toString('utf8') }, size > 65536);
    r.on('data', (c) => {
      if (size < 65536) chunks.push(c);
      size += c.length;
      if (size > 65536) end();
    });
    r.on('end', end);
    r.removeListener('error', fail);
    r.on('error', end);
  };

  const writeBody = (r) => {
    let pending = [];
    let pendingBytes = 0;
    let writing = 0;
    let received = 0;
    let written = 0;
    let ended = false;
    let lingerTimer;
    const settleIfDone = () => {
      if (!ended || writing || pendingBytes) return;
      if (written !== m.length) fail(tagged('length', 'got ' + written + ' bytes, expected ' + m.length));
      else finish({ kind: 'done', bytes: written }, false);
    };
    const flush = () => {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
      if (writing || done || pendingBytes === 0) return;
      const bufs = pending;
      writing = pendingBytes;
      pending = [];
      pendingBytes = 0;
      writeInFlight = true;
      fs.writev(fd, bufs, m.position + written, (err, n) => {
        writeInFlight = false;
        const asked = writing;
        writing = 0;
        if (done) return afterWrite?.();
        if (err) return fail(Object.assign(err, { tag: 'file' }));
        if (n < asked) {
          // A short write (the disk filling up reports ENOSPC on the next one): send the rest again.
          const rest = Buffer.concat(bufs).subarray(n);
          pending.unshift(rest);
          pendingBytes += rest.length;
        }
        written += n;
        parentPort.postMessage({ id: m.id, kind: 'progress', bytes: n });
        if (r.isPaused() && !ended) r.resume();
        flush();
        settleIfDone();
      });
    };
    r.on('data', (c) => {
      if (done) return;
      received += c.length;
      if (received > m.length) return fail(tagged('length', 'got more than the ' + m.length + ' bytes asked for'));
      pending.push(c);
      pendingBytes += c.length;
      if (pendingBytes >= BATCH) flush();
      else if (lingerTimer === undefined) lingerTimer = setTimeout(flush, LINGER_MS);
      if (pendingBytes + writing >= AHEAD) r.pause();
    });
    r.on('end', () => {
      ended = true;
      flush();
      settleIfDone();
    });
  };

  fs.open(m.file, 'r+', (err, opened) => {
    if (err) return fail(Object.assign(err, { tag: 'file' }));
    fd = opened;
    if (done) return fs.close(opened, () => undefined);
    try {
      url = new URL(m.url);
      attempt();
    } catch (e) {
      fail(e);
    }
  });
}

parentPort.on('message', (m) => {
  if (m.op === 'fetch') fetchRange(m);
  else if (m.op === 'cancel') live.get(m.id)?.();
  else if (m.op === 'forget') {
    for (const key of [m.agentKey + ' http:', m.agentKey + ' https:']) {
      agents.get(key)?.destroy();
      agents.delete(key);
    }
  }
});
`;

interface Pending {
  onBytes: (n: number) => void;
  resolve: (o: RangeOutcome) => void;
}

class RangeWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: { id: number } & (RangeOutcome | { kind: 'progress'; bytes: number })) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') return p.onBytes(m.bytes);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(m);
    });
    const failAll = (message: string) => {
      for (const p of this.pending.values()) p.resolve({ kind: 'error', message, tag: 'worker' });
      this.pending.clear();
      if (shared === this) shared = undefined;
    };
    this.worker.on('error', (e) => failAll(`the download worker failed: ${e.message}`));
    this.worker.on('exit', (code) => failAll(`the download worker exited (${code})`));
    // Idle, it must never keep a process alive; unref after the listeners (a 'message' listener refs it).
    this.worker.unref();
  }
}

let shared: RangeWorker | undefined;
let nextId = 1;
let nextAgentKey = 1;

/** A key for one client's connection settings; give it to `forgetAgents` when the client is disposed. */
export function newAgentKey(): number {
  return nextAgentKey++;
}

/** Fetches one range into a file on the download worker; `onBytes` hears each write as it lands. */
export function fetchRangeToFile(spec: RangeFetch, onBytes: (n: number) => void, signal?: AbortSignal): Promise<RangeOutcome> {
  if (signal?.aborted) return Promise.resolve({ kind: 'cancelled' });
  const w = (shared ??= new RangeWorker());
  const id = nextId++;
  return new Promise<RangeOutcome>((resolve) => {
    const onAbort = () => w.worker.postMessage({ op: 'cancel', id });
    signal?.addEventListener('abort', onAbort, { once: true });
    w.pending.set(id, {
      onBytes,
      resolve: (o) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(o);
      },
    });
    if (w.pending.size === 1) w.worker.ref();
    w.worker.postMessage({ op: 'fetch', id, ...spec });
  });
}

/** Closes the worker's keep-alive sockets for a client that is gone. */
export function forgetAgents(agentKey: number): void {
  shared?.worker.postMessage({ op: 'forget', agentKey });
}
