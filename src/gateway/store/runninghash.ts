// The whole-object hash of a multipart upload, computed while the parts arrive: it follows the contiguous
// prefix of the parts stored in place (part k is read back from the data file, i.e. the page cache, once
// parts 1..k are stored), so complete only hashes what is left instead of every byte once more at the end.
// node:crypto types are hashed by a worker (hashpool.ts), the others (xxhash) on the caller's thread.
import * as fs from 'node:fs';
import { giveBack, takeBuffer } from './filebody';
import { ChecksumType, createHasher, Hasher } from '../checksum';
import { WORKER_HASH_TYPES, WorkerHashes, WorkerHashType } from '../../common/hashpool';

/** A part as it was hashed: complete uses the hash only when it chose exactly these parts first. */
export interface HashedPart {
  partNumber: number;
  size: number;
  md5: string;
  mtime: number;
  offset?: number;
}

/**
 * Running hashes alive at once. Each holds a hash stream in a worker (hashpool.ts) for as long as its
 * upload is open, and an upload may be left open for ever: past this many, uploads are hashed at complete.
 * A stream between parts is a few hundred bytes of hash state (no buffer, no open file).
 */
const MAX_LIVE = 1024;
let live = 0;

export class RunningHash {
  /** A new running hash, or undefined when MAX_LIVE are alive. */
  static create(types: readonly ChecksumType[]): RunningHash | undefined {
    if (live >= MAX_LIVE) return undefined;
    live++;
    return new RunningHash(types, true);
  }

  /** The hashes of bytes [0, size) of `file`, in the order of `types` ('none' digests to ''). */
  static async ofFile(types: readonly ChecksumType[], file: string, size: number): Promise<string[]> {
    const h = new RunningHash(types, false);
    try {
      await h.appendRange(file, 0, size);
      return await h.digest();
    } finally {
      h.drop();
    }
  }

  /** Parts handed to `append`, in order (hashed, or queued to be). */
  readonly queued: HashedPart[] = [];
  /** Bytes hashed so far, or queued to be. */
  bytes = 0;
  failed = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly worker?: WorkerHashes;
  private readonly inline: (Hasher | undefined)[];
  private readonly readsFile: boolean;
  private ended = false;

  /** `types` as receive() orders them; 'none' entries digest to ''. */
  private constructor(
    readonly types: readonly ChecksumType[],
    private readonly counted: boolean,
  ) {
    const offloaded = types.filter((t) => WORKER_HASH_TYPES.includes(t)) as WorkerHashType[];
    this.inline = types.map((t) => (WORKER_HASH_TYPES.includes(t) ? undefined : createHasher(t)));
    // The worker reads the file itself; this thread reads it only for hashes of its own (xxhash).
    this.readsFile = types.some((t) => t !== 'none' && !WORKER_HASH_TYPES.includes(t));
    if (offloaded.length) this.worker = new WorkerHashes(offloaded);
  }

  /** Queues `size` bytes of `file` from `start` as the next part (`part` says which). */
  append(file: string, start: number, part: HashedPart): Promise<void> {
    this.queued.push(part);
    return this.appendRange(file, start, part.size);
  }

  /** Queues `size` bytes of `file` from `start` (what complete adds after the parts hashed so far). */
  appendRange(file: string, start: number, size: number): Promise<void> {
    this.bytes += size;
    this.chain = this.chain.then(async () => {
      if (this.failed || size === 0) return;
      try {
        const fromWorker = this.worker?.hashFile(file, start, size);
        let got = size;
        if (this.readsFile) {
          got = await this.hashInline(file, start, size);
        }
        await fromWorker;
        if (got !== size) this.failed = true;
      } catch {
        // The upload was aborted or completed meanwhile: complete hashes everything itself.
        this.failed = true;
      }
    });
    return this.chain;
  }

  /** Reads the range through a pooled buffer (no new memory per read, see filebody.ts) into the inline hashes; the bytes read. */
  private async hashInline(file: string, start: number, size: number): Promise<number> {
    const fh = await fs.promises.open(file, 'r');
    const buf = takeBuffer();
    try {
      let got = 0;
      while (got < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - got), start + got);
        if (bytesRead === 0) break;
        for (const h of this.inline) h?.update(buf.subarray(0, bytesRead));
        got += bytesRead;
      }
      return got;
    } finally {
      giveBack(buf);
      await fh.close();
    }
  }

  /** Resolves when every queued range is hashed. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Hex digests in the order of `types`; the hash is used up. */
  async digest(): Promise<string[]> {
    await this.chain;
    if (this.failed || this.ended) throw new Error('the running hash failed');
    this.end();
    const fromWorker = this.worker ? await this.worker.digest() : [];
    let w = 0;
    return this.types.map((_, i) => this.inline[i]?.digest() ?? fromWorker[w++]);
  }

  drop(): void {
    this.failed = true;
    if (this.ended) return;
    this.end();
    this.worker?.drop();
  }

  private end(): void {
    this.ended = true;
    if (this.counted) live--;
  }
}
