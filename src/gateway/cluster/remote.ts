// The remote S3 backend behind the `aws` provider: any S3 endpoint (AWS itself, another gateway, ...),
// spoken to with the AWS SDK. Errors come back as GatewayErrors with the remote's status, worded like
// AIStore's backend errors ("aws-error[Code: message]", ais/backend/aws.go).
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { errors, GatewayError } from '../errors';

export interface RemoteOptions {
  /** S3 endpoint URL, e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:51081/s3. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region?: string;
}

export interface RemoteObject {
  key: string;
  size: number;
  /** ms since epoch */
  mtime: number;
  /** Without quotes. */
  etag: string;
  version?: string;
  contentType?: string;
  userMeta: Record<string, string>;
  /** Standard headers stored with the object: cache-control, content-disposition, ... (lower-case names). */
  headers: Record<string, string>;
}

export interface RemoteListPage {
  objects: RemoteObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** Objects at or above this size go up as multipart (S3 caps a single PUT at 5 GiB). */
const MULTIPART_THRESHOLD = 64 * 1024 * 1024;

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

interface SdkHeaders {
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  ExpiresString?: string;
}

function headersOf(out: SdkHeaders): Record<string, string> {
  const h: Record<string, string> = {};
  if (out.CacheControl) h['cache-control'] = out.CacheControl;
  if (out.ContentDisposition) h['content-disposition'] = out.ContentDisposition;
  if (out.ContentEncoding) h['content-encoding'] = out.ContentEncoding;
  if (out.ContentLanguage) h['content-language'] = out.ContentLanguage;
  const expires = out.ExpiresString ?? out.Expires?.toUTCString();
  if (expires) h.expires = expires;
  return h;
}

/** HeadObject and GetObject answer with the same object attributes. */
function objectOf(
  key: string,
  out: SdkHeaders & { ContentLength?: number; LastModified?: Date; ETag?: string; VersionId?: string; ContentType?: string; Metadata?: Record<string, string> },
): RemoteObject {
  return {
    key,
    size: out.ContentLength ?? 0,
    mtime: out.LastModified?.getTime() ?? 0,
    etag: unquote(out.ETag),
    version: out.VersionId,
    contentType: out.ContentType,
    userMeta: out.Metadata ?? {},
    headers: headersOf(out),
  };
}

function sdkHeaders(h: Record<string, string> = {}) {
  return {
    CacheControl: h['cache-control'],
    ContentDisposition: h['content-disposition'],
    ContentEncoding: h['content-encoding'],
    ContentLanguage: h['content-language'],
    Expires: h.expires ? new Date(h.expires) : undefined,
  };
}

export class RemoteS3 {
  private readonly client: S3Client;

  constructor(readonly options: RemoteOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey },
      // Plain Content-Length bodies with Content-MD5: every S3 service takes them; not all take aws-chunked.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A remote that does not answer must not hold requests (bare S3 names ask it) forever.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      maxAttempts: 2,
    });
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Maps an SDK failure to a GatewayError; `bucket`/`key` name what was missing for 404s. */
  private fail(e: unknown, bucket: string, key?: string): never {
    if (e instanceof GatewayError) throw e;
    if (e instanceof S3ServiceException) {
      const status = e.$metadata?.httpStatusCode ?? 502;
      const code = e.name;
      if (code === 'NoSuchBucket' || (status === 404 && key === undefined)) throw errors.noSuchBucket(bucket);
      if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) throw errors.noSuchKey(bucket, key ?? '');
      const message = `aws-error[${code}: ${e.message || 'no message'}]`;
      throw new GatewayError(status >= 400 ? status : 502, code || 'InternalError', message);
    }
    const err = e as NodeJS.ErrnoException;
    throw new GatewayError(502, 'BadGateway', `aws-error[${err.code ?? err.name}: cannot reach ${this.options.endpoint}: ${err.message}]`);
  }

  async listBuckets(): Promise<{ name: string; created?: number }[]> {
    try {
      const out = await this.client.send(new ListBucketsCommand({}));
      return (out.Buckets ?? []).filter((b) => b.Name).map((b) => ({ name: b.Name!, created: b.CreationDate?.getTime() }));
    } catch (e) {
      this.fail(e, '');
    }
  }

  async hasBucket(name: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: name }));
      return true;
    } catch (e) {
      if (e instanceof S3ServiceException && e.$metadata?.httpStatusCode === 404) return false;
      this.fail(e, name);
    }
  }

  async createBucket(name: string): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (e) {
      if (e instanceof S3ServiceException && (e.name === 'BucketAlreadyOwnedByYou' || e.name === 'BucketAlreadyExists'))
        throw errors.bucketExists(name);
      this.fail(e, name);
    }
  }

  async deleteBucket(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteBucketCommand({ Bucket: name }));
    } catch (e) {
      if (e instanceof S3ServiceException && e.name === 'BucketNotEmpty') throw errors.bucketNotEmpty(name);
      this.fail(e, name);
    }
  }

  async listObjects(
    bucket: string,
    opts: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys: number },
  ): Promise<RemoteListPage> {
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: opts.prefix || undefined,
          Delimiter: opts.delimiter || undefined,
          StartAfter: opts.startAfter || undefined,
          MaxKeys: opts.maxKeys,
        }),
      );
      return {
        objects: (out.Contents ?? []).map((o) => ({
          key: o.Key!,
          size: o.Size ?? 0,
          mtime: o.LastModified?.getTime() ?? 0,
          etag: unquote(o.ETag),
          userMeta: {},
          headers: {},
        })),
        commonPrefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix!).filter(Boolean),
        isTruncated: !!out.IsTruncated,
      };
    } catch (e) {
      this.fail(e, bucket);
    }
  }

  async headObject(bucket: string, key: string): Promise<RemoteObject> {
    try {
      return objectOf(key, await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    } catch (e) {
      this.fail(e, bucket, key);
    }
  }

  /** The whole object as a stream, with its attributes. */
  async getObject(bucket: string, key: string): Promise<RemoteObject & { body: Readable }> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { ...objectOf(key, out), body: out.Body as Readable };
    } catch (e) {
      this.fail(e, bucket, key);
    }
  }

  /**
   * Bytes `start..end` (inclusive) of an object, whole in memory (a blob download's chunk). With `etag`,
   * the remote refuses (412) once the object is no longer that version, so chunks never mix versions.
   */
  async getRange(bucket: string, key: string, start: number, end: number, opts: { etag?: string; signal?: AbortSignal } = {}): Promise<Buffer> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}`, IfMatch: opts.etag ? `"${opts.etag}"` : undefined }),
        { abortSignal: opts.signal },
      );
      const body = Buffer.from(await out.Body!.transformToByteArray());
      if (body.length !== end - start + 1)
        throw new GatewayError(502, 'IncompleteBody', `aws-error[IncompleteBody: ${bucket}/${key} bytes ${start}-${end}: received ${body.length} bytes]`);
      return body;
    } catch (e) {
      this.fail(e, bucket, key);
    }
  }

  /** Uploads `size` bytes from `body`; `md5` (hex) lets the remote verify what it received. */
  async putObject(
    bucket: string,
    key: string,
    body: Readable,
    size: number,
    opts: { md5?: string; contentType?: string; userMeta?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<{ etag: string; version?: string }> {
    try {
      if (size >= MULTIPART_THRESHOLD) {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType, Metadata: opts.userMeta, ...sdkHeaders(opts.headers) },
          partSize: 16 * 1024 * 1024,
          queueSize: 2,
        });
        const out = await upload.done();
        return { etag: unquote(out.ETag), version: out.VersionId };
      }
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: size,
          ContentMD5: opts.md5 ? Buffer.from(opts.md5, 'hex').toString('base64') : undefined,
          ContentType: opts.contentType,
          Metadata: opts.userMeta,
          ...sdkHeaders(opts.headers),
        }),
      );
      return { etag: unquote(out.ETag), version: out.VersionId };
    } catch (e) {
      this.fail(e, bucket, key);
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      this.fail(e, bucket, key);
    }
  }
}
