// The gateway's jobs (AIStore's xactions, xact/README.md): each has an id, a kind, its bucket(s), start and
// end times, counts of objects and bytes done, an error, and whether it was aborted. A job runs in the
// background after the request that started it was answered; its work awaits I/O and yields between
// objects, so other requests are served meanwhile. Jobs live in memory only: a restarted gateway knows
// none, as a restarted AIStore node knows none.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { BucketRef } from '../store/types';
import { newUuid } from './http';

/** Ended jobs a gateway remembers (AIStore, too, forgets old ones: xreg hkDelOld). */
const KEPT_ENDED = 1000;
/** AIStore's cos.Errs keeps this many errors and counts the rest. */
const KEPT_ERRORS = 4;
/** Work items between two yields to the event loop, for work that does not wait on I/O by itself. */
const YIELD_EVERY = 64;

/** cmn.ErrXactUserAbort: what a stop request aborts a job with. */
export const USER_ABORT = 'user abort';

export interface JobSpec {
  kind: string;
  bck?: BucketRef;
  src?: BucketRef;
  dst?: BucketRef;
  /** The control message that started it, as AIStore keeps it in Snap.CtlMsg. */
  ctlMsg?: string;
  /** AIStore's idle-before-finishing kinds (copy-listrange) report is_idle when their work is done. */
  idles?: boolean;
}

export class Job {
  readonly id = newUuid();
  /** ms since epoch */
  readonly startTime = Date.now();
  endTime = 0;
  objs = 0;
  bytes = 0;
  aborted = false;
  abortErr = '';
  /** Set when the job's work returns: what it produced (summary-bck keeps its result here). */
  result: unknown;
  private readonly errors: string[] = [];
  private errorCount = 0;
  private ticks = 0;
  private readonly abortCtl = new AbortController();
  /** Settles when the job has ended, however it ended. */
  done: Promise<void> = Promise.resolve();

  constructor(readonly spec: JobSpec) {}

  get kind(): string {
    return this.spec.kind;
  }

  get running(): boolean {
    return this.endTime === 0;
  }

  get signal(): AbortSignal {
    return this.abortCtl.signal;
  }

  /** An error of one object: the job goes on. */
  addError(message: string): void {
    this.errorCount++;
    if (this.errors.length < KEPT_ERRORS) this.errors.push(message);
  }

  /** cos.Errs.Error: "first (and N more errors)". */
  get err(): string {
    if (this.errorCount === 0) return '';
    const more = this.errorCount - 1;
    return more > 0 ? `${this.errors[0]} (and ${more} more error${more === 1 ? '' : 's'})` : this.errors[0];
  }

  abort(why = USER_ABORT): void {
    if (!this.running || this.aborted) return;
    this.aborted = true;
    this.abortErr = why;
    this.abortCtl.abort();
  }

  /** Called between work items: gives the event loop a turn now and then; false once the job is stopped. */
  async next(): Promise<boolean> {
    if (++this.ticks % YIELD_EVERY === 0) await yieldToEvents();
    return !this.aborted;
  }
}

/** What a query selects (xact.QueryMsg): by id, kind, bucket, and running or not. */
export interface JobFilter {
  id?: string;
  kind?: string;
  bck?: BucketRef;
  onlyRunning?: boolean;
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>();

  /** Starts a job: `work` runs after this returns, in the background, and ends the job when it settles. */
  start(spec: JobSpec, work: (job: Job) => Promise<unknown>): Job {
    const job = new Job(spec);
    this.jobs.set(job.id, job);
    job.done = (async () => {
      await yieldToEvents(); // the request that started it is answered first
      try {
        if (!job.aborted) job.result = await work(job);
      } catch (e) {
        if (!job.aborted) job.addError((e as Error)?.message ?? String(e));
      } finally {
        job.endTime = Date.now();
        this.prune();
      }
    })();
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Jobs this filter selects, oldest first (Flt.Matches: an id selects that job alone). */
  find(f: JobFilter): Job[] {
    const out: Job[] = [];
    for (const job of this.jobs.values()) if (matches(job, f)) out.push(job);
    return out;
  }

  /** Aborts the running jobs a filter selects (xreg.DoAbort); none selected is no error. */
  stop(f: JobFilter): void {
    for (const job of this.find({ ...f, onlyRunning: true })) job.abort();
  }

  /** Aborts every running job and waits for them to end (the gateway is closing). */
  async stopAll(): Promise<void> {
    const running = this.find({ onlyRunning: true });
    for (const job of running) job.abort('gateway is shutting down');
    await Promise.all(running.map((j) => j.done));
  }

  private prune(): void {
    let ended = 0;
    for (const job of this.jobs.values()) if (!job.running) ended++;
    for (const [id, job] of this.jobs) {
      if (ended <= KEPT_ENDED) break;
      if (!job.running) {
        this.jobs.delete(id);
        ended--;
      }
    }
  }
}

function sameBucket(a: BucketRef | undefined, b: BucketRef): boolean {
  return !!a && a.name === b.name && a.provider === b.provider;
}

function matches(job: Job, f: JobFilter): boolean {
  if (f.onlyRunning !== undefined && f.onlyRunning !== job.running) return false;
  if (f.id) return job.id === f.id;
  if (f.kind && job.kind !== f.kind) return false;
  if (f.bck && !sameBucket(job.spec.bck, f.bck) && !sameBucket(job.spec.src, f.bck) && !sameBucket(job.spec.dst, f.bck)) return false;
  return true;
}

const engines = new WeakMap<object, JobEngine>();

/** The job engine of a gateway's cluster (one per gateway process). */
export function jobEngine(owner: object): JobEngine {
  let e = engines.get(owner);
  if (!e) engines.set(owner, (e = new JobEngine()));
  return e;
}
