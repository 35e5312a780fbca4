// Deleting many objects as one job (api/multiobj.go DeleteMultiObj) and waiting for it (GET
// /v1/cluster?what=status) to learn how it ended.
import { BucketRef, ClientError, DeleteFailure, DeleteObjectsOptions, DeleteObjectsResult, ListObjectsOptions, networkError, ObjectPage } from '../cluster';
import { readText } from '../http';
import { ACT } from '../../common/aisapi';
import { AisRequests, bucketQuery, targetOf } from './requests';

const JOB_POLL_FIRST_MS = 50;
const JOB_POLL_MAX_MS = 1000;
const JOB_WAIT_MS = 10 * 60_000;

/** nl.Status (nl/listener.go): what GET /v1/cluster?what=status answers about one job. */
interface JobStatus {
  kind?: string;
  uuid?: string;
  err?: string;
  /** Unix nanoseconds; 0 while the job runs. */
  end_time?: number;
  aborted?: boolean;
}

type ListObjects = (bucket: BucketRef, options: ListObjectsOptions) => Promise<ObjectPage>;

/**
 * AIStore's multi-object delete (api/multiobj.go DeleteMultiObj): DELETE /v1/buckets/B {"action":
 * "delete-listrange", "value": {"objnames": [...]}} starts one job for all the names and answers with its
 * id; the job's status (GET /v1/cluster?what=status, ais/ic.go xstatusOne) says when it ended and with what
 * error. That error names a few keys at most (cos.Errs), and a listed name that was not there counts as one
 * (xact/xs/evict.go): so after an error (or a stop), the keys still listed are the ones not deleted. The
 * signal stops the job (PUT /v1/cluster stop); what it deleted by then stays deleted.
 */
export async function deleteObjects(requests: AisRequests, listObjects: ListObjects, bucket: BucketRef, keys: string[], options: DeleteObjectsOptions): Promise<DeleteObjectsResult> {
  if (keys.length === 0) return { deleted: 0, failed: [], cancelled: false };
  if (options.signal?.aborted) return { deleted: 0, failed: [], cancelled: true };
  const target = targetOf(bucket);
  const res = await requests.send({
    method: 'DELETE',
    path: `/v1/buckets/${encodeURIComponent(bucket.name)}`,
    query: bucketQuery(bucket),
    json: { action: ACT.deleteListRange, value: { objnames: keys } },
    target,
  });
  const jobId = (await readText(res, 4096).catch((err) => Promise.reject(networkError(err, requests.endpoint)))).trim();
  const stop = () => void requests.noBody({ method: 'PUT', path: '/v1/cluster', json: { action: ACT.stopJob, value: { ID: jobId, Kind: ACT.deleteListRange } }, target: `job ${jobId}` }).catch(() => undefined);
  options.signal?.addEventListener('abort', stop, { once: true });
  let status: JobStatus | undefined;
  try {
    status = jobId ? await waitForJob(requests, jobId, ACT.deleteListRange, target) : undefined;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  const cancelled = !!options.signal?.aborted || !!status?.aborted;
  if (status && !status.err && !status.aborted) {
    options.onProgress?.(keys.length, keys.length);
    return { deleted: keys.length, failed: [], cancelled: false };
  }
  const left = await keysStillListed(listObjects, bucket, keys);
  options.onProgress?.(keys.length, keys.length);
  if (cancelled) return { deleted: keys.length - left.length, failed: [], cancelled: true };
  const why = status?.err || 'the cluster did not say how the delete job ended';
  return { deleted: keys.length - left.length, failed: left.map((key): DeleteFailure => ({ key, message: why })), cancelled: false };
}

/** Polls a job's status until it ends; undefined when the cluster does not know the job (any more). */
async function waitForJob(requests: AisRequests, id: string, kind: string, target: string): Promise<JobStatus | undefined> {
  const started = Date.now();
  for (let pause = JOB_POLL_FIRST_MS; ; pause = Math.min(JOB_POLL_MAX_MS, pause * 1.5)) {
    let status: JobStatus;
    try {
      status = await requests.json<JobStatus>({ method: 'GET', path: '/v1/cluster', query: { what: 'status' }, json: { id, kind }, target: `job ${id} (${kind} on ${target})` });
    } catch (err) {
      if (err instanceof ClientError && err.kind === 'not-found') return undefined;
      throw err;
    }
    if (Number(status.end_time ?? 0) > 0 || status.aborted) return status;
    if (Date.now() - started > JOB_WAIT_MS) {
      throw new ClientError('timeout', `Job ${id} (${kind} on ${target}) has not ended after ${JOB_WAIT_MS / 60_000} minutes; see \`ais show job ${id}\`.`, requests.endpoint);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Which of `keys` a listing still shows: the range from the smallest to the largest, under their common prefix. */
async function keysStillListed(listObjects: ListObjects, bucket: BucketRef, keys: string[]): Promise<string[]> {
  const sorted = [...keys].sort(compareBytes);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  let common = 0;
  while (common < first.length && first[common] === last[common]) common++;
  const wanted = new Set(keys);
  const left: string[] = [];
  let token: string | undefined;
  do {
    const page = await listObjects(bucket, { prefix: first.slice(0, common), folders: false, pageSize: 1000, token });
    for (const o of page.objects) if (wanted.has(o.key)) left.push(o.key);
    token = page.nextToken;
    const end = page.objects[page.objects.length - 1]?.key;
    if (end !== undefined && compareBytes(end, last) >= 0) break;
  } while (token);
  return left;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
