// The end of a body's pipeline: its bytes into a file from a given offset, with word of each range once
// it is written, so a hash worker can read the file right behind the writer (hashpool.ts).
import * as fs from 'node:fs';
import { Writable } from 'node:stream';

export class FileSink extends Writable {
  private fh?: fs.promises.FileHandle;
  private pos: number;

  /**
   * `flags`: open(2) flags (a new temp file truncates; a multipart data file is written in place).
   * `onWritten(end)`: bytes [start, end) are in the file.
   */
  constructor(
    private readonly file: string,
    private readonly flags: number,
    start: number,
    private readonly onWritten: (end: number) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.pos = start;
  }

  override _construct(cb: (e?: Error | null) => void): void {
    fs.promises.open(this.file, this.flags, 0o666).then((fh) => {
      this.fh = fh;
      cb();
    }, cb);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => cb(), cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return cb(err);
    fh.close().then(
      () => cb(err),
      (e: Error) => cb(err ?? e),
    );
  }

  private async writeAll(bufs: Buffer[]): Promise<void> {
    while (bufs.length) {
      const { bytesWritten } = await this.fh!.writev(bufs, this.pos);
      if (bytesWritten === 0) throw Object.assign(new Error(`cannot write to ${this.file}`), { code: 'EIO' });
      this.pos += bytesWritten;
      // A short write (a signal, a full disk on the next call): go on from where it stopped.
      let n = bytesWritten;
      let i = 0;
      while (i < bufs.length && n >= bufs[i].length) n -= bufs[i++].length;
      bufs = bufs.slice(i);
      if (n > 0) bufs[0] = bufs[0].subarray(n);
    }
    this.onWritten(this.pos);
  }
}
