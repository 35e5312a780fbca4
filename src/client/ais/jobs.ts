// AIStore's jobs as its own clients drive them (python/aistore/sdk bucket.py, object_group.py, job.py,
// cluster.py; api/xaction.go):
//   copy-bck        POST /v1/buckets/SRC?bck_to=PROVIDER/@UUID#NS/DST/ {"action":"copy-bck","value":TCBMsg}
//   copy-listrange  POST /v1/buckets/SRC {"action":"copy-listrange","value":{tobck, objnames|template, prepend}}
//   delete-listrange DELETE /v1/buckets/B {"action":"delete-listrange","value":{objnames|template}}
//   summary-bck     GET /v1/buckets/B {"action":"summary-bck","value":BsummCtrlMsg}: 202 + id, then 200 + result
//   jobs            GET /v1/cluster?what=qryxstats {QueryMsg}: {target id: [core.Snap]}
//   archive         PUT /v1/buckets/SRC {"action":"archive","value":{archname, objnames|template, tobck, aate}}
//   stop            PUT /v1/cluster {"action":"stop","value":{ID, Kind}}
import { BucketRef, ClientError, networkError } from '../cluster';
import { readText } from '../http';
import { JOB_KIND, type BucketSummary, type ClusterJobs, type CopyBucketOptions, type JobInfo, type ObjectSelection, type SummaryOptions } from '../jobs';
import { ACT } from '../../common/aisapi';
import { AisRequests, bucketQuery, targetOf } from './requests';

const SUMMARY_POLL_FIRST_MS = 50;
const SUMMARY_POLL_MAX_MS = 1000;
/** Go's zero time.Time, which a running job's end-time is. */
const GO_ZERO_YEAR = 1;

/** cmn.Bck as it travels. */
interface WireBucket {
  name?: string;
  provider?: string;
  namespace?: { uuid?: string; name?: string };
}

/** core.Snap (core/xaction.go), the fields read here. */
interface WireSnap {
  id?: string;
  kind?: string;
  bck?: WireBucket;
  'src-bck'?: WireBucket;
  'dst-bck'?: WireBucket;
  'start-time'?: string;
  'end-time'?: string;
  'abort-err'?: string;
  err?: string;
  aborted?: boolean;
  stats?: Record<string, string | number | undefined>;
}

/** The uname AIStore's bck_to query takes (cmn.Bck.MakeUname with no object): "ais/@uuid#ns/name/". */
export function bucketUname(b: BucketRef): string {
  return `${b.provider || 'ais'}/@${b.namespace?.uuid ?? ''}#${b.namespace?.name ?? ''}/${b.name}/`;
}

function wireBucket(b: BucketRef): WireBucket {
  return { name: b.name, provider: b.provider || 'ais', ...(b.namespace ? { namespace: { uuid: b.namespace.uuid, name: b.namespace.name } } : {}) };
}

function bucketOf(w: WireBucket | undefined): BucketRef | undefined {
  if (!w?.name) return undefined;
  const ns = w.namespace && (w.namespace.uuid || w.namespace.name) ? { uuid: w.namespace.uuid ?? '', name: w.namespace.name ?? '' } : undefined;
  return { name: w.name, provider: w.provider || 'ais', ...(ns ? { namespace: ns } : {}) };
}

function timeOf(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= GO_ZERO_YEAR ? undefined : d;
}

const num = (v: string | number | undefined) => (v === undefined ? 0 : Number(v) || 0);

/** One job from the snaps of each target that runs it: counts added, the earliest start, the last end. */
export function jobsFromSnaps(byTarget: Record<string, WireSnap[] | null> | null): JobInfo[] {
  const jobs = new Map<string, JobInfo & { runningOn: number }>();
  for (const snaps of Object.values(byTarget ?? {})) {
    for (const s of snaps ?? []) {
      if (!s.id) continue;
      const started = timeOf(s['start-time']);
      const ended = timeOf(s['end-time']);
      const stats = s.stats ?? {};
      const error = s.err || s['abort-err'] || undefined;
      let job = jobs.get(s.id);
      if (!job) {
        job = { id: s.id, kind: s.kind ?? '', bucket: bucketOf(s.bck) ?? bucketOf(s['src-bck']), destination: bucketOf(s['dst-bck']), started, ended, objects: 0, bytes: 0, aborted: false, runningOn: 0 };
        jobs.set(s.id, job);
      }
      // Objects done here and objects sent to another target are different objects (xact/xs/coi.go).
      job.objects += num(stats['loc-objs']) + num(stats['out-objs']);
      job.bytes += num(stats['loc-bytes']) + num(stats['out-bytes']);
      if (started && (!job.started || started < job.started)) job.started = started;
      if (!ended) job.runningOn++;
      else if (!job.ended || ended > job.ended) job.ended = ended;
      if (error && !job.error?.includes(error)) job.error = job.error ? `${job.error}; ${error}` : error;
      job.aborted ||= !!s.aborted;
    }
  }
  return [...jobs.values()].map(({ runningOn, ...job }) => (runningOn > 0 && !job.aborted ? { ...job, ended: undefined } : job));
}

export class AisJobs implements ClusterJobs {
  constructor(private readonly requests: AisRequests) {}

  private async startJob(method: string, bucket: BucketRef, value: unknown, action: string, query: Record<string, string | undefined> = {}): Promise<string> {
    const res = await this.requests.send({
      method,
      path: `/v1/buckets/${encodeURIComponent(bucket.name)}`,
      query: bucketQuery(bucket, query),
      json: { action, value },
      target: targetOf(bucket),
    });
    const id = (await readText(res, 4096).catch((err) => Promise.reject(networkError(err, this.requests.endpoint)))).trim().replace(/^"|"$/g, '');
    if (!id) throw new ClientError('protocol', `${this.requests.endpoint} started ${action} on ${targetOf(bucket)} but sent no job id.`, this.requests.endpoint);
    return id;
  }

  copyBucket(source: BucketRef, destination: BucketRef, options: CopyBucketOptions = {}): Promise<string> {
    const value = { prefix: options.prefix ?? '', prepend: options.prepend ?? '', dry_run: !!options.dryRun };
    return this.startJob('POST', source, value, ACT.copyBck, { bck_to: bucketUname(destination) });
  }

  copyObjects(source: BucketRef, destination: BucketRef, selection: ObjectSelection, options: { prepend?: string } = {}): Promise<string> {
    const value = { ...selectionValue(selection), tobck: wireBucket(destination), prepend: options.prepend ?? '', coer: true };
    return this.startJob('POST', source, value, ACT.copyListRange);
  }

  deleteObjects(bucket: BucketRef, selection: ObjectSelection): Promise<string> {
    return this.startJob('DELETE', bucket, selectionValue(selection), ACT.deleteListRange);
  }

  // object_group.py prefetch(): POST {"action": "prefetch-listrange", "value": PrefetchMsg}
  prefetch(bucket: BucketRef, selection: ObjectSelection, options: { latest?: boolean } = {}): Promise<string> {
    return this.startJob('POST', bucket, { ...selectionValue(selection), coer: true, 'latest-ver': !!options.latest }, JOB_KIND.prefetchObjects);
  }

  // object_group.py evict(): DELETE {"action": "evict-listrange", "value": ListRange}
  evict(bucket: BucketRef, selection: ObjectSelection): Promise<string> {
    return this.startJob('DELETE', bucket, selectionValue(selection), JOB_KIND.evictObjects);
  }

  // object_group.py archive(): PUT {"action": "archive", "value": {objnames|template, archname, tobck, isbn, aate, coer}}
  archive(bucket: BucketRef, archName: string, selection: ObjectSelection, options: { destination?: BucketRef; append?: boolean } = {}): Promise<string> {
    const value = { ...selectionValue(selection), archname: archName, tobck: wireBucket(options.destination ?? bucket), isbn: false, aate: !!options.append, coer: false };
    return this.startJob('PUT', bucket, value, JOB_KIND.archive);
  }

  async list(): Promise<JobInfo[]> {
    const byTarget = await this.requests.json<Record<string, WireSnap[] | null> | null>({ method: 'GET', path: '/v1/cluster', query: { what: 'qryxstats' }, json: {}, target: 'jobs' });
    if (byTarget !== null && (typeof byTarget !== 'object' || Array.isArray(byTarget))) throw this.requests.notAis('jobs', 'a job list that is not a map of targets');
    return jobsFromSnaps(byTarget);
  }

  async get(id: string): Promise<JobInfo | undefined> {
    try {
      const byTarget = await this.requests.json<Record<string, WireSnap[] | null>>({ method: 'GET', path: '/v1/cluster', query: { what: 'qryxstats' }, json: { id }, target: `job ${id}` });
      return jobsFromSnaps(byTarget).find((j) => j.id === id);
    } catch (e) {
      if (e instanceof ClientError && e.kind === 'not-found') return undefined;
      throw e;
    }
  }

  async stop(id: string, kind?: string): Promise<void> {
    await this.requests.noBody({ method: 'PUT', path: '/v1/cluster', json: { action: ACT.stopJob, value: { ID: id, Kind: kind ?? '' } }, target: `job ${id}` });
  }

  async summary(bucket: BucketRef, options: SummaryOptions = {}): Promise<BucketSummary> {
    const msg = { uuid: '', prefix: options.prefix ?? '', cached: !options.remote, present: true };
    const ask = () =>
      this.requests.send({ method: 'GET', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), json: { action: ACT.summaryBck, value: msg }, target: targetOf(bucket) });
    const read = async (res: Awaited<ReturnType<typeof ask>>) => readText(res, 16 << 20).catch((err) => Promise.reject(networkError(err, this.requests.endpoint)));
    const first = await ask();
    msg.uuid = (await read(first)).trim().replace(/^"|"$/g, '');
    if (!msg.uuid) throw new ClientError('protocol', `${this.requests.endpoint} sent no job id for the summary of ${targetOf(bucket)}.`, this.requests.endpoint);
    options.onJob?.(msg.uuid);
    for (let pause = SUMMARY_POLL_FIRST_MS; ; pause = Math.min(SUMMARY_POLL_MAX_MS, pause * 1.5)) {
      if (options.signal?.aborted) {
        await this.stop(msg.uuid, ACT.summaryBck).catch(() => undefined);
        throw new ClientError('aborted', `The summary of ${targetOf(bucket)} was cancelled.`, this.requests.endpoint);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      const res = await ask();
      const text = await read(res);
      if (res.statusCode === 202) continue;
      return summaryOf(text, () => this.requests.notAis(`the summary of ${targetOf(bucket)}`, 'an answer that is not a list of bucket summaries'));
    }
  }
}

function selectionValue(selection: ObjectSelection): { objnames: string[] } | { template: string } {
  return 'names' in selection ? { objnames: selection.names } : { template: selection.template };
}

/** [cmn.BsummResult] → counts; the first result is the bucket asked about. */
function summaryOf(text: string, notAis: () => ClientError): BucketSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw notAis();
  }
  const r = (Array.isArray(parsed) ? parsed[0] : undefined) as { ObjCount?: Record<string, unknown>; TotalSize?: Record<string, unknown> } | undefined;
  if (!r || typeof r !== 'object') return { objects: 0, bytes: 0 };
  const count = r.ObjCount ?? {};
  const size = r.TotalSize ?? {};
  const n = (v: unknown) => Number(v ?? 0) || 0;
  const summary: BucketSummary = { objects: n(count.obj_count_present), bytes: n(size.size_all_present_objs) };
  if (n(count.obj_count_remote) > 0 || n(size.size_all_remote_objs) > 0) {
    summary.remoteObjects = n(count.obj_count_remote);
    summary.remoteBytes = n(size.size_all_remote_objs);
  }
  return summary;
}
