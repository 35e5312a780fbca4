// Buckets: list, query, create, destroy (evict-remote-bck is remotecache.ts's), props (ais/proxy.go httpbckget, httpbckpost,
// httpbckdelete, httpbckpatch, httpbckhead); the jobs over buckets are multiobj.ts's, copybucket.ts's and
// summary.ts's. The props travel as cmn.Bprops JSON (wire.ts bpropsJson); their checksum section is cmn/config.go CksumConf {type,
// validate_cold_get, validate_warm_get (re-check a local copy before a GET), validate_obj_move,
// enable_read_range}.
import { HDR, PRESENCE } from '../../common/aisapi';
import { CHECKSUM_TYPES, isChecksumType } from '../checksum';
import type { Presence } from '../cluster/cluster';
import { errors } from '../errors';
import { badRequest } from './errors';
import { ActMsg, BucketCall, NativeCall, providerOf, sendJson, sendOk } from './http';
import { bckJson, bpropsJson, headerJson } from './wire';

// GET /v1/buckets {"action": "list"} (?provider=P&presence=N)
export async function listBuckets({ ctx, res, query }: NativeCall, msg: ActMsg): Promise<void> {
  const provider = providerOf(ctx, query, false);
  const found = await ctx.cluster.listBuckets(provider, presenceOf(query));
  const out = found.filter((b) => !msg.name || b.ref.name === msg.name).map((b) => bckJson(b.ref));
  sendJson(res, 200, JSON.stringify(out));
}

// GET /v1/buckets/NAME {"action": "list"} without a value: this bucket, if it exists, as a list (api.QueryBuckets)
export async function queryBucket({ ctx, res, query, bucket }: BucketCall): Promise<void> {
  const found = await ctx.cluster.listBuckets(bucket.provider, presenceOf(query));
  sendJson(res, 200, JSON.stringify(found.filter((b) => b.ref.name === bucket.name).map((b) => bckJson(b.ref))));
}

// HEAD /v1/buckets/NAME (?presence=N): the props in Ais-Bucket-Props
export async function headBucket({ ctx, res, query, bucket }: BucketCall): Promise<void> {
  if (presenceOf(query) === 'present' && !ctx.cluster.isPresent(bucket)) throw errors.noSuchBucket(bucket.name);
  const info = await ctx.cluster.getBucket(bucket);
  res.writeHead(200, { [HDR.bucketProps]: headerJson(bpropsJson(info)) });
  res.end();
}

// POST /v1/buckets/NAME {"action": "create-bck", "value": PROPS}
export async function createBucket({ ctx, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  await ctx.cluster.createBucket(bucket, bpropsToSet(msg.value));
  sendOk(res);
}

// DELETE /v1/buckets/NAME {"action": "destroy-bck"}
export async function destroyBucket({ ctx, res, bucket }: BucketCall): Promise<void> {
  if (bucket.provider === 'ais') await ctx.cluster.deleteBucket(bucket, { force: true });
  else {
    // A remote bucket is "completely evicted" (ais/tgttxn.go destroyBucket): its in-cluster copy goes, the
    // bucket and objects in the cloud stay. AIStore has no backend call that deletes one.
    await ctx.cluster.getBucket(bucket); // 404 when the remote has no such bucket
    await ctx.cluster.evictBucket(bucket);
  }
  sendOk(res);
}

// PATCH /v1/buckets/NAME {"action": "set-bprops", "value": PROPS}
export async function setBucketProps({ ctx, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  await ctx.cluster.setBucketProps(bucket, bpropsToSet(msg.value) ?? {});
  sendOk(res);
}

// PATCH /v1/buckets/NAME {"action": "reset-bprops"}
export async function resetBucketProps({ ctx, res, bucket }: BucketCall): Promise<void> {
  await ctx.cluster.resetBucketProps(bucket);
  sendOk(res);
}

/** The `presence` query (api/apc/query.go QparamFltPresence) as the cluster filters by it. */
function presenceOf(query: URLSearchParams): Presence {
  const raw = query.get('presence');
  if (raw === null || raw === '') return 'exists';
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0 || v > 5) throw badRequest(`invalid presence=${raw} (expecting 0..5, api/apc/query.go)`);
  if (v === PRESENCE.present || v === PRESENCE.presentNoProps || v === PRESENCE.presentCluster) return 'present';
  if (v === PRESENCE.existsOutside) return 'outside';
  return 'exists';
}

/** cmn.BpropsToSet: a partial props object; only the checksum section (and versioning) is ours to set. */
function bpropsToSet(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('bucket props must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [section, v] of Object.entries(value)) {
    if (v === null) continue;
    if (section !== 'checksum' && section !== 'versioning')
      throw badRequest(`unknown or unsupported bucket property "${section}" (supported: checksum, versioning)`);
    if (section === 'checksum' && typeof v === 'object' && !Array.isArray(v)) {
      // Go's *string/*bool fields: null means "leave as is".
      out.checksum = Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== null));
      const t = (out.checksum as { type?: unknown }).type;
      if (t !== undefined && !isChecksumType(t))
        throw badRequest(`invalid checksum type ${JSON.stringify(t)} (expecting [${CHECKSUM_TYPES.join(' ')}])`);
    } else out[section] = v;
  }
  return out;
}
