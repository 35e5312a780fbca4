// What the Jobs view shows, as plain data: per cluster, the jobs the cluster reports (AIStore's xactions,
// whoever started them) and the ones this window runs itself (where a cluster has no server-side job: S3
// endpoints, copies between clusters). Finished jobs stay for the session. The board asks the clusters
// while any of their jobs runs, once a second, and not at all when none does; refresh() asks at once
// (the view shown, its Refresh, a job just started). No vscode import: views/jobs.ts draws it.
import { ClientError, type BucketRef, type ClusterClient } from '../client/cluster';
import { isRunning, type JobInfo } from '../client/jobs';

export const POLL_MS = 1000;
/** Finished jobs a cluster reports that are kept per cluster (AIStore keeps a long history). */
const FINISHED_KEPT = 50;
/** Extension-run jobs tell their progress at most this often. */
const LOCAL_UPDATE_MS = 250;

export interface JobEntry {
  clusterName: string;
  info: JobInfo;
  /** Who runs it: the cluster, or this window (then Stop aborts it here). */
  runner: 'cluster' | 'extension';
  /** What it was asked to do, when this window started it: "Copy ais://a to ais://b". */
  title?: string;
}

export interface ClusterJobsState {
  clusterName: string;
  kind: 'ais' | 's3';
  jobs: JobEntry[];
  /** Why the cluster's jobs could not be read (unreachable, refused). */
  error?: string;
}

export interface JobSource {
  clusters(): Promise<{ clusterName: string; kind: 'ais' | 's3' }[]>;
  client(clusterName: string): Promise<ClusterClient>;
}

/** What a job run by this window does with its progress. */
export interface LocalJobControl {
  readonly signal: AbortSignal;
  /** Adds to the objects and bytes done. */
  add(objects: number, bytes: number): void;
  /** Adds an error and goes on (the job ends with it). */
  fail(message: string): void;
}

export interface LocalJobSpec {
  kind: string;
  bucket?: BucketRef;
  destination?: BucketRef;
  title?: string;
}

type Listener = () => void;

export class JobBoard {
  private readonly byCluster = new Map<string, Map<string, JobEntry>>();
  private readonly errors = new Map<string, string>();
  private readonly kinds = new Map<string, 'ais' | 's3'>();
  /** Clear Finished's time per cluster: what the cluster reports as ended before it stays out. */
  private readonly clearedAt = new Map<string, number>();
  private readonly stops = new Map<string, AbortController>();
  private readonly waiters = new Map<string, ((job: JobInfo) => void)[]>();
  private readonly listeners = new Set<Listener>();
  private timer?: ReturnType<typeof setTimeout>;
  private localSeq = 0;
  private lastLocalEmit = 0;
  private localEmitPending?: ReturnType<typeof setTimeout>;
  private disposed = false;

  constructor(private readonly source: JobSource) {}

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** Whether the board is asking clusters now (a job of theirs runs). */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** Every cluster with its jobs, running ones first (newest first), then finished ones (last ended first). */
  async state(): Promise<ClusterJobsState[]> {
    const clusters = await this.source.clusters();
    for (const c of clusters) this.kinds.set(c.clusterName, c.kind);
    return clusters.map((c) => ({ clusterName: c.clusterName, kind: c.kind, jobs: this.jobsOf(c.clusterName), error: this.errors.get(c.clusterName) }));
  }

  /** Whether any job on the board runs (the cluster's or this window's). */
  anyRunning(): boolean {
    return [...this.byCluster.values()].some((jobs) => [...jobs.values()].some((e) => isRunning(e.info)));
  }

  jobsOf(clusterName: string): JobEntry[] {
    const jobs = [...(this.byCluster.get(clusterName)?.values() ?? [])];
    const t = (d?: Date) => d?.getTime() ?? 0;
    const running = jobs.filter((j) => isRunning(j.info)).sort((a, b) => t(b.info.started) - t(a.info.started));
    // A job stopped a moment ago may have no end time yet: it ended now.
    const end = (j: JobEntry) => j.info.ended?.getTime() ?? Date.now();
    const finished = jobs.filter((j) => !isRunning(j.info)).sort((a, b) => end(b) - end(a) || t(b.info.started) - t(a.info.started));
    return [...running, ...finished];
  }

  find(clusterName: string, id: string): JobEntry | undefined {
    return this.byCluster.get(clusterName)?.get(id);
  }

  /** Asks every AIStore cluster (or the one named) for its jobs now; keeps polling while any runs. */
  async refresh(clusterName?: string): Promise<void> {
    const clusters = clusterName ? [{ clusterName, kind: this.kinds.get(clusterName) ?? 'ais' }] : await this.source.clusters();
    for (const c of clusters) this.kinds.set(c.clusterName, c.kind);
    await Promise.all(clusters.map((c) => this.refreshCluster(c.clusterName)));
    this.emit();
    this.schedule();
  }

  private async refreshCluster(clusterName: string): Promise<void> {
    let client: ClusterClient;
    try {
      client = await this.source.client(clusterName);
    } catch (e) {
      this.errors.set(clusterName, (e as Error).message);
      return;
    }
    if (!client.jobs) return;
    try {
      const listed = await client.jobs.list();
      this.errors.delete(clusterName);
      this.merge(clusterName, listed);
    } catch (e) {
      this.errors.set(clusterName, e instanceof ClientError || e instanceof Error ? e.message : String(e));
    }
  }

  /** Takes what a cluster reported; a job it no longer reports keeps its last state. */
  private merge(clusterName: string, listed: JobInfo[]): void {
    const jobs = this.jobsMap(clusterName);
    const cleared = this.clearedAt.get(clusterName) ?? 0;
    for (const info of listed) {
      if (!isRunning(info) && (info.ended?.getTime() ?? 0) < cleared && !jobs.has(info.id)) continue;
      const had = jobs.get(info.id);
      jobs.set(info.id, { clusterName, info, runner: 'cluster', title: had?.title });
      if (!isRunning(info)) this.settle(clusterName, info);
    }
    // A running job the cluster stopped reporting (a restarted node forgets its jobs): it ended unseen.
    const reported = new Set(listed.map((j) => j.id));
    for (const e of jobs.values()) {
      if (e.runner === 'cluster' && isRunning(e.info) && !reported.has(e.info.id)) {
        e.info = { ...e.info, ended: new Date(), error: e.info.error ?? 'the cluster no longer reports this job (restarted?)' };
        this.settle(clusterName, e.info);
      }
    }
    const finished = [...jobs.values()].filter((e) => e.runner === 'cluster' && !isRunning(e.info)).sort((a, b) => (b.info.ended?.getTime() ?? 0) - (a.info.ended?.getTime() ?? 0));
    for (const e of finished.slice(FINISHED_KEPT)) if (!e.title) jobs.delete(e.info.id);
  }

  private jobsMap(clusterName: string): Map<string, JobEntry> {
    let jobs = this.byCluster.get(clusterName);
    if (!jobs) this.byCluster.set(clusterName, (jobs = new Map()));
    return jobs;
  }

  private schedule(): void {
    if (this.disposed) return;
    const pending = [...this.byCluster.values()].some((jobs) => [...jobs.values()].some((e) => e.runner === 'cluster' && isRunning(e.info)));
    if (!pending) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const running = [...this.byCluster.entries()].filter(([, jobs]) => [...jobs.values()].some((e) => e.runner === 'cluster' && isRunning(e.info))).map(([name]) => name);
      void Promise.all(running.map((name) => this.refreshCluster(name))).then(() => {
        this.emit();
        this.schedule();
      });
    }, POLL_MS);
  }

  /** A job a cluster was just asked to start: shown at once, watched until it ends. */
  async started(clusterName: string, id: string, spec: LocalJobSpec): Promise<void> {
    const jobs = this.jobsMap(clusterName);
    if (!jobs.has(id)) jobs.set(id, { clusterName, runner: 'cluster', title: spec.title, info: { id, kind: spec.kind, bucket: spec.bucket, destination: spec.destination, started: new Date(), objects: 0, bytes: 0, aborted: false } });
    else jobs.get(id)!.title = spec.title;
    this.emit();
    await this.refresh(clusterName);
  }

  /** Resolves once the job has ended (as the board sees it), with how it ended. */
  whenEnded(clusterName: string, id: string): Promise<JobInfo> {
    const now = this.find(clusterName, id);
    if (now && !isRunning(now.info)) return Promise.resolve(now.info);
    return new Promise((resolve) => {
      const key = `${clusterName}\n${id}`;
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), resolve]);
    });
  }

  private settle(clusterName: string, info: JobInfo): void {
    const key = `${clusterName}\n${info.id}`;
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const w of waiting) w(info);
  }

  /** Runs a job in this window; it shows like a cluster's, and Stop aborts its signal. */
  runLocal(clusterName: string, spec: LocalJobSpec, work: (control: LocalJobControl) => Promise<void>): { id: string; done: Promise<JobInfo> } {
    const id = `local-${++this.localSeq}`;
    const abort = new AbortController();
    const info: JobInfo = { id, kind: spec.kind, bucket: spec.bucket, destination: spec.destination, started: new Date(), objects: 0, bytes: 0, aborted: false };
    const entry: JobEntry = { clusterName, info, runner: 'extension', title: spec.title };
    this.jobsMap(clusterName).set(id, entry);
    this.stops.set(`${clusterName}\n${id}`, abort);
    this.emit();
    // The first few errors are told; the rest are counted (a copy can fail on every key).
    const errors: string[] = [];
    let moreErrors = 0;
    const control: LocalJobControl = {
      signal: abort.signal,
      add: (objects, bytes) => {
        entry.info = { ...entry.info, objects: entry.info.objects + objects, bytes: entry.info.bytes + bytes };
        this.emitLocal();
      },
      fail: (message) => {
        if (errors.length < 3) errors.push(message);
        else moreErrors++;
      },
    };
    const done = (async () => {
      try {
        await work(control);
      } catch (e) {
        if (!abort.signal.aborted) errors.unshift((e as Error).message);
      }
      this.stops.delete(`${clusterName}\n${id}`);
      const shown = errors.join('; ') + (moreErrors ? ` (and ${moreErrors} more)` : '');
      entry.info = { ...entry.info, ended: new Date(), aborted: abort.signal.aborted, ...(errors.length ? { error: shown } : {}) };
      this.emit();
      this.settle(clusterName, entry.info);
      return entry.info;
    })();
    return { id, done };
  }

  private emitLocal(): void {
    const wait = this.lastLocalEmit + LOCAL_UPDATE_MS - Date.now();
    if (wait <= 0) {
      this.lastLocalEmit = Date.now();
      this.emit();
    } else if (!this.localEmitPending) {
      this.localEmitPending = setTimeout(() => {
        this.localEmitPending = undefined;
        this.lastLocalEmit = Date.now();
        this.emit();
      }, wait);
    }
  }

  /** Stops a running job: the cluster's by its API, this window's by its signal. */
  async stop(clusterName: string, id: string): Promise<void> {
    const entry = this.find(clusterName, id);
    const local = this.stops.get(`${clusterName}\n${id}`);
    if (local) {
      local.abort();
      return;
    }
    if (!entry || !isRunning(entry.info)) return;
    const client = await this.source.client(clusterName);
    await client.jobs?.stop(id, entry.info.kind);
    await this.refresh(clusterName);
  }

  /** Drops the finished jobs of one cluster (or all) from the board. */
  clearFinished(clusterName?: string): void {
    for (const [name, jobs] of this.byCluster) {
      if (clusterName && name !== clusterName) continue;
      this.clearedAt.set(name, Date.now());
      for (const [id, e] of jobs) if (!isRunning(e.info)) jobs.delete(id);
    }
    this.emit();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.localEmitPending) clearTimeout(this.localEmitPending);
    for (const a of this.stops.values()) a.abort();
    this.listeners.clear();
  }
}
