// AIStore's native API (/v1) over node:http(s), no SDK. Wire format: ../shared/ais-api.md and AIStore's
// api/ (ls.go, bucket.go, object.go) and api/apc/lsmsg.go. Object requests may be answered with 307 by a
// proxy; HttpTransport follows them, re-opening file bodies. Multipart uploads have no native API: the
// cluster's S3 side (/s3) lists and aborts them. The requests themselves, header decoding, listing and
// the batch delete live beside this file.
import type { Readable } from 'node:stream';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import {
  BucketInfo,
  BucketProps,
  BucketRef,
  ByteRange,
  Capabilities,
  ClientError,
  ClusterClient,
  ClusterConfig,
  ClusterConnection,
  DeepPartial,
  DeleteObjectsOptions,
  DeleteObjectsResult,
  MultipartUpload,
  networkError,
  ObjectDownload,
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
} from '../cluster';
import { BodySource, replayableStream } from '../http';
import { S3ClusterClient } from '../s3';
import { ACT, CUSTOM_KEY, HDR, HEAD_V2_OBJECT_PROPS, PROVIDERS } from '../../common/aisapi';
import { clusterAuthError } from './autherrors';
import { deleteObjects } from './batchdelete';
import { AisJobs } from './jobs';
import { header, headOf } from './headers';
import { ChecksumTypes, listObjectPage } from './listing';
import { AisRequests, bucketQuery, objectPath, RequestSpec, targetOf } from './requests';
import { AisShards } from './shards';

const PROVIDER_ORDER: readonly string[] = PROVIDERS;

export class AisClusterClient implements ClusterClient {
  readonly kind = 'ais' as const;
  readonly endpoint: string;
  readonly capabilities: Capabilities = { providers: true, bucketProps: true, clusterConfig: true, checksums: true, multipart: true, createBucket: true, cacheState: true };
  readonly jobs: AisJobs;
  readonly shards: AisShards;
  private readonly requests: AisRequests;
  private readonly connection: ClusterConnection;
  private s3Side?: S3ClusterClient;
  /** Bucket checksum type by bucket, to label the bare checksum values of listings. */
  private readonly checksumTypes = new ChecksumTypes();

  constructor(connection: ClusterConnection) {
    this.connection = connection;
    this.requests = new AisRequests(connection);
    this.endpoint = this.requests.endpoint;
    this.jobs = new AisJobs(this.requests);
    this.shards = new AisShards(this.requests, connection.proxy);
  }

  private get s3(): S3ClusterClient {
    this.s3Side ??= new S3ClusterClient({
      ...this.connection,
      kind: 's3',
      endpoint: this.connection.s3Endpoint ?? `${this.endpoint}/s3`,
      // AIStore takes the AuthN token on /s3 as X-Amz-Security-Token, the AWS SDK's session token, and does
      // not check the signature then (cmd/authn/tok/token.go ExtractToken). Keys, where given, sign instead.
      sessionToken: this.connection.sessionToken ?? (this.connection.accessKey ? undefined : this.connection.authToken),
    });
    return this.s3Side;
  }

  /** A call through the S3 side, whose token refusals are told apart as the native API's are. */
  private async viaS3<T>(run: (s3: S3ClusterClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.s3);
    } catch (err) {
      const token = this.connection.accessKey ? undefined : this.connection.authToken;
      // The S3 side answers every token refusal with AccessDenied, which the S3 client calls 'denied':
      // AIStore's words after it say which it is (expired, revoked, or a permission indeed).
      if (!(err instanceof ClientError) || err.kind !== 'auth' || (err.authProblem && err.authProblem !== 'denied') || !token) throw err;
      const said = /Server said: ([\s\S]*)$/.exec(err.message)?.[1] ?? err.message;
      const target = / denied access to (.*?) \(\d+\)/.exec(err.message)?.[1] ?? 'the request';
      throw clusterAuthError(err.status ?? 403, err.endpoint, target, said, token, err.code, err);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // cluster

  async probe(): Promise<ProbeResult> {
    const started = Date.now();
    const smap = await this.requests.json<{ pmap?: Record<string, unknown>; tmap?: Record<string, unknown>; version?: number | string; uuid?: string }>({
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
      const list = await this.requests.json<unknown>({ method: 'GET', path: '/v1/cluster', query: { what: 'backends' }, target: 'configured backends' });
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
    const list = await this.requests.json<Array<{ name: string; provider: string; namespace?: { uuid?: string; name?: string } }> | null>({
      method: 'GET',
      path: '/v1/buckets/',
      query: { provider },
      json: { action: ACT.list },
      target: provider ? `${provider} buckets` : 'buckets',
    });
    if (list !== null && (!Array.isArray(list) || !list.every((b) => b && typeof b === 'object' && typeof b.name === 'string' && typeof b.provider === 'string'))) {
      throw this.requests.notAis(provider ? `${provider} buckets` : 'buckets', `JSON that is not a list of buckets ("${JSON.stringify(list).slice(0, 60)}")`);
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
    await this.requests.noBody({ method: 'POST', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), json: { action: ACT.createBck }, target: targetOf(bucket) });
  }

  async deleteBucket(bucket: BucketRef): Promise<void> {
    this.checksumTypes.forget(bucket);
    await this.requests.noBody({ method: 'DELETE', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), json: { action: ACT.destroyBck }, target: targetOf(bucket) });
  }

  // ------------------------------------------------------------------------------------------------
  // objects

  listObjects(bucket: BucketRef, options: ListObjectsOptions = {}): Promise<ObjectPage> {
    return listObjectPage(
      this.requests,
      bucket,
      options,
      () => this.checksumTypes.of(bucket, () => this.getBucketProps(bucket)),
      (again) => this.listObjects(bucket, again),
    );
  }

  /**
   * One request: AIStore's HEAD V2 (ais/tgthead.go, `?props=`) adds Last-Modified and ETag to the checksum,
   * atime, version and custom props; the content type and user metadata are custom props (Ais-Custom-Md),
   * where AIStore's S3 side and backends keep them. A cluster older than HEAD V2 ignores `props` and
   * answers with all it has but those two.
   */
  async headObject(bucket: BucketRef, key: string): Promise<ObjectHead> {
    const res = await this.requests.send({ method: 'HEAD', path: objectPath(bucket, key), query: bucketQuery(bucket, { props: HEAD_V2_OBJECT_PROPS.join(',') }), target: targetOf(bucket, key) });
    res.resume();
    // AIStore describes every object in Ais-* headers; a 200 without any came from something else (a proxy's page).
    if (!Object.keys(res.headers).some((h) => h.startsWith('ais-'))) {
      throw this.requests.notAis(targetOf(bucket, key), `a HEAD answer without any Ais-* header (${String(res.headers['content-type'] ?? 'no content type')})`, res.statusCode);
    }
    return headOf(res.headers);
  }

  async getObject(bucket: BucketRef, key: string, range?: ByteRange, options: { signal?: AbortSignal } = {}): Promise<ObjectDownload> {
    const headers: Record<string, string> = {};
    if (range) headers['Range'] = `bytes=${range.start}-${range.end ?? ''}`;
    const res = await this.requests.send({ method: 'GET', path: objectPath(bucket, key), query: bucketQuery(bucket), headers, target: targetOf(bucket, key), signal: options.signal });
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
    const spec: RequestSpec = { method: 'GET', path: objectPath(bucket, key), query: bucketQuery(bucket), headers: { Range: `bytes=${range.start}-${range.end}` }, target: targetOf(bucket, key) };
    return this.requests.rangeToFile(spec, file, range, onBytes, signal);
  }

  async putObject(bucket: BucketRef, key: string, source: PutSource, options: PutOptions = {}): Promise<PutResult> {
    // With user metadata the S3 side stores both it and the content type (one X-Amz-Meta-* header each).
    if (options.userMeta !== undefined && !bucket.namespace) return this.viaS3((s3) => s3.putObject(bucket, key, source, options));
    const body = await bodySource(source);
    const headers: Record<string, string> = {};
    if (options.checksum) {
      headers[HDR.checksumType] = options.checksum.type;
      headers[HDR.checksumValue] = options.checksum.value;
    }
    // AIStore ignores a PUT's Content-Type (its clients send application/json there) but keeps the custom
    // metadata of Ais-Custom-Md (cmn/objattrs.go FromHeader), where "Content-Type" is the object's type:
    // AIStore's S3 HEAD answers with it (ais/tgts3.go), as the gateway's S3 HEAD and GET do.
    if (options.contentType) headers[HDR.customMd] = `${CUSTOM_KEY.contentType}=${options.contentType}`;
    const res = await this.requests.send({ method: 'PUT', path: objectPath(bucket, key), query: bucketQuery(bucket), body, headers, target: targetOf(bucket, key), signal: options.signal });
    res.resume();
    const head = headOf(res.headers);
    return { etag: head.etag, checksum: head.checksum, version: head.version };
  }

  async deleteObject(bucket: BucketRef, key: string): Promise<void> {
    await this.requests.noBody({ method: 'DELETE', path: objectPath(bucket, key), query: bucketQuery(bucket), target: targetOf(bucket, key) });
  }

  /** One request per batch: see batchdelete.ts. */
  deleteObjects(bucket: BucketRef, keys: string[], options: DeleteObjectsOptions = {}): Promise<DeleteObjectsResult> {
    return deleteObjects(this.requests, (b, o) => this.listObjects(b, o), bucket, keys, options);
  }

  // ------------------------------------------------------------------------------------------------
  // props and config

  async getBucketProps(bucket: BucketRef): Promise<BucketProps> {
    const res = await this.requests.send({ method: 'HEAD', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), target: targetOf(bucket) });
    res.resume();
    const raw = header(res.headers, HDR.bucketProps);
    if (typeof raw !== 'string') {
      throw new ClientError('protocol', `${this.endpoint} answered HEAD ${targetOf(bucket)} without the Ais-Bucket-Props header; is it an AIStore gateway?`, this.endpoint, res.statusCode);
    }
    try {
      return JSON.parse(raw) as BucketProps;
    } catch {
      throw this.requests.notAis(`the props of ${targetOf(bucket)}`, `an Ais-Bucket-Props header that is not valid JSON ("${raw.slice(0, 60)}")`, res.statusCode);
    }
  }

  async setBucketProps(bucket: BucketRef, props: DeepPartial<BucketProps>): Promise<void> {
    this.checksumTypes.forget(bucket);
    await this.requests.noBody({ method: 'PATCH', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), json: { action: ACT.setBprops, value: props }, target: targetOf(bucket) });
  }

  /** api/cluster.go GetClusterConfig: what=cluster_config (a proxy answers what=config with 400 "unexpected query"). */
  async getClusterConfig(): Promise<ClusterConfig> {
    try {
      return await this.requests.json<ClusterConfig>({ method: 'GET', path: '/v1/cluster', query: { what: 'cluster_config' }, target: 'cluster config' });
    } catch (err) {
      // Clusters older than cluster_config knew only what=config.
      if (!(err instanceof ClientError) || err.kind !== 'bad-request') throw err;
      return this.requests.json<ClusterConfig>({ method: 'GET', path: '/v1/cluster', query: { what: 'config' }, target: 'cluster config' });
    }
  }

  async setClusterConfig(values: Record<string, string>): Promise<void> {
    await this.requests.noBody({ method: 'PUT', path: '/v1/cluster/set-config', query: values, target: 'cluster config' });
  }

  // ------------------------------------------------------------------------------------------------
  // multipart (through the S3 side)

  listMultipartUploads(bucket: BucketRef, prefix?: string): Promise<MultipartUpload[]> {
    return this.viaS3((s3) => s3.listMultipartUploads(bucket, prefix));
  }

  abortMultipartUpload(bucket: BucketRef, key: string, uploadId: string): Promise<void> {
    return this.viaS3((s3) => s3.abortMultipartUpload(bucket, key, uploadId));
  }

  // AIStore's S3 API resolves bare bucket names across providers, so these work for any provider
  // whose bucket name is unambiguous (the gateway says so when it is not).
  createMultipartUpload(bucket: BucketRef, key: string, options?: PutOptions): Promise<string> {
    return this.viaS3((s3) => s3.createMultipartUpload(bucket, key, options));
  }

  uploadPart(bucket: BucketRef, key: string, uploadId: string, partNumber: number, source: { open: () => Readable; size: number }): Promise<string> {
    return this.viaS3((s3) => s3.uploadPart(bucket, key, uploadId, partNumber, source));
  }

  completeMultipartUpload(bucket: BucketRef, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult> {
    return this.viaS3((s3) => s3.completeMultipartUpload(bucket, key, uploadId, parts));
  }

  copyObject(source: BucketRef, sourceKey: string, target: BucketRef, targetKey: string): Promise<PutResult> {
    return this.viaS3((s3) => s3.copyObject(source, sourceKey, target, targetKey));
  }

  listParts(bucket: BucketRef, key: string, uploadId: string): Promise<UploadedPart[]> {
    return this.viaS3((s3) => s3.listParts(bucket, key, uploadId));
  }

  /** A presigned URL of the cluster's S3 side (AIStore serves S3 under /s3 and checks SigV4 there). */
  presignGetObject(bucket: BucketRef, key: string, expiresInSeconds: number): Promise<string> {
    return this.viaS3((s3) => s3.presignGetObject(bucket, key, expiresInSeconds));
  }

  /**
   * Content type and user metadata through AIStore's own API (api/object.go SetObjectCustomProps: PATCH
   * /v1/objects/B/O with {"value": {...}} and set-new-custom=true to replace rather than merge): the type
   * is the custom key "Content-Type", where AIStore keeps it (see putObject). One request, no copy.
   */
  async setObjectMetadata(bucket: BucketRef, key: string, update: ObjectMetadataUpdate): Promise<void> {
    const value: Record<string, string> = { ...update.userMeta };
    if (update.contentType) value[CUSTOM_KEY.contentType] = update.contentType;
    await this.requests.noBody({
      method: 'PATCH',
      path: objectPath(bucket, key),
      query: bucketQuery(bucket, { 'set-new-custom': 'true' }),
      json: { action: '', value },
      target: targetOf(bucket, key),
    });
  }

  /** AIStore's rename-obj (api/object.go RenameObject): POST /v1/objects/B/O {"action": "rename-obj", "name": NEW}. */
  async renameObject(bucket: BucketRef, key: string, newKey: string): Promise<void> {
    await this.requests.noBody({ method: 'POST', path: objectPath(bucket, key), query: bucketQuery(bucket), json: { action: ACT.renameObj, name: newKey }, target: targetOf(bucket, key) });
  }

  dispose(): void {
    this.requests.dispose();
    this.s3Side?.dispose();
  }
}

function rank(provider: string): number {
  const i = PROVIDER_ORDER.indexOf(provider);
  return i < 0 ? PROVIDER_ORDER.length : i;
}

async function bodySource(source: PutSource): Promise<BodySource | Buffer> {
  if ('bytes' in source) return Buffer.isBuffer(source.bytes) ? source.bytes : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
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
