// Hashing off the event loop. node:crypto's streaming hashes (MD5, SHA-2) run synchronously on the
// calling thread: MD5 of every byte received costs the gateway's only JavaScript thread ~2-4 ms per MB,
// which made it the bottleneck of large PUTs (the event loop hashed while the socket and the disk waited).
// Here large bodies are hashed by worker threads while the main thread only moves bytes.
//
// - A stream is pinned to one worker (updates stay in order); streams are spread round-robin.
// - Each chunk is copied into a fixed ring of shared memory per stream (the original goes on to the
//   file); the worker hashes it in place and acknowledges. When the ring is full `update` waits, so
//   memory stays flat whatever the body size and however slow the worker, and no per-chunk garbage
//   piles up in either thread's heap.
// - Only node:crypto types go to a worker (the worker is an eval'd script with built-ins only: no bundle
//   path or node_modules needed). xxhash (WASM, GB/s) and crc32c stay on the caller's thread.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

export type WorkerHashType = 'md5' | 'sha256' | 'sha512';
export const WORKER_HASH_TYPES: readonly string[] = ['md5', 'sha256', 'sha512'];

/** Bytes of one stream between the main thread and its worker: a ring in shared memory, fixed size. */
const RING_BYTES = 2 * 1024 * 1024;
const MAX_PIECE = RING_BYTES / 4;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'open') streams.set(m.id, { hs: m.types.map((t) => crypto.createHash(t)), ring: new Uint8Array(m.ring) });
  else if (m.op === 'update') {
    const s = streams.get(m.id);
    if (s) for (const h of s.hs) h.update(s.ring.subarray(m.off, m.off + m.len));
    parentPort.postMessage({ id: m.id, op: 'ack', bytes: m.len });
  } else if (m.op === 'digest') {
    const s = streams.get(m.id);
    streams.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'digest', hex: s ? s.hs.map((h) => h.digest('hex')) : [] });
  } else if (m.op === 'drop') streams.delete(m.id);
});
`;

interface Pending {
  pendingBytes: number;
  failed?: boolean;
  waiters: (() => void)[];
  onDigest?: (hex: string[]) => void;
}

class HashWorker {
  readonly worker: Worker;
  readonly streams = new Map<number, Pending>();
  private active = 0;

  /** Keeps the process alive while a stream waits on this worker; an idle pool never does. */
  retain(): void {
    if (this.active++ === 0) this.worker.ref();
  }

  release(): void {
    if (--this.active === 0) this.worker.unref();
  }

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: { id: number; op: string; bytes?: number; hex?: string[] }) => {
      const s = this.streams.get(m.id);
      if (!s) return;
      if (m.op === 'ack') {
        s.pendingBytes -= m.bytes!;
        for (const w of s.waiters.splice(0)) w();
      } else if (m.op === 'digest') {
        this.streams.delete(m.id);
        s.onDigest?.(m.hex!);
      }
    });
    this.worker.on('error', (e) => {
      // A dead worker fails its streams; the next stream gets a new worker.
      for (const s of this.streams.values()) {
        s.failed = true;
        for (const w of s.waiters.splice(0)) w();
        s.onDigest?.([]);
      }
      this.streams.clear();
      console.error(`[gateway] hash worker failed: ${e.message}`);
    });
    // An idle pool must never keep a process alive (tests, the CLI's clean exit). Unref after the
    // listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }
}

let pool: HashWorker[] = [];
// Rings are reused: a fresh 4 MiB SharedArrayBuffer per upload is external memory V8 frees only when it
// gets round to a GC, so a run of multipart parts piled them up (RSS grew by hundreds of MB).
const freeRings: SharedArrayBuffer[] = [];
const MAX_FREE_RINGS = 8;
function releaseRing(ring: SharedArrayBuffer): void {
  if (freeRings.length < MAX_FREE_RINGS) freeRings.push(ring);
}
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
  private released = false;
  private readonly shared = freeRings.pop() ?? new SharedArrayBuffer(RING_BYTES);
  private readonly ring = new Uint8Array(this.shared);
  private writeAt = 0;

  constructor(readonly types: readonly WorkerHashType[]) {
    this.w.retain();
    this.w.streams.set(this.id, this.state);
    this.w.worker.postMessage({ id: this.id, op: 'open', types, ring: this.shared });
  }

  /**
   * Hands a chunk to the worker: its bytes are copied into the stream's ring, so the caller may reuse
   * the chunk at once. Resolves when all of it is in the ring (at once unless the worker is behind).
   */
  async update(chunk: Uint8Array): Promise<void> {
    this.busy();
    for (let at = 0; at < chunk.length; ) {
      if (this.state.failed) throw new Error('hash worker failed');
      const room = RING_BYTES - this.state.pendingBytes;
      if (room < Math.min(MAX_PIECE, chunk.length - at)) {
        await new Promise<void>((resolve) => this.state.waiters.push(resolve));
        continue;
      }
      // One contiguous piece: up to the ring's end, the free room and MAX_PIECE.
      const n = Math.min(chunk.length - at, room, RING_BYTES - this.writeAt, MAX_PIECE);
      this.ring.set(chunk.subarray(at, at + n), this.writeAt);
      this.w.worker.postMessage({ id: this.id, op: 'update', off: this.writeAt, len: n });
      this.state.pendingBytes += n;
      this.writeAt = (this.writeAt + n) % RING_BYTES;
      at += n;
    }
  }

  /** Hex digests in the order of `types`. */
  digest(): Promise<string[]> {
    this.busy();
    this.done = true;
    return new Promise((resolve, reject) => {
      this.state.onDigest = (hex) => {
        // The worker has hashed every update of this stream: its ring is free.
        releaseRing(this.shared);
        this.releaseWorker();
        if (hex.length === this.types.length) resolve(hex);
        else reject(new Error('hash worker failed'));
      };
      this.w.worker.postMessage({ id: this.id, op: 'digest' });
    });
  }

  /** Forgets the stream (an upload that failed midway). */
  drop(): void {
    if (this.done) return;
    this.done = true;
    this.w.streams.delete(this.id);
    this.w.worker.postMessage({ id: this.id, op: 'drop' });
    this.releaseWorker();
    // Not reused: updates still queued for the worker may read it (their hashes are thrown away, but a
    // reuse would let another stream's bytes race them). GC takes it.
  }

  /**
   * Lets the process exit while nothing waits on this stream (a running hash between parts); the next
   * update or digest holds the worker again.
   */
  idle(): void {
    if (!this.done) this.releaseWorker();
  }

  private busy(): void {
    if (!this.released || this.done) return;
    this.released = false;
    this.w.retain();
  }

  private releaseWorker(): void {
    if (this.released) return;
    this.released = true;
    this.w.release();
  }
}
