// Reading a large remote object in parallel ranges, as AIStore's blob downloader does (xact/xs/
// blob_download.go): `workers` range GETs of `chunkSize` bytes are in flight at once and their chunks are
// passed on in order, so at most workers × chunkSize bytes wait in memory. Every range GET names the
// object's ETag (If-Match): should the remote object change midway, the download fails instead of mixing
// two versions. The bytes go to the cache through the cold GET's own write (temp file, verified, renamed
// into place), so a failed or stopped download leaves no object, and an older copy stays as it was.
import { Readable } from 'node:stream';
import type { RemoteSource } from './cluster';
import type { RemoteObject, RemoteS3 } from './remote';

/** The blob downloader's limits (blob_download.go: dfltChunkSize, minChunkSize, maxChunkSize, blobMaxWorkers). */
export const BLOB = {
  defaultChunk: 4 * 1024 * 1024,
  minChunk: 32 * 1024,
  maxChunk: 16 * 1024 * 1024,
  maxWorkers: 32,
  /** Workers when the request names none: enough to overlap round trips without crowding the remote. */
  defaultWorkers: 4,
} as const;

export interface BlobOptions {
  /** Bytes per range GET; clamped to [minChunk, maxChunk]. 0 or absent: the default. */
  chunkSize?: number;
  /** Range GETs in flight; -1 (AIStore's "no workers") or 1 reads them one after another. */
  workers?: number;
  /** Stops the download (the job was stopped). */
  signal?: AbortSignal;
  /** Called with each chunk's size as it is passed on (job progress). */
  onChunk?: (bytes: number) => void;
}

export function chunkSizeOf(requested: number | undefined): number {
  if (!requested) return BLOB.defaultChunk;
  return Math.min(BLOB.maxChunk, Math.max(BLOB.minChunk, requested));
}

export function workersOf(requested: number | undefined, size: number, chunk: number): number {
  const chunks = Math.max(1, Math.ceil(size / chunk));
  const wanted = requested === undefined || requested === 0 ? BLOB.defaultWorkers : requested < 0 ? 1 : requested;
  return Math.max(1, Math.min(wanted, BLOB.maxWorkers, chunks));
}

/** A cold-GET source that reads the object `head` describes in parallel ranges. */
export function rangedSource(bucket: string, head: RemoteObject, opts: BlobOptions = {}): RemoteSource {
  return async (remote) => {
    if (head.size === 0) return remote.getObject(bucket, head.key); // nothing to split
    const chunk = chunkSizeOf(opts.chunkSize);
    const workers = workersOf(opts.workers, head.size, chunk);
    return { ...head, body: Readable.from(chunksInOrder(remote, bucket, head, chunk, workers, opts), { objectMode: false }) };
  };
}

async function* chunksInOrder(remote: RemoteS3, bucket: string, head: RemoteObject, chunk: number, workers: number, opts: BlobOptions): AsyncGenerator<Buffer> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
  const inFlight: Promise<Buffer>[] = [];
  let next = 0;
  const launch = () => {
    const start = next;
    const end = Math.min(head.size, start + chunk) - 1;
    next = end + 1;
    const read = remote.getRange(bucket, head.key, start, end, { etag: head.etag || undefined, signal });
    read.catch(() => undefined); // awaited in order below; an early failure must not go unhandled meanwhile
    inFlight.push(read);
  };
  try {
    while (inFlight.length < workers && next < head.size) launch();
    while (inFlight.length > 0) {
      if (opts.signal?.aborted) throw new Error('blob download stopped');
      const bytes = await inFlight.shift()!;
      if (next < head.size) launch();
      opts.onChunk?.(bytes.length);
      yield bytes;
    }
  } finally {
    stop.abort(); // a failure or a stop: the ranges still in flight are not wanted
  }
}
