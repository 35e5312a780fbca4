// The download worker (rangefetch.ts starts it; esbuild.mjs bundles it as rangeworker.js): one ranged GET
// per request, its body written with positional writes into the download's temp file, and only "n bytes
// written" and the outcome posted back. Redirects, connect and idle timeouts behave as in HttpTransport.
// The same script runs the file worker too (savefile.ts, a thread of its own): a small download's verified
// bytes into a temp file renamed onto its file.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { parentPort } from 'node:worker_threads';
import type { RangeOutcome, RangeReply, RangeRequest } from './rangefetch';
import type { SaveReply, SaveRequest } from './savefile';

type FetchRequest = Extract<RangeRequest, { op: 'fetch' }>;
type RangeError = Extract<RangeOutcome, { kind: 'error' }>;
type TaggedError = Error & Partial<Pick<RangeError, 'tag' | 'location' | 'status'>> & { code?: string; syscall?: string };

const BATCH = 1 << 20; // bytes gathered for one writev
const AHEAD = 8 << 20; // received but not yet written: pause the socket beyond this
const LINGER_MS = 100; // a slow link's bytes are written (and reported) at least this often
const REPORT_BYTES = 8 << 20; // written bytes reported at once: one message per 8 MB, not per writev
const TEXT_BYTES = 65536; // of a body that is not 2xx, kept for the message
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const port = parentPort!;
const agents = new Map<string, http.Agent>();
/** Cancels of the fetches in flight, by request id. */
const live = new Map<number, () => void>();

function agentFor(url: URL, m: FetchRequest): http.Agent {
  const key = `${m.agentKey} ${url.protocol}`;
  let a = agents.get(key);
  if (!a) {
    const o: https.AgentOptions = { ...(m.agentOptions as https.AgentOptions) };
    if (!m.checkHostname) o.checkServerIdentity = () => undefined;
    a = url.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
    agents.set(key, a);
  }
  return a;
}

function tagged(tag: RangeError['tag'], message: string): TaggedError {
  return Object.assign(new Error(message), { tag });
}

function post(reply: RangeReply): void {
  port.postMessage(reply);
}

function fetchRange(m: FetchRequest): void {
  let url: URL;
  let hops = 0;
  let done = false;
  let fd: number | undefined;
  let req: http.ClientRequest | undefined;
  let res: http.IncomingMessage | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  // A writev in flight when the fetch ends: the fd is closed (and the outcome posted) only after it, since
  // a closed fd's number can be reused by the next open in this process, and a late write would land there.
  let writeInFlight = false;
  let afterWrite: (() => void) | undefined;
  const finish = (outcome: RangeOutcome, destroy: boolean) => {
    if (done) return;
    done = true;
    live.delete(m.id);
    clearTimeout(connectTimer);
    // A failed request's socket is not reused: it may still carry body bytes.
    if (destroy) {
      res?.destroy();
      req?.destroy();
    }
    const reply = () => post({ id: m.id, ...outcome });
    const close = () => (fd === undefined ? reply() : fs.close(fd, reply));
    if (writeInFlight) afterWrite = close;
    else close();
  };
  const fail = (e: TaggedError) =>
    finish({ kind: 'error', message: String(e?.message ?? e), code: e?.code, syscall: e?.syscall, tag: e?.tag, location: e?.location, status: e?.status }, true);
  live.set(m.id, () => finish({ kind: 'cancelled' }, true));

  const attempt = () => {
    res = undefined;
    const r = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers: m.headers, agent: agentFor(url, m) });
    req = r;
    connectTimer = setTimeout(() => r.destroy(tagged('connect-timeout', 'connect timeout')), m.connectTimeoutMs);
    r.on('socket', (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (socket.connecting) socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    r.setTimeout(m.timeoutMs, () => {
      const e = tagged('idle-timeout', 'idle timeout');
      if (res) res.destroy(e);
      else r.destroy(e);
    });
    r.on('error', fail);
    r.on('response', (answer) => {
      if (done) return answer.resume();
      clearTimeout(connectTimer);
      res = answer;
      answer.on('error', fail);
      const status = answer.statusCode ?? 0;
      if (REDIRECTS.has(status) && answer.headers.location) {
        answer.resume();
        if (++hops > m.maxRedirects) return fail(Object.assign(tagged('redirects', 'too many redirects'), { location: answer.headers.location, status }));
        url = new URL(answer.headers.location, url);
        return attempt();
      }
      if (status < 200 || status >= 300) return readText(answer, status);
      writeBody(answer);
    });
    r.end();
  };

  const readText = (answer: http.IncomingMessage, status: number) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const end = () => finish({ kind: 'status', status, headers: answer.headers, text: Buffer.concat(chunks).toString('utf8') }, size > TEXT_BYTES);
    answer.on('data', (c: Buffer) => {
      if (size < TEXT_BYTES) chunks.push(c);
      size += c.length;
      if (size > TEXT_BYTES) end();
    });
    answer.on('end', end);
    answer.removeListener('error', fail);
    answer.on('error', end);
  };

  const writeBody = (answer: http.IncomingMessage) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let writing = 0;
    let received = 0;
    let written = 0;
    let ended = false;
    let lingerTimer: NodeJS.Timeout | undefined;
    // Progress goes to the caller's thread in batches (each message costs both threads); the rest before 'done'.
    let unreported = 0;
    let reportedAt = performance.now();
    const report = (force: boolean) => {
      if (unreported === 0 || (!force && unreported < REPORT_BYTES && performance.now() - reportedAt < LINGER_MS)) return;
      post({ id: m.id, kind: 'progress', bytes: unreported });
      unreported = 0;
      reportedAt = performance.now();
    };
    const settleIfDone = () => {
      if (!ended || writing || pendingBytes) return;
      if (written !== m.length) fail(tagged('length', `got ${written} bytes, expected ${m.length}`));
      else {
        report(true);
        finish({ kind: 'done', bytes: written }, false);
      }
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
      fs.writev(fd!, bufs, m.position + written, (err, n) => {
        writeInFlight = false;
        const asked = writing;
        writing = 0;
        if (done) return afterWrite?.();
        if (err) return fail(Object.assign(err, { tag: 'file' as const }));
        if (n < asked) {
          // A short write (the disk filling up reports ENOSPC on the next one): send the rest again.
          const rest = Buffer.concat(bufs).subarray(n);
          pending.unshift(rest);
          pendingBytes += rest.length;
        }
        written += n;
        unreported += n;
        report(false);
        if (answer.isPaused() && !ended) answer.resume();
        flush();
        settleIfDone();
      });
    };
    answer.on('data', (c: Buffer) => {
      if (done) return;
      received += c.length;
      if (received > m.length) return fail(tagged('length', `got more than the ${m.length} bytes asked for`));
      pending.push(c);
      pendingBytes += c.length;
      if (pendingBytes >= BATCH) flush();
      else if (lingerTimer === undefined) lingerTimer = setTimeout(flush, LINGER_MS);
      if (pendingBytes + writing >= AHEAD) answer.pause();
    });
    answer.on('end', () => {
      ended = true;
      flush();
      settleIfDone();
    });
  };

  fs.open(m.file, 'r+', (err, opened) => {
    if (err) return fail(Object.assign(err, { tag: 'file' as const }));
    fd = opened;
    if (done) return fs.close(opened, () => undefined);
    try {
      url = new URL(m.url);
      attempt();
    } catch (e) {
      fail(e as TaggedError);
    }
  });
}

/** savefile.ts: a small download's verified bytes into a new temp file, renamed onto the file; synchronous (this thread has nothing else to wait for). */
function save(m: SaveRequest): void {
  let created = false;
  try {
    const fd = fs.openSync(m.tmp, 'wx');
    created = true;
    try {
      let bufs = m.chunks.filter((c) => c.length > 0);
      let position = 0;
      while (bufs.length) {
        const n = fs.writevSync(fd, bufs, position);
        position += n;
        // A short write (a disk filling up reports ENOSPC on the next one): send the rest again.
        let skip = n;
        while (bufs.length && skip >= bufs[0].length) skip -= bufs.shift()!.length;
        if (skip > 0) bufs = [bufs[0].subarray(skip), ...bufs.slice(1)];
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(m.tmp, m.file);
    port.postMessage({ id: m.id, kind: 'saved' } satisfies SaveReply);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (created) {
      try {
        fs.unlinkSync(m.tmp);
      } catch {
        // gone already, or its folder with it
      }
    }
    port.postMessage({ id: m.id, kind: 'error', message: String(err?.message ?? err), code: err?.code, syscall: err?.syscall } satisfies SaveReply);
  }
}

port.on('message', (m: RangeRequest | SaveRequest) => {
  if (m.op === 'save') save(m);
  else if (m.op === 'fetch') fetchRange(m);
  else if (m.op === 'cancel') live.get(m.id)?.();
  else if (m.op === 'forget') {
    for (const key of [`${m.agentKey} http:`, `${m.agentKey} https:`]) {
      agents.get(key)?.destroy();
      agents.delete(key);
    }
  }
});
