// The gateway's on-disk store, shared by the S3 (/s3) and native (/v1) APIs.
//
// Layout under the data directory:
//   config.json                                 cluster config (default checksum for new buckets)
//   tmp/                                        temp files, same filesystem as objects; emptied at start
//   buckets/<provider>/<bucket>/props.json      AIStore bucket props
//   buckets/<provider>/<bucket>/objects/<xx>/<sha256(key)>   data + metadata trailer (objectfile.ts)
//   buckets/<provider>/<bucket>/uploads/<id>/upload.json, <partNumber>, data   multipart staging: a part
//                                               file holds its bytes and trailer, or only the trailer when
//                                               its bytes are in place in `data` (see uploadPart);
//                                               complete.json while a complete renames (COMPLETE_MARKER)
//
// Keys never become paths: a file is named by the SHA-256 of its key, so '..', '/', NUL or a key that
// looks like one of our own files cannot escape or corrupt the data directory. Every write goes to tmp/
// first and is renamed into place after its size and checksums are verified.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import BTree from 'sorted-btree';
import { ChecksumType, createHasher, initChecksums, isChecksumType, CHECKSUM_TYPES } from '../checksum';
import { errors, GatewayError } from '../errors';
import { compareKeys, prefixSuccessor, validateBucketName, validateKey } from './keys';
import { appendTrailer, CorruptObjectFile, readTrailer, readTrailerAt } from './objectfile';
import { FileBody } from './filebody';
import { FileSink } from './filesink';
import { WORKER_HASH_TYPES, WorkerHashes, WorkerHashType } from '../../common/hashpool';
import { RunningHash } from './runninghash';
import {
  BucketInfo,
  BucketProps,
  BucketRef,
  ByteRange,
  ChecksumConf,
  ClusterConfig,
  ListOptions,
  ListPage,
  ObjectMeta,
  ObjectSummary,
  PartInfo,
  PROVIDERS,
  Provider,
  PutOptions,
  UploadInfo,
} from './types';

export interface StoreOptions {
  /** Checksum type for new buckets when the data dir has no config yet (AIStore's default: xxhash). */
  defaultChecksum?: ChecksumType;
  /** fsync object files before they become visible (survives power loss, not only process crashes). */
  fsync?: boolean;
  /** Tests: runs right after a multipart complete renamed its file into the object; a throw stands for a crash there. */
  afterCompleteRename?: () => void;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10000;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** Bodies at least this large (or of unknown size) are hashed by a worker thread. */
const OFFLOAD_HASH_BYTES = 1024 * 1024;
/** Replaced or deleted objects this large are freed after the reply (freeing blocks takes time). */
const RETIRE_LATER_BYTES = 8 * 1024 * 1024;
/** How far the hash worker may fall behind the bytes received before the body waits for it. */
const MAX_HASH_LAG_BYTES = 64 * 1024 * 1024;

interface BucketState {
  ref: BucketRef;
  dir: string;
  props: BucketProps;
  index?: BTree<string, ObjectSummary>;
  indexLoading?: Promise<BTree<string, ObjectSummary>>;
}

interface PartTrailer {
  partNumber: number;
  size: number;
  md5: string;
  mtime: number;
  /** Where the bytes are when written in place: at this offset of the upload's data file. Absent: in the part's own file, before this trailer. */
  offset?: number;
  /** The upload's slot size when the part was written in place. */
  stripe?: number;
}

/** A staged part as complete reads it: its bytes are `size` bytes of `file` from `start`. */
type StagedPart = PartTrailer & { file: string; start: number };

/**
 * How a multipart upload's parts are laid out (see uploadPart); in memory, rebuilt from the part trailers
 * after a restart.
 */
interface UploadLayout {
  /** Slot size: part N is written at (N-1) × stripe of the data file. Set by the first part of at least MIN_PART_SIZE. */
  stripe?: number;
  /** Part numbers whose slot holds (or held) a stored part: a new upload of that part goes to its own file. */
  placed: Set<number>;
  /** The parts stored in place, by number (a slot's bytes never change while the upload lives). */
  inPlace: Map<number, PartTrailer>;
  /** The whole object's hash over parts 1..k in place, kept up as they arrive (see advanceRunningHash). */
  running?: RunningHash;
  /** A part the running hash covers was uploaded again: no running hash for this upload any more. */
  runningStopped?: boolean;
  /** In-place writes under way. */
  writing: Map<number, Promise<unknown>>;
  /** Complete is running: no new in-place writes. */
  completing: boolean;
}

/** The upload's data file, in its directory next to upload.json and the part files. */
const UPLOAD_DATA = 'data';
/**
 * Written into the upload directory before complete renames the assembled file into the object: names that
 * file (relative to the data dir). Once it is gone the object is in place, and only the directory's removal
 * is left to do (at start, or by a retried complete).
 */
const COMPLETE_MARKER = 'complete.json';

interface CompleteMarker {
  source: string;
  key: string;
  etag: string;
}
/** In-place parts stay below this offset (sparse files; ext4 allows 16 TiB). */
const MAX_UPLOAD_DATA_BYTES = 2 ** 40;

function defaultChecksumConf(type: ChecksumType): ChecksumConf {
  return { type, validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false };
}

function summaryOf(meta: ObjectMeta): ObjectSummary {
  return {
    key: meta.key,
    size: meta.size,
    mtime: meta.mtime,
    atime: meta.atime,
    etag: meta.etag,
    checksum: meta.checksum,
    version: meta.version,
  };
}

/**
 * The S3 ETag of a single-part object. Like AIStore, it is the MD5 only on md5 buckets; elsewhere it is the
 * bucket's checksum (a validator, not an MD5: s3cmd warns, which is why AIStore's guide says to use md5).
 */
function etagFor(type: ChecksumType, md5: string | undefined, checksum: string): string {
  return type === 'md5' || type === 'none' || !checksum ? (md5 ?? '') : checksum;
}

/**
 * Whether a write to this bucket must compute the body's MD5. Like AIStore, only when something uses it:
 * the ETag (md5 buckets, and 'none' where nothing else can be the ETag), a Content-MD5 or md5 checksum the
 * client sent, or a remote bucket (the copy is pushed with its Content-MD5). MD5 of every byte is the
 * largest CPU cost of a large write; xxhash buckets skip it.
 */
function needsMd5(b: BucketState, opts: { expectedMd5?: string; expectedChecksum?: { type: ChecksumType } } = {}): boolean {
  const type = b.props.checksum.type;
  return type === 'md5' || type === 'none' || b.ref.provider !== 'ais' || opts.expectedMd5 !== undefined || opts.expectedChecksum?.type === 'md5';
}

const bucketId = (ref: BucketRef) => `${ref.provider}/${ref.name}`;

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

/** Validates and merges a partial checksum section; unknown fields and bad types are a 400. */
export function mergeChecksumConf(base: ChecksumConf, update: unknown): ChecksumConf {
  if (update === undefined) return base;
  if (typeof update !== 'object' || update === null || Array.isArray(update))
    throw errors.invalidArgument('"checksum" must be an object');
  const out: ChecksumConf = { ...base };
  for (const [name, value] of Object.entries(update)) {
    if (name === 'type') {
      if (!isChecksumType(value))
        throw errors.invalidArgument(
          `invalid checksum.type ${JSON.stringify(value)}: expected one of ${CHECKSUM_TYPES.join(', ')}`,
        );
      out.type = value;
    } else if (name === 'validate_cold_get' || name === 'validate_warm_get' || name === 'validate_obj_move' || name === 'enable_read_range') {
      if (typeof value !== 'boolean') throw errors.invalidArgument(`checksum.${name} must be true or false`);
      out[name] = value;
    } else {
      throw errors.invalidArgument(`unknown property checksum.${name}`);
    }
  }
  return out;
}

export class Store {
  private readonly buckets = new Map<string, BucketState>();
  private readonly keyLocks = new Map<string, Promise<unknown>>();
  private readonly madeDirs = new Set<string>();
  private readonly layouts = new Map<string, Promise<UploadLayout>>();
  private cfg!: ClusterConfig;

  private constructor(
    readonly dir: string,
    private readonly opts: StoreOptions,
  ) {}

  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    await initChecksums();
    const store = new Store(path.resolve(dir), opts);
    await store.init();
    return store;
  }

  private get tmpDir() {
    return path.join(this.dir, 'tmp');
  }

  private async init(): Promise<void> {
    await fs.promises.mkdir(this.tmpDir, { recursive: true });
    const cfgFile = path.join(this.dir, 'config.json');
    try {
      this.cfg = JSON.parse(await fs.promises.readFile(cfgFile, 'utf8')) as ClusterConfig;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.cfg = {
        checksum: defaultChecksumConf(this.opts.defaultChecksum ?? 'xxhash'),
        uuid: crypto.randomBytes(6).toString('base64url'),
      };
      await this.writeJsonAtomic(cfgFile, this.cfg);
    }
    for (const provider of PROVIDERS) {
      const pdir = path.join(this.dir, 'buckets', provider);
      let names: string[] = [];
      try {
        names = await fs.promises.readdir(pdir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      for (const name of names) {
        const bdir = path.join(pdir, name);
        try {
          const props = JSON.parse(await fs.promises.readFile(path.join(bdir, 'props.json'), 'utf8')) as BucketProps;
          const ref = { provider, name };
          this.buckets.set(bucketId(ref), { ref, dir: bdir, props });
        } catch {
          // A bucket directory without readable props was never fully created: not a bucket.
        }
      }
    }
    // Before tmp/ is emptied: a complete's marker may name a file in tmp/ (not renamed yet).
    for (const b of this.buckets.values()) await this.recoverCompletes(b);
    // Whatever was in flight when the last process died is garbage: objects only become visible by rename.
    await fs.promises.rm(this.tmpDir, { recursive: true, force: true });
    await fs.promises.mkdir(this.tmpDir, { recursive: true });
  }

  /** Finishes or undoes the completes that a crash interrupted (see COMPLETE_MARKER). */
  private async recoverCompletes(b: BucketState): Promise<void> {
    let ids: string[] = [];
    try {
      ids = await fs.promises.readdir(path.join(b.dir, 'uploads'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const id of ids) if (UPLOAD_ID.test(id)) await this.settleComplete(this.uploadDir(b, id));
  }

  /**
   * For an upload with a complete marker: when the marked file was renamed into the object, removes the
   * upload directory (the object is in place) and returns true; when it was not, removes the marker (the
   * upload stays as it was, a retried complete redoes it) and returns false.
   */
  private async settleComplete(dir: string): Promise<boolean> {
    let marker: CompleteMarker;
    try {
      marker = JSON.parse(await fs.promises.readFile(path.join(dir, COMPLETE_MARKER), 'utf8')) as CompleteMarker;
    } catch (e) {
      // No marker (or one cut short: written before anything was renamed) means no complete got that far.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      if (!(e instanceof SyntaxError)) throw e;
      await fs.promises.rm(path.join(dir, COMPLETE_MARKER), { force: true });
      return false;
    }
    const renamed = await fs.promises.access(path.resolve(this.dir, marker.source)).then(() => false, () => true);
    if (!renamed) {
      await fs.promises.rm(path.join(dir, COMPLETE_MARKER), { force: true });
      return false;
    }
    const graveyard = this.tmpPath();
    await fs.promises.rename(dir, graveyard);
    this.layouts.delete(dir);
    await fs.promises.rm(graveyard, { recursive: true, force: true });
    return true;
  }

  // ---------------------------------------------------------------- helpers

  private tmpPath(): string {
    return path.join(this.tmpDir, crypto.randomBytes(12).toString('hex'));
  }

  private async writeJsonAtomic(file: string, value: unknown, fsync = false): Promise<void> {
    const tmp = this.tmpPath();
    await fs.promises.writeFile(tmp, JSON.stringify(value, null, 1), { flush: fsync });
    await fs.promises.rename(tmp, file);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fs.promises.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private objectPath(b: BucketState, key: string): string {
    const h = crypto.createHash('sha256').update(key, 'utf8').digest('hex');
    return path.join(b.dir, 'objects', h.slice(0, 2), h);
  }

  /** Serialises commits to one key so versions increase and the index matches the file on disk. */
  private async withKeyLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.keyLocks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.keyLocks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.keyLocks.get(id) === tail) this.keyLocks.delete(id);
    }
  }

  /**
   * Streams `body` into a temp file while hashing it, then verifies size and digests.
   * Returns the temp path; the caller appends the trailer and renames. Removes the temp file on failure.
   * With `into`, the bytes go to that file at that offset instead (a multipart upload's data file; left as
   * it is on failure).
   */
  private async receive(
    body: Readable,
    cksumType: ChecksumType,
    opts: {
      md5: boolean;
      expectedSize?: number;
      expectedMd5?: string;
      expectedChecksum?: { type: ChecksumType; value: string };
      into?: { file: string; start: number };
    },
  ): Promise<{ tmp: string; size: number; md5?: string; checksum: string; extra?: string }> {
    const tmp = opts.into === undefined ? this.tmpPath() : opts.into.file;
    const start = opts.into?.start ?? 0;
    const wantMd5 = opts.md5 || cksumType === 'md5' || opts.expectedMd5 !== undefined || opts.expectedChecksum?.type === 'md5';
    const mainType: ChecksumType = cksumType === 'md5' ? 'none' : cksumType;
    const extraType = opts.expectedChecksum && opts.expectedChecksum.type !== 'md5' && opts.expectedChecksum.type !== cksumType ? opts.expectedChecksum.type : 'none';
    // Large bodies: node:crypto hashes are done by a worker thread that reads the file right behind the
    // writer (hashpool.ts), so the event loop only moves bytes. Small bodies hash inline: a message round
    // trip would cost more than the hash. A body of unknown size hashes inline until it proves large;
    // the worker then starts over from the file's first byte (at most OFFLOAD_HASH_BYTES hashed twice).
    const types: ChecksumType[] = [wantMd5 ? 'md5' : 'none', mainType, extraType];
    const offloadable = types.map((t) => WORKER_HASH_TYPES.includes(t));
    const workerTypes = types.filter((_, i) => offloadable[i]) as WorkerHashType[];
    const inline = types.map((t, i) => (offloadable[i] ? undefined : createHasher(t)));
    let late = types.map((t, i) => (offloadable[i] ? createHasher(t) : undefined));
    let worker: WorkerHashes | undefined;
    let hashedTo = start; // handed to the worker
    let writtenTo = start;
    let confirmedTo = start; // hashed by the worker
    let lastRange: Promise<void> = Promise.resolve();
    const startWorker = () => {
      worker = new WorkerHashes(workerTypes);
      late = [];
      toWorker();
    };
    const toWorker = () => {
      if (!worker || writtenTo === hashedTo) return;
      const end = writtenTo;
      // Errors surface at digest(); until then a failed range only stops advancing confirmedTo.
      lastRange = worker.hashFile(tmp, hashedTo, end - hashedTo, true).then(
        () => void (confirmedTo = end),
        () => undefined,
      );
      hashedTo = end;
    };
    if (workerTypes.length && opts.expectedSize !== undefined && opts.expectedSize >= OFFLOAD_HASH_BYTES) startWorker();
    let size = 0;
    const expectedSize = opts.expectedSize;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        // Never past the declared size: a part written in place must not reach into the next part's bytes.
        if (expectedSize !== undefined && size > expectedSize) return cb(errors.invalidArgument(`The body is longer than its declared size (${expectedSize} bytes)`));
        for (const h of inline) h?.update(chunk);
        if (!worker && workerTypes.length && size >= OFFLOAD_HASH_BYTES) startWorker();
        for (const h of late) h?.update(chunk);
        // A worker far behind (a slow hash, a busy machine) holds the body back: the reply must not wait
        // long for the hash after the last byte, and what it reads back should still be in the page cache.
        if (worker && start + size - confirmedTo > MAX_HASH_LAG_BYTES) return void lastRange.then(() => cb(null, chunk));
        cb(null, chunk);
      },
    });
    try {
      const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | (opts.into === undefined ? fs.constants.O_TRUNC : 0);
      const sink = new FileSink(tmp, flags, start, (end) => {
        writtenTo = end;
        toWorker();
      });
      await pipeline(body, hashing, sink);
      if (opts.expectedSize !== undefined && size !== opts.expectedSize) throw errors.incompleteBody(opts.expectedSize, size);
      const fromWorker = worker ? await worker.digest() : [];
      let w = 0;
      const [md5hex0, mainHex, extraHex0] = types.map((_, i) => (!offloadable[i] ? inline[i]!.digest() : worker ? fromWorker[w++] : late[i]!.digest()));
      const md5hex = wantMd5 ? md5hex0 : undefined;
      const checksum = cksumType === 'md5' ? md5hex0 : mainHex;
      const extraHex = extraType === 'none' ? undefined : extraHex0;
      if (opts.expectedMd5 !== undefined && opts.expectedMd5.toLowerCase() !== md5hex)
        throw errors.badDigest(`The Content-MD5 you specified did not match what we received (got ${md5hex})`);
      if (opts.expectedChecksum) {
        const t = opts.expectedChecksum.type;
        const actual = t === 'md5' ? md5hex : t === cksumType ? checksum : extraHex;
        if (t !== 'none' && actual !== opts.expectedChecksum.value.toLowerCase())
          throw errors.badDigest(`${t} checksum mismatch: the request says ${opts.expectedChecksum.value}, the body has ${actual}`);
      }
      return { tmp, size, ...(md5hex !== undefined && { md5: md5hex }), checksum, extra: extraHex };
    } catch (e) {
      worker?.drop();
      if (opts.into === undefined) await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }

  // ---------------------------------------------------------------- cluster config

  config(): ClusterConfig {
    return structuredClone(this.cfg);
  }

  async setConfig(update: { checksum?: unknown }): Promise<ClusterConfig> {
    const next = { ...this.cfg, checksum: mergeChecksumConf(this.cfg.checksum, update.checksum) };
    await this.writeJsonAtomic(path.join(this.dir, 'config.json'), next);
    this.cfg = next;
    return this.config();
  }

  // ---------------------------------------------------------------- buckets

  listBuckets(provider?: Provider): BucketInfo[] {
    return [...this.buckets.values()]
      .filter((b) => !provider || b.ref.provider === provider)
      .map((b) => ({ ref: { ...b.ref }, props: structuredClone(b.props) }))
      .sort((a, b) => compareKeys(a.ref.name, b.ref.name) || compareKeys(a.ref.provider, b.ref.provider));
  }

  /** Every provider that has a bucket of this name (for resolving bare S3 bucket names). */
  findBuckets(name: string): BucketRef[] {
    return PROVIDERS.filter((p) => this.buckets.has(`${p}/${name}`)).map((provider) => ({ provider, name }));
  }

  hasBucket(ref: BucketRef): boolean {
    return this.buckets.has(bucketId(ref));
  }

  private bucket(ref: BucketRef): BucketState {
    const b = this.buckets.get(bucketId(ref));
    if (!b) throw errors.noSuchBucket(ref.name);
    return b;
  }

  getBucket(ref: BucketRef): BucketInfo {
    const b = this.bucket(ref);
    return { ref: { ...b.ref }, props: structuredClone(b.props) };
  }

  async createBucket(ref: BucketRef, props: { checksum?: unknown } = {}): Promise<BucketInfo> {
    validateBucketName(ref.name);
    if (!isProvider(ref.provider)) throw errors.invalidArgument(`unknown provider "${ref.provider}"`);
    if (this.buckets.has(bucketId(ref))) throw errors.bucketExists(ref.name);
    const dir = path.join(this.dir, 'buckets', ref.provider, ref.name);
    const full: BucketProps = {
      provider: ref.provider,
      checksum: mergeChecksumConf({ ...this.cfg.checksum }, props.checksum),
      versioning: { enabled: true, validate_warm_get: false, synchronize: false },
      created: Date.now() * 1e6,
      bid: crypto.randomBytes(4).readUInt32BE(0),
    };
    const state: BucketState = { ref: { ...ref }, dir, props: full, index: new BTree(undefined, compareKeys) };
    this.buckets.set(bucketId(ref), state);
    try {
      await fs.promises.mkdir(path.join(dir, 'objects'), { recursive: true });
      await this.writeJsonAtomic(path.join(dir, 'props.json'), full);
    } catch (e) {
      this.buckets.delete(bucketId(ref));
      throw e;
    }
    return this.getBucket(ref);
  }

  /** Deletes a bucket; with objects in it only when `force` (AIStore's destroy-bck), else BucketNotEmpty. */
  async deleteBucket(ref: BucketRef, opts: { force?: boolean } = {}): Promise<void> {
    const b = this.bucket(ref);
    const index = await this.index(b);
    if (index.size > 0 && !opts.force) throw errors.bucketNotEmpty(ref.name);
    this.buckets.delete(bucketId(ref));
    // Rename first so the bucket disappears at once; the removal of its files may take longer.
    const graveyard = this.tmpPath();
    await fs.promises.rename(b.dir, graveyard);
    for (const d of this.madeDirs) if (d.startsWith(b.dir + path.sep)) this.madeDirs.delete(d);
    await fs.promises.rm(graveyard, { recursive: true, force: true });
  }

  async setBucketProps(ref: BucketRef, update: Record<string, unknown>): Promise<BucketInfo> {
    const b = this.bucket(ref);
    const next: BucketProps = { ...b.props };
    for (const [section, value] of Object.entries(update)) {
      if (section === 'checksum') next.checksum = mergeChecksumConf(b.props.checksum, value);
      else if (section === 'versioning') {
        if (typeof value !== 'object' || value === null) throw errors.invalidArgument('"versioning" must be an object');
        next.versioning = { ...b.props.versioning, ...(value as object) };
      } else throw errors.invalidArgument(`unknown or read-only bucket property "${section}"`);
    }
    await this.writeJsonAtomic(path.join(b.dir, 'props.json'), next);
    b.props = next;
    return this.getBucket(ref);
  }

  async resetBucketProps(ref: BucketRef): Promise<BucketInfo> {
    const b = this.bucket(ref);
    const next: BucketProps = { ...b.props, checksum: { ...this.cfg.checksum } };
    await this.writeJsonAtomic(path.join(b.dir, 'props.json'), next);
    b.props = next;
    return this.getBucket(ref);
  }

  // ---------------------------------------------------------------- index

  private index(b: BucketState): Promise<BTree<string, ObjectSummary>> {
    if (b.index) return Promise.resolve(b.index);
    b.indexLoading ??= this.scan(b).then((idx) => {
      b.index = idx;
      b.indexLoading = undefined;
      return idx;
    });
    return b.indexLoading;
  }

  /** Rebuilds a bucket's in-memory index from its object files (first use after a start). */
  private async scan(b: BucketState): Promise<BTree<string, ObjectSummary>> {
    const idx = new BTree<string, ObjectSummary>(undefined, compareKeys);
    const root = path.join(b.dir, 'objects');
    let shards: string[] = [];
    try {
      shards = await fs.promises.readdir(root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const files: string[] = [];
    for (const s of shards) {
      for (const f of await fs.promises.readdir(path.join(root, s))) files.push(path.join(root, s, f));
    }
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++];
        try {
          const { meta } = await readTrailerAt<ObjectMeta>(file);
          idx.set(meta.key, summaryOf(meta));
        } catch (e) {
          if (!(e instanceof CorruptObjectFile) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return idx;
  }

  // ---------------------------------------------------------------- objects

  async putObject(ref: BucketRef, key: string, body: Readable, opts: PutOptions = {}): Promise<ObjectMeta> {
    validateKey(key);
    const b = this.bucket(ref);
    const type = b.props.checksum.type;
    const got = await this.receive(body, type, { ...opts, md5: needsMd5(b, opts) });
    return this.commit(b, key, got.tmp, {
      size: got.size,
      md5: got.md5,
      checksum: { type, value: got.checksum },
      etag: opts.etag || etagFor(type, got.md5, got.checksum),
      contentType: opts.contentType,
      userMeta: opts.userMeta ?? {},
      headers: opts.headers,
    });
  }

  /** Appends the trailer to a verified temp file and renames it into place under the key lock. */
  private async commit(
    b: BucketState,
    key: string,
    tmp: string,
    fields: Omit<ObjectMeta, 'key' | 'mtime' | 'atime' | 'version'>,
    removeOnError = true,
  ): Promise<ObjectMeta> {
    try {
      const index = await this.index(b);
      const file = this.objectPath(b, key);
      return await this.withKeyLock(file, async () => {
        if (!this.buckets.has(bucketId(b.ref))) throw errors.noSuchBucket(b.ref.name);
        const prev = index.get(key);
        const now = Date.now();
        const meta: ObjectMeta = {
          key,
          ...fields,
          mtime: now,
          atime: now,
          version: String((prev ? parseInt(prev.version, 10) || 0 : 0) + 1),
        };
        if (meta.md5 === undefined) delete meta.md5;
        if (meta.contentType === undefined) delete meta.contentType;
        if (meta.parts === undefined) delete meta.parts;
        if (meta.partSizes === undefined) delete meta.partSizes;
        if (!meta.headers || Object.keys(meta.headers).length === 0) delete meta.headers;
        await appendTrailer(tmp, meta, !!this.opts.fsync);
        await this.ensureDir(path.dirname(file));
        // A large version being replaced keeps a second name until after the rename, so the rename does
        // not free its blocks on the request's time (ext4: ~0.4 s for 512 MB); it is unlinked afterwards.
        const retired = prev && prev.size >= RETIRE_LATER_BYTES ? await this.linkAside(file) : undefined;
        await fs.promises.rename(tmp, file);
        index.set(key, summaryOf(meta));
        if (retired) this.unlinkLater(retired);
        return meta;
      });
    } catch (e) {
      if (removeOnError) await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }

  async headObject(ref: BucketRef, key: string): Promise<ObjectMeta> {
    validateKey(key);
    const b = this.bucket(ref);
    try {
      const { meta } = await readTrailerAt<ObjectMeta>(this.objectPath(b, key));
      return this.withIndexAtime(b, meta);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
      throw e;
    }
  }

  private withIndexAtime(b: BucketState, meta: ObjectMeta): ObjectMeta {
    const s = b.index?.get(meta.key);
    if (s && s.atime > meta.atime) meta.atime = s.atime;
    return meta;
  }

  /**
   * Opens an object for reading. The stream reads from an open descriptor, so a concurrent overwrite or
   * delete never mixes versions. `range` is already resolved against the size by the caller.
   */
  async getObject(
    ref: BucketRef,
    key: string,
    range?: (size: number) => ByteRange | undefined,
  ): Promise<{ meta: ObjectMeta; range?: ByteRange; stream: Readable }> {
    validateKey(key);
    const b = this.bucket(ref);
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.objectPath(b, key), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
      throw e;
    }
    try {
      const { meta, dataSize } = await readTrailer<ObjectMeta>(fh);
      const r = range?.(dataSize);
      const start = r ? r.start : 0;
      const end = r ? r.end : dataSize - 1;
      const now = Date.now();
      const s = b.index?.get(key);
      if (s) s.atime = now;
      meta.atime = now;
      const stream =
        end < start
          ? (await fh.close(), Readable.from([]))
          : new FileBody(fh, start, end);
      return { meta, range: r, stream };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  async deleteObject(ref: BucketRef, key: string): Promise<void> {
    validateKey(key);
    const b = this.bucket(ref);
    const index = await this.index(b);
    const file = this.objectPath(b, key);
    await this.withKeyLock(file, async () => {
      // A large object is renamed into tmp/ (atomic, and emptied at start) and freed after the reply.
      const large = (index.get(key)?.size ?? 0) >= RETIRE_LATER_BYTES;
      const retired = large ? this.tmpPath() : undefined;
      try {
        if (retired) await fs.promises.rename(file, retired);
        else await fs.promises.unlink(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
        throw e;
      }
      index.delete(key);
      if (retired) this.unlinkLater(retired);
    });
  }

  /** A second name in tmp/ for `file`, or undefined when there is none to give. */
  private async linkAside(file: string): Promise<string | undefined> {
    const aside = this.tmpPath();
    try {
      await fs.promises.link(file, aside);
      return aside;
    } catch {
      return undefined; // no such file, or no hard links here (FAT): the rename frees it, as before
    }
  }

  /** Frees a retired file off the request's path; one left behind by a crash goes with tmp/ at start. */
  private unlinkLater(file: string): void {
    fs.promises.unlink(file).catch(() => undefined);
  }

  /**
   * Server-side copy. With `replace`, the copy gets the given content type and user metadata instead of
   * the source's. Copying an object onto itself with `replace` is how S3 edits metadata.
   */
  async copyObject(
    src: BucketRef,
    srcKey: string,
    dst: BucketRef,
    dstKey: string,
    replace?: { contentType?: string; userMeta: Record<string, string>; headers?: Record<string, string> },
  ): Promise<ObjectMeta> {
    validateKey(dstKey);
    const d = this.bucket(dst);
    const { meta, stream } = await this.getObject(src, srcKey);
    const type = d.props.checksum.type;
    const got = await this.receive(stream, type, { expectedSize: meta.size, md5: needsMd5(d) });
    return this.commit(d, dstKey, got.tmp, {
      size: got.size,
      md5: got.md5,
      checksum: { type, value: got.checksum },
      etag: etagFor(type, got.md5, got.checksum),
      contentType: replace ? replace.contentType : meta.contentType,
      userMeta: replace ? replace.userMeta : meta.userMeta,
      headers: replace ? replace.headers : meta.headers,
    });
  }

  /** AIStore's rename-obj, within a bucket. */
  async renameObject(ref: BucketRef, key: string, newKey: string): Promise<ObjectMeta> {
    validateKey(key);
    validateKey(newKey);
    const b = this.bucket(ref);
    const index = await this.index(b);
    const from = this.objectPath(b, key);
    const to = this.objectPath(b, newKey);
    if (from === to) return this.headObject(ref, key);
    return this.withKeyLock(from, () =>
      this.withKeyLock(to, async () => {
        let trailer: { meta: ObjectMeta; dataSize: number };
        try {
          trailer = await readTrailerAt<ObjectMeta>(from);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
          throw e;
        }
        // The key lives in the trailer: copy the file (a kernel-side copy), cut the old trailer, add the new.
        const prev = index.get(newKey);
        const next: ObjectMeta = {
          ...trailer.meta,
          key: newKey,
          version: String((prev ? parseInt(prev.version, 10) || 0 : 0) + 1),
        };
        const tmp = this.tmpPath();
        try {
          await fs.promises.copyFile(from, tmp);
          await fs.promises.truncate(tmp, trailer.dataSize);
          await appendTrailer(tmp, next, !!this.opts.fsync);
          await this.ensureDir(path.dirname(to));
          await fs.promises.rename(tmp, to);
        } catch (e) {
          await fs.promises.rm(tmp, { force: true });
          throw e;
        }
        index.set(newKey, summaryOf(next));
        await fs.promises.rm(from, { force: true });
        index.delete(key);
        return next;
      }),
    );
  }

  /**
   * One page of a bucket listing in key order. Cost is O(log n + page): a page starts by seeking in the
   * index to `startAfter`, never by walking the keys before it.
   */
  async listObjects(ref: BucketRef, opts: ListOptions): Promise<ListPage> {
    const b = this.bucket(ref);
    const index = await this.index(b);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter || undefined;
    const startAfter = opts.startAfter && compareKeys(opts.startAfter, prefix) >= 0 ? opts.startAfter : undefined;
    const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
    let count = 0;
    let pair = startAfter !== undefined ? index.nextHigherPair(startAfter) : index.getPairOrNextHigher(prefix);
    while (pair) {
      const [key, summary] = pair;
      if (!key.startsWith(prefix)) break;
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          const cp = key.slice(0, at + delimiter.length);
          // A prefix not above startAfter was returned by an earlier page.
          if (startAfter === undefined || compareKeys(cp, startAfter) > 0) {
            if (count >= opts.maxKeys) {
              page.isTruncated = true;
              break;
            }
            page.commonPrefixes.push(cp);
            page.last = cp;
            count++;
          }
          const past = prefixSuccessor(cp);
          if (past !== undefined) pair = index.getPairOrNextHigher(past);
          else {
            do pair = index.nextHigherPair(pair[0]);
            while (pair && pair[0].startsWith(cp));
          }
          continue;
        }
      }
      if (count >= opts.maxKeys) {
        page.isTruncated = true;
        break;
      }
      page.objects.push({ ...summary });
      page.last = key;
      count++;
      pair = index.nextHigherPair(key);
    }
    return page;
  }

  // ---------------------------------------------------------------- multipart

  private uploadDir(b: BucketState, uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw errors.noSuchUpload(uploadId);
    return path.join(b.dir, 'uploads', uploadId);
  }

  async createUpload(
    ref: BucketRef,
    key: string,
    opts: { contentType?: string; userMeta?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<UploadInfo> {
    validateKey(key);
    const b = this.bucket(ref);
    const info: UploadInfo = {
      uploadId: crypto.randomBytes(16).toString('hex'),
      key,
      initiated: Date.now(),
      contentType: opts.contentType,
      userMeta: opts.userMeta ?? {},
      headers: opts.headers,
    };
    const dir = this.uploadDir(b, info.uploadId);
    await fs.promises.mkdir(dir, { recursive: true });
    await this.writeJsonAtomic(path.join(dir, 'upload.json'), info);
    return info;
  }

  private async uploadInfo(b: BucketState, uploadId: string): Promise<UploadInfo> {
    try {
      return JSON.parse(await fs.promises.readFile(path.join(this.uploadDir(b, uploadId), 'upload.json'), 'utf8'));
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchUpload(uploadId);
      throw e;
    }
  }

  /** The upload's part layout, read from its part files the first time after a start. */
  private uploadLayout(dir: string): Promise<UploadLayout> {
    let layout = this.layouts.get(dir);
    if (!layout) {
      layout = this.readParts(dir).then((parts) => {
        const l: UploadLayout = { placed: new Set(), inPlace: new Map(), writing: new Map(), completing: false };
        for (const p of parts.values()) {
          if (p.offset === undefined) continue;
          l.placed.add(p.partNumber);
          l.inPlace.set(p.partNumber, p);
          l.stripe = p.stripe;
        }
        return l;
      });
      this.layouts.set(dir, layout);
      layout.catch(() => this.layouts.delete(dir));
    }
    return layout;
  }

  /**
   * Stores a part. Parts of a known size up to the upload's slot size are written straight into the
   * upload's data file at (N-1) × slot, so that complete finds the object already assembled when the parts
   * have the same size (every client's way) and only hashes it, instead of copying every byte. A part is
   * stored once its trailer file (the part's own file, or a trailer-only file for an in-place part) is
   * renamed into the upload directory; a slot that holds a stored part is never written again (a new
   * upload of that part goes to its own file), so a failed write never damages a stored part.
   */
  async uploadPart(
    ref: BucketRef,
    uploadId: string,
    partNumber: number,
    body: Readable,
    opts: { expectedMd5?: string; expectedSize?: number; expectedChecksum?: { type: ChecksumType; value: string } } = {},
  ): Promise<PartInfo> {
    const b = this.bucket(ref);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER)
      throw errors.invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}`);
    const dir = this.uploadDir(b, uploadId);
    await this.uploadInfo(b, uploadId);
    const layout = await this.uploadLayout(dir);
    const size = opts.expectedSize;
    if (layout.stripe === undefined && size !== undefined && size >= MIN_PART_SIZE && !layout.completing) layout.stripe = size;
    const stripe = layout.stripe;
    const offset = stripe === undefined ? 0 : (partNumber - 1) * stripe;
    const inPlace =
      stripe !== undefined &&
      size !== undefined &&
      size <= stripe &&
      offset + stripe <= MAX_UPLOAD_DATA_BYTES &&
      !layout.completing &&
      !layout.placed.has(partNumber) &&
      !layout.writing.has(partNumber);
    let part: PartTrailer;
    if (!inPlace) {
      // A part's ETag is its MD5 (clients compare it), whatever the bucket's checksum.
      const got = await this.receive(body, 'none', { ...opts, md5: true });
      part = { partNumber, size: got.size, md5: got.md5!, mtime: Date.now() };
      await this.storePartTrailer(dir, uploadId, got.tmp, part);
      // Complete will use this upload of the part, not the bytes the running hash read from its slot.
      if (layout.running && partNumber <= layout.running.queued.length) {
        layout.running.drop();
        layout.running = undefined;
        layout.runningStopped = true;
      }
    } else {
      const write = (async () => {
        let got;
        try {
          got = await this.receive(body, 'none', { ...opts, md5: true, into: { file: path.join(dir, UPLOAD_DATA), start: offset } });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchUpload(uploadId);
          throw e;
        }
        if (this.opts.fsync) {
          const fh = await fs.promises.open(got.tmp, 'r+');
          try {
            await fh.sync();
          } finally {
            await fh.close();
          }
        }
        const stored: PartTrailer = { partNumber, size: got.size, md5: got.md5!, mtime: Date.now(), offset, stripe };
        await this.storePartTrailer(dir, uploadId, this.tmpPath(), stored);
        layout.placed.add(partNumber);
        layout.inPlace.set(partNumber, stored);
        this.advanceRunningHash(b, layout, dir);
        return stored;
      })();
      layout.writing.set(partNumber, write);
      try {
        part = await write;
      } finally {
        layout.writing.delete(partNumber);
      }
    }
    return { partNumber, size: part.size, etag: part.md5, mtime: part.mtime };
  }

  /** What receive() hashes for a bucket's object: its MD5 when used, and the bucket's checksum. */
  private objectHashTypes(b: BucketState): ChecksumType[] {
    const type = b.props.checksum.type;
    return [needsMd5(b) ? 'md5' : 'none', type === 'md5' ? 'none' : type];
  }

  /**
   * Queues for the running hash every part that now follows its prefix: parts of the full slot size, at
   * their slot, in order. The last (shorter) part and anything out of that shape are left to complete.
   */
  private advanceRunningHash(b: BucketState, layout: UploadLayout, dir: string): void {
    const stripe = layout.stripe;
    if (stripe === undefined || layout.completing || layout.runningStopped) return;
    const fits = (n: number) => {
      const p = layout.inPlace.get(n);
      return p && p.size === stripe && p.offset === (n - 1) * stripe ? p : undefined;
    };
    if (!layout.running) {
      if (!fits(1)) return;
      layout.running = RunningHash.create(this.objectHashTypes(b));
      if (!layout.running) return;
    }
    const running = layout.running;
    for (let p = fits(running.queued.length + 1); p; p = fits(running.queued.length + 1)) {
      void running.append(path.join(dir, UPLOAD_DATA), p.offset!, p);
    }
  }

  /** Appends a part's trailer to `file` (its data, or a new empty file) and renames it into the upload. */
  private async storePartTrailer(dir: string, uploadId: string, file: string, part: PartTrailer): Promise<void> {
    try {
      await appendTrailer(file, part, !!this.opts.fsync);
      // Renaming into a directory that an abort removed meanwhile fails: the part is dropped, as it must be.
      await fs.promises.rename(file, path.join(dir, String(part.partNumber)));
    } catch (e) {
      await fs.promises.rm(file, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchUpload(uploadId);
      throw e;
    }
  }

  private async readParts(dir: string): Promise<Map<number, StagedPart>> {
    const parts = new Map<number, StagedPart>();
    const dataFile = path.join(dir, UPLOAD_DATA);
    let dataSize = -1;
    try {
      dataSize = (await fs.promises.stat(dataFile)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let names: string[] = [];
    try {
      names = await fs.promises.readdir(dir);
    } catch (e) {
      // Completed or aborted meanwhile: no parts.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const file = path.join(dir, name);
      try {
        const { meta } = await readTrailerAt<PartTrailer>(file);
        if (meta.offset === undefined) parts.set(meta.partNumber, { ...meta, file, start: 0 });
        // An in-place part whose bytes are not all there (the data file went with a completed object) is gone.
        else if (meta.offset + meta.size <= dataSize) parts.set(meta.partNumber, { ...meta, file: dataFile, start: meta.offset });
      } catch (e) {
        if (!(e instanceof CorruptObjectFile) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return parts;
  }

  async listParts(
    ref: BucketRef,
    uploadId: string,
    opts: { partNumberMarker?: number; maxParts?: number } = {},
  ): Promise<{ upload: UploadInfo; parts: PartInfo[]; isTruncated: boolean }> {
    const b = this.bucket(ref);
    const upload = await this.uploadInfo(b, uploadId);
    const all = [...(await this.readParts(this.uploadDir(b, uploadId))).values()]
      .filter((p) => p.partNumber > (opts.partNumberMarker ?? 0))
      .sort((x, y) => x.partNumber - y.partNumber);
    const max = opts.maxParts ?? 1000;
    return {
      upload,
      parts: all.slice(0, max).map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.md5, mtime: p.mtime })),
      isTruncated: all.length > max,
    };
  }

  async completeUpload(
    ref: BucketRef,
    uploadId: string,
    requested: { partNumber: number; etag: string }[],
  ): Promise<ObjectMeta> {
    const b = this.bucket(ref);
    const dir = this.uploadDir(b, uploadId);
    return this.withKeyLock(dir, async () => {
      // Completed before (a crash or a failure stopped its cleanup): the object is in place; the upload is gone.
      if (await this.settleComplete(dir)) throw errors.noSuchUpload(uploadId);
      const upload = await this.uploadInfo(b, uploadId);
      if (requested.length === 0) throw errors.invalidArgument('CompleteMultipartUpload needs at least one part');
      // No in-place write may start or still run while the data file becomes the object.
      const layout = await this.uploadLayout(dir);
      layout.completing = true;
      try {
        await Promise.allSettled(layout.writing.values());
        const meta = await this.completeParts(b, dir, upload, requested, layout);
        layout.running?.drop();
        this.layouts.delete(dir);
        return meta;
      } finally {
        layout.completing = false;
      }
    });
  }

  private async completeParts(
    b: BucketState,
    dir: string,
    upload: UploadInfo,
    requested: { partNumber: number; etag: string }[],
    layout: UploadLayout,
  ): Promise<ObjectMeta> {
    const stripe = layout.stripe;
    const uploadId = upload.uploadId;
    const staged = await this.readParts(dir);
    const chosen: StagedPart[] = [];
    let prevNumber = 0;
    for (const r of requested) {
      if (r.partNumber <= prevNumber) throw errors.invalidPartOrder();
      prevNumber = r.partNumber;
      const p = staged.get(r.partNumber);
      const etag = r.etag.replace(/^"|"$/g, '').toLowerCase();
      if (!p) throw errors.invalidPart(`Part ${r.partNumber} was never uploaded (upload ${uploadId})`);
      if (p.md5 !== etag)
        throw errors.invalidPart(`Part ${r.partNumber}'s ETag "${etag}" does not match the uploaded part ("${p.md5}")`);
      chosen.push(p);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART_SIZE) throw errors.entityTooSmall(p.partNumber);
    });
    const total = chosen.reduce((n, p) => n + p.size, 0);
    const partMd5s = createHasher('md5');
    for (const p of chosen) partMd5s.update(Buffer.from(p.md5, 'hex'));
    const etag = `${partMd5s.digest()}-${chosen.length}`;
    const partBytes = (p: StagedPart) => fs.createReadStream(p.file, { start: p.start, end: p.start + p.size - 1, highWaterMark: 1024 * 1024 });
    const type = b.props.checksum.type;
    // Assembled in place when the chosen parts are 1..N, all of the slot size but the last (as every
    // client uploads) and no other part lives in the data file (truncating it to the object's size loses
    // nothing stored). Parts in their own files are copied into their slots first (a slot's earlier bytes
    // belong to no stored part). Otherwise the parts are copied, in order, to a new file.
    const inPlace =
      stripe !== undefined &&
      chosen.some((p) => p.offset !== undefined) &&
      chosen.every((p, i) => p.partNumber === i + 1 && (i === chosen.length - 1 ? p.size <= stripe : p.size === stripe) && (p.offset ?? i * stripe) === i * stripe) &&
      [...staged.values()].every((p) => p.offset === undefined || p.partNumber <= chosen.length);
    let got: Awaited<ReturnType<Store['receive']>>;
    if (inPlace) {
      const dataFile = path.join(dir, UPLOAD_DATA);
      for (const [i, p] of chosen.entries()) {
        if (p.offset !== undefined || p.size === 0) continue;
        const fh = await fs.promises.open(dataFile, fs.constants.O_WRONLY | fs.constants.O_CREAT);
        await pipeline(partBytes(p), fh.createWriteStream({ start: i * stripe, highWaterMark: 1024 * 1024 }));
      }
      // Cuts what a failed complete may have appended (its trailer) and bytes of no stored part.
      await fs.promises.truncate(dataFile, total);
      got = (await this.finishRunningHash(b, layout, dataFile, chosen, total)) ??
        (await this.hashDataFile(b, dataFile, total));
      got.tmp = dataFile;
    } else {
      const concatenated = Readable.from(
        (async function* () {
          for (const p of chosen) if (p.size > 0) yield* partBytes(p);
        })(),
        { objectMode: false },
      );
      got = await this.receive(concatenated, type, { expectedSize: total, md5: needsMd5(b) });
    }
    // The marker says which file becomes the object: if the process dies once it is renamed, the next
    // start removes the upload (see settleComplete).
    const markerFile = path.join(dir, COMPLETE_MARKER);
    const marker: CompleteMarker = { source: path.relative(this.dir, got.tmp), key: upload.key, etag };
    try {
      await this.writeJsonAtomic(markerFile, marker, !!this.opts.fsync);
    } catch (e) {
      if (!inPlace) await fs.promises.rm(got.tmp, { force: true });
      throw e;
    }
    let meta: ObjectMeta;
    try {
      meta = await this.commit(b, upload.key, got.tmp, {
      size: got.size,
      md5: got.md5,
      checksum: { type, value: got.checksum },
      etag,
      parts: chosen.length,
      partSizes: chosen.map((p) => p.size),
      contentType: upload.contentType,
      userMeta: upload.userMeta,
      headers: upload.headers,
    }, false);
    } catch (e) {
      // Not renamed: the marker goes first, so that a missing source never reads as a completed upload.
      // In place, the data file stays with the upload (its parts are in it).
      await fs.promises.rm(markerFile, { force: true });
      if (!inPlace) await fs.promises.rm(got.tmp, { force: true });
      throw e;
    }
    this.opts.afterCompleteRename?.();
    await fs.promises.rm(dir, { recursive: true, force: true });
    return meta;
  }

  /**
   * The assembled object's digests from the running hash, when it covers a prefix of exactly the chosen
   * parts (the in-place uploads it read, hashed with today's bucket checksum): only the rest is hashed
   * now. Undefined otherwise (the caller hashes everything). The running hash is used up either way.
   */
  private async finishRunningHash(
    b: BucketState,
    layout: UploadLayout,
    dataFile: string,
    chosen: StagedPart[],
    total: number,
  ): Promise<Awaited<ReturnType<Store['receive']>> | undefined> {
    const running = layout.running;
    layout.running = undefined;
    layout.runningStopped = true;
    if (!running) return undefined;
    await running.settled();
    const types = this.objectHashTypes(b);
    const same =
      !running.failed &&
      running.types.length === types.length &&
      running.types.every((t, i) => t === types[i]) &&
      running.queued.length <= chosen.length &&
      running.queued.every((h, i) => {
        const p = chosen[i];
        return p.partNumber === h.partNumber && p.offset === h.offset && p.size === h.size && p.md5 === h.md5 && p.mtime === h.mtime;
      });
    if (!same) {
      running.drop();
      return undefined;
    }
    void running.appendRange(dataFile, running.bytes, total - running.bytes);
    try {
      return this.assembled(b, dataFile, total, await running.digest());
    } catch {
      running.drop();
      return undefined;
    }
  }

  /** The object's hashes of a data file complete did not follow as it grew. */
  private async hashDataFile(b: BucketState, dataFile: string, total: number): Promise<Awaited<ReturnType<Store['receive']>>> {
    return this.assembled(b, dataFile, total, await RunningHash.ofFile(this.objectHashTypes(b), dataFile, total));
  }

  /** receive()'s result for an assembled data file, from digests in objectHashTypes() order. */
  private assembled(b: BucketState, dataFile: string, total: number, [md5hex, mainHex]: string[]): Awaited<ReturnType<Store['receive']>> {
    const md5 = needsMd5(b) ? { md5: md5hex } : {};
    return { tmp: dataFile, size: total, ...md5, checksum: b.props.checksum.type === 'md5' ? md5hex : mainHex };
  }

  async abortUpload(ref: BucketRef, uploadId: string): Promise<void> {
    const b = this.bucket(ref);
    const dir = this.uploadDir(b, uploadId);
    await this.withKeyLock(dir, async () => {
      await this.uploadInfo(b, uploadId);
      // Rename away first so a concurrent UploadPart cannot land a part in a half-removed directory.
      const graveyard = this.tmpPath();
      await fs.promises.rename(dir, graveyard);
      const layout = await this.layouts.get(dir)?.catch(() => undefined);
      layout?.running?.drop();
      this.layouts.delete(dir);
      await fs.promises.rm(graveyard, { recursive: true, force: true });
    });
  }

  async listUploads(
    ref: BucketRef,
    opts: { prefix?: string; keyMarker?: string; uploadIdMarker?: string; maxUploads?: number } = {},
  ): Promise<{ uploads: UploadInfo[]; isTruncated: boolean }> {
    const b = this.bucket(ref);
    let ids: string[] = [];
    try {
      ids = await fs.promises.readdir(path.join(b.dir, 'uploads'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const all: UploadInfo[] = [];
    for (const id of ids) {
      if (!UPLOAD_ID.test(id)) continue;
      try {
        all.push(await this.uploadInfo(b, id));
      } catch {
        // completed or aborted meanwhile
      }
    }
    const prefix = opts.prefix ?? '';
    const filtered = all
      .filter((u) => u.key.startsWith(prefix))
      .sort((x, y) => compareKeys(x.key, y.key) || x.initiated - y.initiated || compareKeys(x.uploadId, y.uploadId))
      .filter((u) => {
        if (opts.keyMarker === undefined || opts.keyMarker === '') return true;
        const c = compareKeys(u.key, opts.keyMarker);
        if (c !== 0) return c > 0;
        if (!opts.uploadIdMarker) return false;
        const marker = all.find((x) => x.uploadId === opts.uploadIdMarker);
        return marker ? u.initiated > marker.initiated || (u.initiated === marker.initiated && u.uploadId > marker.uploadId) : false;
      });
    const max = opts.maxUploads ?? 1000;
    return { uploads: filtered.slice(0, max), isTruncated: filtered.length > max };
  }
}
