// POST /v1/objects/BUCKET {"action": "blob-download", "name": OBJECT, "value": apc.BlobMsg}: a job that
// reads one large remote object into the cluster in parallel ranges (api/blob.go BlobDownload, the Python
// SDK's Object.blob_download(); ais/proxy.go httpobjpost redirects it, ais/target.go blobdl starts it).
// BlobMsg is {chunk-size, full-size, chunk-read-timeout, num-workers, latest-ver} (api/apc/blob.go). A copy
// already here is nothing to do (200, no job id), unless latest-ver finds the remote's version changed;
// the remote not having the object is a 404. The bytes reach the cache whole or not at all (cluster/blob.ts).
import { ACT, bucketCname } from '../../common/aisapi';
import { BLOB, chunkSizeOf, rangedSource, workersOf } from '../cluster/blob';
import { checkAgainstRemote, headRemote } from '../cluster/latest';
import type { RemoteObject } from '../cluster/remote';
import { errors } from '../errors';
import { badRequest, msgFields } from './errors';
import { ActMsg, BucketCall, sendOk, sendXid } from './http';
import { jobEngine } from './jobengine';
import { iec } from './prefetch';

interface BlobMsg {
  chunkSize: number;
  fullSize: number;
  workers: number;
  latest: boolean;
}

// POST /v1/objects/BUCKET {"action": "blob-download", "name": OBJECT} (also accepted at /v1/objects/BUCKET/OBJECT)
export async function blobDownload(call: BucketCall & { key?: string }, msg: ActMsg): Promise<void> {
  const { ctx, res, bucket } = call;
  const key = msg.name || call.key || '';
  if (!key) throw badRequest(`${ACT.blobDownload}: object name is missing (expecting it in the action message's "name")`);
  const bm = blobMsg(msg.value);
  await ctx.cluster.getBucket(bucket);
  if (bucket.provider === 'ais') throw badRequest(`${ACT.blobDownload}: expecting remote bucket (have ${bucketCname(bucket)})`);

  let head: RemoteObject | undefined;
  if (await ctx.cluster.isCached(bucket, key)) {
    if (!bm.latest) return sendOk(res); // in the cluster already: nothing to do (target.go blobdl)
    const checked = await checkAgainstRemote(ctx.cluster, bucket, key);
    if (checked.copy && checked.head && !checked.change) return sendOk(res);
    head = checked.head;
  } else head = await headRemote(ctx.cluster, bucket, key);
  if (!head) throw errors.noSuchKey(bucket.name, key); // deleted remotely, or never there
  if (bm.fullSize > 0 && bm.fullSize !== head.size)
    throw badRequest(`${ACT.blobDownload}/${bucketCname(bucket)}/${key}: user-specified size ${bm.fullSize}, have ${head.size}`);

  const chunkSize = chunkSizeOf(bm.chunkSize);
  const workers = workersOf(bm.workers, head.size, chunkSize);
  const ctlMsg = `${bucketCname(bucket)}/${key}, size:${iec(head.size)}, chunk-size:${iec(chunkSize)}, workers:${workers}`;
  const got = head;
  const job = jobEngine(ctx.cluster).start({ kind: ACT.blobDownload, bck: bucket, ctlMsg }, async (j) => {
    const source = rangedSource(bucket.name, got, { chunkSize, workers, signal: j.signal, onChunk: (n) => (j.bytes += n) });
    await ctx.cluster.cacheRemote(bucket, key, source);
    if (j.aborted) return;
    j.objs = 1;
    j.bytes = got.size; // also when a cold GET of the same object was already under way and did the reading
  });
  sendXid(res, job.id);
}

function blobMsg(value: unknown): BlobMsg {
  if (value === undefined || value === null) return { chunkSize: 0, fullSize: 0, workers: 0, latest: false };
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${ACT.blobDownload}: value must be a BlobMsg JSON object`);
  const v = value as Record<string, unknown>;
  const { int, bool } = msgFields(ACT.blobDownload, v);
  const latest = bool('latest-ver');
  // apc.BlobMsg.FromHeader: workers in (-1..128)
  return { chunkSize: int('chunk-size', 0), fullSize: int('full-size', 0), workers: Math.min(int('num-workers', -1, 128), BLOB.maxWorkers), latest };
}
