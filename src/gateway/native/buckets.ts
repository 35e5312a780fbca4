// Buckets: list, query, create, destroy or evict, props, and deleting or evicting many objects at once
// (ais/proxy.go httpbckget, httpbckpost, httpbckdelete, httpbckpatch, httpbckhead). The props travel as
// cmn.Bprops JSON (wire.ts bpropsJson); their checksum section is cmn/config.go CksumConf {type,
// validate_cold_get, validate_warm_get (re-check a local copy before a GET), validate_obj_move,
// enable_read_range}.
import { ACT, HDR, PRESENCE } from '../../common/aisapi';
import { CHECKSUM_TYPES, isChecksumType } from '../checksum';
import type { ClusterListPage, Presence } from '../cluster/cluster';
import { errors, GatewayError } from '../errors';
import { badRequest, toNative } from './errors';
import { ActMsg, BucketCall, NativeCall, newUuid, providerOf, sendJson, sendOk } from './http';
import { recordJob } from './jobs';
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

// DELETE /v1/buckets/NAME {"action": "evict-remote-bck"}
export async function evictRemoteBucket({ ctx, res, bucket }: BucketCall): Promise<void> {
  await ctx.cluster.evictBucket(bucket);
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

// DELETE /v1/buckets/NAME {"action": "delete-listrange", "value": {"objnames": [...]} or {"template": "..."}}
// DELETE /v1/buckets/NAME {"action": "evict-listrange", "value": ...the same}
// (value apc.ListRange, api/apc/multiobj.go). AIStore runs these as a job and answers with its id.
export async function deleteListRange({ ctx, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  const v = (msg.value ?? {}) as { objnames?: unknown; template?: unknown };
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${msg.action}: value must be {"objnames": [...]} or {"template": "..."}`);
  const evict = msg.action === ACT.evictListRange;
  let names: string[];
  if (Array.isArray(v.objnames) && v.objnames.length > 0) {
    if (!v.objnames.every((n) => typeof n === 'string')) throw badRequest(`${msg.action}: objnames must be strings`);
    names = v.objnames as string[];
  } else if (typeof v.template === 'string' && v.template !== '') {
    names = expandTemplate(v.template);
  } else if (typeof v.template === 'string') {
    // An empty template means "the whole bucket" (AIStore: prefix-less range).
    names = [];
    let startAfter: string | undefined;
    for (;;) {
      const page: ClusterListPage = await ctx.cluster.listObjects(bucket, { maxKeys: 1000, startAfter, cachedOnly: evict });
      names.push(...page.objects.map((o) => o.key));
      if (!page.isTruncated) break;
      startAfter = page.last;
    }
  } else {
    throw badRequest(`${msg.action}: value must be {"objnames": [...]} or {"template": "..."}`);
  }
  const errs: string[] = [];
  if (evict) {
    for (const n of names) await ctx.cluster.evictObject(bucket, n).catch((e) => ignoreMissing(e));
  } else {
    // The job goes on past a key it cannot delete; a listed name that is not there is an error too,
    // unlike one a template or prefix produced (xact/xs/evict.go evictDelete.do).
    const { failed } = await ctx.cluster.deleteObjects(bucket, names);
    const listed = Array.isArray(v.objnames) && v.objnames.length > 0;
    for (const f of failed) if (listed || f.error.code !== 'NoSuchKey') errs.push(toNative(ctx, f.error, { bucket, key: f.key }).message);
  }
  // ais/proxy.go writeXid; the job's status says how it ended (cluster.ts getJobStatus).
  const xid = newUuid();
  recordJob(ctx.cluster, msg.action, xid, errs);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(xid) });
  res.end(xid);
}

function ignoreMissing(e: unknown): void {
  if (!(e instanceof GatewayError) || e.code !== 'NoSuchKey') throw e;
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

/** Bash-style range templates as AIStore takes them (cmn/cos/template.go): "shard-{001..100..1}.tar". */
function expandTemplate(template: string): string[] {
  const m = /\{(\d+)\.\.(\d+)(?:\.\.(\d+))?\}/.exec(template);
  if (!m) return [template];
  const [all, a, b, s] = m;
  const start = Number(a);
  const end = Number(b);
  const step = s ? Number(s) : 1;
  if (step <= 0 || end < start) throw badRequest(`invalid range template "${template}"`);
  if ((end - start) / step > 1_000_000) throw badRequest(`range template "${template}" is too large`);
  const width = a.length === b.length && a.startsWith('0') ? a.length : 0;
  const head = template.slice(0, m.index);
  const tail = template.slice(m.index + all.length);
  const out: string[] = [];
  for (let i = start; i <= end; i += step) {
    const n = width ? String(i).padStart(width, '0') : String(i);
    for (const rest of expandTemplate(tail)) out.push(head + n + rest);
  }
  return out;
}
