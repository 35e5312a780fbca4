// A worker thread that answers requests, the plumbing shared by the hash workers (hashpool.ts) and the
// download worker (client/rangefetch.ts):
// - Each request carries an id; the worker's replies name it. Replies before the final one are updates
//   (a download's progress). A pending map settles each request by its final reply.
// - Busy, the worker keeps the process alive; idle, never (tests, the gateway CLI's clean exit).
// - A worker that throws or exits fails every pending request with a reply saying so (never a hang), and
//   the next request starts a new one.
// - The worker is a bundled module next to this bundle (esbuild.mjs builds dist/<name>.js; test/build.mjs
//   and the other bundlers put it next to theirs), so it is found at run time by its file name.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** What every message to and from a worker carries: the request it belongs to. */
export interface WorkerRequest {
  id: number;
}

interface Pending<Reply> {
  onUpdate?: (reply: Reply) => void;
  settle: (reply: Reply) => void;
}

/** One running thread and the requests it has not answered yet. */
interface Running<Reply> {
  worker: Worker;
  pending: Map<number, Pending<Reply>>;
}

export interface RequestWorkerOptions<Reply> {
  /** The worker bundle's file name, next to this bundle ('hashworker.js'), or an absolute path. */
  script: string;
  /** The final reply that fails a pending request when the worker dies; `message` says how it died. */
  failure: (id: number, message: string) => Reply;
  /** Whether a reply settles its request (default: every reply does); the others go to `onUpdate`. */
  isFinal?: (reply: Reply) => boolean;
  /** Hears a worker's uncaught error, for a log. */
  onDeath?: (message: string) => void;
  /** Names the worker in failure messages: 'hash worker'. */
  name: string;
}

export class RequestWorker<Reply extends WorkerRequest> {
  private running?: Running<Reply>;

  constructor(private readonly options: RequestWorkerOptions<Reply>) {}

  /** Posts `message` and resolves with its final reply (a failure reply if the worker dies first). */
  request<Request extends WorkerRequest>(message: Request, onUpdate?: (reply: Reply) => void): Promise<Reply> {
    const run = this.start();
    return new Promise<Reply>((settle) => {
      run.pending.set(message.id, { onUpdate, settle });
      if (run.pending.size === 1) run.worker.ref();
      run.worker.postMessage(message);
    });
  }

  /** Posts a message that has no reply, starting the worker if none runs. */
  post(message: object): void {
    this.start().worker.postMessage(message);
  }

  /** Posts a message that has no reply, only to a worker that runs (a cancel or a cleanup means nothing to a new one). */
  postIfRunning(message: object): void {
    this.running?.worker.postMessage(message);
  }

  private start(): Running<Reply> {
    if (this.running) return this.running;
    const run: Running<Reply> = { worker: new Worker(path.resolve(__dirname, this.options.script)), pending: new Map() };
    const isFinal = this.options.isFinal ?? (() => true);
    run.worker.on('message', (reply: Reply) => {
      const p = run.pending.get(reply.id);
      if (!p) return;
      if (!isFinal(reply)) return p.onUpdate?.(reply);
      run.pending.delete(reply.id);
      if (run.pending.size === 0) run.worker.unref();
      p.settle(reply);
    });
    const died = (message: string) => {
      if (this.running === run) this.running = undefined;
      const pending = [...run.pending];
      run.pending.clear();
      for (const [id, p] of pending) p.settle(this.options.failure(id, message));
    };
    run.worker.on('error', (e) => {
      const message = `the ${this.options.name} failed: ${e.message}`;
      this.options.onDeath?.(message);
      died(message);
    });
    // After an error, or on its own: either way its requests get no answer from it any more.
    run.worker.on('exit', (code) => died(`the ${this.options.name} exited (${code})`));
    // Idle, it must never keep a process alive; unref after the listeners (a 'message' listener refs it).
    run.worker.unref();
    this.running = run;
    return run;
  }
}
