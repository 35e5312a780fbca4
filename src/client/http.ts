// A small HTTP(S) request helper for the AIS client: keep-alive agents with the cluster's TLS options,
// a connect timeout and an idle timeout on every request, and 307/308 redirects followed the way AIStore
// clients must (same method, same body, to Location verbatim).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import { ClientError, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, networkError, TlsOptions } from './cluster';
import { HttpsTunnelAgent, ProxyOptions } from './proxy';
import { fetchRangeToFile, forgetAgents, newAgentKey, RangeFetch, RangeOutcome } from './rangefetch';

/**
 * A request body. `open` is called once per attempt. A one-time stream (`reopen` false) is sent behind
 * `Expect: 100-continue`, and what it has sent is kept (up to a bound) so a redirect can replay it.
 */
export interface BodySource {
  open(): Readable;
  size?: number;
  reopen: boolean;
  /** One-time streams: false once more was sent than can be replayed. */
  canReplay?(): boolean;
}

/** How much of a one-time stream is kept to replay after a redirect that came once it was flowing. */
export const REPLAY_LIMIT = 8 * 1024 * 1024;

/** Wraps a stream that can be read once into a BodySource that can be opened again while little was sent. */
export function replayableStream(stream: Readable, size: number | undefined, limit = REPLAY_LIMIT): BodySource {
  const sent: Buffer[] = [];
  let sentBytes = 0;
  let overflow = false;
  let ended = false;
  let failed: Error | undefined;
  let detach: (() => void) | undefined;
  stream.pause();
  stream.once('end', () => (ended = true));
  stream.once('error', (err) => (failed = err));
  return {
    size,
    reopen: false,
    canReplay: () => !overflow,
    open(): Readable {
      if (overflow) throw new Error(`more than ${limit} bytes of a one-time stream were sent before a redirect`);
      detach?.();
      const out = new PassThrough();
      for (const chunk of sent) out.write(chunk);
      if (failed) {
        out.destroy(failed);
        return out;
      }
      if (ended) {
        out.end();
        return out;
      }
      const onData = (chunk: Buffer) => {
        if (!overflow) {
          sentBytes += chunk.length;
          if (sentBytes > limit) {
            overflow = true;
            sent.length = 0;
          } else sent.push(chunk);
        }
        if (!out.write(chunk)) {
          stream.pause();
          out.once('drain', () => stream.resume());
        }
      };
      const onEnd = () => out.end();
      const onError = (err: Error) => out.destroy(err);
      stream.on('data', onData);
      stream.once('end', onEnd);
      stream.once('error', onError);
      detach = () => {
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.pause();
      };
      out.once('close', () => detach?.());
      stream.resume();
      return out;
    },
  };
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer | BodySource;
  /** What to name in messages (the configured endpoint, not a redirect target). */
  endpoint: string;
  maxRedirects?: number;
  /** Aborts the request, or the response body once it streams (a ClientError 'aborted'). */
  signal?: AbortSignal;
}

export interface HttpTransportOptions {
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const EXPECT_WAIT_MS = 1000;

/** https.Agent options for a cluster's TLS settings; a CA file that cannot be read is a 'tls' ClientError. */
export function httpsAgentOptions(tls: TlsOptions | undefined, endpoint: string): https.AgentOptions {
  let ca: string | Buffer | undefined = tls?.ca;
  if (!ca && tls?.caFile) {
    try {
      ca = fs.readFileSync(tls.caFile);
    } catch (err) {
      throw new ClientError('tls', `Cannot read the CA file ${tls.caFile} for ${endpoint}: ${(err as Error).message}`, endpoint, undefined, (err as NodeJS.ErrnoException).code);
    }
  }
  return {
    keepAlive: true,
    maxSockets: 16,
    rejectUnauthorized: tls?.verify !== false,
    ...(ca ? { ca } : {}),
    // s3cmd's check_ssl_hostname = False: the chain is still verified, the name in it is not.
    ...(tls?.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

function abortError(): Error {
  return Object.assign(new Error('The request was cancelled.'), { name: 'AbortError', code: 'ABORT_ERR' });
}

function connectTimeoutError(endpoint: string, ms: number): ClientError {
  return new ClientError('timeout', `Could not connect to ${endpoint} within ${ms / 1000} s. Check the address and any firewall or VPN in between.`, endpoint, undefined, 'ETIMEDOUT');
}

function idleTimeoutError(endpoint: string, ms: number): ClientError {
  return new ClientError('timeout', `${endpoint} accepted the connection but did not answer within ${ms / 1000} s. Check that this is a storage endpoint and that it is not overloaded.`, endpoint, undefined, 'ETIMEDOUT');
}

function tooManyRedirects(endpoint: string, max: number, location: string, status?: number): ClientError {
  return new ClientError('protocol', `${endpoint} redirected more than ${max} times (last to ${location}).`, endpoint, status);
}

/** A non-2xx answer to `fetchToFile`: the caller turns it into its own error. */
export interface FetchRefused {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private httpsAgent?: https.Agent;
  private worker?: Pick<RangeFetch, 'agentKey' | 'agentOptions' | 'checkHostname'>;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: HttpTransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  private agentFor(url: URL, endpoint: string): http.Agent {
    if (url.protocol === 'http:') return this.httpAgent;
    if (!this.httpsAgent) {
      const agentOptions = httpsAgentOptions(this.options.tls, endpoint);
      this.httpsAgent = this.options.proxy ? new HttpsTunnelAgent(this.options.proxy, agentOptions) : new https.Agent(agentOptions);
    }
    return this.httpsAgent;
  }

  /** Sends the request, following redirects; resolves with the final response (body unread). */
  async request(req: HttpRequest): Promise<http.IncomingMessage> {
    let url = req.url;
    let method = req.method;
    let body = req.body;
    const max = req.maxRedirects ?? 5;
    for (let hop = 0; ; hop++) {
      if (req.signal?.aborted) throw networkError(abortError(), req.endpoint);
      const { res, bodyStarted } = await this.once(method, url, req, body);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!REDIRECTS.has(status) || !location) return res;
      res.resume(); // discard the redirect's own body, free the socket
      if (hop >= max) throw tooManyRedirects(req.endpoint, max, location, status);
      const next = new URL(location, url);
      if (status === 303 || ((status === 301 || status === 302) && method !== 'GET' && method !== 'HEAD')) {
        // Only 307/308 promise the same method and body; AIStore uses 307.
        if (status !== 303) throw new ClientError('protocol', `${req.endpoint} answered ${method} with ${status} to ${next.href}; only 307/308 can carry a body.`, req.endpoint, status);
        method = 'GET';
        body = undefined;
      }
      if (body && typeof body === 'object' && !Buffer.isBuffer(body) && !body.reopen && bodyStarted && body.canReplay?.() === false) {
        throw new ClientError('protocol', `${req.endpoint} redirected the upload to ${next.origin} after too much of it had been sent to replay; a one-time stream cannot be sent again. Upload from a file instead.`, req.endpoint, status);
      }
      url = next;
    }
  }

  private once(method: string, url: URL, req: HttpRequest, body: HttpRequest['body']): Promise<{ res: http.IncomingMessage; bodyStarted: boolean }> {
    const endpoint = req.endpoint;
    return new Promise((resolve, reject) => {
      let settled = false;
      let bodyStarted = false;
      let source: Readable | undefined;
      let response: http.IncomingMessage | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        source?.destroy();
        // The caller's body failed (a cancelled transfer): give its error back as it was.
        if (err === bodyError && !(err as NodeJS.ErrnoException).code) reject(err);
        else reject(networkError(err, endpoint, this.options.proxy));
      };
      let bodyError: Error | undefined;
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      let payload: Buffer | undefined;
      let stream: BodySource | undefined;
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
        headers['Content-Length'] = String(payload.length);
      } else if (body) {
        stream = body;
        if (body.size !== undefined) headers['Content-Length'] = String(body.size);
        else headers['Transfer-Encoding'] = 'chunked';
        if (!body.reopen) headers['Expect'] = '100-continue';
      }
      let agent: http.Agent;
      try {
        agent = this.agentFor(url, endpoint);
      } catch (err) {
        reject(err);
        return;
      }
      const mod = url.protocol === 'https:' ? https : http;
      const proxy = this.options.proxy;
      // Plain HTTP through a proxy: absolute-form request line to the proxy (RFC 9112 3.2.2).
      const cr =
        proxy && url.protocol === 'http:'
          ? http.request({ host: proxy.host, port: proxy.port, path: url.href, method, headers: { ...headers, Host: url.host }, agent })
          : mod.request(url, { method, headers, agent });

      const connectTimer = setTimeout(() => cr.destroy(connectTimeoutError(endpoint, this.connectTimeoutMs)), this.connectTimeoutMs);
      const signal = req.signal;
      if (signal) {
        // Until the response is read to its end (or fails): a cancel then ends whichever is in flight.
        const onAbort = () => {
          const err = networkError(abortError(), endpoint);
          if (response) response.destroy(err);
          else cr.destroy(err);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const forget = () => signal.removeEventListener('abort', onAbort);
        cr.once('response', (res: http.IncomingMessage) => res.once('close', forget));
        cr.once('close', () => !response && forget());
      }
      cr.on('socket', (socket) => {
        const connected = () => clearTimeout(connectTimer);
        if ((socket as { connecting?: boolean }).connecting) socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
        else connected();
      });
      cr.setTimeout(this.timeoutMs, () => {
        const err = idleTimeoutError(endpoint, this.timeoutMs);
        // While a response body streams, the consumer of that stream must see the timeout.
        if (response) response.destroy(err);
        else cr.destroy(err);
      });
      cr.on('error', fail);
      cr.on('response', (res) => {
        if (settled) {
          res.resume();
          return;
        }
        settled = true;
        response = res;
        clearTimeout(connectTimer);
        // The server answered before taking the whole body (a redirect, an error): stop sending it.
        if (source && !source.readableEnded) {
          source.unpipe(cr);
          source.destroy();
        }
        // Errors after this point belong to the response stream.
        cr.removeListener('error', fail);
        cr.on('error', (err) => res.destroy(networkError(err, endpoint, proxy)));
        resolve({ res, bodyStarted });
      });

      const sendBody = () => {
        if (!stream) return cr.end(payload);
        bodyStarted = true;
        try {
          source = stream.open();
        } catch (err) {
          cr.destroy(err as Error);
          return;
        }
        source.on('error', (err) => {
          bodyError = err;
          cr.destroy(err);
        });
        source.pipe(cr);
      };
      if (stream && !stream.reopen) {
        // Wait for 100 Continue (or a final answer such as 307) before the stream is consumed.
        // Servers that ignore Expect never send 100: go ahead after a second, as curl does.
        const fallback = setTimeout(() => !settled && !bodyStarted && sendBody(), EXPECT_WAIT_MS);
        cr.once('continue', () => {
          clearTimeout(fallback);
          if (!bodyStarted) sendBody();
        });
        cr.once('response', () => clearTimeout(fallback));
        cr.once('close', () => clearTimeout(fallback));
        cr.flushHeaders();
      } else {
        sendBody();
      }
    });
  }

  /**
   * GETs `length` bytes into `file` at `position` on the download worker (rangefetch.ts), following
   * redirects as `request` does. Resolves when they are written, or with the answer when it is not 2xx;
   * rejects with a ClientError (network, timeout), the file's own error (it has a syscall) or, on abort, the
   * signal's reason.
   * Undefined when this transport goes through a proxy: the caller then streams with `request`.
   */
  async fetchToFile(
    req: { url: URL; headers: Record<string, string>; endpoint: string },
    file: string,
    position: number,
    length: number,
    onBytes: (n: number) => void,
    signal?: AbortSignal,
  ): Promise<FetchRefused | undefined | 'done'> {
    if (this.options.proxy) return undefined;
    if (!this.worker) {
      // A CA file that cannot be read fails here as it does for the https agent.
      const { checkServerIdentity, ...agentOptions } = httpsAgentOptions(this.options.tls, req.endpoint);
      this.worker = { agentKey: newAgentKey(), agentOptions, checkHostname: !checkServerIdentity };
    }
    const outcome: RangeOutcome = await fetchRangeToFile(
      {
        url: req.url.href,
        headers: req.headers,
        file,
        position,
        length,
        timeoutMs: this.timeoutMs,
        connectTimeoutMs: this.connectTimeoutMs,
        maxRedirects: 5,
        ...this.worker,
      },
      onBytes,
      signal,
    );
    const endpoint = req.endpoint;
    switch (outcome.kind) {
      case 'done':
        return 'done';
      case 'status':
        return outcome;
      case 'cancelled':
        throw signal?.reason ?? new Error('cancelled');
    }
    const { message, code, syscall, tag } = outcome;
    if (tag === 'connect-timeout') throw connectTimeoutError(endpoint, this.connectTimeoutMs);
    if (tag === 'idle-timeout') throw idleTimeoutError(endpoint, this.timeoutMs);
    if (tag === 'redirects') throw tooManyRedirects(endpoint, 5, outcome.location ?? '', outcome.status);
    if (tag === 'length') throw new ClientError('server', `${endpoint} sent a body of the wrong length for bytes ${position}-${position + length - 1}: ${message}. Try again; if it keeps happening, the server or a proxy in between cuts responses short.`, endpoint);
    // Retried like a network failure: the next attempt starts a new worker.
    if (tag === 'worker') throw new ClientError('unreachable', `Downloading from ${endpoint} failed: ${message}. Try again.`, endpoint);
    const err = Object.assign(new Error(message), code ? { code } : {}, syscall ? { syscall } : {});
    // The local file's own failure is the caller's to word (it knows what the file is for).
    if (tag === 'file') throw err;
    throw networkError(err, endpoint);
  }

  dispose(): void {
    if (this.worker) forgetAgents(this.worker.agentKey);
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }
}

/** Reads a (small) response body as text, at most `limit` bytes. */
export async function readText(res: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
