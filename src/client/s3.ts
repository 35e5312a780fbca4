// Any S3 service (and an AIS cluster's /s3 side) through @aws-sdk/client-s3: path-style requests to a
// custom endpoint (virtual-hosted when asked), region us-east-1 unless told, signed with the keys or a
// credential provider (an AWS profile), unsigned requests when there are neither. An S3
// endpoint has one provider; AIStore's bucket props and cluster config do not exist there, and
// `capabilities` says so up front.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type BodySource, httpsAgentOptions } from './http';
import { HttpsTunnelAgent, HttpTunnelAgent, ProxyOptions } from './proxy';
import { credentialsOrClientError } from './s3auth';
import { fromUtf8HeaderValues, signableHeaderValues } from './headerbytes';
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
  DEFAULT_CONNECT_TIMEOUT_MS,
  deleteInBatches,
  DeleteObjectsOptions,
  DeleteObjectsResult,
  DEFAULT_TIMEOUT_MS,
  describeTarget,
  MultipartUpload,
  ObjectDownload,
  ObjectHead,
  ObjectMetadataUpdate,
  ObjectPage,
  UploadedPart,
  ListObjectsOptions,
  ProbeResult,
  ProviderInfo,
  providerInfo,
  PutOptions,
  PutResult,
  PutSource,
  unsupported,
} from './cluster';
import { RangedShards } from './s3shards';
import { S3RangeFetch } from './s3rangefetch';
import { S3Direct, headFromHeaders, type DirectAnswer } from './s3direct';
import { callerErrors, checkAnswerFormat, followRedirects, s3Error } from './s3answers';

export { s3Error } from './s3answers';

/** Part size for uploads of streams of unknown length (S3's minimum). */
const STREAM_PART_SIZE = 5 * 1024 * 1024;

export class S3ClusterClient implements ClusterClient {
  readonly kind = 's3' as const;
  readonly endpoint: string;
  readonly capabilities: Capabilities = { providers: false, bucketProps: false, clusterConfig: false, checksums: false, multipart: true, createBucket: true, cacheState: false };
  readonly providerName: string;
  readonly shards: RangedShards;
  private readonly client: S3Client;
  private readonly region: string;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly proxy?: ProxyOptions;
  /** Requests go unsigned: a 401/403 then means the server wants credentials. */
  private readonly anonymous: boolean;
  /** Ranged GETs into a download's file, on the download worker. */
  private readonly ranges: S3RangeFetch;
  /** Whole-object GETs and PUTs signed without the SDK's middleware (s3direct.ts). */
  private readonly direct: S3Direct;

  constructor(connection: ClusterConnection) {
    this.endpoint = connection.endpoint.replace(/\/+$/, '');
    try {
      const url = new URL(this.endpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new ClientError('bad-request', `"${connection.endpoint}" is not an http(s) URL; expected e.g. https://s3.example.com`, connection.endpoint);
    }
    this.providerName = connection.s3ProviderName ?? 's3';
    this.shards = new RangedShards((bucket, key, range, options) => this.getObject(bucket, key, range, options), this.endpoint);
    this.region = connection.region || 'us-east-1';
    const httpsOptions = httpsAgentOptions(connection.tls, this.endpoint);
    this.proxy = connection.proxy;
    this.agents = this.proxy
      ? { http: new HttpTunnelAgent(this.proxy, { keepAlive: true, maxSockets: 16 }), https: new HttpsTunnelAgent(this.proxy, httpsOptions) }
      : { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent(httpsOptions) };
    const provider = connection.credentials;
    // A session token alone (an AIS cluster's AuthN token on its /s3 side) is sent signed with placeholder keys.
    const tokenOnly = !provider && (!connection.accessKey || !connection.secretKey) && !!connection.sessionToken;
    const anonymous = !provider && (!connection.accessKey || !connection.secretKey) && !tokenOnly;
    this.anonymous = anonymous;
    const config: S3ClientConfig = {
      endpoint: this.endpoint,
      region: this.region,
      forcePathStyle: connection.addressing !== 'virtual',
      // A bucket in another region answers 301 with x-amz-bucket-region: the SDK re-signs for that region.
      followRegionRedirects: true,
      // No "Expect: 100-continue": with agents of our own the SDK sends the body without waiting for the
      // 100, so a server that refuses the headers (an expired token, a wrong key) and closes the
      // connection resets it mid-body, and the refusal reads as a network failure instead of its 403.
      expectContinueHeader: false,
      // One retry: an unreachable endpoint should be reported in seconds, not after a backoff series.
      maxAttempts: 2,
      // Checksums beyond Content-MD5 only when an operation requires them: S3-compatible servers vary.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: connection.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        // Idle time on the socket, not a deadline for the whole request: large uploads take long.
        socketTimeout: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        httpAgent: this.agents.http,
        httpsAgent: this.agents.https,
      },
      credentials: provider
        ? credentialsOrClientError(provider, this.endpoint)
        : anonymous
          ? { accessKeyId: '', secretAccessKey: '' }
          : {
              accessKeyId: tokenOnly ? 'ais-buckets' : connection.accessKey!,
              secretAccessKey: tokenOnly ? 'ais-buckets' : connection.secretKey!,
              ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
            },
    };
    // No keys: send requests unsigned (public buckets, open gateways) rather than search the environment.
    if (anonymous) config.signer = { sign: async (request) => request };
    this.client = new S3Client(config);
    this.client.middlewareStack.add(followRedirects(this.endpoint), { step: 'deserialize', priority: 'low', name: 'aisBucketsFollowRedirects' });
    this.client.middlewareStack.add(checkAnswerFormat(this.endpoint), { step: 'deserialize', priority: 'low', name: 'aisBucketsCheckAnswerFormat' });
    this.ranges = new S3RangeFetch(this.client, this.endpoint, connection, anonymous);
    this.direct = new S3Direct(this.client, this.endpoint, connection, anonymous);
  }

  /**
   * A whole-object request the direct way (s3direct.ts) when it can go there; undefined: send it through
   * the SDK. A refusal there is sent again through the SDK (`sdk`), whose error every S3 call words alike; if the
   * SDK then succeeds, the direct route was at fault and that bucket's requests stay with the SDK.
   */
  private async viaDirect<T>(bucket: BucketRef, key: string, direct: () => Promise<DirectAnswer>, done: (res: http.IncomingMessage) => T | Promise<T>, sdk: () => Promise<T>): Promise<T> {
    let answer: DirectAnswer;
    try {
      answer = await direct();
    } catch (e) {
      // The transport's failures are ClientErrors already; one without a code is the caller's body's (a cancel), as it was.
      throw e instanceof ClientError || !(e as NodeJS.ErrnoException)?.code ? e : s3Error(e, this.endpoint, this.target(bucket, key), this.proxy, this.anonymous);
    }
    if (answer && 'res' in answer) return done(answer.res);
    const result = await sdk();
    if (answer && S3Direct.routeProblem(answer.refused)) this.direct.forget(bucket.name);
    return result;
  }

  private target(bucket?: BucketRef, key?: string): string {
    return describeTarget(bucket, key, 's3://');
  }

  private async call<T>(target: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // The caller's own body stream failed (say, it cancelled the transfer): its error, as it was.
      if (err instanceof Error && callerErrors.has(err) && !(err as NodeJS.ErrnoException).code) throw err;
      throw s3Error(err, this.endpoint, target, this.proxy, this.anonymous);
    }
  }

  async probe(): Promise<ProbeResult> {
    const started = Date.now();
    const buckets = await this.listBuckets();
    return {
      kind: 's3',
      endpoint: this.endpoint,
      summary: `S3 endpoint: ${buckets.length} ${buckets.length === 1 ? 'bucket' : 'buckets'}`,
      latencyMs: Date.now() - started,
    };
  }

  async listProviders(): Promise<ProviderInfo[]> {
    return [providerInfo(this.providerName)];
  }

  async listBuckets(_provider?: string): Promise<BucketInfo[]> {
    const out = await this.call('buckets', () => this.client.send(new ListBucketsCommand({})));
    return (out.Buckets ?? [])
      .filter((b) => b.Name)
      .map((b) => ({ name: b.Name!, provider: this.providerName, ...(b.CreationDate ? { created: b.CreationDate } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createBucket(bucket: BucketRef): Promise<void> {
    const location = this.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: this.region as never } } : {};
    await this.call(this.target(bucket), () => this.client.send(new CreateBucketCommand({ Bucket: bucket.name, ...location })));
  }

  async deleteBucket(bucket: BucketRef): Promise<void> {
    await this.call(this.target(bucket), () => this.client.send(new DeleteBucketCommand({ Bucket: bucket.name })));
  }

  async listObjects(bucket: BucketRef, options: ListObjectsOptions = {}): Promise<ObjectPage> {
    const prefix = options.prefix ?? '';
    const out = await this.call(this.target(bucket), () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket.name,
          Prefix: prefix || undefined,
          Delimiter: options.folders === false ? undefined : '/',
          MaxKeys: options.pageSize,
          ContinuationToken: options.token,
          StartAfter: options.token ? undefined : options.startAfter || undefined,
        }),
      ),
    );
    const page: ObjectPage = {
      // "dir/" itself (a folder marker some consoles create) is where we are, not an object in it.
      objects: (out.Contents ?? [])
        .filter((o) => o.Key !== undefined && !(o.Key === prefix && prefix.endsWith('/')))
        .map((o) => ({
          key: o.Key!,
          size: Number(o.Size ?? 0),
          ...(o.LastModified ? { mtime: o.LastModified } : {}),
          ...(o.ETag ? { etag: unquote(o.ETag), checksum: { type: 'etag', value: unquote(o.ETag) } } : {}),
        })),
      folders: (out.CommonPrefixes ?? []).map((p) => p.Prefix).filter((p): p is string => !!p),
    };
    if (out.IsTruncated && out.NextContinuationToken) page.nextToken = out.NextContinuationToken;
    return page;
  }

  async headObject(bucket: BucketRef, key: string): Promise<ObjectHead> {
    const out = await this.call(this.target(bucket, key), () => this.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key })));
    return headOf(out);
  }

  /** `ifMatch`: only this version (an unquoted ETag; another is a 412); `signal` aborts the request and its body. */
  async getObject(bucket: BucketRef, key: string, range?: ByteRange, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<ObjectDownload> {
    if (range || options.ifMatch !== undefined) return this.sdkGetObject(bucket, key, range, options);
    return this.viaDirect(
      bucket,
      key,
      () => this.direct.get(bucket.name, key, options.signal),
      (res) => {
        // Errors on the body (reset, idle timeout) reach the reader as ClientErrors, as the SDK path's do.
        const body = res.pipe(new PassThrough());
        res.on('error', (err) => body.destroy(s3Error(err, this.endpoint, this.target(bucket, key), this.proxy, this.anonymous)));
        body.on('close', () => !res.complete && res.destroy());
        const length = res.headers['content-length'];
        return { body, head: headFromHeaders(res.headers), ...(length !== undefined ? { contentLength: Number(length) } : {}) };
      },
      () => this.sdkGetObject(bucket, key, range, options),
    );
  }

  private async sdkGetObject(bucket: BucketRef, key: string, range?: ByteRange, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<ObjectDownload> {
    const out = await this.call(this.target(bucket, key), () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: bucket.name,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
          IfMatch: options.ifMatch !== undefined ? `"${options.ifMatch}"` : undefined,
        }),
        { abortSignal: options.signal },
      ),
    );
    const head = headOf(out);
    const total = /\/(\d+)$/.exec(out.ContentRange ?? '');
    if (total) head.size = Number(total[1]);
    // Errors while the body streams (reset, idle timeout) reach the reader as ClientErrors too.
    const source = out.Body as Readable;
    const body = source.pipe(new PassThrough());
    source.on('error', (err) => body.destroy(s3Error(err, this.endpoint, this.target(bucket, key), this.proxy, this.anonymous)));
    body.on('close', () => !source.readableEnded && source.destroy());
    return { body, head, ...(out.ContentLength !== undefined ? { contentLength: out.ContentLength } : {}) };
  }

  /** The range's bytes into `file` on the download worker (s3rangefetch.ts); false where it cannot (a proxy). */
  getRangeToFile(bucket: BucketRef, key: string, range: Required<ByteRange>, file: string, onBytes: (n: number) => void, signal?: AbortSignal, ifMatch?: string): Promise<boolean> {
    return this.ranges.toFile(bucket, key, range, file, onBytes, signal, ifMatch);
  }

  async putObject(bucket: BucketRef, key: string, source: PutSource, options: PutOptions = {}): Promise<PutResult> {
    // Bodies that can be sent twice (the SDK sends a refused one again), without metadata to encode: the direct way.
    const direct = options.userMeta === undefined ? directBody(source) : undefined;
    if (!direct) return this.sdkPutObject(bucket, key, source, options);
    return this.viaDirect(
      bucket,
      key,
      async () => {
        const { body, size } = await direct();
        return this.direct.put(bucket.name, key, body, size, options.contentType, options.signal);
      },
      (res) => {
        res.resume();
        const etag = res.headers['etag'];
        const version = res.headers['x-amz-version-id'];
        return { ...(typeof etag === 'string' && etag ? { etag: unquote(etag) } : {}), ...(typeof version === 'string' && version ? { version } : {}) };
      },
      () => this.sdkPutObject(bucket, key, source, options),
    );
  }

  private async sdkPutObject(bucket: BucketRef, key: string, source: PutSource, options: PutOptions = {}): Promise<PutResult> {
    const target = this.target(bucket, key);
    const common = { Bucket: bucket.name, Key: key, ContentType: options.contentType, Metadata: signableHeaderValues(options.userMeta) };
    if ('bytes' in source) {
      const out = await this.call(target, () => this.client.send(new PutObjectCommand({ ...common, Body: source.bytes, ContentLength: source.bytes.byteLength }), { abortSignal: options.signal }));
      return { ...(out.ETag ? { etag: unquote(out.ETag) } : {}), ...(out.VersionId ? { version: out.VersionId } : {}) };
    }
    if ('path' in source || ('open' in source && source.size !== undefined) || ('stream' in source && source.size !== undefined)) {
      let body: Readable;
      let size: number;
      if ('path' in source) {
        size = await fileSize(source.path);
        body = fs.createReadStream(source.path);
      } else {
        body = 'open' in source ? source.open() : source.stream;
        size = source.size!;
      }
      const out = await this.call(target, () => this.client.send(new PutObjectCommand({ ...common, Body: body, ContentLength: size }), { abortSignal: options.signal }));
      return { ...(out.ETag ? { etag: unquote(out.ETag) } : {}), ...(out.VersionId ? { version: out.VersionId } : {}) };
    }
    // Unknown length: lib-storage sends one PUT or a multipart upload, holding one part in memory at a time.
    const stream = 'open' in source ? source.open() : source.stream;
    const upload = new Upload({ client: this.client, params: { ...common, Body: stream }, partSize: STREAM_PART_SIZE, queueSize: 1, leavePartsOnError: false });
    const out = await this.call(target, () => upload.done());
    return { ...(out.ETag ? { etag: unquote(out.ETag) } : {}), ...(out.VersionId ? { version: out.VersionId } : {}) };
  }

  async deleteObject(bucket: BucketRef, key: string): Promise<void> {
    await this.call(this.target(bucket, key), () => this.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key })));
  }

  /** DeleteObjects (POST ?delete), quiet: the answer lists only the keys that failed. */
  deleteObjects(bucket: BucketRef, keys: string[], options: DeleteObjectsOptions = {}): Promise<DeleteObjectsResult> {
    return deleteInBatches(keys, options, async (batch) => {
      const out = await this.call(this.target(bucket), () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: bucket.name, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      // Some S3-compatible servers report a key that was not there; S3 itself counts it as deleted.
      return (out.Errors ?? [])
        .filter((e) => e.Code !== 'NoSuchKey')
        .map((e) => ({ key: e.Key ?? '', message: [e.Code, e.Message].filter(Boolean).join(': ') || 'not deleted' }));
    });
  }

  /** What S3 can tell about a bucket: that it exists, and its versioning. No AIStore checksum props. */
  async getBucketProps(bucket: BucketRef): Promise<BucketProps> {
    const target = this.target(bucket);
    await this.call(target, () => this.client.send(new HeadBucketCommand({ Bucket: bucket.name })));
    const props: BucketProps = { provider: this.providerName };
    try {
      // S3 answers an empty LocationConstraint for us-east-1.
      const loc = await this.client.send(new GetBucketLocationCommand({ Bucket: bucket.name }));
      props.region = loc.LocationConstraint || 'us-east-1';
    } catch {
      // not every S3-compatible server answers ?location; leave it out
    }
    try {
      const v = await this.client.send(new GetBucketVersioningCommand({ Bucket: bucket.name }));
      props.versioning = { enabled: v.Status === 'Enabled' };
    } catch {
      // many S3-compatible servers do not implement versioning; leave it out
    }
    return props;
  }

  async setBucketProps(_bucket: BucketRef, _props: unknown): Promise<void> {
    throw unsupported(this.endpoint, 'Setting bucket properties');
  }

  async getClusterConfig(): Promise<ClusterConfig> {
    throw unsupported(this.endpoint, 'Cluster configuration');
  }

  async setClusterConfig(_values: Record<string, string>): Promise<void> {
    throw unsupported(this.endpoint, 'Cluster configuration');
  }

  async listMultipartUploads(bucket: BucketRef, prefix?: string): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const out = await this.call(this.target(bucket), () =>
        this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket.name, Prefix: prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      );
      for (const u of out.Uploads ?? []) {
        if (u.Key && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId, ...(u.Initiated ? { initiated: u.Initiated } : {}) });
      }
      if (!out.IsTruncated || (!out.NextKeyMarker && !out.NextUploadIdMarker)) break;
      if (out.NextKeyMarker === keyMarker && out.NextUploadIdMarker === uploadIdMarker) break; // a server that does not advance
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
    return uploads;
  }

  async copyObject(source: BucketRef, sourceKey: string, target: BucketRef, targetKey: string): Promise<PutResult> {
    // x-amz-copy-source is "bucket/key", URL-encoded (keys may hold spaces, '+', non-ASCII).
    const copySource = `${source.name}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`;
    const out = await this.call(this.target(target, targetKey), () =>
      this.client.send(new CopyObjectCommand({ Bucket: target.name, Key: targetKey, CopySource: copySource })),
    );
    const etag = out.CopyObjectResult?.ETag;
    return etag ? { etag: unquote(etag) } : {};
  }

  async createMultipartUpload(bucket: BucketRef, key: string, options: PutOptions = {}): Promise<string> {
    const out = await this.call(this.target(bucket, key), () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket.name, Key: key, ContentType: options.contentType, Metadata: signableHeaderValues(options.userMeta) })),
    );
    if (!out.UploadId) throw new ClientError('protocol', `${this.endpoint} started a multipart upload without an upload id.`, this.endpoint);
    return out.UploadId;
  }

  async uploadPart(bucket: BucketRef, key: string, uploadId: string, partNumber: number, source: { open: () => Readable; size: number }): Promise<string> {
    const out = await this.call(`${this.target(bucket, key)} part ${partNumber}`, () =>
      this.client.send(new UploadPartCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: source.open(), ContentLength: source.size })),
    );
    if (!out.ETag) throw new ClientError('protocol', `${this.endpoint} accepted part ${partNumber} without an ETag.`, this.endpoint);
    return unquote(out.ETag);
  }

  async completeMultipartUpload(bucket: BucketRef, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult> {
    const out = await this.call(this.target(bucket, key), () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket.name,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` })) },
        }),
      ),
    );
    return { ...(out.ETag ? { etag: unquote(out.ETag) } : {}), ...(out.VersionId ? { version: out.VersionId } : {}) };
  }

  async abortMultipartUpload(bucket: BucketRef, key: string, uploadId: string): Promise<void> {
    await this.call(this.target(bucket, key), () => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId })));
  }

  async listParts(bucket: BucketRef, key: string, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await this.call(this.target(bucket, key), () =>
        this.client.send(new ListPartsCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId, PartNumberMarker: marker })),
      );
      for (const p of out.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag) parts.push({ partNumber: p.PartNumber, etag: unquote(p.ETag), size: Number(p.Size ?? 0) });
      }
      if (!out.IsTruncated || !out.NextPartNumberMarker || out.NextPartNumberMarker === marker) break;
      marker = out.NextPartNumberMarker;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async presignGetObject(bucket: BucketRef, key: string, expiresInSeconds: number): Promise<string> {
    // SigV4 query presigning allows 1 second to 7 days.
    const expiresIn = Math.max(1, Math.min(604800, Math.floor(expiresInSeconds)));
    return this.call(this.target(bucket, key), () => getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket.name, Key: key }), { expiresIn }));
  }

  async setObjectMetadata(bucket: BucketRef, key: string, update: ObjectMetadataUpdate): Promise<void> {
    const copySource = `${bucket.name}/${key.split('/').map(encodeURIComponent).join('/')}`;
    await this.call(this.target(bucket, key), () =>
      this.client.send(
        new CopyObjectCommand({ Bucket: bucket.name, Key: key, CopySource: copySource, MetadataDirective: 'REPLACE', ContentType: update.contentType || undefined, Metadata: signableHeaderValues(update.userMeta) }),
      ),
    );
  }

  dispose(): void {
    this.ranges.dispose();
    this.direct.dispose();
    this.client.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/**
 * A PutSource the direct way can send, again after a redirect (a file, `open` with its size, bytes), as a
 * function that gives its body (a file's size is read then); undefined for a one-time stream or an unknown size.
 */
function directBody(source: PutSource): (() => Promise<{ body: BodySource | Buffer; size: number }>) | undefined {
  if ('bytes' in source) {
    const b = source.bytes;
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return async () => ({ body: buf, size: buf.length });
  }
  if ('open' in source && source.size !== undefined) {
    const size = source.size;
    return async () => ({ body: { open: source.open, size, reopen: true }, size });
  }
  if ('path' in source) {
    return async () => {
      const size = await fileSize(source.path);
      return { body: { open: () => fs.createReadStream(source.path), size, reopen: true }, size };
    };
  }
  return undefined;
}

/** A regular file's size, or the ClientError the SDK path gives for a file it cannot upload. */
async function fileSize(file: string): Promise<number> {
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    return st.size;
  } catch (err) {
    throw new ClientError('bad-request', `Cannot upload ${file}: ${(err as Error).message}`, file, undefined, (err as NodeJS.ErrnoException).code);
  }
}

function unquote(etag: string): string {
  return etag.replace(/"/g, '');
}

interface HeadLike {
  ContentLength?: number;
  LastModified?: Date;
  ETag?: string;
  VersionId?: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

function headOf(out: HeadLike): ObjectHead {
  return {
    size: Number(out.ContentLength ?? 0),
    ...(out.LastModified ? { mtime: out.LastModified } : {}),
    ...(out.ETag ? { etag: unquote(out.ETag), checksum: { type: 'etag', value: unquote(out.ETag) } } : {}),
    ...(out.VersionId ? { version: out.VersionId } : {}),
    ...(out.ContentType ? { contentType: out.ContentType } : {}),
    userMeta: fromUtf8HeaderValues(out.Metadata),
  };
}
