// Verifying a ranged download without a second pass over the file. Ranges land out of order, but a hash
// needs the bytes in order: this hashes the file from the start up to the end of the ranges finished so
// far ("contiguous up to"), while later ranges still download. At the end only the last few ranges are
// left to hash instead of the whole file.
// - MD5 and SHA-2 (node:crypto, ~2-4 ms per MB on one thread) run in a worker thread that reads the file
//   itself: the event loop keeps moving bytes. The worker is an eval'd script with built-ins only, so it
//   needs no bundle path or node_modules.
// - xxhash (WASM, GB/s) and crc32c hash on the caller's thread, reading behind the download.
// Both read through one reused buffer: memory stays flat whatever the file size.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ChecksumType, createHasher } from '../common/checksum';

const READ_BYTES = 1024 * 1024;
const WORKER_TYPES: readonly ChecksumType[] = ['md5', 'sha256', 'sha512'];

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const hash = crypto.createHash(workerData.type);
const fd = fs.openSync(workerData.file, 'r');
const buf = Buffer.allocUnsafe(${READ_BYTES});
let pos = 0;
let upTo = 0;
parentPort.on('message', (m) => {
  upTo = Math.max(upTo, m.upTo);
  while (pos < upTo) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, upTo - pos), pos);
    if (n === 0) throw new Error('the file ends at ' + pos + ' bytes, expected ' + upTo);
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  if (m.finish) {
    fs.closeSync(fd);
    parentPort.postMessage({ digest: hash.digest('hex') });
  }
});
`;

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
  return WORKER_TYPES.includes(type) ? new WorkerFollowHasher(file, type) : new InlineFollowHasher(file, type);
}

class WorkerFollowHasher implements FollowHasher {
  private readonly worker: Worker;
  private readonly done: Promise<string>;

  constructor(file: string, type: ChecksumType) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, type } });
    this.done = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (m: { digest: string }) => resolve(m.digest));
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the hashing thread stopped (exit code ${code}) before the digest`)));
    });
    // Nobody may be waiting yet when it fails (the download fails first): never an unhandled rejection.
    this.done.catch(() => undefined);
  }

  advance(upTo: number): void {
    this.worker.postMessage({ upTo });
  }

  async finish(size: number): Promise<string> {
    this.worker.postMessage({ upTo: size, finish: true });
    try {
      return await this.done;
    } finally {
      await this.worker.terminate();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
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
