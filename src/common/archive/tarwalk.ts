// A TAR header walk, for .tar read in place and for .tgz/.tar.lz4 read through their decompressor.
//
// Why our own: the npm TAR readers (tar-stream, tar) parse a stream, so reaching the last member of a 1 GB
// .tar means reading the gigabyte. A .tar can be walked by its headers alone: each 512-byte header gives
// the member's size, the next header is at the next 512-byte boundary after the data. With positional reads
// a few large members list in a few reads, and a member streams from its own offset. Compressed TARs have
// no random access: the same walk runs over the decompressed stream, skipping by reading.
//
// What a header holds (POSIX ustar, with GNU and PAX extensions, as Go's archive/tar reads them): name
// 0..100, mode 100, uid 108, gid 116, size 124..136 (octal, or base-256 when the high bit is set), mtime
// 136, checksum 148..156, type 156, linkname 157..257, magic 257 ("ustar\0" POSIX, "ustar  \0" GNU),
// uname 265, gname 297, prefix 345..500 (POSIX only: name = prefix/name). Type 'x' is a PAX header for the
// next member (records "LEN key=value\n": path, size, mtime, ...), 'g' a global one, 'L'/'K' GNU long
// name/link for the next member. Two zero blocks end the archive; an archive that simply stops at a header
// boundary is taken as ended too, as Go does.
import { Readable } from 'node:stream';
import { ArchiveError } from './formats';
import type { ShardBytes } from './bytes';

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** Go's maxSpecialFileSize: PAX and GNU long-name data larger than this is refused. */
const MAX_SPECIAL = 1 << 20;

/** One member's header, as a reader of the shard sees it. */
export interface TarHeader {
  name: string;
  /** Bytes of data (0 for links, directories and devices, whatever the header says). */
  size: number;
  /** Type flag: '0' file, '1' hard link, '2' symlink, '5' directory... */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since epoch. */
  mtime: number;
  linkname: string;
  dir: boolean;
}

/**
 * What the walk reads from: a file by position, or a stream by reading on. Each call may answer at once
 * (a value) or later (a promise): a walk over 100,000 headers in one read-ahead window then costs no
 * promise per header.
 */
export interface BlockSource {
  /** `n` bytes, fewer only at the end. */
  read(n: number): Buffer | Promise<Buffer>;
  skip(n: number): void | Promise<void>;
  /** The next `n` bytes (a member's data) as a stream, read by the visitor before it returns. */
  take(n: number): Readable;
  /** Moves past a member's `n` bytes of data, whether the visitor read them, some, or none. */
  pass(n: number): void | Promise<void>;
  /** Whether `n` more bytes exist, when the source can tell without reading (a file can). */
  has(n: number): boolean;
}

/** Return true to stop the walk. `open` streams this member's bytes (read them before returning). */
export type TarVisitor = (h: TarHeader, open: () => Readable) => boolean | void | Promise<boolean | void>;

export const truncated = () => new ArchiveError(400, '', 'unexpected EOF (the archive is truncated)');
const badHeader = (why: string) => new ArchiveError(400, '', `archive/tar: invalid tar header (${why})`);

/** Walks the TAR `src` from its start, member by member, until the end or the visitor stops it. */
export async function walkTar(src: BlockSource, visit: TarVisitor): Promise<void> {
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    let block = src.read(BLOCK);
    if (block instanceof Promise) block = await block;
    if (block.length === 0) return; // stopped at a header boundary
    if (block.length < BLOCK) throw truncated();
    if (block[0] === 0 && block.equals(ZERO_BLOCK)) return;
    checkSum(block);
    const type = String.fromCharCode(block[156] || 0x30);
    const declared = numeric(block, 124, 12, 'size');
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (declared > MAX_SPECIAL) throw badHeader(`special header of ${declared} bytes`);
      const data = await src.read(declared);
      if (data.length < declared) throw truncated();
      await src.skip(pad(declared));
      if (type === 'x') pax = { ...pax, ...parsePax(data) };
      else if (type === 'L') longName = cString(data, 0, data.length);
      else if (type === 'K') longLink = cString(data, 0, data.length);
      // 'g': global records apply to no one member here (Go returns them as a header of their own).
      continue;
    }
    const h = headerOf(block, type, declared, pax, longName, longLink);
    pax = {};
    longName = longLink = undefined;
    if (!src.has(h.size)) throw truncated();
    let stop = visit(h, () => src.take(h.size));
    if (stop instanceof Promise) stop = await stop;
    if (stop === true) return;
    const passed = src.pass(h.size);
    if (passed instanceof Promise) await passed;
    const skipped = src.skip(pad(h.size));
    if (skipped instanceof Promise) await skipped;
  }
}

function pad(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The header's checksum: the sum of its bytes with the checksum field as spaces (signed or unsigned). */
function checkSum(block: Buffer): void {
  const want = numeric(block, 148, 8, 'checksum');
  let unsigned = 8 * 0x20;
  for (let i = 0; i < 148; i++) unsigned += block[i];
  for (let i = 156; i < BLOCK; i++) unsigned += block[i];
  if (want === unsigned) return;
  // Some old writers summed signed bytes.
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) signed += block[i] > 127 ? block[i] - 256 : block[i];
  if (want !== signed) throw badHeader('checksum mismatch');
}

/** A numeric field: octal (NUL- or space-padded), or base-256 big-endian when its first byte has 0x80. */
function numeric(block: Buffer, at: number, len: number, what: string): number {
  if (block[at] & 0x80) {
    if (block[at] === 0xff) throw badHeader(`negative ${what}`);
    let n = block[at] & 0x7f;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + block[i];
    if (!Number.isSafeInteger(n)) throw badHeader(`${what} out of range`);
    return n;
  }
  // Digits between optional leading spaces and a NUL or space (parsed by hand: this runs for every header).
  let i = at;
  const end = at + len;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let n = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw badHeader(`${what} ${JSON.stringify(block.toString('latin1', at, end))}`);
    n = n * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) throw badHeader(`${what} ${JSON.stringify(block.toString('latin1', at, end))}`);
  if (!Number.isSafeInteger(n)) throw badHeader(`${what} out of range`);
  return digits ? n : 0;
}

/** A NUL-terminated string field, as UTF-8. */
function cString(buf: Buffer, at: number, len: number): string {
  let end = at;
  while (end < at + len && buf[end] !== 0) end++;
  return end === at ? '' : buf.toString('utf8', at, end);
}

/** PAX records: "LEN key=value\n", LEN counting the whole record in bytes. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length && data[off] !== 0) {
    const sp = data.indexOf(0x20, off);
    const len = sp > off ? Number(data.toString('latin1', off, sp)) : NaN;
    if (!Number.isSafeInteger(len) || len <= sp - off || off + len > data.length || data[off + len - 1] !== 0x0a) throw badHeader('PAX record');
    const rec = data.toString('utf8', sp + 1, off + len - 1);
    const eq = rec.indexOf('=');
    if (eq <= 0) throw badHeader('PAX record');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

function headerOf(block: Buffer, type: string, declared: number, pax: Record<string, string>, longName?: string, longLink?: string): TarHeader {
  let name = cString(block, 0, 100);
  const posix = block.toString('latin1', 257, 263) === 'ustar\0';
  if (posix) {
    const prefix = cString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  if (longName !== undefined) name = longName;
  if (pax.path !== undefined) name = pax.path;
  let size = declared;
  if (pax.size !== undefined) {
    size = Number(pax.size);
    if (!Number.isSafeInteger(size) || size < 0) throw badHeader(`PAX size ${JSON.stringify(pax.size)}`);
  }
  const mode = numeric(block, 100, 8, 'mode');
  let t = type === '\0' ? '0' : type;
  // Go's V7 rule: a plain file whose name ends in "/" is a directory.
  if ((t === '0' || t === '7') && name.endsWith('/')) t = '5';
  const headerOnly = '123456'.includes(t);
  const num = (key: string, at: number, len: number, what: string) => (pax[key] !== undefined ? Math.floor(Number(pax[key])) || 0 : numeric(block, at, len, what));
  return {
    name,
    size: headerOnly ? 0 : size,
    type: t,
    mode,
    uid: num('uid', 108, 8, 'uid'),
    gid: num('gid', 116, 8, 'gid'),
    uname: pax.uname ?? cString(block, 265, 32),
    gname: pax.gname ?? cString(block, 297, 32),
    mtime: num('mtime', 136, 12, 'mtime'),
    linkname: pax.linkpath ?? longLink ?? cString(block, 157, 100),
    dir: t === '5' || (mode & 0o170000) === 0o040000,
  };
}

// ---------------------------------------------------------------- sources

/** A .tar read in place: skipping is moving the offset, a member streams from its own position. */
export class FileBlocks implements BlockSource {
  constructor(
    private readonly file: ShardBytes,
    private pos = 0,
  ) {}

  /** The offset of the next header (or of the member's data, right after its header). */
  get offset(): number {
    return this.pos;
  }

  read(n: number): Buffer | Promise<Buffer> {
    const b = this.file.peek(this.pos, n);
    if (b) {
      this.pos += b.length;
      return b;
    }
    return this.file.read(this.pos, n).then((got) => {
      this.pos += got.length;
      return got;
    });
  }

  skip(n: number): void {
    this.pos += n;
  }

  take(n: number): Readable {
    return this.file.range(this.pos, this.pos + n);
  }

  pass(n: number): void {
    this.pos += n;
  }

  has(n: number): boolean {
    return this.pos + n <= this.file.size;
  }
}

/** A TAR read on from a stream (a decompressor's output): bytes are pulled as the walk needs them. */
export class StreamBlocks implements BlockSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private head: Buffer = Buffer.alloc(0);
  private ended = false;
  /** What the member stream last taken has yet to read (undefined: none taken). */
  private left: number | undefined;

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Up to `max` buffered or newly read bytes; empty at the end of the stream. */
  private async next(max: number): Promise<Buffer> {
    while (this.head.length === 0 && !this.ended) {
      const r = await this.chunks.next();
      if (r.done) this.ended = true;
      else this.head = r.value;
    }
    const out = this.head.subarray(0, max);
    this.head = this.head.subarray(out.length);
    return out;
  }

  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const b = await this.next(n - got);
      if (b.length === 0) break;
      parts.push(b);
      got += b.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, got);
  }

  async skip(n: number): Promise<void> {
    while (n > 0) {
      const b = await this.next(n);
      if (b.length === 0) throw truncated();
      n -= b.length;
    }
  }

  take(n: number): Readable {
    this.left = n;
    const pull = async function* (this: StreamBlocks): AsyncGenerator<Buffer> {
      while (this.left) {
        const b = await this.next(Math.min(this.left, 256 * 1024));
        if (b.length === 0) throw truncated();
        this.left -= b.length;
        yield b;
      }
    };
    return Readable.from(pull.call(this), { objectMode: false });
  }

  async pass(n: number): Promise<void> {
    const rest = this.left ?? n;
    this.left = undefined;
    await this.skip(rest);
  }

  has(): boolean {
    return true;
  }

  /** Ends the underlying stream early (the walk stopped before its end). */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}
