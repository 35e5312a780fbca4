// What comes back from an S3 endpoint, judged before the SDK's own parsing is trusted: its errors as
// ClientErrors (the S3 code and message, never XML or a stack), answers that are no S3 XML at all (an HTML
// login page, a cut-off body), and an AIStore proxy's 307 to a target, which the SDK does not follow.
import type { Readable } from 'node:stream';
import type { DeserializeMiddleware, MetadataBearer } from '@smithy/types';
import { replayableStream } from './http';
import type { ProxyOptions } from './proxy';
import { s3AuthError } from './s3auth';
import { ClientError, describeAnswer, describeTarget, htmlHint, networkError, statusError } from './cluster';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; body?: unknown; headers?: Record<string, string> };
}

/** SDK errors → ClientError: the S3 code and message, never the XML or the SDK's stack. */
export function s3Error(err: unknown, endpoint: string, target: string, proxy?: ProxyOptions, anonymous = false): ClientError {
  if (err instanceof ClientError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (!status) return networkError(err, endpoint, proxy);
  // The SDK could not parse the answer (not XML, cut off): describe what came, never the parser's words.
  if (/Deserialization error|XML parse error|Expected closing tag|Unexpected close tag|Invalid XML/i.test(e.message ?? '')) {
    const text = typeof e.$response?.body === 'string' ? e.$response.body : '';
    const type = e.$response?.headers?.['content-type'];
    // No body (a HEAD): it was a header the SDK could not read, e.g. a date that is no date.
    const what = text || /html/i.test(type ?? '') ? describeAnswer(text, type, 'is not valid XML') : `headers it could not read (${(e.message ?? '').split('\n')[0].slice(0, 100)})`;
    if (status >= 400) return statusError(status, endpoint, target, what);
    return notS3(endpoint, target, what, status, undefined, htmlHint(text, type));
  }
  const code = e.Code ?? e.name;
  let message = e.message && e.message !== code && e.message !== 'UnknownError' ? e.message : undefined;
  if (message && /<[a-z?!]/i.test(message)) message = message.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  const auth = s3AuthError(e, code, status, endpoint, target, message, anonymous);
  if (auth) return auth;
  if (status === 200 || (status < 400 && code && /Syntax|Deserializ|XML/i.test(`${code} ${e.message}`))) {
    return notS3(endpoint, target, `an answer it could not read${message ? ` (${message.slice(0, 100)})` : ''}`, status, code);
  }
  // A bare code for a bodiless answer (HEAD → "NotFound") repeats the status: say nothing then.
  const generic = !code || code === 'UnknownError' || /^\d+$/.test(code) || (!message && /^(NotFound|Forbidden|BadRequest|Conflict)$/.test(code));
  const withCode = generic ? message : `${code}${message ? `: ${message}` : ''}`;
  return statusError(status, endpoint, target, withCode, code);
}

/** The answer about `target` is not S3's: what came first (the tree shows the first sentence), then what to check. */
function notS3(endpoint: string, target: string, what: string, status?: number, code?: string, hint = ''): ClientError {
  return new ClientError(
    'protocol',
    `${endpoint} sent ${what} instead of S3's XML. The request was for ${target}. ${hint}Check the endpoint (an AIS gateway's S3 API is under /s3).`,
    endpoint,
    status,
    code,
  );
}

/** Operations whose success is an XML document: an HTML page or an empty body there is never S3. */
const XML_ANSWERS = new Set([
  'ListBucketsCommand',
  'ListObjectsV2Command',
  'ListMultipartUploadsCommand',
  'ListPartsCommand',
  'CreateMultipartUploadCommand',
  'CompleteMultipartUploadCommand',
  'GetBucketVersioningCommand',
  'GetBucketLocationCommand',
  'CopyObjectCommand',
  'DeleteObjectsCommand',
]);

/**
 * The SDK's XML parser reads an HTML page (a proxy's, a web server's) as an empty document, and an empty
 * body as an empty listing: a misconfigured endpoint would show as "no buckets". Those answers fail here,
 * saying what came. HeadBucket has no body but an S3 service never answers it with HTML.
 */
export function checkAnswerFormat(endpoint: string): DeserializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    const result = await next(args);
    const command = (context as { commandName?: string }).commandName ?? '';
    const response = result.response as RawResponse & { body?: Readable };
    if (response.statusCode < 200 || response.statusCode >= 300 || (!XML_ANSWERS.has(command) && command !== 'HeadBucketCommand')) return result;
    const type = response.headers?.['content-type'] ?? '';
    const empty = XML_ANSWERS.has(command) && response.headers?.['content-length'] === '0';
    if (!/html/i.test(type) && !empty) return result;
    let text = '';
    if (response.body && typeof response.body.on === 'function') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        chunks.push(chunk as Buffer);
        if ((size += (chunk as Buffer).length) > 64 * 1024) break;
      }
      text = Buffer.concat(chunks).toString('utf8');
    }
    const bucket = (args.input as { Bucket?: string }).Bucket;
    const key = (args.input as { Key?: string }).Key;
    const target = bucket ? describeTarget({ name: bucket, provider: 's3' }, key, 's3://') : 'buckets';
    throw notS3(endpoint, target, describeAnswer(text, type), response.statusCode, undefined, htmlHint(text, type));
  };
}

/** Errors raised by request bodies the caller gave us, as opposed to errors of the transfer itself. */
export const callerErrors = new WeakSet<Error>();

interface RawRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: { resume?: () => void };
}

/**
 * An AIStore proxy answers S3 object requests with 307 to a target (unless it runs as a reverse proxy);
 * the SDK does not follow redirects. This sends the same request, body included, to Location. A body
 * stream is replayed from what was sent (bounded, see replayableStream); signatures are not redone,
 * as AIStore's targets take the request the proxy accepted.
 */
export function followRedirects(endpoint: string): DeserializeMiddleware<object, MetadataBearer> {
  return (next) =>
    async (args) => {
      const request = args.request as RawRequest;
      const original = request.body && typeof (request.body as { pipe?: unknown }).pipe === 'function' ? (request.body as Readable) : undefined;
      const stream = original ? replayableStream(original, undefined) : undefined;
      // The SDK pipes the body without watching it: a body that fails (a cancelled transfer) fails the
      // request here, and the copy we hand over never throws an error nobody listens to.
      const open = () => stream!.open().on('error', () => undefined);
      const bodyFailed = original
        ? new Promise<never>((_, reject) =>
            original.once('error', (err) => {
              callerErrors.add(err);
              reject(err);
            }),
          )
        : undefined;
      bodyFailed?.catch(() => undefined);
      if (stream) request.body = open();
      for (let hop = 0; ; hop++) {
        const result = await (bodyFailed ? Promise.race([next(args), bodyFailed]) : next(args));
        const response = result.response as RawResponse;
        const location = response.headers?.['location'];
        if ((response.statusCode !== 307 && response.statusCode !== 308) || !location) return result;
        response.body?.resume?.();
        if (hop >= 5) throw new ClientError('protocol', `${endpoint} redirected more than 5 times (last to ${location}).`, endpoint, response.statusCode);
        if (stream && stream.canReplay?.() === false) {
          throw new ClientError('protocol', `${endpoint} redirected the upload to ${location} after too much of it had been sent to replay. Upload from a file instead.`, endpoint, response.statusCode);
        }
        const base = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
        const url = new URL(location, base + request.path);
        const query: Record<string, string | string[]> = {};
        for (const [k, v] of url.searchParams) {
          const prev = query[k];
          query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
        const redirected: RawRequest = Object.assign(Object.create(Object.getPrototypeOf(request)) as RawRequest, request, {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers: { ...request.headers, ...(request.headers['host'] !== undefined ? { host: url.host } : {}) },
          body: stream ? open() : request.body,
        });
        args = { ...args, request: redirected };
      }
    };
}
