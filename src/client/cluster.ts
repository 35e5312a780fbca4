// One interface for a storage cluster, whatever speaks behind it: AIStore's native API (ais/) or any
// S3 service (s3.ts). The tree and the commands hold a ClusterClient and never ask which one it is;
// what differs between the two is stated in `capabilities`, not discovered by catching errors.
import type { Readable } from 'node:stream';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterJobs } from './jobs';
import type { ShardAccess } from './shards';

export type ClusterKind = 'ais' | 's3';

/** A backend provider as AIStore names them: 'ais', 'aws', 'gcp', 'azure', 'oci' (api/apc/provider.go). */
export interface ProviderInfo {
  name: string;
  /** What users know it by: "AIS", "AWS S3", "Google Cloud", ... */
  label: string;
  /** URI scheme AIStore's CLI uses: ais://, s3://, gs://, az://, oc:// */
  scheme: string;
}

export interface BucketRef {
  name: string;
  /** Provider name; S3 clients ignore it (one provider per endpoint). */
  provider: string;
  /** Remote AIS namespace, when the bucket lives in an attached cluster. */
  namespace?: { uuid: string; name: string };
}

/** The same bucket: name, provider and namespace. */
export function sameBucket(a: BucketRef, b: BucketRef): boolean {
  return a.name === b.name && a.provider === b.provider && (a.namespace?.uuid ?? '') === (b.namespace?.uuid ?? '') && (a.namespace?.name ?? '') === (b.namespace?.name ?? '');
}

export interface BucketInfo extends BucketRef {
  created?: Date;
}

export interface Checksum {
  /** AIStore checksum type: 'xxhash', 'xxhash2', 'md5', 'crc32c', 'sha256', 'sha512'; 'etag' for S3 ETags. */
  type: string;
  value: string;
}

export interface ObjectEntry {
  key: string;
  size: number;
  mtime?: Date;
  etag?: string;
  checksum?: Checksum;
  version?: string;
  /** A remote bucket's object on an AIStore cluster: whether the cluster holds a copy (undefined: not known). */
  cached?: boolean;
  /** Asked for with presence 'changed': the cached copy is older than the remote's, or the remote deleted it. */
  remoteChange?: 'changed' | 'removed';
}

/** Which objects of a remote bucket a listing returns (AIStore's LsCached, LsNotCached, LsDiff). */
export type Presence = 'all' | 'cached' | 'notCached' | 'changed';

export interface ObjectPage {
  objects: ObjectEntry[];
  /** Common prefixes ("folders"), each ending with the delimiter '/'. */
  folders: string[];
  /** Pass back as `token` for the next page; absent on the last page. */
  nextToken?: string;
}

export interface ListObjectsOptions {
  prefix?: string;
  /** Group keys by '/' below the prefix into `folders` (default true). */
  folders?: boolean;
  pageSize?: number;
  token?: string;
  /** List only names after this one (S3 StartAfter, AIStore start_after): jump into a listing without paging up to it. */
  startAfter?: string;
  /** A remote bucket on AIStore (capabilities.cacheState): cached copies only, the others, or those whose remote changed. */
  presence?: Presence;
  /** Only names and sizes are wanted (Search Names): AIStore then sends and decodes a third of the bytes. */
  namesOnly?: boolean;
}

export interface ObjectHead {
  size: number;
  mtime?: Date;
  /** Last access (AIStore's Ais-Atime); S3 has none. */
  atime?: Date;
  etag?: string;
  checksum?: Checksum;
  version?: string;
  contentType?: string;
  userMeta: Record<string, string>;
}

/** Keys one batch delete sends: S3 DeleteObjects takes at most 1000, and AIStore's listrange is sent alike. */
export const DELETE_BATCH_SIZE = 1000;

export interface DeleteObjectsOptions {
  /** Looked at before each batch: a batch sent is seen to its end, none is sent after the abort. */
  signal?: AbortSignal;
  /** After each batch: keys dealt with so far (deleted or failed) of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export interface DeleteFailure {
  key: string;
  /** What the server said about this key (AIStore: the job's error, which names a few keys at most). */
  message: string;
}

export interface DeleteObjectsResult {
  /** Keys that are gone; one that was not there counts, as S3 and AIStore keep nothing of it either. */
  deleted: number;
  failed: DeleteFailure[];
  /** The signal stopped it: the keys after the last batch sent were not tried. */
  cancelled: boolean;
}

/** Sends `keys` to `deleteBatch` DELETE_BATCH_SIZE at a time, in order (S3's DeleteObjects takes at most 1000). */
export async function deleteInBatches(keys: string[], options: DeleteObjectsOptions, deleteBatch: (batch: string[]) => Promise<DeleteFailure[]>): Promise<DeleteObjectsResult> {
  const result: DeleteObjectsResult = { deleted: 0, failed: [], cancelled: false };
  for (let at = 0; at < keys.length; at += DELETE_BATCH_SIZE) {
    if (options.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const batch = keys.slice(at, at + DELETE_BATCH_SIZE);
    const failed = await deleteBatch(batch);
    result.failed.push(...failed);
    result.deleted += batch.length - failed.length;
    options.onProgress?.(at + batch.length, keys.length);
  }
  return result;
}

export interface ByteRange {
  start: number;
  /** Inclusive; absent means "to the end". */
  end?: number;
}

export interface ObjectDownload {
  body: Readable;
  head: ObjectHead;
  /** Bytes in `body` (the range length for a ranged GET). */
  contentLength?: number;
}

/**
 * What to upload. A file can be re-read when a cluster redirects the PUT (AIStore proxies answer 307);
 * `open` does the same for any source that can be opened twice. A bare stream can be sent once only.
 * `bytes`: a small body already in memory, sent as it is (no stream to pipe).
 */
export type PutSource =
  | { path: string }
  | { bytes: Uint8Array }
  | { open: () => Readable; size?: number }
  | { stream: Readable; size?: number };

export interface PutOptions {
  contentType?: string;
  /**
   * User metadata to store with the object. Given (even `{}`), the object gets exactly this metadata and
   * `contentType` (AIS: the PUT goes through the cluster's S3 side, where AIStore keeps both).
   */
  userMeta?: Record<string, string>;
  /** A checksum the server verifies (AIS: Ais-Checksum-Type/Value). */
  checksum?: Checksum;
  /** Aborts the PUT in flight (never kept with the options of a journalled upload). */
  signal?: AbortSignal;
}

export interface PutResult {
  etag?: string;
  checksum?: Checksum;
  version?: string;
}

/** The checksum section of AIStore bucket props and cluster config (cmn/config.go CksumConf). */
export interface ChecksumConf {
  type: string;
  validate_cold_get?: boolean;
  validate_warm_get?: boolean;
  validate_obj_move?: boolean;
  enable_read_range?: boolean;
}

/** AIStore bucket props (cmn.Bprops) as the cluster sends them; only `checksum` is relied on. */
export interface BucketProps {
  provider?: string;
  checksum?: ChecksumConf;
  versioning?: { enabled?: boolean; validate_warm_get?: boolean; synchronize?: boolean };
  created?: number;
  /** S3 endpoints only: the bucket's region (GetBucketLocation). */
  region?: string;
  [section: string]: unknown;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** AIStore cluster config; `checksum` is the default for new buckets. */
export interface ClusterConfig {
  checksum?: ChecksumConf;
  [section: string]: unknown;
}

export interface MultipartUpload {
  key: string;
  uploadId: string;
  initiated?: Date;
}

/** A part of an unfinished multipart upload, as ListParts reports it. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** What "Edit Metadata" sets: the object gets exactly this content type and user metadata. */
export interface ObjectMetadataUpdate {
  contentType?: string;
  userMeta: Record<string, string>;
}

export interface Capabilities {
  /** Providers other than the one implied by the endpoint (AIS: ais, aws, gcp, ...). */
  providers: boolean;
  /** AIStore bucket props (checksum type and the rest). */
  bucketProps: boolean;
  /** AIStore cluster config get/set. */
  clusterConfig: boolean;
  /** Server-side checksums per object beyond the ETag. */
  checksums: boolean;
  multipart: boolean;
  createBucket: boolean;
  /** Remote buckets are a cache: listings say what is cached, and prefetch and evict exist (AIStore). */
  cacheState: boolean;
}

export interface ProbeResult {
  kind: ClusterKind;
  endpoint: string;
  /** e.g. "AIStore 4.1, 1 proxy, 1 target" or "S3, 3 buckets". */
  summary: string;
  /** Round trip of the probe request, ms. */
  latencyMs: number;
}

export interface ClusterClient {
  readonly kind: ClusterKind;
  /** Base URL the client talks to, as given (AIS: native API root; S3: service endpoint). */
  readonly endpoint: string;
  readonly capabilities: Capabilities;
  /** Server-side jobs (AIStore); undefined where the cluster has none (S3: the extension runs them itself). */
  readonly jobs?: ClusterJobs;
  /** The members of TAR/ZIP shards: read by the cluster (AIStore) or by this client's ranged GETs (S3). */
  readonly shards: ShardAccess;

  /** One cheap request that proves the endpoint answers and the keys work; used before saving a cluster. */
  probe(): Promise<ProbeResult>;
  listProviders(): Promise<ProviderInfo[]>;
  /** Buckets of one provider (all providers when omitted). */
  listBuckets(provider?: string): Promise<BucketInfo[]>;
  createBucket(bucket: BucketRef): Promise<void>;
  deleteBucket(bucket: BucketRef): Promise<void>;

  listObjects(bucket: BucketRef, options?: ListObjectsOptions): Promise<ObjectPage>;
  headObject(bucket: BucketRef, key: string): Promise<ObjectHead>;
  /**
   * `options.ifMatch`: only this version (its unquoted ETag; another is a 412) where the client can pin one
   * (S3); AIS ignores it. `options.signal` aborts the request and its body.
   */
  getObject(bucket: BucketRef, key: string, range?: ByteRange, options?: { ifMatch?: string; signal?: AbortSignal }): Promise<ObjectDownload>;
  putObject(bucket: BucketRef, key: string, source: PutSource, options?: PutOptions): Promise<PutResult>;
  deleteObject(bucket: BucketRef, key: string): Promise<void>;
  /**
   * Deletes many keys: S3 with one DeleteObjects per DELETE_BATCH_SIZE, AIStore with one delete-listrange
   * job for all of them (the signal stops it); the keys that could not be deleted come back by name, not as
   * an error.
   */
  deleteObjects(bucket: BucketRef, keys: string[], options?: DeleteObjectsOptions): Promise<DeleteObjectsResult>;

  /** Throws ClientError kind 'unsupported' when `capabilities.bucketProps` is false. */
  getBucketProps(bucket: BucketRef): Promise<BucketProps>;
  setBucketProps(bucket: BucketRef, props: DeepPartial<BucketProps>): Promise<void>;
  /** Throws ClientError kind 'unsupported' when `capabilities.clusterConfig` is false. */
  getClusterConfig(): Promise<ClusterConfig>;
  /** Dotted names as AIStore's CLI takes them: { 'checksum.type': 'md5' }. */
  setClusterConfig(values: Record<string, string>): Promise<void>;

  /** Server-side copy of one object (AIS: through its S3 side, as AIStore's S3 API has CopyObject). */
  copyObject(source: BucketRef, sourceKey: string, target: BucketRef, targetKey: string): Promise<PutResult>;

  /** Starts a multipart upload (AIS: through its S3 side); returns the upload id. */
  createMultipartUpload(bucket: BucketRef, key: string, options?: PutOptions): Promise<string>;
  /** Sends one part; `open` may be called again to resend (retry, redirect). Returns the part's ETag. */
  uploadPart(bucket: BucketRef, key: string, uploadId: string, partNumber: number, source: { open: () => Readable; size: number }): Promise<string>;
  completeMultipartUpload(bucket: BucketRef, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PutResult>;
  listMultipartUploads(bucket: BucketRef, prefix?: string): Promise<MultipartUpload[]>;
  abortMultipartUpload(bucket: BucketRef, key: string, uploadId: string): Promise<void>;
  /** The parts an unfinished multipart upload holds (all pages), by part number (AIS: through its S3 side). */
  listParts(bucket: BucketRef, key: string, uploadId: string): Promise<UploadedPart[]>;

  /** A SigV4 presigned GET URL for the object, valid `expiresInSeconds` (AIS: an URL of its S3 side). */
  presignGetObject(bucket: BucketRef, key: string, expiresInSeconds: number): Promise<string>;
  /** Replaces the content type and user metadata without sending the bytes again (S3: CopyObject onto itself, REPLACE). */
  setObjectMetadata(bucket: BucketRef, key: string, update: ObjectMetadataUpdate): Promise<void>;
  /** AIStore's native rename within a bucket; undefined where the cluster has none (then copy + delete). */
  renameObject?(bucket: BucketRef, key: string, newKey: string): Promise<void>;
  /**
   * Writes the bytes of `range` (both ends given) into the existing `file` at `range.start`, off the caller's
   * thread, telling `onBytes` of each write. False where this client cannot (then use getObject); rejects
   * as getObject would, with the file's own error (it has a syscall), or with the signal's reason on abort.
   * `ifMatch` as getObject's.
   */
  getRangeToFile?(bucket: BucketRef, key: string, range: Required<ByteRange>, file: string, onBytes: (n: number) => void, signal?: AbortSignal, ifMatch?: string): Promise<boolean>;

  /** Closes pooled connections. */
  dispose(): void;
}

/** How to reach a cluster: what the registry (src/config) hands to createClusterClient. */
export interface ClusterConnection {
  kind: ClusterKind;
  /** AIS: the native API root (http://host:51080). S3: the service endpoint. */
  endpoint: string;
  /** AIS only: its S3 side, default `${endpoint}/s3` (used for multipart listing). */
  s3Endpoint?: string;
  accessKey?: string;
  secretKey?: string;
  /** AIStore AuthN token (Bearer), when the cluster runs with authentication. */
  authToken?: string;
  /** S3: temporary credentials' session token, sent with the keys (X-Amz-Security-Token). */
  sessionToken?: string;
  /**
   * S3: where the keys come from when they are not given above: an AWS profile, the environment, or any
   * provider of the AWS SDK's (credential_process, SSO, assume-role). Wins over accessKey/secretKey.
   */
  credentials?: AwsCredentialIdentityProvider;
  /** S3: path-style (http://host/bucket/key, the default) or virtual-hosted (http://bucket.host/key, AWS). */
  addressing?: 'path' | 'virtual';
  region?: string;
  tls?: TlsOptions;
  /** Idle timeout per request (no bytes for this long → 'timeout'), ms; default 30 s. */
  timeoutMs?: number;
  /** Connect timeout, ms; default 10 s. */
  connectTimeoutMs?: number;
  /** The provider label under which a plain S3 endpoint shows its buckets (default 's3'). */
  s3ProviderName?: string;
  /** An HTTP proxy to go through (s3cmd's proxy_host/proxy_port). */
  proxy?: { host: string; port: number };
}

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify?: boolean;
  /** Check that the certificate names the host (default true; s3cmd's check_ssl_hostname). */
  verifyHostname?: boolean;
  /** PEM file of the CA that signed the server certificate. */
  caFile?: string;
  /** PEM text of that CA (instead of caFile). */
  ca?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------
// Errors

export type ClientErrorKind =
  | 'unreachable' // nothing listens, DNS fails, connection reset before an answer
  | 'tls' // certificate not trusted, expired, wrong host, or TLS spoken to a plain-HTTP port
  | 'timeout' // connected but no answer in time
  | 'auth' // 401/403: wrong or missing keys
  | 'not-found' // 404: bucket or object
  | 'conflict' // 409: bucket exists, bucket not empty
  | 'bad-request' // 400/416 and other 4xx
  | 'server' // 5xx
  | 'protocol' // the answer is not what this API sends (wrong endpoint kind?)
  | 'unsupported' // this kind of cluster cannot do that (see Capabilities)
  | 'aborted';

/**
 * Which credential problem an 'auth' error is, when the server says: each wants a different fix
 * (re-type the key, fix the clock, sign in again), so the extension can offer the right action.
 */
export type AuthProblem =
  | 'no-credentials' // the server wants credentials and none were sent
  | 'unknown-key' // S3 InvalidAccessKeyId
  | 'wrong-secret' // S3 SignatureDoesNotMatch
  | 'clock-skew' // S3 RequestTimeTooSkewed: this machine's clock is off
  | 'token-expired' // AuthN token past its exp, or expired temporary credentials
  | 'token-invalid' // a token the cluster cannot verify, or revoked
  | 'denied'; // credentials are fine, the permission is missing

/** The one error the client layer throws: a message a user can act on, never a stack or raw XML. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    readonly endpoint: string,
    readonly status?: number,
    /** Server's own error code (S3 `Code`, Node's `ECONNREFUSED`), for logs. */
    readonly code?: string,
    options?: { cause?: unknown; authProblem?: AuthProblem },
  ) {
    super(message, options);
    this.authProblem = options?.authProblem;
  }

  /** For kind 'auth': which credential problem it is, when known. */
  readonly authProblem?: AuthProblem;
}

export function isClientError(err: unknown): err is ClientError {
  return err instanceof ClientError;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

function errCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** Turns a socket-level failure (no HTTP status) into a ClientError that says what to check. */
export function networkError(err: unknown, endpoint: string, proxy?: { host: string; port: number }): ClientError {
  if (err instanceof ClientError) return err;
  const code = errCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (proxy) {
    const via = `${proxy.host}:${proxy.port}`;
    const refused = err instanceof Error && err.name === 'ProxyRefused' ? (err as Error & { status: number }).status : undefined;
    if (refused !== undefined) {
      const kind = refused === 407 ? 'auth' : 'unreachable';
      const hint = refused === 407 ? 'The proxy wants credentials, which AIS Buckets does not send yet.' : 'Check that the proxy allows tunnels to this host and port.';
      return new ClientError(kind, `The proxy ${via} refused to connect to ${endpoint} (${refused}). ${hint}`, endpoint, refused, 'ProxyRefused', { cause: err });
    }
    if (code && UNREACHABLE_CODES.has(code) && code !== 'ECONNRESET' && code !== 'EPIPE') {
      return new ClientError('unreachable', `Cannot reach the proxy ${via} for ${endpoint} (${code}). Check proxy_host and proxy_port, or remove the proxy.`, endpoint, undefined, code, { cause: err });
    }
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || (err instanceof Error && err.name === 'TimeoutError')) {
    return new ClientError('timeout', `${endpoint} did not answer in time. Check that it is a storage endpoint and not overloaded.`, endpoint, undefined, code, { cause: err });
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    const wrongScheme = code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(detail);
    const hint = wrongScheme
      ? 'The server does not speak HTTPS on this port: use http:// (s3cmd: use_https = False).'
      : 'Give the CA certificate that signed it (s3cmd: ca_certs_file), or turn certificate verification off for this cluster if you trust the network.';
    return new ClientError('tls', `TLS handshake with ${endpoint} failed (${code}: ${detail}). ${hint}`, endpoint, undefined, code, { cause: err });
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its host name does not resolve' : code === 'ECONNREFUSED' ? 'nothing listens on that port' : `the connection failed (${code})`;
    return new ClientError('unreachable', `Cannot reach ${endpoint}: ${what}. Check the endpoint address and that the cluster is running.`, endpoint, undefined, code, { cause: err });
  }
  if (code === 'ABORT_ERR' || (err instanceof Error && err.name === 'AbortError')) {
    return new ClientError('aborted', `Request to ${endpoint} was cancelled.`, endpoint, undefined, code, { cause: err });
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new ClientError('bad-request', `Cannot read the local file: ${detail}`, endpoint, undefined, code, { cause: err });
  }
  return new ClientError('unreachable', `Request to ${endpoint} failed: ${detail}`, endpoint, undefined, code, { cause: err });
}

/** What the request was about, to name it in messages: "bucket ais://b", "object ais://b/k". */
export function describeTarget(bucket?: BucketRef, key?: string, scheme?: string): string {
  if (!bucket) return 'cluster';
  const uri = `${scheme ?? bucket.provider + '://'}${bucket.name}`;
  return key === undefined ? `bucket ${uri}` : `object ${uri}/${key}`;
}

/**
 * What an answer that is not in the API's format looked like, for messages: 'an HTML page ("502 Bad
 * Gateway")', 'an empty body (application/xml)', 'text/plain that is not valid JSON ("[1,2")'. Never more
 * than a short, markup-free snippet.
 */
export function describeAnswer(text: string, contentType: string | undefined, problem?: string): string {
  const type = contentType?.split(';')[0].trim() || 'no content type';
  const body = text.trim();
  if (isHtmlAnswer(text, contentType)) {
    const heading = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1] ?? body.replace(/<[^>]*>/g, ' ');
    const said = heading.replace(/\s+/g, ' ').trim().slice(0, 60);
    return `an HTML page${said ? ` ("${said}")` : ''}`;
  }
  if (!body) return `an empty body (${type})`;
  const snippet = body.replace(/\s+/g, ' ').slice(0, 32);
  return `${type} that ${problem ?? 'it could not read'} ("${snippet}${body.length > 32 ? '…' : ''}")`;
}

export function isHtmlAnswer(text: string, contentType: string | undefined): boolean {
  return /html/i.test(contentType ?? '') || /^\s*(<!doctype html|<html)/i.test(text);
}

/** The hint for an HTML answer: who sends those. */
export function htmlHint(text: string, contentType: string | undefined): string {
  return isHtmlAnswer(text, contentType) ? 'A web server or a proxy (a login page?) answers like this, not a storage service. ' : '';
}

/** Turns an HTTP error status (plus the server's message, if any) into a ClientError. */
export function statusError(status: number, endpoint: string, target: string, serverMessage?: string, code?: string): ClientError {
  const said = serverMessage ? ` Server said: ${serverMessage.trim().slice(0, 300)}` : '';
  if (status === 401 || status === 403) {
    return new ClientError('auth', `Access to ${target} denied by ${endpoint} (${status}). Check the access and secret keys (or token) for this cluster.${said}`, endpoint, status, code);
  }
  if (status === 404) {
    return new ClientError('not-found', `${capitalize(target)} not found on ${endpoint}.${said}`, endpoint, status, code);
  }
  if (status === 409) {
    return new ClientError('conflict', `Conflict on ${target} at ${endpoint} (409).${said}`, endpoint, status, code);
  }
  if (status === 501) {
    return new ClientError('unsupported', `${endpoint} does not implement this request on ${target} (501).${said}`, endpoint, status, code);
  }
  if (status >= 500) {
    return new ClientError('server', `${endpoint} failed on ${target} (${status}). Try again; if it persists, check the cluster's logs.${said}`, endpoint, status, code);
  }
  return new ClientError('bad-request', `${endpoint} rejected the request on ${target} (${status}).${said}`, endpoint, status, code);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function unsupported(endpoint: string, what: string): ClientError {
  return new ClientError('unsupported', `${what} is not available on ${endpoint}: it is a plain S3 endpoint, not an AIStore cluster.`, endpoint);
}

/** Labels and URI schemes for AIStore providers (api/apc/provider.go). */
export const PROVIDER_LABELS: Record<string, { label: string; scheme: string }> = {
  ais: { label: 'AIS', scheme: 'ais://' },
  aws: { label: 'AWS S3', scheme: 's3://' },
  gcp: { label: 'Google Cloud', scheme: 'gs://' },
  azure: { label: 'Azure', scheme: 'az://' },
  oci: { label: 'Oracle Cloud', scheme: 'oc://' },
  ht: { label: 'HTTP', scheme: 'ht://' },
  s3: { label: 'S3', scheme: 's3://' },
};

export function providerInfo(name: string): ProviderInfo {
  const known = PROVIDER_LABELS[name];
  return { name, label: known?.label ?? name, scheme: known?.scheme ?? `${name}://` };
}
