// Hashing off the event loop. node:crypto's streaming hashes (MD5, SHA-2) run synchronously on the
// calling thread: MD5 of every byte received costs the gateway's only JavaScript thread ~2-4 ms per MB,
// which made it the bottleneck of large PUTs (the event loop hashed while the socket and the disk waited).
// Here large bodies are hashed by worker threads while the main thread only moves bytes.
//
// - A stream is pinned to one worker (updates stay in order); streams are spread round-robin.
// - Each chunk is copied into the message (the original goes on to the file). Bytes sent but not yet
//   hashed are bounded per stream (`MAX_PENDING`): `update` returns a promise to wait on past that, so
//   memory stays flat whatever the body size and however slow the worker.
// - Only node:crypto types go to a worker (the worker is an eval'd script with built-ins only: no bundle
//   path or node_modules needed). xxhash (WASM, GB/s) and crc32c stay on the caller's thread.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

export type WorkerHashType = 'md5' | 'sha256' | 'sha512';
export const WORKER_HASH_TYPES: readonly string[] = ['md5', 'sha256', 'sha512'];

const MAX_PENDING = 8 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'open') streams.set(m.id, m.types.map((t) => crypto.createHash(t)));
  else if (m.op === 'update') {
    const hs = streams.get(m.id);
    if (hs) for (const h of hs) h.update(m.data);
    parentPort.postMessage({ id: m.id, op: 'ack', bytes: m.data.length });
  } else if (m.op === 'digest') {
    const hs = streams.get(m.id);
    streams.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'digest', hex: hs ? hs.map((h) => h.digest('hex')) : [] });
  } else if (m.op === 'drop') streams.delete(m.id);
});
`;

interface Pending {
  pendingBytes: number;
  waiters: (() => void)[];
  onDigest?: (hex: string[]) => void;
}

class HashWorker {
  readonly worker: Worker;
  readonly streams = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    // The pool must never keep a process alive (tests, the CLI's clean exit).
    this.worker.unref();
    this.worker.on('message', (m: { id: number; op: string; bytes?: number; hex?: string[] }) => {
      const s = this.streams.get(m.id);
      if (!s) return;
      if (m.op === 'ack') {
        s.pendingBytes -= m.bytes!;
        if (s.pendingBytes <= MAX_PENDING / 2) for (const w of s.waiters.splice(0)) w();
      } else if (m.op === 'digest') {
        this.streams.delete(m.id);
        s.onDigest?.(m.hex!);
      }
    });
    this.worker.on('error', (e) => {
      // A dead worker fails its streams; the next stream gets a new worker.
      for (const s of this.streams.values()) {
        for (const w of s.waiters.splice(0)) w();
        s.onDigest?.([]);
      }
      this.streams.clear();
      console.error(`[gateway] hash worker failed: ${e.message}`);
    });
  }
}

let pool: HashWorker[] = [];
let nextWorker = 0;
let nextId = 1;

function pickWorker(): HashWorker {
  const size = Math.max(1, Math.min(4, (os.availableParallelism?.() ?? os.cpus().length) - 1));
  pool = pool.filter((w) => w.worker.threadId !== -1);
  while (pool.length < size) pool.push(new HashWorker());
  return pool[nextWorker++ % pool.length];
}

/** Several hashes of one byte stream, computed by a worker thread. */
export class WorkerHashes {
  private readonly w = pickWorker();
  private readonly id = nextId++;
  private readonly state: Pending = { pendingBytes: 0, waiters: [] };
  private done = false;

  constructor(readonly types: readonly WorkerHashType[]) {
    this.w.streams.set(this.id, this.state);
    this.w.worker.postMessage({ id: this.id, op: 'open', types });
  }

  /** Hands a chunk to the worker (copied). Resolves at once unless too many bytes wait to be hashed. */
  update(chunk: Uint8Array): Promise<void> | undefined {
    this.state.pendingBytes += chunk.length;
    this.w.worker.postMessage({ id: this.id, op: 'update', data: chunk });
    if (this.state.pendingBytes <= MAX_PENDING) return undefined;
    return new Promise((resolve) => this.state.waiters.push(resolve));
  }

  /** Hex digests in the order of `types`. */
  digest(): Promise<string[]> {
    this.done = true;
    return new Promise((resolve, reject) => {
      this.state.onDigest = (hex) => (hex.length === this.types.length ? resolve(hex) : reject(new Error('hash worker failed')));
      this.w.worker.postMessage({ id: this.id, op: 'digest' });
    });
  }

  /** Forgets the stream (an upload that failed midway). */
  drop(): void {
    if (this.done) return;
    this.done = true;
    this.w.streams.delete(this.id);
    this.w.worker.postMessage({ id: this.id, op: 'drop' });
  }
}
