// Multipart uploads: parts staged in the upload's directory (in place in its data file when they can be, see
// uploadPart), assembled into the object at complete, aborted, listed. The layout on disk is in store.ts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumType, createHasher } from '../checksum';
import { errors, GatewayError } from '../errors';
import { BucketState, Buckets, needsMd5 } from './buckets';
import { CompletedUploads, normalizePartEtag } from './completed';
import { DataDir } from './datadir';
import { KeyLocks } from './keylocks';
import { compareKeys, validateKey } from './keys';
import { appendTrailer, CorruptObjectFile, readTrailerAt } from './objectfile';
import { Objects } from './objects';
import { receive, ReceivedBody } from './receive';
import { RunningHash } from './runninghash';
import { BucketRef, ObjectMeta, PartInfo, PartOptions, UploadInfo } from './types';

const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10000;
export const UPLOAD_ID = /^[0-9a-f]{32}$/;

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
  /** The part list complete was given: a crash before the answer still lets a retry be recognised. */
  parts?: { partNumber: number; etag: string }[];
}
/** In-place parts stay below this offset (sparse files; ext4 allows 16 TiB). */
const MAX_UPLOAD_DATA_BYTES = 2 ** 40;

export class Uploads {
  private readonly layouts = new Map<string, Promise<UploadLayout>>();
  private readonly completed: CompletedUploads;

  constructor(
    private readonly data: DataDir,
    private readonly buckets: Buckets,
    private readonly objects: Objects,
    private readonly locks: KeyLocks,
    /** fsync part and object files before they become visible. */
    private readonly fsync: boolean,
    /** Tests: see StoreOptions. */
    private readonly afterCompleteRename: (() => void) | undefined,
  ) {
    this.completed = new CompletedUploads(data);
  }

  uploadDir(b: BucketState, uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw errors.noSuchUpload(uploadId);
    return path.join(b.dir, 'uploads', uploadId);
  }

  async createUpload(
    ref: BucketRef,
    key: string,
    opts: { contentType?: string; userMeta?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<UploadInfo> {
    validateKey(key);
    const b = this.buckets.state(ref);
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
    await this.data.writeJsonAtomic(path.join(dir, 'upload.json'), info);
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
    opts: PartOptions = {},
  ): Promise<PartInfo> {
    const b = this.buckets.state(ref);
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
      const got = await receive(this.data, body, 'none', { ...opts, md5: true });
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
          got = await receive(this.data, body, 'none', { ...opts, md5: true, into: { file: path.join(dir, UPLOAD_DATA), start: offset } });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.noSuchUpload(uploadId);
          throw e;
        }
        if (this.fsync) {
          const fh = await fs.promises.open(got.tmp, 'r+');
          try {
            await fh.sync();
          } finally {
            await fh.close();
          }
        }
        const stored: PartTrailer = { partNumber, size: got.size, md5: got.md5!, mtime: Date.now(), offset, stripe };
        await this.storePartTrailer(dir, uploadId, this.data.tmpPath(), stored);
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
      await appendTrailer(file, part, this.fsync);
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
    const b = this.buckets.state(ref);
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
    const b = this.buckets.state(ref);
    const dir = this.uploadDir(b, uploadId);
    return this.locks.run(dir, async () => {
      // Completed before (a crash or a failure stopped its cleanup): settling it records it as completed.
      await this.settleComplete(b, uploadId);
      let upload: UploadInfo;
      try {
        upload = await this.uploadInfo(b, uploadId);
      } catch (e) {
        if (e instanceof GatewayError && e.code === 'NoSuchUpload') return this.retriedComplete(b, uploadId, requested, e);
        throw e;
      }
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

  /**
   * A complete for an upload already completed (its first answer was lost): answered with the object it
   * made while that object is still there, unchanged. Another part list is refused, as S3 does.
   */
  private async retriedComplete(
    b: BucketState,
    uploadId: string,
    requested: { partNumber: number; etag: string }[],
    notFound: GatewayError,
  ): Promise<ObjectMeta> {
    const record = await this.completed.find(b, uploadId);
    if (!record) throw notFound;
    const same =
      record.parts.length === requested.length &&
      record.parts.every((p, i) => p.partNumber === requested[i].partNumber && p.etag === normalizePartEtag(requested[i].etag));
    if (!same) throw errors.invalidPart(`Upload ${uploadId} was completed with another list of parts`);
    const meta = await this.objects.metaOf(b, record.key);
    if (!meta || meta.etag !== record.etag || (record.version !== undefined && meta.version !== record.version)) {
      // Overwritten or deleted since: the upload's object is gone, and so is the upload.
      await this.completed.forget(b, uploadId);
      throw notFound;
    }
    return meta;
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
    let got: ReceivedBody;
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
      got = await receive(this.data, concatenated, type, { expectedSize: total, md5: needsMd5(b) });
    }
    // The marker says which file becomes the object: if the process dies once it is renamed, the next
    // start removes the upload (see settleComplete).
    const markerFile = path.join(dir, COMPLETE_MARKER);
    const parts = requested.map((r) => ({ partNumber: r.partNumber, etag: normalizePartEtag(r.etag) }));
    const marker: CompleteMarker = { source: path.relative(this.data.dir, got.tmp), key: upload.key, etag, parts };
    try {
      await this.data.writeJsonAtomic(markerFile, marker, this.fsync);
    } catch (e) {
      if (!inPlace) await fs.promises.rm(got.tmp, { force: true });
      throw e;
    }
    let meta: ObjectMeta;
    try {
      meta = await this.objects.commit(b, upload.key, got.tmp, {
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
    this.afterCompleteRename?.();
    // Remembered before the upload goes: a crash in between leaves the marker, and settleComplete records it.
    await this.completed.remember(b, uploadId, { key: upload.key, etag, version: meta.version, parts, completedAt: Date.now() });
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
  ): Promise<ReceivedBody | undefined> {
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
  private async hashDataFile(b: BucketState, dataFile: string, total: number): Promise<ReceivedBody> {
    return this.assembled(b, dataFile, total, await RunningHash.ofFile(this.objectHashTypes(b), dataFile, total));
  }

  /** receive()'s result for an assembled data file, from digests in objectHashTypes() order. */
  private assembled(b: BucketState, dataFile: string, total: number, [md5hex, mainHex]: string[]): ReceivedBody {
    const md5 = needsMd5(b) ? { md5: md5hex } : {};
    return { tmp: dataFile, size: total, ...md5, checksum: b.props.checksum.type === 'md5' ? md5hex : mainHex };
  }


  /**
   * For an upload with a complete marker: when the marked file was renamed into the object, removes the
   * upload directory (the object is in place) and returns true; when it was not, removes the marker (the
   * upload stays as it was, a retried complete redoes it) and returns false.
   */
  async settleComplete(b: BucketState, uploadId: string): Promise<boolean> {
    const dir = this.uploadDir(b, uploadId);
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
    const renamed = await fs.promises.access(path.resolve(this.data.dir, marker.source)).then(() => false, () => true);
    if (!renamed) {
      await fs.promises.rm(path.join(dir, COMPLETE_MARKER), { force: true });
      return false;
    }
    // The object's version is not in the marker: the one there now is it when its ETag is the upload's.
    const meta = await this.objects.metaOf(b, marker.key);
    if (marker.parts && meta?.etag === marker.etag && !(await this.completed.find(b, uploadId)))
      await this.completed.remember(b, uploadId, { key: marker.key, etag: marker.etag, parts: marker.parts, completedAt: Date.now() });
    const graveyard = this.data.tmpPath();
    await fs.promises.rename(dir, graveyard);
    this.layouts.delete(dir);
    await fs.promises.rm(graveyard, { recursive: true, force: true });
    return true;
  }

  async abortUpload(ref: BucketRef, uploadId: string): Promise<void> {
    const b = this.buckets.state(ref);
    const dir = this.uploadDir(b, uploadId);
    await this.locks.run(dir, async () => {
      await this.uploadInfo(b, uploadId);
      // Rename away first so a concurrent UploadPart cannot land a part in a half-removed directory.
      const graveyard = this.data.tmpPath();
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
    const b = this.buckets.state(ref);
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
