// Ranged downloads from an AIS cluster (and from an S3 endpoint: s3rangefetch.ts) move their bytes on a
// worker thread: request, response body, and positional writes into the download's temp file all happen
// there; the caller's thread only hears "n more bytes written" and the outcome.
//
// Why: Node's HTTP parser hands over every 64 KB of body as a new external buffer. Their sheer volume
// (16,000 per GB) sets off full mark-compacts of whatever heap they land in: 50–90 per GB were counted on
// the bench client's 12 MB heap, and the extension host's heap is far larger, so each one costs more and
// stalls the event loop the UI runs on. A worker's heap holds almost nothing, so the same collections
// there cost next to nothing. Measured on the bench's 1 GB md5 download (3 runs each): the client's CPU
// went from 2.7–5.9 s to 3.6–4.7 s (steadier, both including the MD5 hashing) and the median speed from
// 331 to 389 MB/s.
//
// The worker is rangeworker.ts, bundled next to this bundle. Redirects, connect and idle timeouts behave
// as in HttpTransport; errors come back as plain data for the caller to turn into its ClientErrors. No
// proxies here: a proxied client streams on its own thread (HttpTransport).
import { RequestWorker } from '../common/workerthread';

/** One range of an object to fetch into `file` at `position`. */
export interface RangeFetch {
  url: string;
  headers: Record<string, string>;
  file: string;
  position: number;
  length: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxRedirects: number;
  /** The caller's connection settings: requests with the same key share the worker's keep-alive agent. */
  agentKey: number;
  /** The caller's agent options (httpsAgentOptions) but for checkServerIdentity, a function, which cannot be posted. */
  agentOptions: { keepAlive?: boolean; maxSockets?: number; rejectUnauthorized?: boolean; ca?: unknown };
  /** False: the certificate chain is verified, the host name in it is not (s3cmd's check_ssl_hostname = False). */
  checkHostname: boolean;
}

export type RangeOutcome =
  /** The 2xx body, all `length` bytes of it, is in the file. */
  | { kind: 'done'; bytes: number }
  /** A final answer that is not 2xx (after redirects): its status, headers and the start of its body. */
  | { kind: 'status'; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  /**
   * Nothing usable came: `code`/`syscall` as Node's errors have them; `tag` for what the worker itself
   * decided (a timeout, too many redirects, a body of the wrong length) or 'file' when opening or writing
   * the local file failed.
   */
  | { kind: 'error'; message: string; code?: string; syscall?: string; tag?: 'connect-timeout' | 'idle-timeout' | 'redirects' | 'length' | 'worker' | 'file'; location?: string; status?: number }
  | { kind: 'cancelled' };

/** What rangeworker.ts is asked: `id` names the fetch a reply answers. */
export type RangeRequest = ({ op: 'fetch'; id: number } & RangeFetch) | { op: 'cancel'; id: number } | { op: 'forget'; agentKey: number };

/** What rangeworker.ts answers: progress as it writes, then one outcome. */
export type RangeReply = { id: number } & (RangeOutcome | { kind: 'progress'; bytes: number });

const worker = new RequestWorker<RangeReply>({
  script: 'rangeworker.js',
  name: 'download worker',
  failure: (id, message) => ({ id, kind: 'error', message, tag: 'worker' }),
  isFinal: (reply) => reply.kind !== 'progress',
});
let nextId = 1;
let nextAgentKey = 1;

/** A key for one client's connection settings; give it to `forgetAgents` when the client is disposed. */
export function newAgentKey(): number {
  return nextAgentKey++;
}

/** Fetches one range into a file on the download worker; `onBytes` hears each write as it lands. */
export async function fetchRangeToFile(spec: RangeFetch, onBytes: (n: number) => void, signal?: AbortSignal): Promise<RangeOutcome> {
  if (signal?.aborted) return { kind: 'cancelled' };
  const id = nextId++;
  const onAbort = () => worker.postIfRunning({ op: 'cancel', id } satisfies RangeRequest);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Every reply but progress is final: the outcome (with its id, which the caller ignores).
    return (await worker.request({ op: 'fetch', id, ...spec } satisfies RangeRequest, (r) => r.kind === 'progress' && onBytes(r.bytes))) as RangeOutcome;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Closes the worker's keep-alive sockets for a client that is gone. */
export function forgetAgents(agentKey: number): void {
  worker.postIfRunning({ op: 'forget', agentKey } satisfies RangeRequest);
}
