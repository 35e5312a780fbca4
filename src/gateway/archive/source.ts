// A shard's bytes as the readers take them: positional reads of the object's open data file, never the
// whole file in memory. Headers are read through a read-ahead window sized by how far apart they lie: a TAR
// of small members has its headers close together (one 256 KB read serves many), while in a TAR of members
// larger than that window a window per header would read most of the shard to find its last member, so
// there each header is read on its own. Member bytes stream from their own offsets.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ShardBytes } from '../../common/archive/bytes';

/** Read-ahead for headers that lie close together: a TAR of small members has ~256 of them in one window. */
const WINDOW = 256 * 1024;
/** Read-ahead for headers that lie far apart: a header and the block after it (a PAX or long-name header's data). */
const NEAR = 1024;
/** Small reads this far apart on average, or closer, go through the window: it then holds 8 or more of them. */
const CLOSE = WINDOW / 8;
/** The chunk size a member streams in. */
const CHUNK = 64 * 1024;

export class ShardFile implements ShardBytes {
  private win: Buffer = Buffer.alloc(0);
  private winPos = 0;
  /** Where the last small read began (-1: none yet), and the moving average of the distance between such reads. */
  private lastPos = -1;
  private spacing = 0;
  /** Bytes read from the file so far (headers, windows and member data): what a walk cost. */
  bytesRead = 0;

  /** `size`: the object's bytes in `fh` (its data file has a metadata trailer after them). */
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** The bytes at `pos` when the window holds them all (or the data ends within it), else undefined. */
  peek(pos: number, len: number): Buffer | undefined {
    len = Math.max(0, Math.min(len, this.size - pos));
    if (pos >= this.winPos && pos + len <= this.winPos + this.win.length) {
      this.note(pos);
      return this.win.subarray(pos - this.winPos, pos - this.winPos + len);
    }
    return undefined;
  }

  /**
   * Up to `len` bytes at `pos`: fewer only where the data ends. A small read is served from the window (the
   * buffer returned stays valid: the window is replaced, never overwritten).
   */
  async read(pos: number, len: number): Promise<Buffer> {
    len = Math.max(0, Math.min(len, this.size - pos));
    if (len > WINDOW) return this.readAt(pos, len);
    this.note(pos);
    if (pos >= this.winPos && pos + len <= this.winPos + this.win.length) return this.win.subarray(pos - this.winPos, pos - this.winPos + len);
    const ahead = this.spacing <= CLOSE ? WINDOW : NEAR;
    this.win = await this.readAt(pos, Math.min(Math.max(len, ahead), this.size - pos));
    this.winPos = pos;
    return this.win.subarray(0, len);
  }

  /** Keeps the average distance between small reads (a quarter weight to the newest): forward ones only. */
  private note(pos: number): void {
    if (this.lastPos >= 0 && pos > this.lastPos) this.spacing += (pos - this.lastPos - this.spacing) / 4;
    this.lastPos = pos;
  }

  private async readAt(pos: number, len: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.bytesRead += got;
    return got === len ? buf : buf.subarray(0, got);
  }

  /** Bytes [start, end) as a stream of 64 KB chunks; the file stays open (the shard's owner closes it). */
  range(start: number, end: number): Readable {
    let pos = start;
    const stop = Math.min(end, this.size);
    const readAt = (at: number, len: number) => this.readAt(at, len);
    return new Readable({
      highWaterMark: CHUNK,
      read(this: Readable): void {
        if (pos >= stop) {
          this.push(null);
          return;
        }
        readAt(pos, Math.min(CHUNK, stop - pos)).then(
          (buf) => {
            if (buf.length === 0) return this.destroy(new Error('unexpected EOF'));
            pos += buf.length;
            this.push(buf);
          },
          (e: Error) => this.destroy(e),
        );
      },
    });
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => undefined);
  }
}
