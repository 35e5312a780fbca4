// Buckets under providers, as an AIStore cluster sees them: `ais` buckets live in the local Store; `aws`
// buckets live in a remote S3 service and are cached in the Store under provider `aws`, the way AIStore
// caches remote buckets (a cold GET reads the object through and keeps it; writes go through to the remote).
//
// Both APIs (/s3 and /v1) call this layer instead of the Store, with the same method names, so an object
// written through one is the same object read through the other, whatever its provider.
import type { Readable } from 'node:stream';
import { bucketCname } from '../../common/aisapi';
import { createHasher } from '../checksum';
import { errors, GatewayError } from '../errors';
import type { Store } from '../store/store';
import { compareKeys, validateBucketName } from '../store/keys';
import type {
  BucketInfo,
  BucketRef,
  ByteRange,
  ListOptions,
  ObjectMeta,
  ObjectSummary,
  OpenedObject,
  Provider,
  PutOptions,
} from '../store/types';
import { RemoteObject, RemoteOptions, RemoteS3 } from './remote';

export type { RemoteOptions } from './remote';

/** How list-buckets filters by presence in the cluster (AIStore's `presence=` query, api/apc/query.go). */
export type Presence = 'exists' | 'present' | 'outside';

export interface ListedBucket {
  ref: BucketRef;
  /** Known to this cluster (an ais bucket, or a remote bucket already accessed and cached). */
  present: boolean;
  /** Creation time, ms since epoch, when known. */
  created?: number;
}

export interface ListedObject extends ObjectSummary {
  /** A copy is in this cluster (always true for ais buckets). */
  cached: boolean;
  /** In a remote bucket's listing (not a cached-only one): what the remote listed, whatever is cached. */
  remote?: { size: number; etag: string; mtime: number };
}

/** How a cold GET reads a remote object: the whole of it by default, or in parallel ranges (a blob download). */
export type RemoteSource = (remote: RemoteS3) => Promise<RemoteObject & { body: Readable }>;

export interface ClusterListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of this page: pass as startAfter to get the next page. */
  last?: string;
}

export interface ObjectHead extends ObjectMeta {
  /** False for a remote object that has no copy in this cluster yet (its checksum is then unknown). */
  present: boolean;
}

const MD5_HEX = /^[0-9a-f]{32}$/;
const REMOTE_SEEN_TTL_MS = 2000;

/** AIStore's cmn.ErrBckNameConflict as the S3 API reports it (ais/s3/err.go): 404 AmbiguousBucketName. */
export function ambiguousBucket(name: string, matches: BucketRef[]): GatewayError {
  const names = matches.map(bucketCname).join(', ');
  return new GatewayError(
    404,
    'AmbiguousBucketName',
    `ambiguous bucket name "${name}": matches ${names}; S3 clients cannot disambiguate AIS bucket identities - ` +
      'use AIS URI syntax or expose a unique bucket name',
    { BucketName: name },
  );
}

/** cmn.ErrMissingBackend: a provider with no backend configured. */
export function missingBackend(provider: Provider): GatewayError {
  return new GatewayError(
    400,
    'InvalidArgument',
    `${provider} backend is missing in the cluster configuration (start the gateway with a remote endpoint, e.g. --aws-endpoint)`,
  );
}

export class Cluster {
  private readonly remoteSeen = new Map<string, { exists: boolean; at: number }>();
  /** Cold GETs under way, so concurrent readers of one object fetch it once. */
  private readonly coldGets = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    readonly remote?: RemoteS3,
  ) {}

  static create(store: Store, remote?: RemoteOptions): Cluster {
    return new Cluster(store, remote ? new RemoteS3(remote) : undefined);
  }

  close(): void {
    this.remote?.destroy();
  }

  /** Providers this cluster can serve buckets from. */
  providers(): Provider[] {
    return this.remote ? ['ais', 'aws'] : ['ais'];
  }

  private remoteFor(provider: Provider): RemoteS3 {
    if (provider === 'aws' && this.remote) return this.remote;
    throw missingBackend(provider);
  }

  private isRemote(ref: BucketRef): boolean {
    return ref.provider !== 'ais';
  }

  /** The directory this cluster's one target keeps its objects in (its mountpath, as AIStore reports it). */
  get dataDir(): string {
    return this.store.dir;
  }

  /** A fresh temp file path in the data directory (a shard being built goes there until it is whole). */
  tmpPath(): string {
    return this.store.tmpPath();
  }

  // ---------------------------------------------------------------- cluster config

  config(): ReturnType<Store['config']> {
    return this.store.config();
  }

  setConfig(...args: Parameters<Store['setConfig']>): ReturnType<Store['setConfig']> {
    return this.store.setConfig(...args);
  }

  // ---------------------------------------------------------------- buckets

  /** Known to this cluster: an ais bucket, or a remote one already accessed (no remote lookup). */
  isPresent(ref: BucketRef): boolean {
    return this.store.hasBucket(ref);
  }

  /** Whether the remote has this bucket; answers are kept briefly since every bare S3 name asks. */
  private async remoteHas(name: string): Promise<boolean> {
    if (!this.remote) return false;
    const known = this.remoteSeen.get(name);
    if (known && Date.now() - known.at < REMOTE_SEEN_TTL_MS) return known.exists;
    const exists = await this.remote.hasBucket(name);
    this.remoteSeen.set(name, { exists, at: Date.now() });
    if (this.remoteSeen.size > 10_000) this.remoteSeen.clear();
    return exists;
  }

  /**
   * Buckets of one provider (or all), filtered by presence like AIStore's list-buckets: `present` are the
   * ones this cluster knows (ais, and remote buckets already accessed), `outside` remote ones not yet
   * accessed, `exists` both.
   */
  async listBuckets(provider?: Provider, presence: Presence = 'exists'): Promise<ListedBucket[]> {
    const out: ListedBucket[] = [];
    const local = this.store.listBuckets(provider);
    if (presence !== 'outside') {
      for (const b of local) out.push({ ref: b.ref, present: true, created: Math.floor(b.props.created / 1e6) });
    }
    if (presence !== 'present' && this.remote && (!provider || provider === 'aws')) {
      const present = new Set(local.filter((b) => b.ref.provider === 'aws').map((b) => b.ref.name));
      const remote = await this.remote.listBuckets();
      for (const b of remote) {
        this.remoteSeen.set(b.name, { exists: true, at: Date.now() });
        if (!present.has(b.name)) out.push({ ref: { provider: 'aws', name: b.name }, present: false, created: b.created });
      }
    }
    return out.sort((a, b) => compareKeys(a.ref.name, b.ref.name) || compareKeys(a.ref.provider, b.ref.provider));
  }

  /**
   * Every bucket of this name across providers (local ones and, when configured, the remote's). A remote
   * that cannot be reached has no say: local buckets stay usable while the backend is offline.
   */
  async findBuckets(name: string): Promise<BucketRef[]> {
    const found = this.store.findBuckets(name);
    if (this.remote && !found.some((r) => r.provider === 'aws') && (await this.remoteHas(name).catch(() => false)))
      found.push({ provider: 'aws', name });
    return found;
  }

  /**
   * Resolves a bare bucket name (S3 API) to its one bucket across providers. A name under two providers is
   * ambiguous: AIStore refuses it (404 AmbiguousBucketName) rather than guess.
   */
  async resolveBucket(name: string): Promise<BucketRef> {
    const found = await this.findBuckets(name);
    if (found.length === 0) throw errors.noSuchBucket(name);
    if (found.length > 1) throw ambiguousBucket(name, found);
    return found[0];
  }

  /**
   * A bucket's info. A remote bucket that exists but was never accessed is added to the cluster on the
   * way (AIStore adds remote buckets to its metadata on first access) and gets the cluster's default props.
   */
  async getBucket(ref: BucketRef): Promise<BucketInfo> {
    if (this.store.hasBucket(ref)) return this.store.getBucket(ref);
    if (!this.isRemote(ref)) throw errors.noSuchBucket(ref.name);
    const remote = this.remoteFor(ref.provider);
    if (!(await remote.hasBucket(ref.name))) throw errors.noSuchBucket(ref.name);
    return this.addRemoteBucket(ref);
  }

  private async addRemoteBucket(ref: BucketRef): Promise<BucketInfo> {
    try {
      return await this.store.createBucket(ref);
    } catch (e) {
      // Two first accesses at once: the other one added it.
      if (e instanceof GatewayError && e.status === 409 && this.store.hasBucket(ref)) return this.store.getBucket(ref);
      throw e;
    }
  }

  /** Like getBucket, for callers that only need the bucket to be there. */
  private async ensureBucket(ref: BucketRef): Promise<void> {
    if (!this.store.hasBucket(ref)) await this.getBucket(ref);
  }

  /**
   * Creates a bucket. `ais`: in the store. `aws`: on the remote, then cached here. With `unique` (the S3
   * API's CreateBucket), a name already used under another provider is refused, as AIStore does.
   */
  async createBucket(ref: BucketRef, props: { checksum?: unknown } = {}, opts: { unique?: boolean } = {}): Promise<BucketInfo> {
    validateBucketName(ref.name);
    if (opts.unique) {
      const others = (await this.findBuckets(ref.name)).filter((r) => r.provider !== ref.provider);
      if (others.length > 0)
        throw new GatewayError(
          409,
          'BucketAlreadyExists',
          `cannot create bucket "${ref.name}" via S3 API: name already in use by ${others.map(bucketCname).join(', ')}`,
          { BucketName: ref.name },
        );
    }
    if (!this.isRemote(ref)) return this.store.createBucket(ref, props);
    const remote = this.remoteFor(ref.provider);
    if (this.store.hasBucket(ref)) throw errors.bucketExists(ref.name);
    await remote.createBucket(ref.name);
    this.remoteSeen.set(ref.name, { exists: true, at: Date.now() });
    const info = await this.addRemoteBucket(ref);
    return props.checksum === undefined ? info : this.store.setBucketProps(ref, { checksum: props.checksum });
  }

  /**
   * Deletes a bucket. `ais`: from the store (with its objects only when `force`). `aws`: on the remote
   * (which refuses if not empty), then its cached copy here.
   */
  async deleteBucket(ref: BucketRef, opts: { force?: boolean } = {}): Promise<void> {
    if (!this.isRemote(ref)) return this.store.deleteBucket(ref, opts);
    await this.remoteFor(ref.provider).deleteBucket(ref.name);
    this.remoteSeen.set(ref.name, { exists: false, at: Date.now() });
    if (this.store.hasBucket(ref)) await this.store.deleteBucket(ref, { force: true });
  }

  /** AIStore's evict-remote-bck: drops the cached copy of a remote bucket, leaving the remote alone. */
  async evictBucket(ref: BucketRef): Promise<void> {
    if (!this.isRemote(ref)) throw errors.invalidArgument(`evict: ${bucketCname(ref)} is not a remote bucket`);
    if (!this.store.hasBucket(ref)) throw errors.noSuchBucket(ref.name);
    await this.store.deleteBucket(ref, { force: true });
  }

  async setBucketProps(ref: BucketRef, update: Record<string, unknown>): Promise<BucketInfo> {
    await this.ensureBucket(ref);
    return this.store.setBucketProps(ref, update);
  }

  async resetBucketProps(ref: BucketRef): Promise<BucketInfo> {
    await this.ensureBucket(ref);
    return this.store.resetBucketProps(ref);
  }

  // ---------------------------------------------------------------- objects

  /** The cached copy of a remote object (or an ais bucket's object), if there is one; never asks the remote. */
  async isCached(ref: BucketRef, key: string): Promise<ObjectSummary | undefined> {
    if (!this.store.hasBucket(ref)) return undefined;
    const page = await this.store.listObjects(ref, { prefix: key, maxKeys: 1 });
    const first = page.objects[0];
    return first && first.key === key ? first : undefined;
  }

  /** Object attributes. A remote object not cached here is HEADed on the remote (present: false). */
  async headObject(ref: BucketRef, key: string): Promise<ObjectHead> {
    if (!this.isRemote(ref)) return { ...(await this.store.headObject(ref, key)), present: true };
    await this.ensureBucket(ref);
    try {
      return { ...(await this.store.headObject(ref, key)), present: true };
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
    }
    const o = await this.remoteFor(ref.provider).headObject(ref.name, key);
    // AIStore takes a non-multipart S3 ETag for the object's MD5 (ais/backend/aws.go).
    const md5 = MD5_HEX.test(o.etag) ? o.etag : '';
    return {
      key,
      size: o.size,
      mtime: o.mtime,
      atime: 0,
      md5,
      checksum: md5 ? { type: 'md5', value: md5 } : { type: 'none', value: '' },
      etag: o.etag,
      version: o.version ?? '',
      contentType: o.contentType,
      userMeta: o.userMeta,
      headers: o.headers,
      present: false,
    };
  }

  /**
   * Opens an object for reading. A remote object not cached yet is first read through into the cache
   * (AIStore's cold GET); with the bucket's `validate_cold_get`, bytes that do not match the remote's MD5
   * are refused and nothing is cached. With `validate_warm_get`, a copy already here is checked against its
   * stored checksum first; a remote bucket's bad copy is dropped and read through again, an ais one fails.
   */
  async getObject(ref: BucketRef, key: string, range?: (size: number) => ByteRange | undefined): Promise<OpenedObject> {
    return this.readLocal(ref, key, () => this.store.getObject(ref, key, range));
  }

  /**
   * An object's data file open for positional reads (shards are read in place): a remote object is read
   * through first, as for a GET. The caller closes the handle.
   */
  async openObject(ref: BucketRef, key: string): ReturnType<Store['openObject']> {
    return this.readLocal(ref, key, () => this.store.openObject(ref, key));
  }

  /** `open` of the local copy, after the checks a read makes: warm-GET validation, a cold GET when missing. */
  private async readLocal<T>(ref: BucketRef, key: string, open: () => Promise<T>): Promise<T> {
    if (this.isRemote(ref)) await this.ensureBucket(ref);
    const conf = this.store.getBucket(ref).props.checksum;
    if (conf.validate_warm_get && conf.type !== 'none') {
      const bad = await this.corruptCopy(ref, key);
      if (bad && !this.isRemote(ref)) throw bad;
      if (bad) await this.store.deleteObject(ref, key).catch(() => undefined);
    }
    if (!this.isRemote(ref)) return open();
    try {
      return await open();
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
    }
    await this.coldGet(ref, key);
    return open();
  }

  /** Reads a local copy through its checksum; the error to report when it does not match, else undefined. */
  private async corruptCopy(ref: BucketRef, key: string): Promise<GatewayError | undefined> {
    let got;
    try {
      got = await this.store.getObject(ref, key);
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'NoSuchKey') return undefined; // cold GET, or a plain 404
      throw e;
    }
    const { type, value } = got.meta.checksum;
    if (type === 'none' || !value) {
      got.stream.destroy();
      return undefined;
    }
    const hasher = createHasher(type);
    for await (const chunk of got.stream) hasher.update(chunk as Buffer);
    const actual = hasher.digest();
    if (actual === value) return undefined;
    return new GatewayError(500, 'InternalError', `BAD DATA CHECKSUM: ${type}(${value} != ${actual}) (context: ${bucketCname(ref)}/${key}, validate_warm_get)`);
  }

  /**
   * Reads a remote object into the cache now (prefetch, blob-download, a GET of the latest version): a
   * copy already here is replaced only once the new bytes are whole and verified, so a failed read loses
   * nothing. `source` reads it some other way than one GET (parallel ranges).
   */
  async cacheRemote(ref: BucketRef, key: string, source?: RemoteSource): Promise<void> {
    if (!this.isRemote(ref)) throw errors.invalidArgument(`${bucketCname(ref)} is not a remote bucket`);
    await this.ensureBucket(ref);
    return this.coldGet(ref, key, source);
  }

  private coldGet(ref: BucketRef, key: string, source?: RemoteSource): Promise<void> {
    const id = `${ref.provider}/${ref.name}/${key}`;
    let running = this.coldGets.get(id);
    if (!running) {
      running = this.fetchRemote(ref, key, source).finally(() => this.coldGets.delete(id));
      this.coldGets.set(id, running);
    }
    return running;
  }

  private async fetchRemote(ref: BucketRef, key: string, source?: RemoteSource): Promise<void> {
    const validate = this.store.getBucket(ref).props.checksum.validate_cold_get;
    const remote = this.remoteFor(ref.provider);
    const o = source ? await source(remote) : await remote.getObject(ref.name, key);
    try {
      await this.store.putObject(ref, key, o.body, {
        expectedSize: o.size,
        expectedMd5: validate && MD5_HEX.test(o.etag) ? o.etag : undefined,
        contentType: o.contentType,
        userMeta: o.userMeta,
        headers: o.headers,
        // The remote's ETag stays the object's S3 identity (AIStore keeps it in the cached copy's custom MD).
        etag: o.etag || undefined,
      });
    } catch (e) {
      o.body.destroy();
      if (e instanceof GatewayError && e.code === 'BadDigest')
        throw new GatewayError(
          502,
          'BadDigest',
          `BAD DATA CHECKSUM: cold GET ${bucketCname(ref)}/${key}: the bytes received do not match the remote's MD5 ${o.etag} (validate_cold_get)`,
        );
      throw e;
    }
  }

  /**
   * Writes an object. `aws`: stored (and verified) here first, then uploaded to the remote with its MD5;
   * if the remote refuses, the cached copy is dropped and the error returned.
   */
  async putObject(ref: BucketRef, key: string, body: Readable, opts: PutOptions = {}): Promise<ObjectMeta> {
    if (!this.isRemote(ref)) return this.store.putObject(ref, key, body, opts);
    await this.ensureBucket(ref);
    const meta = await this.store.putObject(ref, key, body, opts);
    return this.afterPush(ref, meta, await this.pushToRemote(ref, key, meta));
  }

  /**
   * The remote's ETag is the object's identity. When it differs from the one the cached copy recorded
   * (the local bucket's checksum is not md5, or the remote uploaded in parts), the copy is dropped so the
   * next read caches it again under the remote's ETag: listings, HEAD and GET then agree for S3 clients.
   */
  private async afterPush(ref: BucketRef, meta: ObjectMeta, remoteEtag: string): Promise<ObjectMeta> {
    if (remoteEtag && remoteEtag !== meta.etag) await this.store.deleteObject(ref, meta.key).catch(() => undefined);
    return { ...meta, etag: remoteEtag || meta.etag };
  }

  /** Uploads the local copy to the remote; returns the remote's ETag. */
  private async pushToRemote(ref: BucketRef, key: string, meta: ObjectMeta): Promise<string> {
    const remote = this.remoteFor(ref.provider);
    try {
      const { stream } = await this.store.getObject(ref, key);
      const out = await remote.putObject(ref.name, key, stream, meta.size, {
        md5: meta.md5,
        contentType: meta.contentType,
        userMeta: meta.userMeta,
        headers: meta.headers,
      });
      return out.etag;
    } catch (e) {
      await this.store.deleteObject(ref, key).catch(() => undefined);
      throw e;
    }
  }

  /** Deletes an object (for `aws`, on the remote and its cached copy); a missing object is a 404. */
  async deleteObject(ref: BucketRef, key: string): Promise<void> {
    if (!this.isRemote(ref)) return this.store.deleteObject(ref, key);
    await this.ensureBucket(ref);
    const remote = this.remoteFor(ref.provider);
    let existed = true;
    try {
      await remote.headObject(ref.name, key);
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
      existed = false;
    }
    if (existed) await remote.deleteObject(ref.name, key);
    try {
      await this.store.deleteObject(ref, key);
      existed = true;
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
    }
    if (!existed) throw errors.noSuchKey(ref.name, key);
  }

  /** AIStore's evict: drops the cached copy of a remote object. */
  async evictObject(ref: BucketRef, key: string): Promise<void> {
    if (!this.isRemote(ref)) throw errors.invalidArgument(`evict: ${bucketCname(ref)} is not a remote bucket`);
    await this.ensureBucket(ref);
    await this.store.deleteObject(ref, key);
  }

  /** Deletes many objects; missing ones are reported, not fatal (AIStore's delete-listrange). */
  async deleteObjects(ref: BucketRef, keys: string[]): Promise<{ deleted: string[]; failed: { key: string; error: GatewayError }[] }> {
    await this.getBucket(ref);
    const deleted: string[] = [];
    const failed: { key: string; error: GatewayError }[] = [];
    for (const key of keys) {
      try {
        await this.deleteObject(ref, key);
        deleted.push(key);
      } catch (e) {
        if (!(e instanceof GatewayError)) throw e;
        failed.push({ key, error: e });
      }
    }
    return { deleted, failed };
  }

  /** Server-side copy; either side may be remote (a remote source is read through, a remote target written through). */
  async copyObject(...args: Parameters<Store['copyObject']>): ReturnType<Store['copyObject']> {
    const [src, srcKey, dst, dstKey] = args;
    if (this.isRemote(src)) {
      await this.ensureBucket(src);
      if (!(await this.isCached(src, srcKey))) await this.coldGet(src, srcKey);
    }
    if (!this.isRemote(dst)) return this.store.copyObject(...args);
    await this.ensureBucket(dst);
    const meta = await this.store.copyObject(...args);
    return this.afterPush(dst, meta, await this.pushToRemote(dst, dstKey, meta));
  }

  /** AIStore's rename-obj: ais buckets only (AIStore refuses it for remote buckets too). */
  async renameObject(ref: BucketRef, key: string, newKey: string): Promise<ObjectMeta> {
    if (this.isRemote(ref)) throw errors.invalidArgument(`rename-obj is not supported for remote bucket ${bucketCname(ref)}`);
    return this.store.renameObject(ref, key, newKey);
  }

  /**
   * One page of a listing in key order. For `aws`, the remote lists (it has the truth) and each entry says
   * whether a copy is cached here; `cachedOnly` lists just the cached copies (AIStore's LsCached).
   */
  async listObjects(ref: BucketRef, opts: ListOptions & { cachedOnly?: boolean }): Promise<ClusterListPage> {
    if (!this.isRemote(ref) || opts.cachedOnly) {
      await this.ensureBucket(ref);
      const page = await this.store.listObjects(ref, opts);
      return { ...page, objects: page.objects.map((o) => ({ ...o, cached: true })) };
    }
    await this.ensureBucket(ref);
    const remote = this.remoteFor(ref.provider);
    // A common prefix as the marker: skip past everything under it, not just the prefix itself.
    let startAfter = opts.startAfter;
    if (startAfter && opts.delimiter && startAfter.endsWith(opts.delimiter)) startAfter += '\u{10FFFF}';
    const page = await remote.listObjects(ref.name, {
      prefix: opts.prefix,
      delimiter: opts.delimiter,
      startAfter,
      maxKeys: Math.min(opts.maxKeys, 1000),
    });
    const objects: ListedObject[] = [];
    for (const o of page.objects) {
      const local = await this.isCached(ref, o.key);
      const listed = { size: o.size, etag: o.etag, mtime: o.mtime };
      if (local && local.size === o.size) objects.push({ ...local, etag: o.etag || local.etag, cached: true, remote: listed });
      else
        objects.push({
          remote: listed,
          key: o.key,
          size: o.size,
          mtime: o.mtime,
          atime: 0,
          etag: o.etag,
          checksum: MD5_HEX.test(o.etag) ? { type: 'md5', value: o.etag } : { type: 'none', value: '' },
          version: o.version ?? '',
          cached: false,
        });
    }
    const commonPrefixes = page.commonPrefixes.filter((p) => !opts.startAfter || p > opts.startAfter);
    const names = [...objects.map((o) => o.key), ...commonPrefixes].sort(compareKeys);
    return { objects, commonPrefixes, isTruncated: page.isTruncated, last: names[names.length - 1] };
  }

  // ---------------------------------------------------------------- multipart (S3 API)
  // Parts are staged here; on completion a remote bucket's object is uploaded whole to the remote.

  async createUpload(...args: Parameters<Store['createUpload']>): ReturnType<Store['createUpload']> {
    await this.ensureBucket(args[0]);
    return this.store.createUpload(...args);
  }

  async uploadPart(...args: Parameters<Store['uploadPart']>): ReturnType<Store['uploadPart']> {
    return this.store.uploadPart(...args);
  }

  async listParts(...args: Parameters<Store['listParts']>): ReturnType<Store['listParts']> {
    return this.store.listParts(...args);
  }

  async abortUpload(...args: Parameters<Store['abortUpload']>): ReturnType<Store['abortUpload']> {
    return this.store.abortUpload(...args);
  }

  async listUploads(...args: Parameters<Store['listUploads']>): ReturnType<Store['listUploads']> {
    await this.ensureBucket(args[0]);
    return this.store.listUploads(...args);
  }

  async completeUpload(...args: Parameters<Store['completeUpload']>): ReturnType<Store['completeUpload']> {
    const meta = await this.store.completeUpload(...args);
    if (!this.isRemote(args[0])) return meta;
    return this.afterPush(args[0], meta, await this.pushToRemote(args[0], meta.key, meta));
  }
}
