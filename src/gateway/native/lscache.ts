// A remote bucket's cache state in its listing, as AIStore's R-flow answers it (ais/plstcx.go listObjects,
// _checkVerChanged, _lsofc; xact/xs/nextpage.go filterAddLmeta; wanted_lso.go setWanted; wi_lso.go; the
// remotely-deleted entries of fs/lpi): the remote lists, and each listed object that has a copy here is
// flagged EntryIsCached and shown with the copy's size, checksum, atime and version. LsNotCached drops the
// cached ones; LsDiff compares each copy with what the remote listed (EntryVerChanged) and adds the copies
// the remote no longer lists (EntryVerRemoved | EntryIsCached, name and size only). A size that differs
// flags EntryVerChanged whenever size is listed (setWanted). A listing that wants only names, or names and
// sizes (LsNameOnly, LsNameSize: also what no props at all become), is the remote's page as it is, with no
// cache state (apc.LsoMsg.WantOnlyRemoteProps). LsCached and ais buckets list the cluster's copies (the
// A-flow), which is listobjects.ts's own.
import { bucketCname, ENTRY, LS, LsoEntry } from '../../common/aisapi';
import type { ClusterListPage, ListedObject } from '../cluster/cluster';
import { versionChange } from '../cluster/latest';
import type { RequestContext } from '../context';
import { compareKeys } from '../store/keys';
import type { BucketRef, ObjectSummary } from '../store/types';
import { badRequest } from './errors';

const has = (flags: number, flag: number) => (flags & flag) === flag;

/**
 * The flag combinations AIStore refuses, before any default props are applied (ais/plstcx.go
 * _checkVerChanged, then _lsofc): all 400s.
 */
export function checkCacheFlags(bucket: BucketRef, flags: number, props: string): void {
  if (has(flags, LS.diff)) {
    const a = 'cannot perform remote versions check (or diff vs remote bucket)';
    if (bucket.provider === 'ais') throw badRequest(`${a}: bucket ${bucketCname(bucket)} does not provide remote versioning info`);
    if (has(flags, LS.nameOnly) || has(flags, LS.nameSize) || !props.includes('custom')) throw badRequest(`${a} without listing "custom" (object property)`);
    if (has(flags, LS.notCached)) throw badRequest(`${a} when apc.LsNotCached (CLI '--not-cached') is set`);
    if (has(flags, LS.cached)) throw badRequest(`${a} when apc.LsCached (CLI '--cached') is set`);
  }
  if (has(flags, LS.notCached) && (bucket.provider === 'ais' || has(flags, LS.cached)))
    throw badRequest(`${bucketCname(bucket)} is not a remote bucket - cannot list 'not cached' objects`);
}

/** One listed object as its entry shows it. */
export interface EntryState {
  /** The attributes to show: the copy's when cached (its `cached` says so), else the remote's. */
  o: ListedObject;
  flags: number;
  /** ETag and modification time for custom-md: the remote's, as its listing gave them. */
  custom: { etag: string; mtime: number };
}

/** The cache state of one page of a remote listing. */
export interface CacheState {
  of(listed: ListedObject): EntryState;
  /** LsDiff: the copies in this page's range the remote no longer lists. */
  removed: LsoEntry[];
}

/** What the listing asked for, after AIStore's defaults (NormalizeNameSizeDflt). */
export interface ListAsked {
  flags: number;
  props: string;
  nameOnly: boolean;
  nameSize: boolean;
  prefix: string;
  delimiter?: string;
  startAfter?: string;
}

/** The entry of an object listed without cache state (the A-flow's, and the remote's page as it is). */
export function plainState(listed: ListedObject, flags = listed.cached ? ENTRY.isCached : 0): EntryState {
  return { o: listed, flags, custom: listed.remote ?? listed };
}

/** The cache state of a remote listing's page; undefined for the A-flow (an ais bucket, LsCached). */
export async function cacheStateOf(ctx: RequestContext, bucket: BucketRef, page: ClusterListPage, asked: ListAsked): Promise<CacheState | undefined> {
  if (bucket.provider === 'ais' || has(asked.flags, LS.cached)) return undefined;
  const diff = has(asked.flags, LS.diff);
  const onlyRemote = !diff && !has(asked.flags, LS.notCached) && (asked.nameOnly || asked.nameSize);
  if (onlyRemote) return { of: (listed) => plainState(listed, 0), removed: [] };

  const copies = diff ? await copiesInRange(ctx, bucket, page, asked) : await copiesOf(ctx, bucket, page);
  const wantSize = asked.props.includes('size');
  const of = (listed: ListedObject): EntryState => {
    const remote = listed.remote ?? listed;
    const copy = copies.get(listed.key);
    if (!copy) return { o: { ...listed, cached: false }, flags: 0, custom: remote };
    let flags = ENTRY.isCached;
    if (wantSize && remote.size > 0 && copy.size !== remote.size) flags |= ENTRY.verChanged;
    else if (diff && versionChange(copy, remote)) flags |= ENTRY.verChanged;
    return { o: { ...copy, cached: true, remote }, flags, custom: remote };
  };
  const removed: LsoEntry[] = [];
  if (diff) {
    const listedKeys = new Set(page.objects.map((o) => o.key));
    for (const [key, copy] of copies) if (!listedKeys.has(key)) removed.push({ name: key, size: copy.size, flags: ENTRY.verRemoved | ENTRY.isCached });
  }
  return { of, removed };
}

/** The copies of the page's objects (the remote listed them; no remote call here). */
async function copiesOf(ctx: RequestContext, bucket: BucketRef, page: ClusterListPage): Promise<Map<string, ObjectSummary>> {
  const out = new Map<string, ObjectSummary>();
  for (const o of page.objects) {
    const copy = await ctx.cluster.isCached(bucket, o.key);
    if (copy) out.set(o.key, copy);
  }
  return out;
}

/**
 * Every copy in the key range this page covers: after the previous page's last name, up to and including
 * this page's last (to the end on the last page), at the listing's level when it is not recursive. The
 * ones the remote did not list are the remotely deleted (fs/lpi: the local page "until" the remote's last).
 */
async function copiesInRange(ctx: RequestContext, bucket: BucketRef, page: ClusterListPage, asked: ListAsked): Promise<Map<string, ObjectSummary>> {
  const out = new Map<string, ObjectSummary>();
  const until = page.isTruncated ? page.last : undefined;
  let startAfter = asked.startAfter;
  for (;;) {
    const local = await ctx.cluster.listObjects(bucket, { prefix: asked.prefix, delimiter: asked.delimiter, startAfter, maxKeys: 1000, cachedOnly: true });
    for (const o of local.objects) {
      if (until !== undefined && compareKeys(o.key, until) > 0) return out;
      out.set(o.key, o);
    }
    if (!local.isTruncated || !local.last || (until !== undefined && compareKeys(local.last, until) > 0)) return out;
    startAfter = local.last;
  }
}
