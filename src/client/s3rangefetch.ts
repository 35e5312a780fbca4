// Ranged GETs from an S3 endpoint into a download's temp file on the download worker (rangefetch.ts), as
// the AIS client's do: the event loop and its heap never see the body's 64 KB buffers.
//
// The worker is the SDK's HTTP handler for that one GetObject: the command runs through the client's own
// middleware stack (endpoint and addressing, region, credentials and the session token, the no-op signer
// of anonymous access, its retries and region redirects), and the request it would have sent, signed, goes
// to the worker instead of the SDK's socket. A refusal comes back to the SDK as the answer it is, so the
// SDK parses it and s3Error words it as for a GetObject on the main thread (NoSuchKey, AccessDenied,
// SignatureDoesNotMatch, PreconditionFailed). What the worker itself reports (a network failure, a timeout,
// the local file's error, a cancel) is HttpTransport.fetchToFile's, as on the AIS path, and is not retried
// by the SDK: the transfer engine retries ranges itself, counting the bytes again.
//
// Not here (false: the caller streams with getObject): a proxied connection (the worker does no proxies),
// and a request whose URL would not survive the trip as signed (a key with "." or ".." segments, which a
// URL parser folds away).
import { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { uriEscape } from '../common/sigv4';
import { BucketRef, ByteRange, ClusterConnection, describeTarget } from './cluster';
import { HttpTransport } from './http';
import { s3Error } from './s3answers';

/** What the worker path threw (a network failure, the local file's error, the signal's reason): passed on as it is. */
class WorkerFailure extends Error {
  constructor(readonly failure: unknown) {
    // No code, status or cause: the SDK's retry strategy takes it for a client error and does not retry.
    super('ranged GET on the download worker failed');
  }
}

/** The SDK's request cannot go to the worker as signed. */
class NotForWorker extends Error {}

export class S3RangeFetch {
  private transport?: HttpTransport;

  constructor(
    private readonly client: S3Client,
    private readonly endpoint: string,
    private readonly connection: Pick<ClusterConnection, 'tls' | 'proxy' | 'timeoutMs' | 'connectTimeoutMs'>,
    private readonly anonymous: boolean,
  ) {}

  /**
   * Writes `range` of the object into `file` at `range.start` on the download worker. `ifMatch` pins the
   * version (an unquoted ETag; another is a 412). False where the worker cannot do it: use getObject.
   */
  async toFile(bucket: BucketRef, key: string, range: Required<ByteRange>, file: string, onBytes: (n: number) => void, signal?: AbortSignal, ifMatch?: string): Promise<boolean> {
    if (this.connection.proxy) return false;
    if (signal?.aborted) throw signal.reason;
    const length = range.end - range.start + 1;
    const requestHandler = {
      handle: async (request: HttpRequest) => {
        const url = workerUrl(request);
        if (!url) throw new NotForWorker();
        // Host is the URL's (checked above); a redirect to another host must not carry this one.
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'host'));
        let answer: Awaited<ReturnType<HttpTransport['fetchToFile']>>;
        try {
          answer = await this.worker().fetchToFile({ url, headers, endpoint: this.endpoint }, file, range.start, length, onBytes, signal);
        } catch (e) {
          throw new WorkerFailure(e);
        }
        if (answer === undefined) throw new NotForWorker(); // a proxy: ruled out above
        if (answer === 'done') return { response: new HttpResponse({ statusCode: 206, headers: {}, body: Readable.from([]) }) };
        const flat = Object.fromEntries(Object.entries(answer.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]])));
        return { response: new HttpResponse({ statusCode: answer.status, headers: flat, body: Readable.from([Buffer.from(answer.text)]) }) };
      },
    };
    const command = new GetObjectCommand({ Bucket: bucket.name, Key: key, Range: `bytes=${range.start}-${range.end}`, IfMatch: ifMatch !== undefined ? `"${ifMatch}"` : undefined });
    // The client's config, read live (the region redirect swaps its region for the second attempt), but for the handler.
    const config = new Proxy(this.client.config, { get: (target, prop) => (prop === 'requestHandler' ? requestHandler : Reflect.get(target, prop)) });
    const run = command.resolveMiddleware(this.client.middlewareStack.clone(), config, { abortSignal: signal });
    try {
      await run({ input: command.input });
      return true;
    } catch (e) {
      if (e instanceof WorkerFailure) throw e.failure;
      if (signal?.aborted) throw signal.reason;
      if (e instanceof NotForWorker) return false;
      throw s3Error(e, this.endpoint, describeTarget(bucket, key, 's3://'), undefined, this.anonymous);
    }
  }

  private worker(): HttpTransport {
    this.transport ??= new HttpTransport({ tls: this.connection.tls, timeoutMs: this.connection.timeoutMs, connectTimeoutMs: this.connection.connectTimeoutMs });
    return this.transport;
  }

  dispose(): void {
    this.transport?.dispose();
  }
}

/**
 * The URL of the SDK's request, if it reaches the worker's request line as signed: a URL parser folds "."
 * and ".." segments away and the Host header Node sends is the URL's, so either changing would break the
 * signature (or fetch another object).
 */
function workerUrl(request: HttpRequest): URL | undefined {
  const query = Object.entries(request.query ?? {})
    .flatMap(([k, v]) => (v === null || v === undefined ? [uriEscape(k)] : (Array.isArray(v) ? v : [v]).map((one) => `${uriEscape(k)}=${uriEscape(one)}`)))
    .join('&');
  const host = request.hostname.includes(':') && !request.hostname.startsWith('[') ? `[${request.hostname}]` : request.hostname;
  let url: URL;
  try {
    url = new URL(`${request.protocol}//${host}${request.port ? `:${request.port}` : ''}${request.path}${query ? `?${query}` : ''}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.pathname !== request.path || url.search !== (query ? `?${query}` : '') || request.username || request.password || request.fragment) return undefined;
  const signedHost = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'host')?.[1];
  if (signedHost !== undefined && signedHost !== url.host) return undefined;
  return url;
}
