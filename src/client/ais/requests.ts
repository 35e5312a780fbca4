// Requests to AIStore's native API (/v1): URLs, the bearer token, and AIStore's answers turned into
// ClientErrors (its JSON errors, Hdr-Error on a failed HEAD, answers that are not AIStore's at all).
import type * as http from 'node:http';
import { BucketRef, ByteRange, ClientError, ClusterConnection, describeAnswer, describeTarget, htmlHint, networkError, PROVIDER_LABELS, statusError } from '../cluster';
import { BodySource, HttpTransport, readText } from '../http';
import { HDR } from '../../common/aisapi';
import { clusterAuthError, redactTokens } from './autherrors';
import { header } from './headers';

export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  /** JSON action message, or an object body source (or its bytes). */
  json?: unknown;
  body?: BodySource | Buffer;
  headers?: Record<string, string>;
  /** For messages: what the request is about. */
  target: string;
  /** Aborts the request or its answer's body. */
  signal?: AbortSignal;
}

export class AisRequests {
  readonly endpoint: string;
  private readonly base: URL;
  private readonly transport: HttpTransport;
  private readonly connection: ClusterConnection;

  constructor(connection: ClusterConnection) {
    this.connection = connection;
    this.endpoint = connection.endpoint.replace(/\/+$/, '');
    try {
      this.base = new URL(this.endpoint + '/');
    } catch {
      throw new ClientError('bad-request', `"${connection.endpoint}" is not a URL; expected e.g. http://10.10.0.1:51080`, connection.endpoint);
    }
    this.transport = new HttpTransport({ tls: connection.tls, proxy: connection.proxy, timeoutMs: connection.timeoutMs, connectTimeoutMs: connection.connectTimeoutMs });
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  private headers(spec: RequestSpec): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', ...(spec.headers ?? {}) };
    if (this.connection.authToken) headers['Authorization'] = `Bearer ${this.connection.authToken}`;
    return headers;
  }

  async send(spec: RequestSpec): Promise<http.IncomingMessage> {
    const res = await this.transport.request({
      method: spec.method,
      url: this.url(spec.path, spec.query),
      headers: this.headers(spec),
      body: spec.json !== undefined ? JSON.stringify(spec.json) : spec.body,
      endpoint: this.endpoint,
      signal: spec.signal,
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw await this.errorFrom(res, spec.target);
  }

  /** The range into `file` at its start offset; false when the transport gave up on it (the caller retries). */
  async rangeToFile(spec: RequestSpec, file: string, range: Required<ByteRange>, onBytes: (n: number) => void, signal?: AbortSignal): Promise<boolean> {
    const answer = await this.transport.fetchToFile(
      { url: this.url(spec.path, spec.query), headers: this.headers(spec), endpoint: this.endpoint },
      file,
      range.start,
      range.end - range.start + 1,
      onBytes,
      signal,
    );
    if (answer === undefined) return false;
    if (answer !== 'done') throw this.answerError(answer.status, answer.headers, answer.text, spec.target);
    return true;
  }

  private async errorFrom(res: http.IncomingMessage, target: string): Promise<ClientError> {
    let text = '';
    try {
      text = await readText(res, 64 * 1024);
    } catch {
      // the status says enough
    }
    return this.answerError(res.statusCode ?? 0, res.headers, text, target);
  }

  private answerError(status: number, headers: http.IncomingHttpHeaders, text: string, target: string): ClientError {
    let message = text ? serverMessage(text, String(headers['content-type'] ?? '')) : undefined;
    // AIStore answers a failed HEAD with an empty body and its JSON error in Hdr-Error (cmn/err.go).
    const hdrError = header(headers, HDR.error);
    if (!message && typeof hdrError === 'string') message = serverMessage(hdrError, 'application/json');
    if (status === 401 || status === 403) return clusterAuthError(status, this.endpoint, target, message, this.connection.authToken);
    return statusError(status, this.endpoint, target, message && redactTokens(message, this.connection.authToken));
  }

  async json<T>(spec: RequestSpec): Promise<T> {
    const res = await this.send(spec);
    let text: string;
    try {
      text = await readText(res, 256 << 20);
    } catch (err) {
      throw networkError(err, this.endpoint);
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      // V8 says where parsing stopped: at the very end, the answer was cut off.
      const at = /position (\d+)/.exec((err as Error).message);
      const cutOff = text.trim() !== '' && (/end of (JSON|data)|Unterminated/i.test((err as Error).message) || (!!at && Number(at[1]) >= text.trimEnd().length));
      const type = String(res.headers['content-type'] ?? '');
      throw this.notAis(spec.target, describeAnswer(text, type, cutOff ? 'is cut off' : 'is not valid JSON'), res.statusCode, htmlHint(text, type));
    }
  }

  /** The answer about `target` is not what AIStore sends: say what came instead (first: the tree shows it) and what to check. */
  notAis(target: string, what: string, status?: number, hint = ''): ClientError {
    return new ClientError(
      'protocol',
      `${this.endpoint} sent ${what} instead of AIStore's JSON. The request was for ${target}. ${hint}Check that the endpoint is an AIStore gateway (an S3 endpoint is added as an S3 cluster).`,
      this.endpoint,
      status,
    );
  }

  async noBody(spec: RequestSpec): Promise<http.IncomingMessage> {
    const res = await this.send(spec);
    res.resume();
    return res;
  }

  dispose(): void {
    this.transport.dispose();
  }
}

export function bucketQuery(bucket: BucketRef, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    provider: bucket.provider || 'ais',
    namespace: bucket.namespace && (bucket.namespace.uuid || bucket.namespace.name) ? `@${bucket.namespace.uuid}#${bucket.namespace.name}` : undefined,
    ...extra,
  };
}

/** The bucket or object as messages name it: "ais://b/key". */
export function targetOf(bucket?: BucketRef, key?: string): string {
  return describeTarget(bucket, key, bucket ? PROVIDER_LABELS[bucket.provider]?.scheme : undefined);
}

export function objectPath(bucket: BucketRef, key: string): string {
  return `/v1/objects/${encodeURIComponent(bucket.name)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** AIStore errors are JSON {message, ...}; anything else is shown as short text without markup. */
export function serverMessage(text: string, contentType: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (contentType.includes('json') || trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON after all
    }
  }
  const xmlMessage = /<Message>([\s\S]*?)<\/Message>/.exec(trimmed);
  if (xmlMessage) return xmlMessage[1];
  return trimmed.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) || undefined;
}
