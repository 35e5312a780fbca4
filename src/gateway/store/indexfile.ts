// A bucket's index on disk, so that a start reads one file instead of every object's trailer:
//   index.snap            the index as of a moment: its records in key order, then a count and an XXH64
//   index.journal.<gen>   every put and delete since that moment, appended BEFORE its rename or unlink
// A snapshot of generation G is the index at the moment journal G was opened, plus (at most) changes
// that journal G also holds: a start replays journals G and later. A journal record is only a claim: the
// start checks each key's last record against the file (a put's inode and size, a delete's absence) and
// reads the trailer when they disagree, so a crash between a record and its rename costs nothing.
// Trusted only when whole: a bad magic, checksum, count or key order, a missing journal, or an object
// directory changed since the snapshot that no journal record explains (another program, an older
// gateway) makes the start rebuild from the trailers, as a data dir without an index file does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CHECKSUM_TYPES, ChecksumType, checksumOf, createHasher } from '../checksum';
import { DataDir } from './datadir';
import { KeyIndex } from './keyindex';
import { CorruptObjectFile, readTrailerSync } from './objectfile';
import { ObjectMeta, ObjectSummary } from './types';

export const SNAPSHOT_FILE = 'index.snap';
export const JOURNAL_PREFIX = 'index.journal.';
const MAGIC = Buffer.from('AISBIDX1');
/** A key length no key has (keys are at most 1024 bytes): the end of the records. */
const END = 0xffff;
const SAME_ETAG = 0xffff;
/** Records since the snapshot after which it is rewritten: a start checks each with a stat. */
export const JOURNAL_LIMIT = 32_768;
const BLOCK = 1024 * 1024;
const ENTRIES_PER_BATCH = 4096;

export function summaryOf(meta: ObjectMeta): ObjectSummary {
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

/** A journal record: a put (with what the file will be once renamed) or a delete of `key`. */
export interface JournalEntry {
  key: string;
  put?: { s: ObjectSummary; ino: string; size: number };
}

class InvalidIndex extends Error {}

const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

// ---------------------------------------------------------------- journal

function encodeRecord(e: JournalEntry): Buffer {
  const json = Buffer.from(JSON.stringify(e.put ? { k: e.key, s: e.put.s, i: e.put.ino, z: e.put.size } : { k: e.key }), 'utf8');
  const head = Buffer.alloc(12);
  head.writeUInt32BE(json.length, 0);
  Buffer.from(checksumOf('xxhash', json), 'hex').copy(head, 4);
  return Buffer.concat([head, json]);
}

/**
 * The journal's records up to a last one cut short (the write a crash interrupted). A damaged record with
 * more after it is no crash's doing: the journal is not trusted.
 */
async function readJournal(file: string): Promise<JournalEntry[]> {
  const buf = await fs.promises.readFile(file);
  const out: JournalEntry[] = [];
  for (let off = 0; off + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(off);
    if (off + 12 + len > buf.length) break;
    const json = buf.subarray(off + 12, off + 12 + len);
    if (checksumOf('xxhash', json) !== buf.toString('hex', off + 4, off + 12)) {
      if (off + 12 + len < buf.length) throw new InvalidIndex(`${path.basename(file)} is damaged`);
      break;
    }
    const r = JSON.parse(json.toString('utf8')) as { k: string; s?: ObjectSummary; i?: string; z?: number };
    out.push(r.s ? { key: r.k, put: { s: r.s, ino: r.i ?? '', size: r.z ?? -1 } } : { key: r.k });
    off += 12 + len;
  }
  return out;
}

const fdWrite = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);
const close = promisify(fs.close);
const open = promisify(fs.open);

/**
 * Appends in order, one write at a time (a batch of what waited), so records never interleave. A plain
 * descriptor: a store dropped without close (tests) leaves it to the process's end, without warnings.
 */
class Appender {
  private pending: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly fd: number,
    private readonly fsync: boolean,
  ) {}

  static async open(file: string, fsync: boolean): Promise<Appender> {
    return new Appender(await open(file, 'a'), fsync);
  }

  append(buf: Buffer): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.pending.push(buf);
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return done;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const buf = Buffer.concat(this.pending.splice(0));
      const waiters = this.waiters.splice(0);
      try {
        const { bytesWritten } = await fdWrite(this.fd, buf);
        if (bytesWritten !== buf.length) throw new Error(`short write to the index journal (${bytesWritten} of ${buf.length} bytes)`);
        if (this.fsync) await fdatasync(this.fd);
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
  }

  async close(): Promise<void> {
    while (this.running) await this.running;
    await close(this.fd).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- snapshot

/** Grows as records are written into it; `take` hands over what is there. */
class Encoder {
  buf = Buffer.allocUnsafe(BLOCK * 2);
  off = 0;

  ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.off));
    this.off = 0;
    return out;
  }

  entry(s: ObjectSummary): void {
    const keyLen = Buffer.byteLength(s.key, 'utf8');
    const valueLen = Buffer.byteLength(s.checksum.value, 'utf8');
    const versionLen = Buffer.byteLength(s.version, 'utf8');
    const sameEtag = s.etag === s.checksum.value;
    const etagLen = sameEtag ? 0 : Buffer.byteLength(s.etag, 'utf8');
    if (keyLen >= END || valueLen > 255 || versionLen > 255 || etagLen >= SAME_ETAG) throw new InvalidIndex(`entry ${s.key} does not fit the index file`);
    this.ensure(2 + keyLen + 24 + 2 + valueLen + 1 + versionLen + 2 + etagLen);
    const b = this.buf;
    let o = b.writeUInt16BE(keyLen, this.off);
    o += b.write(s.key, o, 'utf8');
    o = b.writeDoubleLE(s.size, o);
    o = b.writeDoubleLE(s.mtime, o);
    o = b.writeDoubleLE(s.atime, o);
    o = b.writeUInt8(Math.max(0, CHECKSUM_TYPES.indexOf(s.checksum.type)), o);
    o = b.writeUInt8(valueLen, o);
    o += b.write(s.checksum.value, o, 'utf8');
    o = b.writeUInt8(versionLen, o);
    o += b.write(s.version, o, 'utf8');
    o = b.writeUInt16BE(sameEtag ? SAME_ETAG : etagLen, o);
    if (!sameEtag) o += b.write(s.etag, o, 'utf8');
    this.off = o;
  }
}

/** One record at `off`, or undefined when `buf` ends before it does (the caller reads on). */
function decodeEntry(buf: Buffer, off: number): { s: ObjectSummary; next: number } | undefined {
  if (off + 2 > buf.length) return undefined;
  const keyLen = buf.readUInt16BE(off);
  let o = off + 2;
  if (o + keyLen + 26 > buf.length) return undefined;
  const key = buf.toString('utf8', o, (o += keyLen));
  const size = buf.readDoubleLE(o);
  const mtime = buf.readDoubleLE(o + 8);
  const atime = buf.readDoubleLE(o + 16);
  const type = CHECKSUM_TYPES[buf[o + 24]] as ChecksumType | undefined;
  const valueLen = buf[o + 25];
  o += 26;
  if (!type) throw new InvalidIndex('unknown checksum type');
  if (o + valueLen + 1 > buf.length) return undefined;
  const value = buf.toString('utf8', o, (o += valueLen));
  const versionLen = buf[o++];
  if (o + versionLen + 2 > buf.length) return undefined;
  const version = buf.toString('utf8', o, (o += versionLen));
  const etagLen = buf.readUInt16BE(o);
  o += 2;
  let etag = value;
  if (etagLen !== SAME_ETAG) {
    if (o + etagLen > buf.length) return undefined;
    etag = buf.toString('utf8', o, (o += etagLen));
  }
  return { s: { key, size, mtime, atime, etag, checksum: { type, value }, version }, next: o };
}

interface Snapshot {
  gen: number;
  /** Each object directory's mtime (ns) when the snapshot began. */
  shards: Record<string, string>;
  index: KeyIndex;
}

/** Reads a snapshot, streaming (a million keys need not sit in memory twice); undefined when there is none. */
async function readSnapshot(file: string): Promise<Snapshot | undefined> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const hashedEnd = size - 8;
    if (hashedEnd < MAGIC.length + 4 + 6) throw new InvalidIndex('index file too short');
    const hasher = createHasher('xxhash');
    let pos = 0;
    let buf = Buffer.alloc(0);
    let off = 0;
    /** Reads on until `buf` holds at least `n` unread bytes or the file ends; false at the end. */
    const more = async (): Promise<boolean> => {
      if (pos >= size) return false;
      const block = Buffer.allocUnsafe(Math.min(BLOCK, size - pos));
      const { bytesRead } = await fh.read(block, 0, block.length, pos);
      if (bytesRead === 0) return false;
      const got = block.subarray(0, bytesRead);
      hasher.update(got.subarray(0, Math.max(0, Math.min(bytesRead, hashedEnd - pos))));
      pos += bytesRead;
      buf = off < buf.length ? Buffer.concat([buf.subarray(off), got]) : got;
      off = 0;
      return true;
    };
    while (buf.length < MAGIC.length + 4) if (!(await more())) throw new InvalidIndex('index file cut short');
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new InvalidIndex('not an index file');
    const headLen = buf.readUInt32BE(MAGIC.length);
    off = MAGIC.length + 4;
    while (buf.length - off < headLen) if (!(await more())) throw new InvalidIndex('index header cut short');
    const head = JSON.parse(buf.toString('utf8', off, off + headLen)) as { gen?: unknown; shards?: unknown };
    off += headLen;
    if (typeof head.gen !== 'number' || typeof head.shards !== 'object' || head.shards === null) throw new InvalidIndex('bad index header');
    const builder = KeyIndex.builder();
    let count = 0;
    for (;;) {
      if (buf.length - off >= 2 && buf.readUInt16BE(off) === END) break;
      const r = decodeEntry(buf, off);
      if (!r) {
        if (!(await more())) throw new InvalidIndex('index records cut short');
        continue;
      }
      if (!builder.add(r.s)) throw new InvalidIndex('index keys out of order');
      off = r.next;
      count++;
    }
    while (buf.length - off < 14) if (!(await more())) throw new InvalidIndex('index footer cut short');
    // The footer ends the file; its hash covers everything before it.
    if (pos !== size || buf.length - off !== 14) throw new InvalidIndex('bytes after the index footer');
    if (buf.readUInt32BE(off + 2) !== count) throw new InvalidIndex('index count does not match its records');
    if (buf.toString('hex', off + 6, off + 14) !== hasher.digest()) throw new InvalidIndex('index checksum mismatch');
    return { gen: head.gen, shards: head.shards as Record<string, string>, index: builder.done() };
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------- the bucket's index file

export class IndexFile {
  /** The journal being appended to, and its generation. */
  private gen = 0;
  private journal?: Appender;
  /** Records since the last snapshot began; and whether the snapshot on disk must be rewritten anyway. */
  private changes = 0;
  private stale = false;
  /** Reads since the last snapshot began (their atimes live only in memory and in the snapshot). */
  private accessed = false;
  /** Records appended whose rename or unlink has not finished: a new journal gets them again. */
  private readonly inflight = new Map<number, Buffer>();
  private seq = 0;
  private writing?: Promise<void>;
  private closed = false;

  constructor(
    private readonly data: DataDir,
    private readonly dir: string,
    private readonly fsync: boolean,
    /** The object file of a key. */
    private readonly pathOf: (key: string) => string,
    /** Rebuilds the index from the object files. */
    private readonly scan: () => Promise<KeyIndex>,
    private readonly journalLimit = JOURNAL_LIMIT,
  ) {}

  private get snapshotPath() {
    return path.join(this.dir, SNAPSHOT_FILE);
  }

  private journalPath(gen: number) {
    return path.join(this.dir, JOURNAL_PREFIX + gen);
  }

  /** The index: from the snapshot and journals when they hold together, else rebuilt from the files. */
  async load(): Promise<KeyIndex> {
    const gens = (await readdirOrEmpty(this.dir))
      .filter((n) => n.startsWith(JOURNAL_PREFIX))
      .map((n) => Number(n.slice(JOURNAL_PREFIX.length)))
      .filter((g) => Number.isSafeInteger(g) && g > 0)
      .sort((a, b) => a - b);
    let index: KeyIndex | undefined;
    try {
      const loaded = await this.fromSnapshot(gens);
      if (loaded) {
        index = loaded.index;
        this.stale = loaded.replayed > 0;
      }
    } catch (e) {
      if (!(e instanceof InvalidIndex || e instanceof SyntaxError || e instanceof RangeError)) throw e;
    }
    if (!index) {
      // Never trusted again: a crash before the next snapshot must not find this one.
      await fs.promises.rm(this.snapshotPath, { force: true });
      index = await this.scan();
      this.stale = true;
    }
    // A fresh journal: the last one may end in a record a crash cut short, after which nothing is read.
    this.gen = (gens.at(-1) ?? 0) + 1;
    this.journal = await Appender.open(this.journalPath(this.gen), this.fsync);
    if (this.stale) void this.snapshot(index).catch(() => undefined);
    return index;
  }

  private async fromSnapshot(gens: number[]): Promise<{ index: KeyIndex; replayed: number } | undefined> {
    const snap = await readSnapshot(this.snapshotPath);
    if (!snap) return undefined;
    // The snapshot's journal is made before the snapshot: without it, records may be missing.
    if (!gens.includes(snap.gen)) throw new InvalidIndex('the index journal is missing');
    const last = new Map<string, JournalEntry>();
    for (const g of gens) if (g >= snap.gen) for (const e of await readJournal(this.journalPath(g))) last.set(e.key, e);
    // Every object directory changed since the snapshot must hold a key the journals name.
    const explained = new Set([...last.keys()].map((k) => path.basename(path.dirname(this.pathOf(k)))));
    const now = await this.shardTimes();
    for (const [name, t] of Object.entries(now)) {
      if (snap.shards[name] !== t && !explained.has(name)) throw new InvalidIndex(`objects/${name} changed outside the journal`);
    }
    for (const name of Object.keys(snap.shards)) if (!(name in now)) throw new InvalidIndex(`objects/${name} is gone`);
    // Synchronous stats in slices (a few µs each, where a promise each costs ten times that).
    let n = 0;
    const tail = Buffer.allocUnsafe(4096);
    for (const e of last.values()) {
      this.replay(snap.index, e, tail);
      if (++n % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    return { index: snap.index, replayed: n };
  }

  /** Applies a key's last journal record as the file on disk confirms it, or the file's trailer when not. */
  private replay(index: KeyIndex, e: JournalEntry, tail: Buffer): void {
    const file = this.pathOf(e.key);
    const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    if (e.put && st && String(st.ino) === e.put.ino && Number(st.size) === e.put.size) return void index.set(e.key, e.put.s);
    if (!st) return void index.delete(e.key);
    try {
      const meta = readTrailerSync<ObjectMeta>(file, tail);
      if (meta.key === e.key) index.set(e.key, summaryOf(meta));
      else index.delete(e.key);
    } catch (err) {
      if (!(err instanceof CorruptObjectFile) && !(err instanceof SyntaxError) && !isNotFound(err)) throw err;
      index.delete(e.key);
    }
  }

  /** mtime (ns) of every directory under objects/. */
  private async shardTimes(): Promise<Record<string, string>> {
    const root = path.join(this.dir, 'objects');
    const out: Record<string, string> = {};
    await Promise.all(
      (await readdirOrEmpty(root)).map(async (name) => {
        try {
          out[name] = String((await fs.promises.stat(path.join(root, name), { bigint: true })).mtimeNs);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    );
    return out;
  }

  /**
   * Journals changes before they are made (call right before the rename or unlink, under the key lock);
   * `done` with the returned token once the index shows them.
   */
  async record(entries: JournalEntry[]): Promise<number> {
    const buf = Buffer.concat(entries.map(encodeRecord));
    const token = ++this.seq;
    this.inflight.set(token, buf);
    this.changes += entries.length;
    try {
      if (!this.journal) throw new Error('the index journal is not open');
      await this.journal.append(buf);
    } catch (e) {
      this.inflight.delete(token);
      await this.distrust();
      throw e;
    }
    return token;
  }

  done(token: number, index: KeyIndex): void {
    this.inflight.delete(token);
    if (this.changes >= this.journalLimit && !this.closed) void this.snapshot(index).catch(() => undefined);
  }

  /** A read changed an atime: the shutdown's snapshot keeps it. */
  noteAccess(): void {
    this.accessed = true;
  }

  /** A journal that may have lost a record: the next start rebuilds unless a snapshot is written first. */
  private async distrust(): Promise<void> {
    this.stale = true;
    await fs.promises.rm(this.snapshotPath, { force: true }).catch(() => undefined);
  }

  /** Writes a snapshot (one at a time; a call while one runs gets that one). */
  snapshot(index: KeyIndex): Promise<void> {
    this.writing ??= this.writeSnapshot(index).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeSnapshot(index: KeyIndex): Promise<void> {
    // From here every change goes to the new journal; the ones in flight are carried into it.
    const gen = this.gen + 1;
    const next = await Appender.open(this.journalPath(gen), this.fsync);
    const old = this.journal;
    this.journal = next;
    this.gen = gen;
    this.changes = 0;
    this.accessed = false;
    const carried = this.inflight.size ? next.append(Buffer.concat([...this.inflight.values()])) : undefined;
    carried?.catch(() => undefined); // awaited below, before the snapshot counts
    await old?.close();
    const tmp = this.data.tmpPath();
    try {
      const shards = await this.shardTimes();
      const fh = await fs.promises.open(tmp, 'w');
      try {
        const hasher = createHasher('xxhash');
        const write = async (b: Buffer) => {
          hasher.update(b);
          await fh.write(b);
        };
        const head = Buffer.from(JSON.stringify({ gen, shards }), 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(head.length);
        await write(Buffer.concat([MAGIC, len, head]));
        // In batches from the last key written: the index may change between them, and whatever a batch
        // sees of a change, the new journal holds it too.
        const enc = new Encoder();
        let count = 0;
        let after: string | undefined;
        for (;;) {
          let n = 0;
          for (const s of after === undefined ? index.entries() : index.from(after, false)) {
            enc.entry(s);
            after = s.key;
            if (++n === ENTRIES_PER_BATCH) break;
          }
          count += n;
          if (enc.off > 0) await write(enc.take());
          if (n < ENTRIES_PER_BATCH) break;
        }
        const end = Buffer.alloc(6);
        end.writeUInt16BE(END, 0);
        end.writeUInt32BE(count, 2);
        await write(end);
        await fh.write(Buffer.from(hasher.digest(), 'hex'));
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await carried;
      } catch (e) {
        await this.distrust();
        throw e;
      }
      await fs.promises.rename(tmp, this.snapshotPath);
      if (this.fsync) await syncDir(this.dir);
      this.stale = false;
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      // A bucket deleted meanwhile has nowhere to put it.
      if (isNotFound(e)) return;
      throw e;
    }
    for (const name of await readdirOrEmpty(this.dir)) {
      const g = name.startsWith(JOURNAL_PREFIX) ? Number(name.slice(JOURNAL_PREFIX.length)) : NaN;
      if (g < gen) await fs.promises.rm(path.join(this.dir, name), { force: true });
    }
  }

  /** At a clean shutdown: a snapshot when anything changed, so the next start replays nothing. */
  async close(index: KeyIndex | undefined): Promise<void> {
    this.closed = true;
    await this.writing?.catch(() => undefined);
    if (index && (this.stale || this.changes > 0 || this.accessed)) await this.snapshot(index).catch(() => undefined);
    await this.journal?.close();
  }

  /** The bucket is gone: stop without writing. */
  async discard(): Promise<void> {
    this.closed = true;
    await this.writing?.catch(() => undefined);
    await this.journal?.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fs.promises.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open a directory; its renames are durable through the journal (NTFS) anyway.
  }
}
