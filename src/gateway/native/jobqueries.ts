// Asking about jobs and stopping them, as a proxy answers (ais/prxclu.go httpcluget, ais/ic.go):
//   GET /v1/cluster?what=status       one job's nl.Status (xstatusOne): by id, or the latest of a kind
//   GET /v1/cluster?what=status_all   every matching job's nl.Status (xstatusAll)
//   GET /v1/cluster?what=running_all  "kind[id]" of each running job (xgetRunning)
//   GET /v1/cluster?what=qryxstats    core.Snap of each matching job, keyed by target id (xquery)
//   PUT /v1/cluster {"action": "stop", "value": ArgsMsg}   aborts the matching running jobs (xstop)
// The body is an xact.QueryMsg {id, kind, bck, show_active, node, buckets}; a stop's value an xact.ArgsMsg,
// whose Go fields have no JSON tags (ID, Kind, Bck, OnlyRunning...). Go's encoding/json matches keys
// without regard to case, and so does this.
import { bucketCname } from '../../common/aisapi';
import { nodeName } from '../cluster/nodes';
import { PROVIDERS, type BucketRef, type Provider } from '../store/types';
import { badRequest, NativeError } from './errors';
import { ActMsg, NativeCall, readBody, sendJson, sendOk } from './http';
import { Job, JobFilter, jobEngine } from './jobengine';
import { JOB_KINDS, jobSnapJson, jobStatusJson } from './wire';

interface Query {
  id: string;
  kind: string;
  bck?: BucketRef;
  onlyRunning?: boolean;
}

// GET /v1/cluster?what=status
export async function getJobStatus(call: NativeCall): Promise<void> {
  const q = await readQuery(call);
  const proxy = nodeName(call.ctx.info, 'proxy');
  if (!q.id && !q.kind) throw badRequest(`invalid ${queryName(q)}`);
  const engine = jobEngine(call.ctx.cluster);
  let job: Job | undefined;
  if (q.id) {
    job = engine.get(q.id);
    // ais/ic.go reverseToOwner: an id no notification listener owns.
    if (!job) throw new NativeError(404, 'ErrNotFound', `${proxy}: x-[${q.id}] does not exist`);
    if (q.onlyRunning && !job.running) job = undefined;
  } else {
    // The running one if any, else the one that ended last (api/xaction.go GetOneXactionStatus).
    const all = engine.find(filterOf(q));
    job = all.filter((j) => j.running).pop() ?? all.sort((a, b) => a.endTime - b.endTime).pop();
  }
  if (!job) throw new NativeError(404, 'ErrNotFound', `${proxy}: nl [${call.ctx.info.proxy.id}(*), ${queryName(q)}] does not exist`);
  if (q.kind && job.kind !== q.kind) throw badRequest(`kind mismatch: ${queryName(q)}, expected kind=${job.kind}`);
  sendJson(call.res, 200, JSON.stringify(jobStatusJson(job)));
}

// GET /v1/cluster?what=status_all
export async function getAllJobStatus(call: NativeCall): Promise<void> {
  const q = await readQuery(call);
  const jobs = jobEngine(call.ctx.cluster).find(filterOf(q));
  // AIStore marshals an empty nl.StatusVec as null (the Python SDK reads null as []); an empty list says
  // the same and spares every client the special case.
  sendJson(call.res, 200, JSON.stringify(jobs.map(jobStatusJson)));
}

// GET /v1/cluster?what=running_all
export async function getRunningJobs(call: NativeCall): Promise<void> {
  const q = await readQuery(call);
  checkKind(q.kind);
  const jobs = jobEngine(call.ctx.cluster).find({ kind: q.kind, onlyRunning: true });
  sendJson(call.res, 200, JSON.stringify(jobs.map((j) => `${j.kind}[${j.id}]`)));
}

// GET /v1/cluster?what=qryxstats
export async function queryJobSnaps(call: NativeCall): Promise<void> {
  const q = await readQuery(call);
  checkKind(q.kind);
  const notFound = () => new NativeError(404, '', `${JSON.stringify(queryName(q))} not found`);
  // The target answers 404 for an unknown bucket or id, and a proxy with no target answers left says so.
  if (q.bck && !call.ctx.cluster.isPresent(q.bck)) throw notFound();
  const jobs = jobEngine(call.ctx.cluster).find(filterOf(q));
  if (q.id && jobs.length === 0) throw notFound();
  if (q.id && q.kind && jobs[0].kind !== q.kind) throw notFound();
  sendJson(call.res, 200, JSON.stringify({ [call.ctx.info.target.id]: jobs.map(jobSnapJson) }));
}

// PUT /v1/cluster {"action": "stop", "value": {"ID": ..., "Kind": ...}}
export async function stopJobs(call: NativeCall, msg: ActMsg): Promise<void> {
  const q = parseQuery(msg.value ?? {}, 'onlyrunning');
  const args = `xa-${q.kind}[${q.id}]${q.bck ? '-' + bucketCname(q.bck) : ''}`;
  if (q.kind && !JOB_KINDS.includes(q.kind)) throw badRequest(`invalid xaction (job) kind ${JSON.stringify(q.kind)}: ${args}`);
  if (q.id && !isValidUuid(q.id)) throw badRequest(`invalid xaction (job) UUID ${JSON.stringify(q.id)}: ${args}`);
  if (!q.kind && !q.id) throw badRequest(`cannot stop xaction given '${args}' - expecting a valid kind and/or UUID`);
  // A job that has ended, or none at all, is nothing to stop: AIStore answers 200 (xreg.DoAbort).
  jobEngine(call.ctx.cluster).stop({ id: q.id, kind: q.kind, bck: q.bck });
  sendOk(call.res);
}

/** cos.IsValidUUID: at least 9 characters, letters, digits, and - or _ inside. */
export function isValidUuid(id: string): boolean {
  return id.length >= 9 && /^[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9_-]$/.test(id);
}

function checkKind(kind: string): void {
  if (kind && !JOB_KINDS.includes(kind)) throw badRequest(`invalid xaction (job) kind ${JSON.stringify(kind)}`);
}

function filterOf(q: Query): JobFilter {
  return { id: q.id || undefined, kind: q.kind || undefined, bck: q.bck, onlyRunning: q.onlyRunning };
}

/** xact.QueryMsg.String: x-KIND[ID]-BUCKET-only-running. */
function queryName(q: Query): string {
  let s = q.id ? `x-${q.kind}[${q.id}]` : `x-${q.kind}`;
  if (q.bck) s += '-' + bucketCname(q.bck);
  if (q.onlyRunning) s += '-only-running';
  return s;
}

async function readQuery(call: NativeCall): Promise<Query> {
  const raw = (await readBody(call.req)).toString('utf8').trim();
  let v: unknown;
  try {
    v = raw ? JSON.parse(raw) : {};
  } catch (e) {
    throw badRequest(`failed to unmarshal JSON query message: ${(e as Error).message}`);
  }
  return parseQuery(v, 'show_active');
}

/** A QueryMsg or ArgsMsg, keys in any case; `runningKey` is the name "only running" has in that message. */
function parseQuery(v: unknown, runningKey: string): Query {
  if (v === null) return { id: '', kind: '' };
  const m = lowerKeys(v, 'query message');
  const id = stringField(m, 'id');
  const kind = stringField(m, 'kind');
  const running = m[runningKey];
  if (running !== undefined && running !== null && typeof running !== 'boolean') throw badRequest(`${runningKey}: expecting true or false`);
  return { id, kind, bck: bucketOf(m.bck), onlyRunning: running === true ? true : undefined };
}

function lowerKeys(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const lk = k.toLowerCase();
    // An exact match wins over one in another case, as in Go.
    if (!(lk in out) || k === lk) out[lk] = x;
  }
  return out;
}

function stringField(m: Record<string, unknown>, name: string): string {
  const x = m[name];
  if (x === undefined || x === null) return '';
  if (typeof x !== 'string') throw badRequest(`json: cannot unmarshal ${typeof x} into Go struct field .${name} of type string`);
  return x;
}

/** cmn.Bck {name, provider, namespace}; an empty one selects no bucket. */
function bucketOf(v: unknown): BucketRef | undefined {
  if (v === undefined || v === null) return undefined;
  const b = lowerKeys(v, 'bck');
  const name = stringField(b, 'name');
  if (!name) return undefined;
  const provider = (stringField(b, 'provider') || 'ais').replace(/^s3$/, 'aws').replace(/^gs$/, 'gcp').replace(/^az$/, 'azure');
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw badRequest(`invalid backend provider "${provider}": must be one of [${PROVIDERS.join(' ')}]`);
  return { name, provider: provider as Provider };
}
