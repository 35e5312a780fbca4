// The jobs the gateway ran for AIStore's multi-object requests (delete-listrange, evict-listrange), kept
// so that GET /v1/cluster?what=status (ais/ic.go xstatusOne) can say how each ended, as AIStore's clients
// ask before they trust the job id they were given (api/xaction.go WaitForXactionIC, the Python SDK's
// Job.wait). The gateway runs a job to its end before it answers, so every job it knows has ended.

/** nl.Status (nl/listener.go): {kind, uuid, err, end_time (Unix ns), aborted}. */
export interface JobStatus {
  kind: string;
  uuid: string;
  err: string;
  end_time: number;
  aborted: boolean;
}

/** How many ended jobs a gateway remembers (AIStore, too, forgets ended jobs after a while). */
const KEPT_JOBS = 1000;
const jobsOf = new WeakMap<object, Map<string, JobStatus>>();

/** Records a job that ended, with its errors in AIStore's cos.Errs form: "first (and N more errors)". */
export function recordJob(owner: object, kind: string, uuid: string, errors: string[]): JobStatus {
  const jobs = jobsOf.get(owner) ?? new Map<string, JobStatus>();
  jobsOf.set(owner, jobs);
  const more = errors.length - 1;
  const err = errors.length === 0 ? '' : more > 0 ? `${errors[0]} (and ${more} more error${more === 1 ? '' : 's'})` : errors[0];
  const status: JobStatus = { kind, uuid, err, end_time: Date.now() * 1_000_000, aborted: false };
  jobs.set(uuid, status);
  if (jobs.size > KEPT_JOBS) jobs.delete(jobs.keys().next().value!);
  return status;
}

/** The job with this id, or (no id) the latest of this kind. */
export function findJob(owner: object, id: string, kind: string): JobStatus | undefined {
  const jobs = jobsOf.get(owner);
  if (!jobs) return undefined;
  if (id) return jobs.get(id);
  return [...jobs.values()].reverse().find((j) => j.kind === kind);
}
