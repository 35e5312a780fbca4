// Objects and each bucket's index of them: one file per object (data + metadata trailer, objectfile.ts),
// named by the SHA-256 of its key; the index (keyindex.ts) is loaded on the bucket's first use from its
// index file (indexfile.ts), or rebuilt from the files' trailers when that is missing or does not hold.
// Every change is journaled right before its rename or unlink, under the key lock.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ChecksumType } from '../checksum';
import { errors } from '../errors';
import { BucketState, Buckets, needsMd5 } from './buckets';
import { DataDir } from './datadir';
import { BufferBody, FileBody } from './filebody';
import { KeyLocks } from './keylocks';
import { IndexFile, summaryOf } from './indexfile';
import { KeyIndex } from './keyindex';
import { compareKeys, prefixSuccessor, validateKey } from './keys';
import { appendTrailer, CorruptObjectFile, readTrailer, readTrailerAt, readTrailerSync, writeObjectFile } from './objectfile';
import { receiveObject, SMALL_BODY_BYTES } from './receive';
import { BucketRef, ByteRange, ListOptions, ListPage, MetadataReplacement, ObjectMeta, OpenedObject, PutOptions } from './types';

/** Replaced or deleted objects this large are freed after the reply (freeing blocks takes time). */
const RETIRE_LATER_BYTES = 8 * 1024 * 1024;

/**
 * The S3 ETag of a single-part object. Like AIStore, it is the MD5 only on md5 buckets; elsewhere it is the
 * bucket's checksum (a validator, not an MD5: s3cmd warns, which is why AIStore's guide says to use md5).
 */
function etagFor(type: ChecksumType, md5: string | undefined, checksum: string): string {
  return type === 'md5' || type === 'none' || !checksum ? (md5 ?? '') : checksum;
}

export class Objects {
  constructor(
    private readonly data: DataDir,
    private readonly buckets: Buckets,
    private readonly locks: KeyLocks,
    /** fsync object files before they become visible. */
    private readonly fsync: boolean,
    /** Journal records after which a bucket's index snapshot is rewritten (indexfile.ts). */
    private readonly journalLimit?: number,
  ) {}

  private objectPath(b: BucketState, key: string): string {
    const h = crypto.createHash('sha256').update(key, 'utf8').digest('hex');
    return path.join(b.dir, 'objects', h.slice(0, 2), h);
  }

  // ---------------------------------------------------------------- index

  /** The bucket's index, loaded on first use. */
  index(b: BucketState): Promise<KeyIndex> {
    if (b.index) return Promise.resolve(b.index);
    b.indexLoading ??= this.indexFile(b)
      .load()
      .then(
        (idx) => {
          b.index = idx;
          b.indexLoading = undefined;
          return idx;
        },
        (e: unknown) => {
          b.indexLoading = undefined;
          b.indexFile = undefined;
          throw e;
        },
      );
    return b.indexLoading;
  }

  private indexFile(b: BucketState): IndexFile {
    return (b.indexFile ??= new IndexFile(this.data, b.dir, this.fsync, (key) => this.objectPath(b, key), () => this.scan(b), this.journalLimit));
  }

  /** Journals `entries`, runs `change` (the rename or unlink), then lets the journal know the index shows it. */
  private async journaled<T>(b: BucketState, index: KeyIndex, entries: Parameters<IndexFile['record']>[0], change: () => Promise<T>): Promise<T> {
    const file = this.indexFile(b);
    const token = await file.record(entries);
    try {
      return await change();
    } finally {
      file.done(token, index);
    }
  }

  /** Writes every loaded bucket's index file (a clean shutdown), so the next start replays nothing. */
  async close(buckets: Iterable<BucketState>): Promise<void> {
    for (const b of buckets) {
      await b.indexLoading?.catch(() => undefined);
      await b.indexFile?.close(b.index);
    }
  }

  /** Rebuilds a bucket's in-memory index from its object files (no usable index file). */
  private async scan(b: BucketState): Promise<KeyIndex> {
    const idx = new KeyIndex();
    const root = path.join(b.dir, 'objects');
    let shards: string[] = [];
    try {
      shards = await fs.promises.readdir(root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // One directory at a time (no list of a million paths), with synchronous reads in slices: a tenth of
    // the cost of as many promises, and the event loop still turns between slices.
    const tail = Buffer.allocUnsafe(4096);
    let n = 0;
    for (const s of shards) {
      let names: string[];
      try {
        names = await fs.promises.readdir(path.join(root, s));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
        throw e;
      }
      for (const name of names) {
        try {
          const meta = readTrailerSync<ObjectMeta>(path.join(root, s, name), tail);
          idx.set(meta.key, summaryOf(meta));
        } catch (e) {
          if (!(e instanceof CorruptObjectFile) && !(e instanceof SyntaxError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        if (++n % 1000 === 0) await new Promise((r) => setImmediate(r));
      }
    }
    return idx;
  }

  // ---------------------------------------------------------------- objects

  async putObject(ref: BucketRef, key: string, body: Readable, opts: PutOptions = {}): Promise<ObjectMeta> {
    validateKey(key);
    const b = this.buckets.state(ref);
    const type = b.props.checksum.type;
    const got = await receiveObject(this.data, body, type, { ...opts, md5: needsMd5(b, opts) });
    return this.commit(b, key, 'data' in got ? got.data : got.tmp, {
      size: got.size,
      md5: got.md5,
      checksum: { type, value: got.checksum },
      etag: opts.etag || etagFor(type, got.md5, got.checksum),
      contentType: opts.contentType,
      userMeta: opts.userMeta ?? {},
      headers: opts.headers,
    });
  }

  /**
   * Appends the trailer to a verified temp file (or writes a small body's bytes with it to a new one) and
   * renames it into place under the key lock.
   */
  async commit(
    b: BucketState,
    key: string,
    source: string | Buffer,
    fields: Omit<ObjectMeta, 'key' | 'mtime' | 'atime' | 'version'>,
    removeOnError = true,
  ): Promise<ObjectMeta> {
    const tmp = typeof source === 'string' ? source : this.data.tmpPath();
    try {
      const index = await this.index(b);
      const file = this.objectPath(b, key);
      return await this.locks.run(file, async () => {
        if (!this.buckets.hasBucket(b.ref)) throw errors.noSuchBucket(b.ref.name);
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
        const st = typeof source === 'string' ? await appendTrailer(tmp, meta, this.fsync) : await writeObjectFile(tmp, source, meta, this.fsync);
        await this.data.ensureDir(path.dirname(file));
        // A large version being replaced keeps a second name until after the rename, so the rename does
        // not free its blocks on the request's time (ext4: ~0.4 s for 512 MB); it is unlinked afterwards.
        const retired = prev && prev.size >= RETIRE_LATER_BYTES ? await this.linkAside(file) : undefined;
        const put = { s: summaryOf(meta), ino: String(st.ino), size: Number(st.size) };
        await this.journaled(b, index, [{ key, put }], async () => {
          await fs.promises.rename(tmp, file);
          index.set(key, summaryOf(meta));
        });
        if (retired) this.unlinkLater(retired);
        return meta;
      });
    } catch (e) {
      if (removeOnError || typeof source !== 'string') await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }

  /** The stored metadata of `key`, undefined when there is no such object. */
  async metaOf(b: BucketState, key: string): Promise<ObjectMeta | undefined> {
    try {
      return (await readTrailerAt<ObjectMeta>(this.objectPath(b, key))).meta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async headObject(ref: BucketRef, key: string): Promise<ObjectMeta> {
    validateKey(key);
    const b = this.buckets.state(ref);
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

  async getObject(
    ref: BucketRef,
    key: string,
    range?: (size: number) => ByteRange | undefined,
  ): Promise<OpenedObject> {
    const { meta, fh, dataSize, whole } = await this.openObject(ref, key, SMALL_BODY_BYTES);
    try {
      const r = range?.(dataSize);
      const start = r ? r.start : 0;
      const end = r ? r.end : dataSize - 1;
      if (whole || end < start) {
        // Read whole already (or nothing to read): the file is done with; its close need not hold the reply.
        fh.close().catch(() => undefined);
        return { meta, range: r, stream: new BufferBody(whole && end >= start ? whole.subarray(start, end + 1) : Buffer.alloc(0)) };
      }
      return { meta, range: r, stream: new FileBody(fh, start, end) };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * An object's data file, open for positional reads (a shard is read in place, member by member): bytes
   * [0, dataSize) are the object's. The caller closes `fh`; a concurrent overwrite leaves this version whole.
   * A file of at most `wholeUpTo` bytes is read whole: its data comes back as `whole`.
   */
  async openObject(
    ref: BucketRef,
    key: string,
    wholeUpTo = 0,
  ): Promise<{ meta: ObjectMeta; fh: fs.promises.FileHandle; dataSize: number; whole?: Buffer }> {
    validateKey(key);
    const b = this.buckets.state(ref);
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.objectPath(b, key), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
      throw e;
    }
    try {
      const { meta, dataSize, whole } = await readTrailer<ObjectMeta>(fh, undefined, wholeUpTo);
      meta.atime = Date.now();
      b.index?.touch(key, meta.atime);
      b.indexFile?.noteAccess();
      return { meta, fh, dataSize, whole };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  async deleteObject(ref: BucketRef, key: string): Promise<void> {
    validateKey(key);
    const b = this.buckets.state(ref);
    const index = await this.index(b);
    const file = this.objectPath(b, key);
    await this.locks.run(file, async () => {
      // A large object is renamed into tmp/ (atomic, and emptied at start) and freed after the reply.
      const large = (index.get(key)?.size ?? 0) >= RETIRE_LATER_BYTES;
      const retired = large ? this.data.tmpPath() : undefined;
      await this.journaled(b, index, [{ key }], async () => {
        try {
          if (retired) await fs.promises.rename(file, retired);
          else await fs.promises.unlink(file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchKey(ref.name, key);
          throw e;
        }
        index.delete(key);
      });
      if (retired) this.unlinkLater(retired);
    });
  }

  /** A second name in tmp/ for `file`, or undefined when there is none to give. */
  private async linkAside(file: string): Promise<string | undefined> {
    const aside = this.data.tmpPath();
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

  async copyObject(
    src: BucketRef,
    srcKey: string,
    dst: BucketRef,
    dstKey: string,
    replace?: MetadataReplacement,
  ): Promise<ObjectMeta> {
    validateKey(dstKey);
    const d = this.buckets.state(dst);
    const { meta, stream } = await this.getObject(src, srcKey);
    const type = d.props.checksum.type;
    const got = await receiveObject(this.data, stream, type, { expectedSize: meta.size, md5: needsMd5(d) });
    return this.commit(d, dstKey, 'data' in got ? got.data : got.tmp, {
      size: got.size,
      md5: got.md5,
      checksum: { type, value: got.checksum },
      etag: etagFor(type, got.md5, got.checksum),
      contentType: replace ? replace.contentType : meta.contentType,
      userMeta: replace ? replace.userMeta : meta.userMeta,
      headers: replace ? replace.headers : meta.headers,
    });
  }

  async renameObject(ref: BucketRef, key: string, newKey: string): Promise<ObjectMeta> {
    validateKey(key);
    validateKey(newKey);
    const b = this.buckets.state(ref);
    const index = await this.index(b);
    const from = this.objectPath(b, key);
    const to = this.objectPath(b, newKey);
    if (from === to) return this.headObject(ref, key);
    return this.locks.run(from, () =>
      this.locks.run(to, async () => {
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
        const tmp = this.data.tmpPath();
        try {
          await fs.promises.copyFile(from, tmp);
          await fs.promises.truncate(tmp, trailer.dataSize);
          const st = await appendTrailer(tmp, next, this.fsync);
          await this.data.ensureDir(path.dirname(to));
          const put = { s: summaryOf(next), ino: String(st.ino), size: Number(st.size) };
          await this.journaled(b, index, [{ key: newKey, put }, { key }], async () => {
            await fs.promises.rename(tmp, to);
            index.set(newKey, summaryOf(next));
            await fs.promises.rm(from, { force: true });
            index.delete(key);
          });
        } catch (e) {
          await fs.promises.rm(tmp, { force: true });
          throw e;
        }
        return next;
      }),
    );
  }

  /**
   * One page of a bucket listing in key order. Cost is O(log n + page): a page starts by seeking in the
   * index to `startAfter`, never by walking the keys before it.
   */
  async listObjects(ref: BucketRef, opts: ListOptions): Promise<ListPage> {
    const b = this.buckets.state(ref);
    const index = await this.index(b);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter || undefined;
    const startAfter = opts.startAfter && compareKeys(opts.startAfter, prefix) >= 0 ? opts.startAfter : undefined;
    const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
    let count = 0;
    let it = startAfter !== undefined ? index.from(startAfter, false) : index.from(prefix, true);
    let r = it.next();
    while (!r.done) {
      const summary = r.value;
      const key = summary.key;
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
          if (past !== undefined) r = (it = index.from(past, true)).next();
          else {
            do r = it.next();
            while (!r.done && r.value.key.startsWith(cp));
          }
          continue;
        }
      }
      if (count >= opts.maxKeys) {
        page.isTruncated = true;
        break;
      }
      page.objects.push(summary);
      page.last = key;
      count++;
      r = it.next();
    }
    return page;
  }
}
