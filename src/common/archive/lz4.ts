// The LZ4 frame format (.tar.lz4 shards), streaming both ways, in plain JavaScript. The npm LZ4 packages
// are native addons, WebAssembly, or whole-buffer only; a frame is simple enough to read and write here.
//
// A frame (lz4_Frame_format.md): magic 04 22 4D 18; FLG (version 01, block independence, block checksum,
// content size, content checksum, dict id bits); BD (max block size: 4=64K 5=256K 6=1M 7=4M); optional
// 8-byte content size and 4-byte dict id; a header checksum byte. Then blocks: a 4-byte LE size (high bit:
// stored uncompressed), the data, an optional 4-byte checksum; a zero size ends the frame, then an optional
// 4-byte content checksum. Frames may follow each other; skippable frames (magic 184D2A5x) are skipped.
// A block is a run of sequences: a token (literal length << 4 | match length - 4, 15 meaning "more bytes
// follow, 255 each"), the literals, a 2-byte LE offset back into the output, more match-length bytes.
// Linked blocks may reach back 64 KB into the previous block's output. Checksums are not verified (the block
// structure catches broken data; AIStore writes none by default).
import { Duplex, Transform } from 'node:stream';
import { ArchiveError } from './formats';

const MAGIC = 0x184d2204;
const HISTORY = 64 * 1024;
const BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const bad = (why: string) => new ArchiveError(400, '', `lz4: ${why}`);

/** Exact-size reads from an async stream of chunks. */
class Pull {
  private head: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** `n` bytes; fewer only when the stream ends (0 at a clean end). */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      if (this.head.length === 0) {
        const r = await this.it.next();
        if (r.done) break;
        this.head = r.value;
        continue;
      }
      const take = this.head.subarray(0, n - got);
      this.head = this.head.subarray(take.length);
      parts.push(take);
      got += take.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, got);
  }

  async exact(n: number): Promise<Buffer> {
    const b = await this.read(n);
    if (b.length < n) throw bad('unexpected EOF (the archive is truncated)');
    return b;
  }
}

/** A stream that decompresses LZ4 frames. */
export function lz4Decoder(): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer>) {
    const pull = new Pull(source);
    for (;;) {
      const magicBytes = await pull.read(4);
      if (magicBytes.length === 0) return;
      if (magicBytes.length < 4) throw bad('unexpected EOF (the archive is truncated)');
      const magic = magicBytes.readUInt32LE(0);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        const len = (await pull.exact(4)).readUInt32LE(0);
        await pull.exact(len);
        continue;
      }
      if (magic !== MAGIC) throw bad('invalid header (not an LZ4 frame)');
      const [flg, bd] = await pull.exact(2);
      if (flg >> 6 !== 1) throw bad(`unsupported frame version ${flg >> 6}`);
      if (flg & 1) throw bad('dictionaries are not supported');
      const linked = (flg & 0x20) === 0;
      const blockChecksum = (flg & 0x10) !== 0;
      const maxBlock = BLOCK_SIZES[(bd >> 4) & 7];
      if (!maxBlock) throw bad('invalid block size');
      await pull.exact((flg & 0x08 ? 8 : 0) + 1); // content size, header checksum
      let history: Buffer = Buffer.alloc(0);
      for (;;) {
        const word = (await pull.exact(4)).readUInt32LE(0);
        if (word === 0) break;
        const size = word & 0x7fffffff;
        if (size > maxBlock) throw bad(`block of ${size} bytes exceeds the frame's ${maxBlock}`);
        const data = await pull.exact(size);
        if (blockChecksum) await pull.exact(4);
        const out = word & 0x80000000 ? data : decodeBlock(data, linked ? history : undefined, maxBlock);
        if (linked) history = Buffer.concat([history, out]).subarray(-HISTORY);
        if (out.length > 0) yield Buffer.from(out);
      }
      if (flg & 0x04) await pull.exact(4); // content checksum
    }
  });
}

/** Decodes one block; `history` is the output before it, which linked blocks may refer to. */
function decodeBlock(src: Buffer, history: Buffer | undefined, maxBlock: number): Buffer {
  const base = history?.length ?? 0;
  const out = Buffer.allocUnsafe(base + maxBlock);
  if (history) history.copy(out, 0);
  let op = base;
  let ip = 0;
  const more = (n: number) => {
    let b: number;
    do {
      if (ip >= src.length) throw bad('corrupt block (length runs past its end)');
      b = src[ip++];
      n += b;
    } while (b === 255);
    return n;
  };
  while (ip < src.length) {
    const token = src[ip++];
    let lit = token >> 4;
    if (lit === 15) lit = more(lit);
    if (ip + lit > src.length || op + lit > out.length) throw bad('corrupt block (literals run past the end)');
    src.copy(out, op, ip, ip + lit);
    ip += lit;
    op += lit;
    if (ip >= src.length) break; // the last sequence has literals only
    if (ip + 2 > src.length) throw bad('corrupt block (truncated offset)');
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) len = more(len);
    len += 4;
    if (offset === 0 || offset > op) throw bad('corrupt block (offset before the start of the data)');
    if (op + len > out.length) throw bad('corrupt block (output exceeds the block size)');
    // Byte by byte: a match may overlap the bytes it produces (offset < length repeats them).
    for (let from = op - offset, end = op + len; op < end; ) out[op++] = out[from++];
  }
  return out.subarray(base, op);
}

// ---------------------------------------------------------------- writing

const WRITE_BLOCK = 256 * 1024;
const MIN_MATCH = 4;
/** The spec: the last match starts 12 bytes or more before the block's end, the last 5 bytes are literals. */
const MF_LIMIT = 12;
const LAST_LITERALS = 5;

/** A stream that compresses into one LZ4 frame: independent 256 KB blocks, no checksums (as AIStore). */
export function lz4Encoder(): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let started = false;
  const header = () => {
    const flg = 0x60; // version 01, independent blocks
    const bd = 0x50; // 256 KB blocks
    return Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, bd, (xxh32(Buffer.from([flg, bd])) >>> 8) & 0xff]);
  };
  const emit = (t: Transform, block: Buffer) => {
    const packed = encodeBlock(block);
    const stored = packed.length >= block.length;
    const size = Buffer.alloc(4);
    size.writeUInt32LE(((stored ? block.length : packed.length) | (stored ? 0x80000000 : 0)) >>> 0);
    t.push(size);
    t.push(stored ? block : packed);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!started) this.push(header());
      started = true;
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= WRITE_BLOCK) {
        const all = Buffer.concat(pending, pendingBytes);
        emit(this, all.subarray(0, WRITE_BLOCK));
        pending = [all.subarray(WRITE_BLOCK)];
        pendingBytes -= WRITE_BLOCK;
      }
      cb();
    },
    flush(cb) {
      if (!started) this.push(header());
      if (pendingBytes > 0) emit(this, Buffer.concat(pending, pendingBytes));
      this.push(Buffer.alloc(4)); // end mark
      cb();
    },
  });
}

/** Greedy LZ4 compression of one block: a hash of each 4-byte sequence finds an earlier occurrence. */
function encodeBlock(src: Buffer): Buffer {
  const n = src.length;
  const out = Buffer.allocUnsafe(n + Math.ceil(n / 255) + 16);
  const table = new Int32Array(1 << 16).fill(-1);
  let op = 0;
  let anchor = 0;
  let ip = 0;
  const lengthBytes = (len: number) => {
    for (; len >= 255; len -= 255) out[op++] = 255;
    out[op++] = len;
  };
  const sequence = (litEnd: number, offset: number, matchLen: number) => {
    const lit = litEnd - anchor;
    out[op++] = (Math.min(lit, 15) << 4) | (matchLen ? Math.min(matchLen - MIN_MATCH, 15) : 0);
    if (lit >= 15) lengthBytes(lit - 15);
    src.copy(out, op, anchor, litEnd);
    op += lit;
    if (!matchLen) return;
    out[op++] = offset & 0xff;
    out[op++] = offset >> 8;
    if (matchLen - MIN_MATCH >= 15) lengthBytes(matchLen - MIN_MATCH - 15);
  };
  while (ip < n - MF_LIMIT) {
    const seq = src.readUInt32LE(ip);
    const h = Math.imul(seq, 2654435761) >>> 16;
    const ref = table[h];
    table[h] = ip;
    if (ref >= 0 && ip - ref <= 0xffff && src.readUInt32LE(ref) === seq) {
      let len = MIN_MATCH;
      while (ip + len < n - LAST_LITERALS && src[ref + len] === src[ip + len]) len++;
      sequence(ip, ip - ref, len);
      ip += len;
      anchor = ip;
    } else ip++;
  }
  sequence(n, 0, 0);
  return out.subarray(0, op);
}

/** XXH32 with seed 0, for the frame descriptor's checksum byte (a few bytes: the short-input path). */
function xxh32(data: Buffer): number {
  const P1 = 2654435761, P2 = 2246822519, P3 = 3266489917, P4 = 668265263, P5 = 374761393;
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  let h = (P5 + data.length) >>> 0;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) h = Math.imul(rotl((h + Math.imul(data.readUInt32LE(i), P3)) >>> 0, 17), P4) >>> 0;
  for (; i < data.length; i++) h = Math.imul(rotl((h + Math.imul(data[i], P5)) >>> 0, 11), P1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), P2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), P3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
