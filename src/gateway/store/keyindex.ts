// A bucket's in-memory index: its keys in S3 order with what a listing shows of each object. Built for a
// million keys and more: keys sit in sorted chunks (a two-level B+ tree, loaded from a sorted list in one
// pass), and an entry's fields live in typed-array columns at a slot number, so an entry costs its key
// string, two array cells and ~50 bytes of columns instead of an object graph per key. Checksums of up to
// 16 bytes (xxhash, md5, crc32c) are kept as bytes; an ETag other than the checksum, a longer checksum or
// a version that is no plain integer goes to a side map.
import { CHECKSUM_TYPES, ChecksumType } from '../checksum';
import { compareKeys } from './keys';
import { ObjectSummary } from './types';

/** Keys per chunk before it splits: inserts move at most this many cells. */
const CHUNK = 512;

interface Chunk {
  keys: string[];
  slots: number[];
}

const TYPE_CODE = new Map<string, number>(CHECKSUM_TYPES.map((t, i) => [t, i]));
/** Bytes of checksum kept in the column; a longer one (sha256, sha512) or one not in lowercase hex is a string. */
const HEX_BYTES = 16;
const IN_MAP = 255;
const LOWER_HEX = /^(?:[0-9a-f]{2}){0,16}$/;

/** Drops the spare capacity a chunk's arrays grew while filled. */
function trim(c: Chunk): void {
  c.keys = c.keys.slice();
  c.slots = c.slots.slice();
}

export class KeyIndex {
  private chunks: Chunk[] = [];
  private count = 0;
  // Columns, indexed by slot.
  private sizes = new Float64Array(0);
  private mtimes = new Float64Array(0);
  private atimes = new Float64Array(0);
  private versions = new Uint32Array(0);
  private types = new Uint8Array(0);
  /** The checksum's byte count in `hex`, or IN_MAP when it is in `values`. */
  private hexLens = new Uint8Array(0);
  private hex = Buffer.alloc(0);
  private values = new Map<number, string>();
  /** ETags that are not the checksum (multipart uploads, remote objects). */
  private etags = new Map<number, string>();
  /** Versions that are not plain integers below 2^32 (never written by this store, kept as found). */
  private oddVersions = new Map<number, string>();
  private free: number[] = [];
  private slotsUsed = 0;

  get size(): number {
    return this.count;
  }

  /** An index holding `entries`, which must be in key order without duplicates (undefined when not). */
  static fromSorted(entries: Iterable<ObjectSummary>): KeyIndex | undefined {
    const b = KeyIndex.builder();
    for (const e of entries) if (!b.add(e)) return undefined;
    return b.done();
  }

  /** A loader that takes entries one at a time in key order (the index file streams them). */
  static builder(): { add(e: ObjectSummary): boolean; done(): KeyIndex } {
    const idx = new KeyIndex();
    let chunk: Chunk | undefined;
    let prev: string | undefined;
    return {
      add(e) {
        if (prev !== undefined && compareKeys(prev, e.key) >= 0) return false;
        prev = e.key;
        if (!chunk || chunk.keys.length >= (CHUNK * 3) / 4) {
          if (chunk) trim(chunk);
          idx.chunks.push((chunk = { keys: [], slots: [] }));
        }
        chunk.keys.push(e.key);
        chunk.slots.push(idx.store(idx.alloc(), e));
        idx.count++;
        return true;
      },
      done: () => {
        if (chunk) trim(chunk);
        return idx;
      },
    };
  }

  get(key: string): ObjectSummary | undefined {
    const at = this.find(key);
    return at.found ? this.summaryAt(this.chunks[at.chunk].slots[at.pos], key) : undefined;
  }

  has(key: string): boolean {
    return this.find(key).found;
  }

  set(key: string, s: ObjectSummary): void {
    const at = this.find(key);
    if (at.found) {
      this.store(this.chunks[at.chunk].slots[at.pos], s);
      return;
    }
    const slot = this.store(this.alloc(), s);
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], slots: [slot] });
      return;
    }
    const c = this.chunks[at.chunk];
    c.keys.splice(at.pos, 0, key);
    c.slots.splice(at.pos, 0, slot);
    if (c.keys.length > CHUNK) {
      const half = c.keys.length >> 1;
      this.chunks.splice(at.chunk + 1, 0, { keys: c.keys.splice(half), slots: c.slots.splice(half) });
    }
  }

  delete(key: string): boolean {
    const at = this.find(key);
    if (!at.found) return false;
    const c = this.chunks[at.chunk];
    const slot = c.slots[at.pos];
    c.keys.splice(at.pos, 1);
    c.slots.splice(at.pos, 1);
    if (c.keys.length === 0) this.chunks.splice(at.chunk, 1);
    this.values.delete(slot);
    this.etags.delete(slot);
    this.oddVersions.delete(slot);
    this.free.push(slot);
    this.count--;
    return true;
  }

  /** Records a read (atime lives in memory and in the index file, not in the object's trailer). */
  touch(key: string, atime: number): void {
    const at = this.find(key);
    if (at.found) this.atimes[this.chunks[at.chunk].slots[at.pos]] = atime;
  }

  /**
   * Entries in key order from `key` (included when `inclusive`, else the first one after it). The
   * generator must not be resumed after the index changed (listings run to the end synchronously).
   */
  *from(key: string, inclusive: boolean): Generator<ObjectSummary> {
    const at = this.find(key);
    let ci = at.chunk;
    let pos = at.found && !inclusive ? at.pos + 1 : at.pos;
    for (; ci < this.chunks.length; ci++, pos = 0) {
      const c = this.chunks[ci];
      for (; pos < c.keys.length; pos++) yield this.summaryAt(c.slots[pos], c.keys[pos]);
    }
  }

  /** Every entry in key order (the index file's writer). */
  *entries(): Generator<ObjectSummary> {
    yield* this.from('', true);
  }

  /** Where `key` is or would go: its chunk and position in it. */
  private find(key: string): { chunk: number; pos: number; found: boolean } {
    const chunks = this.chunks;
    if (chunks.length === 0) return { chunk: 0, pos: 0, found: false };
    // The last chunk whose first key is <= key (or the first chunk).
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareKeys(chunks[mid].keys[0], key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    const keys = chunks[lo].keys;
    let a = 0;
    let b = keys.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      const c = compareKeys(keys[mid], key);
      if (c === 0) return { chunk: lo, pos: mid, found: true };
      if (c < 0) a = mid + 1;
      else b = mid;
    }
    // Past the end of this chunk: the next chunk's start (so iteration continues there).
    if (a === keys.length && lo < chunks.length - 1) return { chunk: lo + 1, pos: 0, found: false };
    return { chunk: lo, pos: a, found: false };
  }

  private alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.slotsUsed++;
    if (slot >= this.sizes.length) this.grow(Math.max(1024, this.sizes.length * 2));
    return slot;
  }

  private grow(n: number): void {
    const widen = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.sizes = widen(this.sizes, (n) => new Float64Array(n));
    this.mtimes = widen(this.mtimes, (n) => new Float64Array(n));
    this.atimes = widen(this.atimes, (n) => new Float64Array(n));
    this.versions = widen(this.versions, (n) => new Uint32Array(n));
    this.types = widen(this.types, (n) => new Uint8Array(n));
    this.hexLens = widen(this.hexLens, (n) => new Uint8Array(n));
    const hex = Buffer.alloc(n * HEX_BYTES);
    this.hex.copy(hex);
    this.hex = hex;
  }

  private store(slot: number, s: ObjectSummary): number {
    this.sizes[slot] = s.size;
    this.mtimes[slot] = s.mtime;
    this.atimes[slot] = s.atime;
    const v = Number(s.version);
    if (v >= 0 && v <= 0xffffffff && Number.isInteger(v) && String(v) === s.version) {
      this.versions[slot] = v;
      this.oddVersions.delete(slot);
    } else this.oddVersions.set(slot, s.version);
    this.types[slot] = TYPE_CODE.get(s.checksum.type) ?? 0;
    const value = s.checksum.value;
    if (LOWER_HEX.test(value)) {
      this.hexLens[slot] = this.hex.write(value, slot * HEX_BYTES, 'hex');
      this.values.delete(slot);
    } else {
      this.hexLens[slot] = IN_MAP;
      this.values.set(slot, value);
    }
    // Most ETags are the checksum itself.
    if (s.etag === value) this.etags.delete(slot);
    else this.etags.set(slot, s.etag);
    return slot;
  }

  private summaryAt(slot: number, key: string): ObjectSummary {
    const n = this.hexLens[slot];
    const value = n === IN_MAP ? this.values.get(slot)! : this.hex.toString('hex', slot * HEX_BYTES, slot * HEX_BYTES + n);
    return {
      key,
      size: this.sizes[slot],
      mtime: this.mtimes[slot],
      atime: this.atimes[slot],
      etag: this.etags.get(slot) ?? value,
      checksum: { type: CHECKSUM_TYPES[this.types[slot]] as ChecksumType, value },
      version: this.oddVersions.get(slot) ?? String(this.versions[slot]),
    };
  }
}
