// Hashing off the event loop. node:crypto's streaming hashes (MD5, SHA-2) run synchronously on the
// calling thread: MD5 of every byte received costs ~2 ms per MB, which made it the bottleneck of large
// PUTs (the event loop hashed while the socket and the disk waited). Here worker threads hash while the
// main thread only moves bytes.
//
// - The bytes to hash are always in a file already (the gateway: a body on its way to storage, a part in
//   place, an upload's data file; the client: a download's temp file): the worker reads them back itself,
//   from the page cache, with its own buffer. The main thread only says "bytes [start, start+len) of this
//   file are written". An earlier design copied every chunk into a shared-memory ring; that copy, on the
//   main thread while the worker read the other end, cost as much as the rest of a PUT.
// - A stream is pinned to one worker (ranges are hashed in order); streams are spread round-robin.
// - Memory is one read buffer per worker whatever the body size; a worker that falls behind only means
//   more of the file is hashed after its last byte lands. A stream between ranges holds only its hash
//   state (no buffer, no open file), so an upload left open costs next to nothing.
// - Only node:crypto types go to a worker (hashworker.ts, bundled next to this bundle). xxhash (WASM,
//   GB/s) and crc32c stay on the caller's thread.
import * as os from 'node:os';
import { RequestWorker } from './workerthread';

export type WorkerHashType = 'md5' | 'sha256' | 'sha512';
export const WORKER_HASH_TYPES: readonly string[] = ['md5', 'sha256', 'sha512'];

/** What hashworker.ts is asked: `stream` names a hash stream, `id` the request a reply answers. */
export type HashRequest =
  | { op: 'open'; stream: number; types: readonly WorkerHashType[] }
  | { op: 'file'; id: number; stream: number; file: string; start: number; len: number; keepOpen: boolean }
  | { op: 'digest'; id: number; stream: number }
  | { op: 'drop'; stream: number };

export interface HashReply {
  id: number;
  error: string;
  hex?: string[];
}

function hashWorker(): RequestWorker<HashReply> {
  return new RequestWorker<HashReply>({
    script: 'hashworker.js',
    name: 'hash worker',
    failure: (id, message) => ({ id, error: message }),
    onDeath: (message) => console.error(message),
  });
}

let pool: RequestWorker<HashReply>[] = [];
let nextWorker = 0;
let nextStream = 1;
let nextRequest = 1;

function pickWorker(): RequestWorker<HashReply> {
  if (pool.length === 0) {
    // At least two: a multipart upload on an md5 bucket hashes every byte twice (each part's MD5 for its
    // ETag, and the object's), and the main thread mostly waits on sockets and the disk.
    const size = Math.min(4, Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));
    pool = Array.from({ length: size }, hashWorker);
  }
  return pool[nextWorker++ % pool.length];
}

/** Several hashes of one byte stream, read from files by a worker thread. */
export class WorkerHashes {
  // A stream is pinned to one worker: its ranges are hashed in order. A worker that dies takes the
  // stream's state with it; the new one answers "no such stream", which fails the stream.
  private readonly w = pickWorker();
  private readonly stream = nextStream++;
  /** Ranges and the digest not answered yet, settled by a drop. */
  private readonly waiting = new Set<(r: HashReply) => void>();
  private done = false;
  private error = '';

  constructor(readonly types: readonly WorkerHashType[]) {
    this.w.post({ op: 'open', stream: this.stream, types } satisfies HashRequest);
  }

  private request(message: HashRequest & { id: number }): Promise<HashReply> {
    return new Promise((resolve) => {
      const settle = (r: HashReply) => {
        if (!this.waiting.delete(settle)) return; // answered by a drop already
        resolve(r);
      };
      this.waiting.add(settle);
      this.w.request(message).then(settle);
    });
  }

  /**
   * Appends bytes [start, start+len) of `file` to the stream; they must be written already and must not
   * change until this resolves. Ranges are hashed in the order given, each once the earlier are done.
   * `keepOpen`: more ranges of this file follow soon (a body being written), so the worker keeps the file
   * open for them; otherwise it closes it (a stream may then idle for ever holding nothing but its state).
   */
  async hashFile(file: string, start: number, len: number, keepOpen = false): Promise<void> {
    if (this.done) throw new Error('the hash stream is closed');
    if (len === 0) return;
    const r = await this.request({ op: 'file', id: nextRequest++, stream: this.stream, file, start, len, keepOpen });
    if (r.error) {
      this.error ||= r.error;
      throw new Error(r.error);
    }
  }

  /** Hex digests in the order of `types`, once every range given before is hashed. */
  async digest(): Promise<string[]> {
    if (this.done) throw new Error('the hash stream is closed');
    this.done = true;
    const r = await this.request({ op: 'digest', id: nextRequest++, stream: this.stream });
    const error = this.error || r.error;
    if (error || r.hex?.length !== this.types.length) throw new Error(`hashing failed: ${error || 'no digest'}`);
    return r.hex;
  }

  /** Forgets the stream (an upload that failed midway); ranges still queued are hashed and thrown away. */
  drop(): void {
    if (this.done) return;
    this.done = true;
    // Whoever still waits on a range is answered now; the worker's late replies find nobody waiting.
    const waiting = [...this.waiting];
    this.w.postIfRunning({ op: 'drop', stream: this.stream } satisfies HashRequest);
    for (const settle of waiting) settle({ id: 0, error: 'the hash stream was dropped' });
  }
}
