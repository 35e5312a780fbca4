// Verifying a ranged download without a second pass over the file. Ranges land out of order, but a hash
// needs the bytes in order: this hashes the file from the start up to the end of the ranges finished so
// far ("contiguous up to"), while later ranges still download. At the end only the last few ranges are
// left to hash instead of the whole file.
// - MD5 and SHA-2 (node:crypto, ~2 ms per MB on one thread) are hashed by the shared hash workers
//   (common/hashpool.ts), which read the file themselves: the event loop keeps moving bytes.
// - xxhash (WASM, GB/s) and crc32c hash on the caller's thread, reading behind the download.
// Both read through one reused buffer: memory stays flat whatever the file size.
import * as fs from 'node:fs';
import { ChecksumType, createHasher } from '../common/checksum';
import { WORKER_HASH_TYPES, WorkerHashes, WorkerHashType } from '../common/hashpool';

const READ_BYTES = 1024 * 1024;

/** Hashes `file` in order as its prefix becomes final; `advance` after each finished range, then `finish`. */
export interface FollowHasher {
  /** Bytes [0, upTo) are written and will not change. */
  advance(upTo: number): void;
  /** All `size` bytes are written: resolves with the digest (lowercase hex). */
  finish(size: number): Promise<string>;
  /** Stops early (failure, cancel); the file may then be removed. */
  close(): Promise<void>;
}

export function followHasher(file: string, type: ChecksumType): FollowHasher {
  return WORKER_HASH_TYPES.includes(type) ? new WorkerFollowHasher(file, type as WorkerHashType) : new InlineFollowHasher(file, type);
}

class WorkerFollowHasher implements FollowHasher {
  private readonly hashes: WorkerHashes;
  private pos = 0;

  constructor(
    private readonly file: string,
    type: WorkerHashType,
  ) {
    this.hashes = new WorkerHashes([type]);
  }

  advance(upTo: number): void {
    if (upTo <= this.pos) return;
    // A failed range fails the digest, which finish() reports.
    this.hashes.hashFile(this.file, this.pos, upTo - this.pos, true).catch(() => undefined);
    this.pos = upTo;
  }

  async finish(size: number): Promise<string> {
    this.advance(size);
    const [hex] = await this.hashes.digest();
    return hex;
  }

  async close(): Promise<void> {
    this.hashes.drop();
  }
}

class InlineFollowHasher implements FollowHasher {
  private readonly hasher;
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);
  private fh?: Promise<fs.promises.FileHandle>;
  private pos = 0;
  private upTo = 0;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    type: ChecksumType,
  ) {
    this.hasher = createHasher(type);
  }

  advance(upTo: number): void {
    this.upTo = Math.max(this.upTo, upTo);
    this.running = this.running.then(() => this.pump());
    this.running.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    if (this.closed) return;
    this.fh ??= fs.promises.open(this.file, 'r');
    const fh = await this.fh;
    while (this.pos < this.upTo && !this.closed) {
      const { bytesRead } = await fh.read(this.buf, 0, Math.min(this.buf.length, this.upTo - this.pos), this.pos);
      if (bytesRead === 0) throw new Error(`the file ends at ${this.pos} bytes, expected ${this.upTo}`);
      this.hasher.update(this.buf.subarray(0, bytesRead));
      this.pos += bytesRead;
    }
  }

  async finish(size: number): Promise<string> {
    this.advance(size);
    try {
      await this.running;
      return this.hasher.digest();
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running.catch(() => undefined);
    const fh = await this.fh?.catch(() => undefined);
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}
