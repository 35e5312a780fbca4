// A shard's bytes on a plain S3 endpoint, as the archive readers take them (ShardBytes): ranged GETs of the
// object. Small reads go through a read-ahead window, so the headers of a TAR of small members (which lie
// close together) come a thousand to a GET; a read far past the window (the next header after a large
// member, a ZIP's local header) fetches a little around it instead of the bytes in between. A read that
// reaches the end (a ZIP's end record) fetches the last window, where the central directory usually is.
// The object's ETag is pinned by the first GET and sent as If-Match with every later one (and compared):
// an object replaced mid-read is an error, never a mix of two versions. Memory: one window, whatever the size.
import { Readable } from 'node:stream';
import type { ShardBytes } from '../common/archive/bytes';
import { ClientError, type BucketRef, type ByteRange, type ObjectDownload } from './cluster';

export interface RangeGetOptions {
  /** Only this version of the object (its unquoted ETag). */
  ifMatch?: string;
  signal?: AbortSignal;
}

export type RangeGet = (bucket: BucketRef, key: string, range?: ByteRange, options?: RangeGetOptions) => Promise<ObjectDownload>;

/** Read-ahead of a read that follows on: ~1000 headers of a TAR of small members. */
export const WINDOW = 1024 * 1024;
/** Read-ahead after a jump: a header and what little follows it. */
export const JUMP_WINDOW = 64 * 1024;

/** The object a RangedBytes reads, and how its errors name it. */
export interface RangedObject {
  get: RangeGet;
  bucket: BucketRef;
  key: string;
  endpoint: string;
  signal?: AbortSignal;
}

export class RangedBytes implements ShardBytes {
  private win: Buffer;
  private winPos: number;

  private constructor(
    private readonly obj: RangedObject,
    readonly size: number,
    readonly etag: string | undefined,
    first: Buffer,
    firstPos: number,
  ) {
    this.win = first;
    this.winPos = firstPos;
  }

  /** Opens `obj` with one ranged GET of `len` bytes at `pos` (clamped to the object): its size and ETag, and those bytes. */
  static async open(obj: RangedObject, pos: number, len: number): Promise<RangedBytes> {
    let got: ObjectDownload;
    try {
      got = await obj.get(obj.bucket, obj.key, { start: pos, end: pos + Math.max(1, len) - 1 }, { signal: obj.signal });
    } catch (e) {
      // A range past the end: an empty object (every range is), or a resume offset past a shorter object.
      if (!(e instanceof ClientError && e.status === 416)) throw e;
      got = await obj.get(obj.bucket, obj.key, undefined, { signal: obj.signal });
      got.body.destroy();
      if (got.head.size !== 0) throw new ClientError('bad-request', `${label(obj)} has no byte ${pos}: it is ${got.head.size} bytes (did it change? list it again).`, obj.endpoint, 416);
      return new RangedBytes(obj, 0, got.head.etag, Buffer.alloc(0), 0);
    }
    const size = got.head.size;
    const want = Math.max(0, Math.min(len, size - pos));
    const buf = await bodyOf(obj, got, want);
    return new RangedBytes(obj, size, got.head.etag, buf, pos);
  }

  peek(pos: number, len: number): Buffer | undefined {
    len = Math.max(0, Math.min(len, this.size - pos));
    if (pos >= this.winPos && pos + len <= this.winPos + this.win.length) return this.win.subarray(pos - this.winPos, pos - this.winPos + len);
    return undefined;
  }

  async read(pos: number, len: number): Promise<Buffer> {
    const held = this.peek(pos, len);
    if (held) return held;
    len = Math.max(0, Math.min(len, this.size - pos));
    if (len === 0) return Buffer.alloc(0);
    if (len > WINDOW) return this.fetch(pos, len);
    const winEnd = this.winPos + this.win.length;
    let start = pos;
    let n: number;
    if (pos + len >= this.size) {
      // The end of the object (a ZIP's end record): the last window, without going back over the current one.
      start = Math.max(0, Math.min(pos, this.size - WINDOW));
      if (winEnd <= pos) start = Math.max(start, winEnd);
      n = this.size - start;
    } else if (pos >= winEnd && pos - winEnd <= WINDOW) n = WINDOW; // reading on
    else n = JUMP_WINDOW;
    n = Math.min(Math.max(n, pos + len - start), this.size - start);
    this.win = await this.fetch(start, n);
    this.winPos = start;
    return this.win.subarray(pos - start, pos - start + len);
  }

  /** Bytes [start, end): what the window holds of them from memory, the rest by one ranged GET. */
  range(start: number, end: number): Readable {
    const stop = Math.min(end, this.size);
    let from = Math.min(start, stop);
    let head: Buffer | undefined;
    if (from >= this.winPos && from < this.winPos + this.win.length) {
      head = this.win.subarray(from - this.winPos, Math.min(stop, this.winPos + this.win.length) - this.winPos);
      from += head.length;
    }
    return Readable.from(this.bytes(head, from, stop), { objectMode: false });
  }

  private async *bytes(head: Buffer | undefined, from: number, stop: number): AsyncGenerator<Buffer> {
    if (head?.length) yield head;
    if (from >= stop) return;
    const got = await this.get(from, stop - from);
    let n = 0;
    try {
      for await (const c of got.body as AsyncIterable<Buffer>) {
        n += c.length;
        if (n > stop - from) throw this.protocol(`sent more than the ${stop - from} bytes asked for`);
        yield c;
      }
    } catch (e) {
      throw abortedOr(this.obj, e);
    } finally {
      got.body.destroy();
    }
    if (n < stop - from) throw new ClientError('protocol', `${label(this.obj)} ended after ${n} of ${stop - from} bytes at offset ${from}.`, this.obj.endpoint);
  }

  /** Exactly `len` bytes at `pos` (within the object), by one GET. */
  private async fetch(pos: number, len: number): Promise<Buffer> {
    if (len === 0) return Buffer.alloc(0);
    return bodyOf(this.obj, await this.get(pos, len), len);
  }

  /** A GET of `len` bytes at `pos` of the pinned version. */
  private async get(pos: number, len: number): Promise<ObjectDownload> {
    let got: ObjectDownload;
    try {
      got = await this.obj.get(this.obj.bucket, this.obj.key, { start: pos, end: pos + len - 1 }, { ifMatch: this.etag, signal: this.obj.signal });
    } catch (e) {
      if (e instanceof ClientError && e.status === 412) throw changed(this.obj, e);
      throw abortedOr(this.obj, e);
    }
    if ((this.etag !== undefined && got.head.etag !== this.etag) || got.head.size !== this.size) {
      got.body.destroy();
      throw changed(this.obj);
    }
    return got;
  }

  private protocol(what: string): ClientError {
    return new ClientError('protocol', `${this.obj.endpoint} ${what} for ${label(this.obj)}: shards need ranged GETs that answer exactly.`, this.obj.endpoint);
  }
}

const label = (obj: RangedObject) => `s3://${obj.bucket.name}/${obj.key}`;

const changed = (obj: RangedObject, cause?: unknown) =>
  new ClientError('conflict', `${label(obj)} changed on ${obj.endpoint} while it was being read: list it again.`, obj.endpoint, 412, 'PreconditionFailed', { cause });

/** An abort shows as a reset connection mid-body: when the signal says so, it is the abort. */
function abortedOr(obj: RangedObject, e: unknown): unknown {
  if (!obj.signal?.aborted || (e instanceof ClientError && e.kind === 'aborted')) return e;
  return new ClientError('aborted', `Reading ${label(obj)} was cancelled.`, obj.endpoint, undefined, 'ABORT_ERR', { cause: e });
}

/** A ranged answer's body, which must be exactly `len` bytes (a server that ignored Range sends more). */
async function bodyOf(obj: RangedObject, got: ObjectDownload, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  let n = 0;
  try {
    for await (const c of got.body as AsyncIterable<Buffer>) {
      if (n + c.length > len) {
        throw new ClientError('protocol', `${obj.endpoint} sent more than the ${len} bytes asked for of ${label(obj)}: shards need ranged GETs that answer exactly.`, obj.endpoint);
      }
      c.copy(buf, n);
      n += c.length;
    }
  } catch (e) {
    throw abortedOr(obj, e);
  } finally {
    got.body.destroy();
  }
  if (n < len) throw new ClientError('protocol', `${label(obj)} ended after ${n} of ${len} bytes.`, obj.endpoint);
  return buf;
}
