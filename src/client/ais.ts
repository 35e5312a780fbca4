// AIStore's native API (/v1) over node:http(s), no SDK. Wire format: ../shared/ais-api.md and AIStore's
// api/ (ls.go, bucket.go, object.go) and api/apc/lsmsg.go. Object requests may be answered with 307 by a
// proxy; HttpTransport follows them, re-opening file bodies. Multipart uploads have no native API: the
// cluster's S3 side (/s3) lists and aborts them.
import type { Readable } from 'node:stream';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import { PassThrough } from 'node:stream';
import {
  BucketInfo,
  BucketProps,
  BucketRef,
  ByteRange,
  Capabilities,
  Checksum,
  ClientError,
  ClusterClient,
  ClusterConfig,
  ClusterConnection,
  DeepPartial,
  deleteInBatches,
  DeleteFailure,
  DeleteObjectsOptions,
  DeleteObjectsResult,
  describeAnswer,
  describeTarget,
  htmlHint,
  MultipartUpload,
  networkError,
  ObjectDownload,
  ObjectEntry,
  ObjectHead,
  ObjectMetadataUpdate,
  ObjectPage,
  UploadedPart,
  ListObjectsOptions,
  ProbeResult,
  ProviderInfo,
  providerInfo,
  PROVIDER_LABELS,
  PutOptions,
  PutResult,
  PutSource,
  statusError,
} from './cluster';
import { BodySource, HttpTransport, readText, replayableStream } from './http';
import { S3ClusterClient } from './s3';
import { ACT, CUSTOM_KEY, ENTRY, HDR, LS, LsoEntry, LsoResult, parseCustomMd, PROVIDERS, SYSTEM_CUSTOM_KEYS } from '../common/aisapi';

/** Props asked for in listings: AIStore fills only those it knows. */
const LIST_PROPS = 'name,size,checksum,atime,version,custom';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
const PROVIDER_ORDER: readonly string[] = PROVIDERS;
const CHECKSUM_TYPE_TTL_MS = 30_000;

interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  /** JSON action message, or an object body source. */
  json?: unknown;
  body?: BodySource;
  headers?: Record<string, string>;
  /** For messages: what the request is about. */
  target: string;
}

export class AisClusterClient implements ClusterClient {
  readonly kind = 'ais' as const;
  readonly endpoint: string;
  readonly capabilities: Capabilities = { providers: true, bucketProps: true, clusterConfig: true, checksums: true, multipart: true, createBucket: true };
  private readonly base: URL;
  private readonly transport: HttpTransport;
  private readonly connection: ClusterConnection;
  private s3Side?: S3ClusterClient;
  /** Bucket checksum type by bucket, to label the bare checksum values of listings. */
  private readonly checksumTypes = new Map<string, { at: number; type: Promise<string | undefined> }>();

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

  // ------------------------------------------------------------------------------------------------
  // plumbing

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

  private async send(spec: RequestSpec): Promise<http.IncomingMessage> {
    const res = await this.transport.request({
      method: spec.method,
      url: this.url(spec.path, spec.query),
      headers: this.headers(spec),
      body: spec.json !== undefined ? JSON.stringify(spec.json) : spec.body,
      endpoint: this.endpoint,
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw await this.errorFrom(res, spec.target);
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
    return statusError(status, this.endpoint, target, message);
  }

  private async json<T>(spec: RequestSpec): Promise<T> {
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
  private notAis(target: string, what: string, status?: number, hint = ''): ClientError {
    return new ClientError(
      'protocol',
      `${this.endpoint} sent ${what} instead of AIStore's JSON. The request was for ${target}. ${hint}Check that the endpoint is an AIStore gateway (an S3 endpoint is added as an S3 cluster).`,
      this.endpoint,
      status,
    );
  }

  private async noBody(spec: RequestSpec): Promise<http.IncomingMessage> {
    const res = await this.send(spec);
    res.resume();
    return res;
  }

  private bucketQuery(bucket: BucketRef, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      provider: bucket.provider || 'ais',
      namespace: bucket.namespace && (bucket.namespace.uuid || bucket.namespace.name) ? `@${bucket.namespace.uuid}#${bucket.namespace.name}` : undefined,
      ...extra,
    };
  }

  private target(bucket?: BucketRef, key?: string): string {
    return describeTarget(bucket, key, bucket ? PROVIDER_LABELS[bucket.provider]?.scheme : undefined);
  }

  private objectPath(bucket: BucketRef, key: string): string {
    return `/v1/objects/${encodeURIComponent(bucket.name)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  private get s3(): S3ClusterClient {
    this.s3Side ??= new S3ClusterClient({ ...this.connection, kind: 's3', endpoint: this.connection.s3Endpoint ?? `${this.endpoint}/s3` });
    return this.s3Side;
  }

  // ------------------------------------------------------------------------------------------------
  // cluster

  async probe(): Promise<ProbeResult> {
    const started = Date.now();
    const smap = await this.json<{ pmap?: Record<string, unknown>; tmap?: Record<string, unknown>; version?: number | string; uuid?: string }>({
      method: 'GET',
      path: '/v1/daemon',
      query: { what: 'smap' },
      target: 'cluster map',
    });
    if (!smap || typeof smap !== 'object' || !smap.pmap) {
      throw new ClientError('protocol', `${this.endpoint} answered /v1/daemon?what=smap without a cluster map; is it an AIStore gateway?`, this.endpoint);
    }
    const proxies = Object.keys(smap.pmap ?? {}).length;
    const targets = Object.keys(smap.tmap ?? {}).length;
    return {
      kind: 'ais',
      endpoint: this.endpoint,
      summary: `AIStore cluster${smap.uuid ? ` ${smap.uuid}` : ''}: ${proxies} ${proxies === 1 ? 'gateway' : 'gateways'}, ${targets} ${targets === 1 ? 'target' : 'targets'}`,
      latencyMs: Date.now() - started,
    };
  }

  /** Providers: 'ais', the configured backends (GET /v1/cluster?what=backends), and those of known buckets. */
  async listProviders(): Promise<ProviderInfo[]> {
    const [buckets, backends] = await Promise.all([this.listBuckets(), this.configuredBackends()]);
    const names = new Set<string>(['ais', ...backends]);
    for (const b of buckets) names.add(b.provider);
    return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map(providerInfo);
  }

  /** api/cluster.go GetConfiguredBackends; older clusters without it: the config's backend section. */
  private async configuredBackends(): Promise<string[]> {
    try {
      const list = await this.json<unknown>({ method: 'GET', path: '/v1/cluster', query: { what: 'backends' }, target: 'configured backends' });
      if (Array.isArray(list)) return list.filter((p): p is string => typeof p === 'string');
    } catch (err) {
      if (!(err instanceof ClientError) || !['bad-request', 'not-found', 'unsupported', 'auth', 'protocol'].includes(err.kind)) throw err;
    }
    const config = await this.getClusterConfig().catch(() => undefined);
    const backend = config?.backend;
    if (!backend || typeof backend !== 'object') return [];
    const conf = (backend as { conf?: unknown }).conf;
    return Object.keys(conf && typeof conf === 'object' ? conf : backend).filter((k) => PROVIDER_LABELS[k]);
  }

  async listBuckets(provider?: string): Promise<BucketInfo[]> {
    const list = await this.json<Array<{ name: string; provider: string; namespace?: { uuid?: string; name?: string } }> | null>({
      method: 'GET',
      path: '/v1/buckets/',
      query: { provider },
      json: { action: ACT.list },
      target: provider ? `${provider} buckets` : 'buckets',
    });
    if (list !== null && (!Array.isArray(list) || !list.every((b) => b && typeof b === 'object' && typeof b.name === 'string' && typeof b.provider === 'string'))) {
      throw this.notAis(provider ? `${provider} buckets` : 'buckets', `JSON that is not a list of buckets ("${JSON.stringify(list).slice(0, 60)}")`);
    }
    return (list ?? [])
      .map((b) => ({
        name: b.name,
        provider: b.provider,
        ...(b.namespace && (b.namespace.uuid || b.namespace.name) ? { namespace: { uuid: b.namespace.uuid ?? '', name: b.namespace.name ?? '' } } : {}),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createBucket(bucket: BucketRef): Promise<void> {
    await this.noBody({ method: 'POST', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: this.bucketQuery(bucket), json: { action: ACT.createBck }, target: this.target(bucket) });
  }

  async deleteBucket(bucket: BucketRef): Promise<void> {
    this.checksumTypes.delete(bucketKey(bucket));
    await this.noBody({ method: 'DELETE', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: this.bucketQuery(bucket), json: { action: ACT.destroyBck }, target: this.target(bucket) });
  }

  // ------------------------------------------------------------------------------------------------
  // objects

  async listObjects(bucket: BucketRef, options: ListObjectsOptions = {}): Promise<ObjectPage> {
    const folders = options.folders !== false;
    const prefix = options.prefix ?? '';
    // AIStore's no-recursion walk takes the prefix as a directory (cmn.CheckDirNoRecurs): "docs/re"
    // lists nothing. List the directory "docs/" instead and keep the names that start with "docs/re".
    if (folders && prefix && !prefix.endsWith('/')) return this.listPartialName(bucket, options, prefix);
    const { uuid, token } = splitToken(options.token);
    const msg = {
      uuid,
      props: LIST_PROPS,
      time_format: RFC3339_NANO,
      prefix: options.prefix ?? '',
      continuation_token: token,
      start_after: token ? undefined : options.startAfter || undefined,
      flags: String(folders ? LS.noRecursion : 0), // a string on the wire (`json:"flags,string"`)
      pagesize: options.pageSize ?? 0,
    };
    const [res, checksumType] = await Promise.all([
      this.json<LsoResult>({ method: 'GET', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: this.bucketQuery(bucket), json: { action: ACT.list, value: msg }, target: this.target(bucket) }),
      this.bucketChecksumType(bucket),
    ]);
    const entries = res && typeof res === 'object' ? res.entries : undefined;
    if (!res || typeof res !== 'object' || Array.isArray(res) || (entries != null && (!Array.isArray(entries) || !entries.every((e) => e && typeof e === 'object' && typeof e.name === 'string')))) {
      throw this.notAis(`the object list of ${this.target(bucket)}`, `JSON that is not an object list ("${JSON.stringify(res).slice(0, 60)}")`);
    }
    const page: ObjectPage = { objects: [], folders: [] };
    for (const e of res.entries ?? []) {
      if ((e.flags ?? 0) & ENTRY.isDir) {
        const dir = e.name.endsWith('/') ? e.name : `${e.name}/`;
        // AIStore lists the prefix "directory" itself on the first page; it is where we are, not a child.
        if (dir !== prefix) page.folders.push(dir);
        continue;
      }
      page.objects.push(entryOf(e, checksumType));
    }
    if (res.continuation_token) page.nextToken = joinToken(res.uuid, res.continuation_token);
    return page;
  }

  private async listPartialName(bucket: BucketRef, options: ListObjectsOptions, prefix: string): Promise<ObjectPage> {
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const out: ObjectPage = { objects: [], folders: [] };
    let token = options.token;
    for (;;) {
      const page = await this.listObjects(bucket, { ...options, prefix: dir, token });
      out.folders.push(...page.folders.filter((f) => f.startsWith(prefix)));
      out.objects.push(...page.objects.filter((o) => o.key.startsWith(prefix)));
      token = page.nextToken;
      if (!token) break;
      // Listings come sorted: once a page ends past every name with the prefix, no later page has one.
      const names = [...page.folders, ...page.objects.map((o) => o.key)];
      const last = names.reduce((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b), '');
      if (!last.startsWith(prefix) && Buffer.compare(Buffer.from(last), Buffer.from(prefix)) > 0) {
        token = undefined;
        break;
      }
      if (out.folders.length + out.objects.length > 0) break; // the caller's "load more" goes on from here
    }
    if (token) out.nextToken = token;
    return out;
  }

  /** Kept for a while: someone else (the CLI) may change it, and a listing is no reason to ask every time. */
  private bucketChecksumType(bucket: BucketRef): Promise<string | undefined> {
    const key = bucketKey(bucket);
    const cached = this.checksumTypes.get(key);
    if (cached && Date.now() - cached.at < CHECKSUM_TYPE_TTL_MS) return cached.type;
    const type = this.getBucketProps(bucket).then(
      (p) => p.checksum?.type,
      () => {
        this.checksumTypes.delete(key); // try again next time
        return undefined;
      },
    );
    this.checksumTypes.set(key, { at: Date.now(), type });
    return type;
  }


  /**
   * One request: AIStore's HEAD V2 (ais/tgthead.go, `?props=`) adds Last-Modified and ETag to the checksum,
   * atime, version and custom props; the content type and user metadata are custom props (Ais-Custom-Md),
   * where AIStore's S3 side and backends keep them. A cluster older than HEAD V2 ignores `props` and
   * answers with all it has but those two.
   */
  async headObject(bucket: BucketRef, key: string): Promise<ObjectHead> {
    const res = await this.send({ method: 'HEAD', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket, { props: HEAD_PROPS }), target: this.target(bucket, key) });
    res.resume();
    // AIStore describes every object in Ais-* headers; a 200 without any came from something else (a proxy's page).
    if (!Object.keys(res.headers).some((h) => h.startsWith('ais-'))) {
      throw this.notAis(this.target(bucket, key), `a HEAD answer without any Ais-* header (${String(res.headers['content-type'] ?? 'no content type')})`, res.statusCode);
    }
    return headOf(res.headers);
  }

  async getObject(bucket: BucketRef, key: string, range?: ByteRange): Promise<ObjectDownload> {
    const headers: Record<string, string> = {};
    if (range) headers['Range'] = `bytes=${range.start}-${range.end ?? ''}`;
    const res = await this.send({ method: 'GET', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket), headers, target: this.target(bucket, key) });
    const length = res.headers['content-length'];
    const head = headOf(res.headers);
    const total = /\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (total) head.size = Number(total[1]);
    // Errors on the body (reset, idle timeout) reach the reader as ClientErrors.
    const body = res.pipe(new PassThrough());
    res.on('error', (err) => body.destroy(networkError(err, this.endpoint, this.connection.proxy)));
    // A reader that gives up (cancel) closes the connection rather than leave it half-read.
    body.on('close', () => !res.complete && res.destroy());
    return { body, head, ...(length !== undefined ? { contentLength: Number(length) } : {}) };
  }

  async getRangeToFile(bucket: BucketRef, key: string, range: Required<ByteRange>, file: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<boolean> {
    const spec: RequestSpec = { method: 'GET', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket), headers: { Range: `bytes=${range.start}-${range.end}` }, target: this.target(bucket, key) };
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

  async putObject(bucket: BucketRef, key: string, source: PutSource, options: PutOptions = {}): Promise<PutResult> {
    // The native PUT keeps neither content type nor user metadata: with metadata, the S3 side stores it.
    if (options.userMeta !== undefined && !bucket.namespace) return this.s3.putObject(bucket, key, source, options);
    const body = await bodySource(source);
    const headers: Record<string, string> = {};
    if (options.checksum) {
      headers[HDR.checksumType] = options.checksum.type;
      headers[HDR.checksumValue] = options.checksum.value;
    }
    if (options.contentType) headers['Content-Type'] = options.contentType;
    const res = await this.send({ method: 'PUT', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket), body, headers, target: this.target(bucket, key) });
    res.resume();
    const head = headOf(res.headers);
    return { etag: head.etag, checksum: head.checksum, version: head.version };
  }

  async deleteObject(bucket: BucketRef, key: string): Promise<void> {
    await this.noBody({ method: 'DELETE', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket), target: this.target(bucket, key) });
  }

  /**
   * AIStore's multi-object delete (api/multiobj.go DeleteMultiObj): DELETE /v1/buckets/B {"action":
   * "delete-listrange", "value": {"objnames": [...]}} starts a job and answers with its id; the job's
   * status (GET /v1/cluster?what=status, ais/ic.go xstatusOne) says when it ended and with what error.
   * That error names a few keys at most (cos.Errs), and a listed name that was not there counts as one
   * (xact/xs/evict.go): so after an error, the keys still listed are the ones that failed.
   */
  deleteObjects(bucket: BucketRef, keys: string[], options: DeleteObjectsOptions = {}): Promise<DeleteObjectsResult> {
    return deleteInBatches(keys, options, async (batch) => {
      const target = this.target(bucket);
      const res = await this.send({
        method: 'DELETE',
        path: `/v1/buckets/${encodeURIComponent(bucket.name)}`,
        query: this.bucketQuery(bucket),
        json: { action: ACT.deleteListRange, value: { objnames: batch } },
        target,
      });
      const jobId = (await readText(res, 4096).catch((err) => Promise.reject(networkError(err, this.endpoint)))).trim();
      const status = jobId ? await this.waitForJob(jobId, ACT.deleteListRange, target) : undefined;
      if (status && !status.err && !status.aborted) return [];
      const why = status?.err || (status?.aborted ? 'the delete job was aborted' : 'the cluster did not say how the delete job ended');
      return (await this.keysStillListed(bucket, batch)).map((key): DeleteFailure => ({ key, message: why }));
    });
  }

  /** Polls a job's status until it ends; undefined when the cluster does not know the job (any more). */
  private async waitForJob(id: string, kind: string, target: string): Promise<JobStatus | undefined> {
    const started = Date.now();
    for (let pause = JOB_POLL_FIRST_MS; ; pause = Math.min(JOB_POLL_MAX_MS, pause * 1.5)) {
      let status: JobStatus;
      try {
        status = await this.json<JobStatus>({ method: 'GET', path: '/v1/cluster', query: { what: 'status' }, json: { id, kind }, target: `job ${id} (${kind} on ${target})` });
      } catch (err) {
        if (err instanceof ClientError && err.kind === 'not-found') return undefined;
        throw err;
      }
      if (Number(status.end_time ?? 0) > 0 || status.aborted) return status;
      if (Date.now() - started > JOB_WAIT_MS) {
        throw new ClientError('timeout', `Job ${id} (${kind} on ${target}) has not ended after ${JOB_WAIT_MS / 60_000} minutes; see \`ais show job ${id}\`.`, this.endpoint);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Which of `keys` a listing still shows: the range from the smallest to the largest, under their common prefix. */
  private async keysStillListed(bucket: BucketRef, keys: string[]): Promise<string[]> {
    const sorted = [...keys].sort(compareBytes);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    let common = 0;
    while (common < first.length && first[common] === last[common]) common++;
    const wanted = new Set(keys);
    const left: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.listObjects(bucket, { prefix: first.slice(0, common), folders: false, pageSize: 1000, token });
      for (const o of page.objects) if (wanted.has(o.key)) left.push(o.key);
      token = page.nextToken;
      const end = page.objects[page.objects.length - 1]?.key;
      if (end !== undefined && compareBytes(end, last) >= 0) break;
    } while (token);
    return left;
  }

  // ------------------------------------------------------------------------------------------------
  // props and config

  async getBucketProps(bucket: BucketRef): Promise<BucketProps> {
    const res = await this.send({ method: 'HEAD', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: this.bucketQuery(bucket), target: this.target(bucket) });
    res.resume();
    const raw = header(res.headers, HDR.bucketProps);
    if (typeof raw !== 'string') {
      throw new ClientError('protocol', `${this.endpoint} answered HEAD ${this.target(bucket)} without the Ais-Bucket-Props header; is it an AIStore gateway?`, this.endpoint, res.statusCode);
    }
    try {
      return JSON.parse(raw) as BucketProps;
    } catch {
      throw this.notAis(`the props of ${this.target(bucket)}`, `an Ais-Bucket-Props header that is not valid JSON ("${raw.slice(0, 60)}")`, res.statusCode);
    }
  }

  async setBucketProps(bucket: BucketRef, props: DeepPartial<BucketProps>): Promise<void> {
    this.checksumTypes.delete(bucketKey(bucket));
    await this.noBody({ method: 'PATCH', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: this.bucketQuery(bucket), json: { action: ACT.setBprops, value: props }, target: this.target(bucket) });
  }

  /** api/cluster.go GetClusterConfig: what=cluster_config (a proxy answers what=config with 400 "unexpected query"). */
  async getClusterConfig(): Promise<ClusterConfig> {
    try {
      return await this.json<ClusterConfig>({ method: 'GET', path: '/v1/cluster', query: { what: 'cluster_config' }, target: 'cluster config' });
    } catch (err) {
      // Clusters older than cluster_config knew only what=config.
      if (!(err instanceof ClientError) || err.kind !== 'bad-request') throw err;
      return this.json<ClusterConfig>({ method: 'GET', path: '/v1/cluster', query: { what: 'config' }, target: 'cluster config' });
    }
  }

  async setClusterConfig(values: Record<string, string>): Promise<void> {
    await this.noBody({ method: 'PUT', path: '/v1/cluster/set-config', query: values, target: 'cluster config' });
  }

  // ------------------------------------------------------------------------------------------------
  // multipart (through the S3 side)

  listMultipartUploads(bucket: BucketRef, prefix?: string): Promise<MultipartUpload[]> {
    return this.s3.listMultipartUploads(bucket, prefix);
  }

  abortMultipartUpload(bucket: BucketRef, key: string, uploadId: string): Promise<void> {
    return this.s3.abortMultipartUpload(bucket, key, uploadId);
  }

  // AIStore's S3 API resolves bare bucket names across providers, so these work for any provider
  // whose bucket name is unambiguous (the gateway says so when it is not).
  createMultipartUpload(bucket: BucketRef, key: string, options?: PutOptions): Promise<string> {
    return this.s3.createMultipartUpload(bucket, key, options);
  }

  uploadPart(bucket: BucketRef, key: string, uploadId: string, partNumber: number, source: { open: () => Readable; size: number }): Promise<string> {
    return this.s3.uploadPart(bucket, key, uploadId, partNumber, source);
  }

  completeMultipartUpload(bucket: BucketRef, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult> {
    return this.s3.completeMultipartUpload(bucket, key, uploadId, parts);
  }

  copyObject(source: BucketRef, sourceKey: string, target: BucketRef, targetKey: string): Promise<PutResult> {
    return this.s3.copyObject(source, sourceKey, target, targetKey);
  }

  listParts(bucket: BucketRef, key: string, uploadId: string): Promise<UploadedPart[]> {
    return this.s3.listParts(bucket, key, uploadId);
  }

  /** A presigned URL of the cluster's S3 side (AIStore serves S3 under /s3 and checks SigV4 there). */
  presignGetObject(bucket: BucketRef, key: string, expiresInSeconds: number): Promise<string> {
    return this.s3.presignGetObject(bucket, key, expiresInSeconds);
  }

  /**
   * User metadata through AIStore's own API (api/object.go SetObjectCustomProps: PATCH /v1/objects/B/O with
   * {"value": {...}} and set-new-custom=true to replace rather than merge). The content type is no custom
   * prop: when it changes, the S3 side copies the object onto itself with both (MetadataDirective REPLACE).
   */
  async setObjectMetadata(bucket: BucketRef, key: string, update: ObjectMetadataUpdate): Promise<void> {
    if (update.contentType !== undefined && !bucket.namespace) {
      const head = await this.s3.headObject(bucket, key).catch(() => undefined);
      if ((head?.contentType ?? '') !== update.contentType) return this.s3.setObjectMetadata(bucket, key, update);
    }
    await this.noBody({
      method: 'PATCH',
      path: this.objectPath(bucket, key),
      query: this.bucketQuery(bucket, { 'set-new-custom': 'true' }),
      json: { action: '', value: update.userMeta },
      target: this.target(bucket, key),
    });
  }

  /** AIStore's rename-obj (api/object.go RenameObject): POST /v1/objects/B/O {"action": "rename-obj", "name": NEW}. */
  async renameObject(bucket: BucketRef, key: string, newKey: string): Promise<void> {
    await this.noBody({ method: 'POST', path: this.objectPath(bucket, key), query: this.bucketQuery(bucket), json: { action: ACT.renameObj, name: newKey }, target: this.target(bucket, key) });
  }

  dispose(): void {
    this.transport.dispose();
    this.s3Side?.dispose();
  }
}

/** What a HEAD asks for (ais/tgthead.go _objHeadV2): everything ObjectHead holds. */
const HEAD_PROPS = 'name,size,checksum,atime,version,custom,last-modified,etag';
const JOB_POLL_FIRST_MS = 50;
const JOB_POLL_MAX_MS = 1000;
const JOB_WAIT_MS = 10 * 60_000;

/** nl.Status (nl/listener.go): what GET /v1/cluster?what=status answers about one job. */
interface JobStatus {
  kind?: string;
  uuid?: string;
  err?: string;
  /** Unix nanoseconds; 0 while the job runs. */
  end_time?: number;
  aborted?: boolean;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function rank(provider: string): number {
  const i = PROVIDER_ORDER.indexOf(provider);
  return i < 0 ? PROVIDER_ORDER.length : i;
}

function bucketKey(bucket: BucketRef): string {
  return `${bucket.provider}\n${bucket.namespace?.uuid ?? ''}\n${bucket.namespace?.name ?? ''}\n${bucket.name}`;
}

// The page token we hand out carries the listing's uuid too: AIStore ties the pages of one listing
// together by it, and a fresh uuid would restart the listing work on the cluster.
function joinToken(uuid: string | undefined, token: string): string {
  return uuid ? `${uuid}\u0000${token}` : token;
}

function splitToken(token: string | undefined): { uuid: string; token: string } {
  if (!token) return { uuid: '', token: '' };
  const i = token.indexOf('\u0000');
  return i < 0 ? { uuid: '', token } : { uuid: token.slice(0, i), token: token.slice(i + 1) };
}

/** AIStore times: RFC3339 (what we ask for), RFC822/1123 (its default), or Unix nanoseconds. */
export function parseAisTime(value: string | number | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    // nanoseconds (AIStore's Ais-Atime), else milliseconds
    const ms = n > 1e15 ? n / 1e6 : n;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function entryOf(e: LsoEntry, checksumType: string | undefined): ObjectEntry {
  const custom = parseCustomMd(e['custom-md']);
  const entry: ObjectEntry = { key: e.name, size: Number(e.size ?? 0) };
  const mtime = parseAisTime(custom[CUSTOM_KEY.lastModified]);
  const atime = parseAisTime(e.atime);
  if (mtime) entry.mtime = mtime;
  else if (atime) entry.mtime = atime;
  if (custom[CUSTOM_KEY.etag]) entry.etag = custom[CUSTOM_KEY.etag].replace(/"/g, '');
  if (e.checksum) entry.checksum = { type: checksumType ?? 'unknown', value: e.checksum };
  if (e.version) entry.version = e.version;
  return entry;
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function headOf(headers: http.IncomingHttpHeaders): ObjectHead {
  const head: ObjectHead = { size: Number(header(headers, 'content-length') ?? 0), userMeta: {} };
  const lastModified = header(headers, 'last-modified');
  const mtime = lastModified ? parseAisTime(lastModified) : parseAisTime(header(headers, HDR.atime));
  if (mtime) head.mtime = mtime;
  const atime = parseAisTime(header(headers, HDR.atime));
  if (atime) head.atime = atime;
  const etag = header(headers, 'etag');
  if (etag) head.etag = etag.replace(/"/g, '');
  const type = header(headers, HDR.checksumType);
  const value = header(headers, HDR.checksumValue);
  if (type && value && type !== 'none') head.checksum = { type, value } satisfies Checksum;
  const version = header(headers, HDR.version);
  if (version) head.version = version;
  const contentType = header(headers, 'content-type');
  if (contentType) head.contentType = contentType;
  // Ais-Custom-Md: repeated "k=v" (joined with ", " by Node)
  const custom = header(headers, HDR.customMd);
  if (custom) {
    for (const kv of custom.split(/,\s*/)) {
      const i = kv.indexOf('=');
      if (i <= 0) continue;
      const [k, v] = [kv.slice(0, i), kv.slice(i + 1)];
      // The object's own content type (a GET's Content-Type is always octet-stream), as backends and
      // the S3 side keep it; user metadata from S3 as "X-Amz-Meta-Name" (ais/backend/aws.go).
      if (k.toLowerCase() === CUSTOM_KEY.contentType.toLowerCase()) head.contentType = v;
      else if (k.toLowerCase().startsWith('x-amz-meta-')) head.userMeta[k.slice('x-amz-meta-'.length).toLowerCase()] = v;
      // AIStore keeps what it learned from a backend there too (cmn/objattrs.go): not the user's metadata.
      else if (!SYSTEM_CUSTOM_KEYS.has(k)) head.userMeta[k] = v;
    }
  }
  for (const [name, v] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof v === 'string') head.userMeta[name.slice('x-amz-meta-'.length)] = v;
  }
  return head;
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

async function bodySource(source: PutSource): Promise<BodySource> {
  if ('path' in source) {
    const file = source.path;
    let size: number;
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
      size = st.size;
    } catch (err) {
      throw new ClientError('bad-request', `Cannot upload ${file}: ${(err as Error).message}`, file, undefined, (err as NodeJS.ErrnoException).code);
    }
    return { open: () => fs.createReadStream(file), size, reopen: true };
  }
  if ('open' in source) return { open: source.open, size: source.size, reopen: true };
  return replayableStream(source.stream, source.size);
}
