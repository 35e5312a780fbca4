// Listing a bucket's objects: api/apc/lsmsg.go LsoMsg {uuid, props, time_format, prefix, start_after,
// continuation_token, flags (`json:",string"`: a decimal string; numbers accepted too), pagesize}; the reply
// cmn/objlist.go LsoRes {uuid, continuation_token, entries, flags} as JSON, or as msgpack for clients that
// ask for it (api/ls.go and the Python SDK send `Accept: application/msgpack`; the SDK also insists on that
// Content-Type back). Dirs are "name/" entries
// (xact/xs/lso.go); atime is formatted with time_format, default Go's RFC822 (xact/xs/wanted_lso.go).
import { CUSTOM_KEY, ENTRY, formatCustomMd, LS, LsoEntry } from '../../common/aisapi';
import type { ListedObject } from '../cluster/cluster';
import { compareKeys } from '../store/keys';
import type { BucketRef } from '../store/types';
import { listPageWithShards } from './archlist';
import { badRequest } from './errors';
import { ActMsg, BucketCall, newUuid, sendJson, targetLocation } from './http';
import { cacheStateOf, checkCacheFlags, EntryState, plainState } from './lscache';
import { formatGoTime, lsoJson, lsoMsgpack, MAX_PAGE_SIZE, RFC822 } from './wire';

interface LsoMsg {
  uuid: string;
  props: string;
  timeFormat: string;
  prefix: string;
  startAfter: string;
  token: string;
  flags: number;
  pageSize: number;
}

// GET /v1/buckets/NAME {"action": "list", "value": LSOMSG}, or no message at all (curl)
export async function listObjects({ ctx, req, res, bucket }: BucketCall, msg: ActMsg): Promise<void> {
  const lso = parseLsoMsg(msg.value);
  const has = (flag: number) => (lso.flags & flag) === flag;
  checkCacheFlags(bucket, lso.flags, lso.props);
  // apc.LsoMsg.NormalizeNameSizeDflt: no props → name,size (+cached); "name" alone → names only.
  let props = lso.props;
  let nameOnly = has(LS.nameOnly);
  let nameSize = has(LS.nameSize);
  if (props === '') {
    nameSize ||= !has(LS.cached);
    props = has(LS.cached) ? 'name,size,checksum,atime' : 'name,size,cached';
  } else if (props === 'name') nameOnly = true;
  else if (props === 'name,size') nameSize = true;
  const want = (p: string) => props.includes(p);

  const maxPage = MAX_PAGE_SIZE[bucket.provider];
  const pageSize = lso.pageSize > 0 ? Math.min(lso.pageSize, maxPage) : maxPage;
  const noRecursion = has(LS.noRecursion);
  // Non-recursive listing is directory-wise: "a/b" lists the children of a/b/ (cmn.CheckDirNoRecurs).
  let prefix = lso.prefix;
  if (noRecursion && prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  let startAfter = lso.token || undefined;
  if (lso.startAfter && (!startAfter || compareKeys(lso.startAfter, startAfter) > 0)) startAfter = lso.startAfter;

  const timeFormat = lso.timeFormat || RFC822;
  const entryOf = (listed: ListedObject, state: EntryState = plainState(listed)): LsoEntry | undefined => {
    const { o, flags, custom } = state;
    if (has(LS.notCached) && flags & ENTRY.isCached) return undefined;
    const e: LsoEntry = { name: o.key, flags };
    if (!nameOnly) {
      if (want('size') || nameSize) e.size = o.size;
      if (want('checksum') && o.checksum.type !== 'none') e.checksum = o.checksum.value;
      if (want('atime') && o.cached && o.atime > 0) e.atime = formatGoTime(new Date(o.atime), timeFormat);
      if (want('version')) e.version = o.version;
      if (want('copies') && o.cached) e.copies = 1;
      if (want('location') && o.cached) e.location = targetLocation(ctx);
      if (want('custom') && custom.etag) e['custom-md'] = customMd(bucket, custom);
    }
    return e;
  };
  const delimiter = noRecursion ? '/' : undefined;

  let entries: LsoEntry[] = [];
  let token: string;
  if (has(LS.archDir)) {
    // Shards opened (archlist.ts); ais/plstcx.go: LsArchDir lists what is in the cluster only (LsCached).
    const opts = { prefix, delimiter, startAfter, maxKeys: pageSize, cachedOnly: true, dirs: !has(LS.noDirs) };
    ({ entries, token } = await listPageWithShards(ctx, bucket, opts, (o) => entryOf(o)));
  } else {
    const page = await ctx.cluster.listObjects(bucket, { prefix, delimiter, startAfter, maxKeys: pageSize, cachedOnly: has(LS.cached) });
    // A remote bucket's entries say what is cached here (lscache.ts).
    const cache = await cacheStateOf(ctx, bucket, page, { flags: lso.flags, props, nameOnly, nameSize, prefix, delimiter, startAfter });
    for (const listed of page.objects) {
      const e = entryOf(listed, cache?.of(listed));
      if (e) entries.push(e);
    }
    if (cache) entries.push(...cache.removed);
    if (!has(LS.noDirs)) for (const cp of page.commonPrefixes) entries.push({ name: cp, flags: ENTRY.isDir });
    // Lexicographic, dirs among objects (ais/plstcx.go: SortLsoLex with LsNoRecursion, as tokens are names).
    entries.sort((a, b) => compareKeys(a.name, b.name));
    token = page.isTruncated && page.last ? page.last : '';
  }

  const result = {
    uuid: lso.uuid || newUuid(),
    continuation_token: token,
    entries,
    flags: 0,
  };
  if ((req.headers.accept ?? '').includes('application/msgpack')) {
    const body = lsoMsgpack(result);
    res.writeHead(200, { 'Content-Type': 'application/msgpack', 'Content-Length': body.byteLength });
    res.end(body);
    return;
  }
  sendJson(res, 200, lsoJson(result));
}

/** One page's listing request, and whether virtual directories are entries (not LsNoDirs). */
export interface PageOptions {
  prefix: string;
  delimiter?: string;
  startAfter?: string;
  maxKeys: number;
  cachedOnly: boolean;
  dirs: boolean;
}

/** How a page makes an object's entry (props as asked); undefined leaves the object out. */
export type EntryOf = (o: ListedObject) => LsoEntry | undefined;

function parseLsoMsg(value: unknown): LsoMsg {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest('list objects: value must be an LsoMsg JSON object');
  const str = (name: string): string => {
    const x = v[name];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw badRequest(`list objects: "${name}" must be a string`);
    return x;
  };
  // `flags` is `json:"flags,string"`: Go and Python send a decimal string; a bare number is taken too.
  const rawFlags = v.flags;
  let flags = 0;
  if (rawFlags !== undefined && rawFlags !== null && rawFlags !== '') {
    flags = typeof rawFlags === 'number' ? rawFlags : typeof rawFlags === 'string' && /^\d+$/.test(rawFlags) ? Number(rawFlags) : NaN;
    if (!Number.isSafeInteger(flags) || flags < 0) throw badRequest(`list objects: invalid flags ${JSON.stringify(rawFlags)}`);
  }
  const rawPage = v.pagesize;
  let pageSize = 0;
  if (rawPage !== undefined && rawPage !== null) {
    pageSize = typeof rawPage === 'number' ? rawPage : Number(rawPage);
    if (!Number.isSafeInteger(pageSize) || pageSize < 0) throw badRequest(`list objects: invalid pagesize ${JSON.stringify(rawPage)}`);
  }
  return {
    uuid: str('uuid'),
    props: str('props'),
    timeFormat: str('time_format'),
    prefix: str('prefix'),
    startAfter: str('start_after'),
    token: str('continuation_token'),
    flags,
    pageSize,
  };
}

/**
 * The entry's custom-md: the ETag unquoted, and for remote objects the RFC3339 LastModified as remote
 * backends record it. AIStore has an ETag there for remote objects and those written through S3; we give
 * every object's, which clients that know the format can use.
 */
function customMd(ref: BucketRef, o: { etag: string; mtime: number }): string {
  const kv: [string, string][] = [[CUSTOM_KEY.etag, o.etag.replace(/"/g, '')]];
  if (ref.provider !== 'ais' && o.mtime > 0) kv.push([CUSTOM_KEY.lastModified, formatGoTime(new Date(o.mtime), '2006-01-02T15:04:05Z07:00')]);
  return formatCustomMd(kv);
}
