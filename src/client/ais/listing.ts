// Listing a bucket's objects (api/ls.go, api/apc/lsmsg.go): one page per request, folders through
// AIStore's no-recursion walk, and the bucket's checksum type that labels the listing's bare checksums.
import { BucketProps, BucketRef, ListObjectsOptions, ObjectEntry, ObjectPage } from '../cluster';
import { ACT, CUSTOM_KEY, ENTRY, LS, LsoEntry, LsoResult, parseCustomMd } from '../../common/aisapi';
import { parseAisTime } from './headers';
import { AisRequests, bucketQuery, targetOf } from './requests';

/** Props asked for in listings: AIStore fills only those it knows. */
const LIST_PROPS = 'name,size,checksum,atime,version,custom';
const NAME_PROPS = 'name,size';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
const CHECKSUM_TYPE_TTL_MS = 30_000;

/**
 * One page of `bucket`'s objects. `listAgain` is the client's own listObjects: a partial name lists its
 * directory page by page through it.
 */
export async function listObjectPage(
  requests: AisRequests,
  bucket: BucketRef,
  options: ListObjectsOptions,
  checksumType: () => Promise<string | undefined>,
  listAgain: (options: ListObjectsOptions) => Promise<ObjectPage>,
): Promise<ObjectPage> {
  const folders = options.folders !== false;
  const prefix = options.prefix ?? '';
  // AIStore's no-recursion walk takes the prefix as a directory (cmn.CheckDirNoRecurs): "docs/re"
  // lists nothing. List the directory "docs/" instead and keep the names that start with "docs/re".
  if (folders && prefix && !prefix.endsWith('/')) return listPartialName(listAgain, options, prefix);
  const { uuid, token } = splitToken(options.token);
  // A remote bucket is a cache: each entry says whether the cluster holds it (apc.GetPropsCached).
  const remote = (bucket.provider || 'ais') !== 'ais';
  const presence = remote ? options.presence ?? 'all' : 'all';
  const presenceFlag = presence === 'cached' ? LS.cached : presence === 'notCached' ? LS.notCached : presence === 'changed' ? LS.diff : 0;
  const msg = {
    uuid,
    props: `${options.namesOnly ? NAME_PROPS : LIST_PROPS}${remote ? ',cached' : ''}`,
    time_format: RFC3339_NANO,
    prefix: options.prefix ?? '',
    continuation_token: token,
    start_after: token ? undefined : options.startAfter || undefined,
    flags: String((folders ? LS.noRecursion : 0) | presenceFlag), // a string on the wire (`json:"flags,string"`)
    pagesize: options.pageSize ?? 0,
  };
  const [res, type] = await Promise.all([
    requests.json<LsoResult>({ method: 'GET', path: `/v1/buckets/${encodeURIComponent(bucket.name)}`, query: bucketQuery(bucket), json: { action: ACT.list, value: msg }, target: targetOf(bucket) }),
    checksumType(),
  ]);
  const entries = res && typeof res === 'object' ? res.entries : undefined;
  if (!res || typeof res !== 'object' || Array.isArray(res) || (entries != null && (!Array.isArray(entries) || !entries.every((e) => e && typeof e === 'object' && typeof e.name === 'string')))) {
    throw requests.notAis(`the object list of ${targetOf(bucket)}`, `JSON that is not an object list ("${JSON.stringify(res).slice(0, 60)}")`);
  }
  const page: ObjectPage = { objects: [], folders: [] };
  for (const e of res.entries ?? []) {
    if ((e.flags ?? 0) & ENTRY.isDir) {
      const dir = e.name.endsWith('/') ? e.name : `${e.name}/`;
      // AIStore lists the prefix "directory" itself on the first page; it is where we are, not a child.
      if (dir !== prefix) page.folders.push(dir);
      continue;
    }
    const entry = entryOf(e, type);
    if (remote) {
      entry.cached = !!((e.flags ?? 0) & ENTRY.isCached);
      if ((e.flags ?? 0) & ENTRY.verRemoved) entry.remoteChange = 'removed';
      else if ((e.flags ?? 0) & ENTRY.verChanged) entry.remoteChange = 'changed';
    }
    // LsDiff lists every cached object and flags the ones whose remote moved on: keep those.
    if (presence === 'changed' && !entry.remoteChange) continue;
    page.objects.push(entry);
  }
  if (res.continuation_token) page.nextToken = joinToken(res.uuid, res.continuation_token);
  return page;
}

async function listPartialName(listAgain: (options: ListObjectsOptions) => Promise<ObjectPage>, options: ListObjectsOptions, prefix: string): Promise<ObjectPage> {
  const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const out: ObjectPage = { objects: [], folders: [] };
  let token = options.token;
  for (;;) {
    const page = await listAgain({ ...options, prefix: dir, token });
    out.folders.push(...page.folders.filter((f) => f.startsWith(prefix)));
    out.objects.push(...page.objects.filter((o) => o.key.startsWith(prefix)));
    token = page.nextToken;
    if (!token) break;
    // Listings come sorted: once a page ends past every name with the prefix, no later page has one.
    const names = [...page.folders, ...page.objects.map((o) => o.key)];
    const last = names.reduce((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b), '');
    if (!last.startsWith(prefix) && Buffer.compare(Buffer.from(last), Buffer.from(prefix)) > 0) {
      token = undefined;
      break;
    }
    if (out.folders.length + out.objects.length > 0) break; // the caller's "load more" goes on from here
  }
  if (token) out.nextToken = token;
  return out;
}

/** Bucket checksum types, kept for a while: someone else (the CLI) may change them, and a listing is no reason to ask every time. */
export class ChecksumTypes {
  private readonly byBucket = new Map<string, { at: number; type: Promise<string | undefined> }>();

  of(bucket: BucketRef, props: () => Promise<BucketProps>): Promise<string | undefined> {
    const key = bucketKey(bucket);
    const cached = this.byBucket.get(key);
    if (cached && Date.now() - cached.at < CHECKSUM_TYPE_TTL_MS) return cached.type;
    const type = props().then(
      (p) => p.checksum?.type,
      () => {
        this.byBucket.delete(key); // try again next time
        return undefined;
      },
    );
    this.byBucket.set(key, { at: Date.now(), type });
    return type;
  }

  /** The bucket's props changed, or the bucket is gone. */
  forget(bucket: BucketRef): void {
    this.byBucket.delete(bucketKey(bucket));
  }
}

function bucketKey(bucket: BucketRef): string {
  return `${bucket.provider}\n${bucket.namespace?.uuid ?? ''}\n${bucket.namespace?.name ?? ''}\n${bucket.name}`;
}

// The page token we hand out carries the listing's uuid too: AIStore ties the pages of one listing
// together by it, and a fresh uuid would restart the listing work on the cluster.
export function joinToken(uuid: string | undefined, token: string): string {
  return uuid ? `${uuid}\u0000${token}` : token;
}

export function splitToken(token: string | undefined): { uuid: string; token: string } {
  if (!token) return { uuid: '', token: '' };
  const i = token.indexOf('\u0000');
  return i < 0 ? { uuid: '', token } : { uuid: token.slice(0, i), token: token.slice(i + 1) };
}

function entryOf(e: LsoEntry, checksumType: string | undefined): ObjectEntry {
  const custom = parseCustomMd(e['custom-md']);
  const entry: ObjectEntry = { key: e.name, size: Number(e.size ?? 0) };
  const mtime = parseAisTime(custom[CUSTOM_KEY.lastModified]);
  const atime = parseAisTime(e.atime);
  if (mtime) entry.mtime = mtime;
  else if (atime) entry.mtime = atime;
  if (custom[CUSTOM_KEY.etag]) entry.etag = custom[CUSTOM_KEY.etag].replace(/"/g, '');
  if (e.checksum) entry.checksum = { type: checksumType ?? 'unknown', value: e.checksum };
  if (e.version) entry.version = e.version;
  return entry;
}
