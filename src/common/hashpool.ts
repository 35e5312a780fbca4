// Hashing off the event loop. node:crypto's streaming hashes (MD5, SHA-2) run synchronously on the
// calling thread: MD5 of every byte received costs ~2 ms per MB, which made it the bottleneck of large
// PUTs (the event loop hashed while the socket and the disk waited). Here worker threads hash while the
// main thread only moves bytes.
//
// - The bytes to hash are always in a file already (the gateway: a body on its way to storage, a part in
//   place, an upload's data file; the client: a download's temp file): the worker reads them back itself, from the page cache, with its own buffer.
//   The main thread only says "bytes [start, start+len) of this file are written". An earlier design
//   copied every chunk into a shared-memory ring; that copy, on the main thread while the worker read the
//   other end, cost as much as the rest of a PUT.
// - A stream is pinned to one worker (ranges are hashed in order); streams are spread round-robin.
// - Memory is one read buffer per worker whatever the body size; a worker that falls behind only means
//   more of the file is hashed after its last byte lands. A stream between ranges holds only its hash
//   state (no buffer, no open file), so an upload left open costs next to nothing.
// - Only node:crypto types go to a worker (the worker is an eval'd script with built-ins only: no bundle
//   path or node_modules needed). xxhash (WASM, GB/s) and crc32c stay on the caller's thread.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

export type WorkerHashType = 'md5' | 'sha256' | 'sha512';
export const WORKER_HASH_TYPES: readonly string[] = ['md5', 'sha256', 'sha512'];

const READ_BYTES = 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(${READ_BYTES});
const streams = new Map();
function closeFile(s) {
  if (s.fd !== undefined) try { fs.closeSync(s.fd); } catch {}
  s.fd = undefined;
  s.file = '';
}
parentPort.on('message', (m) => {
  const s = streams.get(m.id);
  if (m.op === 'open') streams.set(m.id, { hs: m.types.map((t) => crypto.createHash(t)), file: '', fd: undefined, error: '' });
  else if (m.op === 'file') {
    if (s && !s.error) {
      try {
        if (s.file !== m.file) {
          closeFile(s);
          s.fd = fs.openSync(m.file, 'r');
          s.file = m.file;
        }
        for (let pos = m.start, end = m.start + m.len; pos < end; ) {
          const n = fs.readSync(s.fd, buf, 0, Math.min(buf.length, end - pos), pos);
          if (n === 0) throw new Error(m.file + ' ends at ' + pos + ' bytes, expected ' + end);
          for (const h of s.hs) h.update(buf.subarray(0, n));
          pos += n;
        }
      } catch (e) {
        s.error = String(e && e.message || e);
      }
      if (s.error || !m.keepOpen) closeFile(s);
    }
    parentPort.postMessage({ id: m.id, op: 'ack', error: s ? s.error : 'no such stream' });
  } else if (m.op === 'digest') {
    streams.delete(m.id);
    if (s) closeFile(s);
    parentPort.postMessage({ id: m.id, op: 'digest', error: s ? s.error : 'no such stream', hex: s && !s.error ? s.hs.map((h) => h.digest('hex')) : [] });
  } else if (m.op === 'drop') {
    streams.delete(m.id);
    if (s) closeFile(s);
  }
});
`;

interface Reply {
  id: number;
  op: 'ack' | 'digest';
  error: string;
  hex?: string[];
}

interface StreamState {
  /** Settles the stream's outstanding requests in the order they were sent (the worker answers in order). */
  replies: ((r: Reply) => void)[];
}

class HashWorker {
  readonly worker: Worker;
  readonly streams = new Map<number, StreamState>();
  /** Requests the worker has not answered: the process stays alive while there are any, never otherwise. */
  private outstanding = 0;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: Reply) => {
      this.settle();
      this.streams.get(m.id)?.replies.shift()?.(m);
      if (m.op === 'digest') this.streams.delete(m.id);
    });
    this.worker.on('error', (e) => {
      // A dead worker fails its streams; the next stream gets a new worker.
      for (const s of this.streams.values()) for (const r of s.replies.splice(0)) r({ id: 0, op: 'ack', error: `hash worker failed: ${e.message}` });
      this.streams.clear();
      this.outstanding = 0;
      console.error(`hash worker failed: ${e.message}`);
    });
    // An idle pool must never keep a process alive (tests, the CLI's clean exit). Unref after the
    // listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  /** Sends a request whose reply settles the returned promise. */
  request(id: number, message: object): Promise<Reply> {
    const s = this.streams.get(id);
    if (!s) return Promise.resolve({ id, op: 'ack', error: 'the hash stream is closed' });
    if (this.outstanding++ === 0) this.worker.ref();
    return new Promise((resolve) => {
      s.replies.push(resolve);
      this.worker.postMessage(message);
    });
  }

  private settle(): void {
    if (this.outstanding > 0 && --this.outstanding === 0) this.worker.unref();
  }
}

let pool: HashWorker[] = [];
let nextWorker = 0;
let nextId = 1;

function pickWorker(): HashWorker {
  // At least two: a multipart upload on an md5 bucket hashes every byte twice (each part's MD5 for its
  // ETag, and the object's), and the main thread mostly waits on sockets and the disk.
  const size = Math.min(4, Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));
  pool = pool.filter((w) => w.worker.threadId !== -1);
  while (pool.length < size) pool.push(new HashWorker());
  return pool[nextWorker++ % pool.length];
}

/** Several hashes of one byte stream, read from files by a worker thread. */
export class WorkerHashes {
  private readonly w = pickWorker();
  private readonly id = nextId++;
  private done = false;
  private error = '';

  constructor(readonly types: readonly WorkerHashType[]) {
    this.w.streams.set(this.id, { replies: [] });
    this.w.worker.postMessage({ id: this.id, op: 'open', types });
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
    const r = await this.w.request(this.id, { id: this.id, op: 'file', file, start, len, keepOpen });
    if (r.error) {
      this.error ||= r.error;
      throw new Error(r.error);
    }
  }

  /** Hex digests in the order of `types`, once every range given before is hashed. */
  async digest(): Promise<string[]> {
    if (this.done) throw new Error('the hash stream is closed');
    this.done = true;
    const r = await this.w.request(this.id, { id: this.id, op: 'digest' });
    const error = this.error || r.error;
    if (error || r.hex?.length !== this.types.length) throw new Error(`hashing failed: ${error || 'no digest'}`);
    return r.hex;
  }

  /** Forgets the stream (an upload that failed midway); ranges still queued are hashed and thrown away. */
  drop(): void {
    if (this.done) return;
    this.done = true;
    // Whoever still waits on a range is answered now; the worker's late replies find no stream.
    const replies = this.w.streams.get(this.id)?.replies.splice(0) ?? [];
    this.w.streams.delete(this.id);
    this.w.worker.postMessage({ id: this.id, op: 'drop' });
    for (const r of replies) r({ id: this.id, op: 'ack', error: 'the hash stream was dropped' });
  }
}
