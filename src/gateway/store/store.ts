// The gateway's on-disk store, shared by the S3 (/s3) and native (/v1) APIs.
//
// Layout under the data directory:
//   config.json                                 cluster config (default checksum for new buckets)
//   tmp/                                        temp files, same filesystem as objects; emptied at start
//   buckets/<provider>/<bucket>/props.json      AIStore bucket props
//   buckets/<provider>/<bucket>/objects/<xx>/<sha256(key)>   data + metadata trailer (objectfile.ts)
//   buckets/<provider>/<bucket>/index.snap, index.journal.<gen>   the bucket's index (indexfile.ts): a
//                                               snapshot and the changes since; rebuilt from the trailers
//                                               when missing or when it does not hold together
//   buckets/<provider>/<bucket>/uploads/<id>/upload.json, <partNumber>, data   multipart staging: a part
//                                               file holds its bytes and trailer, or only the trailer when
//                                               its bytes are in place in `data` (multipart.ts);
//                                               complete.json while a complete renames (COMPLETE_MARKER)
//
// Keys never become paths: a file is named by the SHA-256 of its key, so '..', '/', NUL or a key that
// looks like one of our own files cannot escape or corrupt the data directory. Every write goes to tmp/
// first and is renamed into place after its size and checksums are verified.
//
// This class is the store's face: it wires the parts together and keeps one place for the API that the
// cluster layer and the tests call. The parts: buckets.ts (config and bucket props), objects.ts (objects and
// the index), multipart.ts (uploads), keylocks.ts, receive.ts (a body into a file, hashed and verified),
// recovery.ts (what a start does after a crash).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ChecksumType, initChecksums } from '../checksum';
import { errors } from '../errors';
import { Buckets } from './buckets';
import { DataDir } from './datadir';
import { KeyLocks } from './keylocks';
import { Uploads } from './multipart';
import { Objects } from './objects';
import { recoverAtStart } from './recovery';
import {
  BucketInfo,
  BucketRef,
  ByteRange,
  ClusterConfig,
  ListOptions,
  ListPage,
  MetadataReplacement,
  ObjectMeta,
  OpenedObject,
  PartInfo,
  PartOptions,
  Provider,
  PutOptions,
  UploadInfo,
} from './types';

export interface StoreOptions {
  /** Checksum type for new buckets when the data dir has no config yet (AIStore's default: xxhash). */
  defaultChecksum?: ChecksumType;
  /** fsync object files before they become visible (survives power loss, not only process crashes). */
  fsync?: boolean;
  /** Tests: index journal records after which a bucket's index snapshot is rewritten (default 32,768). */
  indexJournalLimit?: number;
  /** Tests: runs right after a multipart complete renamed its file into the object; a throw stands for a crash there. */
  afterCompleteRename?: () => void;
}

export class Store {
  private readonly data: DataDir;
  private readonly buckets: Buckets;
  private readonly objects: Objects;
  private readonly uploads: Uploads;

  private constructor(
    readonly dir: string,
    opts: StoreOptions,
  ) {
    this.data = new DataDir(dir);
    // One lock table: objects lock their file's path, uploads their directory.
    const locks = new KeyLocks();
    this.buckets = new Buckets(this.data, opts.defaultChecksum);
    this.objects = new Objects(this.data, this.buckets, locks, !!opts.fsync, opts.indexJournalLimit);
    this.uploads = new Uploads(this.data, this.buckets, this.objects, locks, !!opts.fsync, opts.afterCompleteRename);
  }

  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    await initChecksums();
    const store = new Store(path.resolve(dir), opts);
    await store.init();
    return store;
  }

  private async init(): Promise<void> {
    await fs.promises.mkdir(this.data.tmpDir, { recursive: true });
    await this.buckets.load();
    await recoverAtStart(this.data, this.buckets.states(), this.uploads);
  }

  /** A clean shutdown: writes each bucket's index file, so the next start reads it and replays nothing. */
  close(): Promise<void> {
    return this.objects.close(this.buckets.states());
  }

  // ---------------------------------------------------------------- cluster config

  config(): ClusterConfig {
    return this.buckets.config();
  }

  setConfig(update: { checksum?: unknown }): Promise<ClusterConfig> {
    return this.buckets.setConfig(update);
  }

  // ---------------------------------------------------------------- buckets

  listBuckets(provider?: Provider): BucketInfo[] {
    return this.buckets.listBuckets(provider);
  }

  /** Every provider that has a bucket of this name (for resolving bare S3 bucket names). */
  findBuckets(name: string): BucketRef[] {
    return this.buckets.findBuckets(name);
  }

  hasBucket(ref: BucketRef): boolean {
    return this.buckets.hasBucket(ref);
  }

  getBucket(ref: BucketRef): BucketInfo {
    return this.buckets.getBucket(ref);
  }

  createBucket(ref: BucketRef, props: { checksum?: unknown } = {}): Promise<BucketInfo> {
    return this.buckets.createBucket(ref, props);
  }

  /** Deletes a bucket; with objects in it only when `force` (AIStore's destroy-bck), else BucketNotEmpty. */
  async deleteBucket(ref: BucketRef, opts: { force?: boolean } = {}): Promise<void> {
    const b = this.buckets.state(ref);
    const index = await this.objects.index(b);
    if (index.size > 0 && !opts.force) throw errors.bucketNotEmpty(ref.name);
    // The journal is closed first: Windows cannot rename a directory with a file open in it.
    await b.indexFile?.discard();
    b.indexFile = b.index = undefined;
    await this.buckets.remove(b);
  }

  setBucketProps(ref: BucketRef, update: Record<string, unknown>): Promise<BucketInfo> {
    return this.buckets.setBucketProps(ref, update);
  }

  resetBucketProps(ref: BucketRef): Promise<BucketInfo> {
    return this.buckets.resetBucketProps(ref);
  }

  // ---------------------------------------------------------------- objects

  putObject(ref: BucketRef, key: string, body: Readable, opts: PutOptions = {}): Promise<ObjectMeta> {
    return this.objects.putObject(ref, key, body, opts);
  }

  headObject(ref: BucketRef, key: string): Promise<ObjectMeta> {
    return this.objects.headObject(ref, key);
  }

  /**
   * Opens an object for reading. The stream reads from an open descriptor, so a concurrent overwrite or
   * delete never mixes versions. `range` is already resolved against the size by the caller.
   */
  getObject(
    ref: BucketRef,
    key: string,
    range?: (size: number) => ByteRange | undefined,
  ): Promise<OpenedObject> {
    return this.objects.getObject(ref, key, range);
  }

  /** A fresh path in tmp/ (same filesystem as the objects, emptied at start): for work that becomes an object. */
  tmpPath(): string {
    return this.data.tmpPath();
  }

  /** An object's data file open for positional reads (objects.ts openObject); the caller closes it. */
  openObject(ref: BucketRef, key: string): ReturnType<Objects['openObject']> {
    return this.objects.openObject(ref, key);
  }

  deleteObject(ref: BucketRef, key: string): Promise<void> {
    return this.objects.deleteObject(ref, key);
  }

  /**
   * Server-side copy. With `replace`, the copy gets the given content type and user metadata instead of
   * the source's. Copying an object onto itself with `replace` is how S3 edits metadata.
   */
  copyObject(
    src: BucketRef,
    srcKey: string,
    dst: BucketRef,
    dstKey: string,
    replace?: MetadataReplacement,
  ): Promise<ObjectMeta> {
    return this.objects.copyObject(src, srcKey, dst, dstKey, replace);
  }

  /** AIStore's rename-obj, within a bucket. */
  renameObject(ref: BucketRef, key: string, newKey: string): Promise<ObjectMeta> {
    return this.objects.renameObject(ref, key, newKey);
  }

  /** One page of a bucket listing in key order. */
  listObjects(ref: BucketRef, opts: ListOptions): Promise<ListPage> {
    return this.objects.listObjects(ref, opts);
  }

  // ---------------------------------------------------------------- multipart

  createUpload(
    ref: BucketRef,
    key: string,
    opts: { contentType?: string; userMeta?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<UploadInfo> {
    return this.uploads.createUpload(ref, key, opts);
  }

  uploadPart(
    ref: BucketRef,
    uploadId: string,
    partNumber: number,
    body: Readable,
    opts: PartOptions = {},
  ): Promise<PartInfo> {
    return this.uploads.uploadPart(ref, uploadId, partNumber, body, opts);
  }

  listParts(
    ref: BucketRef,
    uploadId: string,
    opts: { partNumberMarker?: number; maxParts?: number } = {},
  ): Promise<{ upload: UploadInfo; parts: PartInfo[]; isTruncated: boolean }> {
    return this.uploads.listParts(ref, uploadId, opts);
  }

  completeUpload(ref: BucketRef, uploadId: string, requested: { partNumber: number; etag: string }[]): Promise<ObjectMeta> {
    return this.uploads.completeUpload(ref, uploadId, requested);
  }

  abortUpload(ref: BucketRef, uploadId: string): Promise<void> {
    return this.uploads.abortUpload(ref, uploadId);
  }

  listUploads(
    ref: BucketRef,
    opts: { prefix?: string; keyMarker?: string; uploadIdMarker?: string; maxUploads?: number } = {},
  ): Promise<{ uploads: UploadInfo[]; isTruncated: boolean }> {
    return this.uploads.listUploads(ref, opts);
  }
}
