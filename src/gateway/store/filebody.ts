// An object's bytes on their way out: a range of an open data file, or a small object's bytes read whole.
//
// Why not fs.ReadStream: it reads into a new buffer each time, and a buffer of 1 MB is above malloc's mmap
// threshold, so every read got fresh pages from the kernel and faulted them in. On this project's VMs that
// made the same warm 1 GB ranged download cost the gateway 1.2 s of CPU in one run and 6-7 s in the next
// (the read threads' page faults); 64 KB reads stayed at ~1.9 s. Here:
// - sendTo(res), the HTTP path, reads into buffers from a small shared pool and gives each back only once
//   the socket has taken its bytes (the write callback): no new memory per read, and large reads.
// - Read as a plain Readable (copies, range checksums, remote uploads), chunks are new 64 KB buffers, which
//   malloc serves from memory it already has.
// Either way the file handle is closed at the end, on error and on destroy.
import type { FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const SEND_BYTES = 256 * 1024;
const READ_BYTES = 64 * 1024;
/** Buffers kept for reuse between responses: 16 MB at most, whatever the number of requests. */
const POOL_LIMIT = 64;
const pool: Buffer[] = [];

/** A 256 KB buffer for reading into; give it back with giveBack once nothing refers to its bytes. */
export function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(SEND_BYTES);
}

export function giveBack(buf: Buffer): void {
  if (pool.length < POOL_LIMIT) pool.push(buf);
}

export class FileBody extends Readable {
  private pos: number;
  private closing?: Promise<void>;
  private sending = false;

  /** Bytes [start, end] of the open file `fh`, which this body now owns. */
  constructor(
    private readonly fh: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: READ_BYTES });
    this.pos = start;
  }

  override _read(): void {
    if (this.sending) return;
    const len = Math.min(READ_BYTES, this.end + 1 - this.pos);
    if (len <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(len);
    this.fh.read(buf, 0, len, this.pos).then(({ bytesRead }) => {
      if (bytesRead === 0) return this.destroy(new Error(`the object's data file ends at ${this.pos} bytes, before ${this.end + 1}`));
      this.pos += bytesRead;
      this.push(bytesRead === len ? buf : buf.subarray(0, bytesRead));
    }, (e: Error) => this.destroy(e));
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.close().then(() => cb(err), () => cb(err));
  }

  private close(): Promise<void> {
    this.closing ??= this.fh.close().catch(() => undefined);
    return this.closing;
  }

  /**
   * Writes the bytes to `out` (an HTTP response) and ends it. Rejects if the file cannot be read or `out`
   * goes away; the body is destroyed either way. Only for a body nobody has read from yet.
   */
  async sendTo(out: Writable): Promise<void> {
    if (this.sending || this.readableDidRead || this.destroyed) throw new Error('FileBody.sendTo: the body was already read');
    this.sending = true;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const onGone = () => {
      failure ??= new Error('the connection closed before the body was sent');
      wake?.();
    };
    const onDrain = () => wake?.();
    out.on('close', onGone);
    out.on('error', onGone);
    out.on('drain', onDrain);
    try {
      while (this.pos <= this.end && !failure) {
        const buf = takeBuffer();
        const len = Math.min(buf.length, this.end + 1 - this.pos);
        let bytesRead: number;
        try {
          ({ bytesRead } = await this.fh.read(buf, 0, len, this.pos));
        } catch (e) {
          giveBack(buf);
          throw e;
        }
        if (bytesRead === 0) {
          giveBack(buf);
          throw new Error(`the object's data file ends at ${this.pos} bytes, before ${this.end + 1}`);
        }
        if (failure) {
          giveBack(buf);
          break;
        }
        this.pos += bytesRead;
        // The buffer is reused only after the socket is done with it (the write's callback).
        const ok = out.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), () => giveBack(buf));
        if (!ok && !failure) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => {
        let finished = false;
        wake = () => !finished && reject(failure);
        out.end(() => {
          finished = true;
          resolve();
        });
      });
    } finally {
      out.off('close', onGone);
      out.off('error', onGone);
      out.off('drain', onDrain);
      this.destroy();
    }
  }
}

/** A small object's bytes, read whole with its trailer: one write to a response, or a one-chunk Readable. */
export class BufferBody extends Readable {
  constructor(private bytes: Buffer | undefined) {
    super();
  }

  override _read(): void {
    const b = this.bytes;
    this.bytes = undefined;
    if (b?.length) this.push(b);
    this.push(null);
  }

  /** Ends `out` with the bytes; rejects if `out` goes away first. Only for a body nobody has read from yet. */
  sendTo(out: Writable): Promise<void> {
    const b = this.bytes ?? Buffer.alloc(0);
    this.bytes = undefined;
    this.destroy();
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const onGone = () => !finished && reject(new Error('the connection closed before the body was sent'));
      out.once('close', onGone);
      out.once('error', onGone);
      out.end(b, () => {
        finished = true;
        out.off('close', onGone);
        out.off('error', onGone);
        resolve();
      });
    });
  }
}

/** Sends a body to an HTTP response and ends it: a FileBody through its pooled buffers, anything else by pipeline. */
export async function sendBody(body: Readable, out: Writable): Promise<void> {
  if (body instanceof FileBody && !body.readableDidRead) return body.sendTo(out);
  if (body instanceof BufferBody && !body.readableDidRead) return body.sendTo(out);
  return pipeline(body, out);
}
