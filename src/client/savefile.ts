// A small download's bytes into its file off the caller's thread: a temp file next to it is created,
// written, closed and renamed onto the file by a worker thread (the download worker's script, a thread of
// its own), with plain synchronous calls there.
//
// Why: each asynchronous fs call on the caller's thread is a round trip through libuv's thread pool, two
// thread wake-ups; on a busy 2-core VM the woken pool thread takes the caller's CPU for the call's kernel
// work (~0.3 ms to create a file here). A folder's 64 KB files cost four of those each (open, write,
// close, rename): ~40% of the caller's busy time in a profile of a 1,000-file download. One message to this
// worker and its answer replace them, and the kernel work runs on the worker's thread. Measured on the
// bench's folder of 1000 × 64 KB (a bare GET loop, 16 in flight): 1,200–1,250 files/s with the four calls
// on the main thread, 1,620–1,660 with them here.
//
// The caller has the bytes and has verified them before it asks: a file is only ever renamed into place
// whole and checked. The worker removes the temp file when anything fails.
import { RequestWorker } from '../common/workerthread';

/** What the worker is asked: write `chunks` into a new `tmp` and rename it onto `file`. */
export interface SaveRequest {
  op: 'save';
  id: number;
  tmp: string;
  file: string;
  chunks: Uint8Array[];
}

export type SaveReply = { id: number } & ({ kind: 'saved' } | { kind: 'error'; message: string; code?: string; syscall?: string });

const worker = new RequestWorker<SaveReply>({
  script: 'rangeworker.js',
  name: 'file worker',
  failure: (id, message) => ({ id, kind: 'error', message }),
});
let nextId = 1;

/**
 * Writes `chunks` into a new temp file `tmp` ('wx') and renames it onto `file`, on the worker. Rejects with
 * the file system's error as Node words it (its code and syscall: the caller says what it means for
 * `file`); nothing is left at `tmp` then.
 */
export async function saveFile(tmp: string, file: string, chunks: Uint8Array[]): Promise<void> {
  const reply = await worker.request({ op: 'save', id: nextId++, tmp, file, chunks } satisfies SaveRequest);
  if (reply.kind === 'saved') return;
  throw Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {}, reply.syscall ? { syscall: reply.syscall } : {});
}
