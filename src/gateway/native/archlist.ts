// Listing with LsArchDir (api/apc/lsmsg.go): each shard (.tar, .tgz, .tar.gz, .zip, .tar.lz4 by name) is
// followed by its members, named SHARD/MEMBER (path.Join), flagged EntryInArch with the shard's own flags,
// carrying name, size and flags only; the shard itself gains EntryIsArchive (xact/xs/lso.go cb). Members come
// sorted by name (cmn/archive/list.go), directories left out. A shard that cannot be read fails the page,
// as in AIStore; an object whose name is no shard's is listed as is.
//
// Paging: a member counts toward the page like any entry, and the token is the last entry's name, so a
// page may end inside a shard ("s.tar/m-0499"), or right after a shard's own entry ("s.tar": its members
// come next). AIStore keeps a walk running between pages; this gateway is stateless, so the next page
// finds its place from the token: it reopens that shard and takes the members after it. Each page holds at
// most a page of members (a bounded heap picks the smallest names past the token), whatever the shard's
// size. A .tar whose members turn out to be in order (as archive jobs write them) is remembered with the
// offset the page ended at, so the next page starts there instead of walking from the top again. A token
// inside a shard that is not here (another target's, in a multi-node cluster) resumes after that shard.
import { bucketCname, ENTRY, LsoEntry } from '../../common/aisapi';
import { ArchiveError, extFormat, memberEntryName, splitAtExtension } from '../../common/archive/formats';
import { walkShard } from '../../common/archive/reader';
import { ShardFile } from '../archive/source';
import { FileBlocks, walkTar } from '../../common/archive/tarwalk';
import type { ListedObject } from '../cluster/cluster';
import type { RequestContext } from '../context';
import { compareKeys } from '../store/keys';
import type { BucketRef } from '../store/types';
import type { EntryOf, PageOptions } from './listobjects';

interface Listed {
  name: string;
  size: number;
  /** In a .tar: the offset of the header after this member. */
  next?: number;
}

const padded = (size: number) => size + ((512 - (size % 512)) % 512);

/** One page of the listing with shards opened; the token names the last entry when there is more. */
export async function listPageWithShards(ctx: RequestContext, bucket: BucketRef, opts: PageOptions, entryOf: EntryOf): Promise<{ entries: LsoEntry[]; token: string }> {
  const entries: LsoEntry[] = [];
  let left = opts.maxKeys;
  let after = opts.startAfter;

  /** A shard's members after `from`, up to what the page has room for; true when the page is full with more to come. */
  const expand = async (shard: ListedObject, parent: LsoEntry, from: string): Promise<boolean> => {
    const { members, more } = await shardMembers(ctx, bucket, shard, from, left);
    const flags = ((parent.flags ?? 0) & ~ENTRY.isArchive) | ENTRY.inArch;
    for (const m of members) entries.push({ name: m.name, size: m.size, flags });
    left -= members.length;
    return more;
  };
  const token = () => entries[entries.length - 1]?.name ?? after ?? '';

  // A token inside a shard, or at a shard whose members are next: that shard's rest first.
  const resume = after ? await resumePoint(ctx, bucket, opts, after) : undefined;
  if (resume) {
    const parent = entryOf(resume.shard) ?? { name: resume.shard.key, flags: ENTRY.isCached };
    if (await expand(resume.shard, parent, resume.from)) return { entries, token: token() };
    after = resume.shard.key;
  } else if (after && splitAtExtension(after)[1]) {
    // A token inside a shard this target does not hold (a cluster's proxy merged another target's page):
    // the objects after that shard come next, "s.tar.bak" among them, as they would after its members here.
    after = splitAtExtension(after)[0];
  }
  for (;;) {
    const page = await ctx.cluster.listObjects(bucket, { ...opts, startAfter: after, maxKeys: Math.max(left, 1) });
    const items: (ListedObject | string)[] = [...page.objects, ...(opts.dirs ? page.commonPrefixes : [])];
    items.sort((a, b) => compareKeys(typeof a === 'string' ? a : a.key, typeof b === 'string' ? b : b.key));
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (left === 0) return { entries, token: token() };
      if (typeof item === 'string') {
        entries.push({ name: item, flags: ENTRY.isDir });
        left--;
        continue;
      }
      const e = entryOf(item);
      if (!e) continue;
      const shard = extFormat(item.key) !== undefined;
      if (shard) e.flags = (e.flags ?? 0) | ENTRY.isArchive;
      entries.push(e);
      left--;
      if (shard && (await expand(item, e, ''))) return { entries, token: token() };
    }
    if (!page.isTruncated || !page.last) return { entries, token: '' };
    if (left === 0) return { entries, token: token() };
    after = page.last;
  }
}

/** Where a page starts when its token is a shard ("s.tar") or one of its members ("s.tar/m"). */
async function resumePoint(ctx: RequestContext, bucket: BucketRef, opts: PageOptions, token: string): Promise<{ shard: ListedObject; from: string } | undefined> {
  const find = async (key: string) => {
    if (!key.startsWith(opts.prefix) || extFormat(key) === undefined) return undefined;
    const page = await ctx.cluster.listObjects(bucket, { prefix: key, maxKeys: 1, cachedOnly: true });
    const o = page.objects[0];
    return o && o.key === key ? o : undefined;
  };
  const itself = await find(token);
  if (itself) return { shard: itself, from: '' };
  const [shardName, member] = splitAtExtension(token);
  if (!member) return undefined;
  const shard = await find(shardName);
  return shard ? { shard, from: token } : undefined;
}

/**
 * Up to `limit` members of a shard whose listed names come after `from` (all when ""), sorted, and whether
 * more follow. A max-heap of limit + 1 names keeps memory to a page whatever the member count.
 */
async function shardMembers(ctx: RequestContext, bucket: BucketRef, shard: ListedObject, from: string, limit: number): Promise<{ members: Listed[]; more: boolean }> {
  const format = extFormat(shard.key)!;
  const { fh, dataSize } = await ctx.cluster.openObject(bucket, shard.key);
  const file = new ShardFile(fh, dataSize);
  const identity = `${bucketCname(bucket)}/${shard.key}@${shard.version}:${dataSize}:${shard.mtime}`;
  try {
    if (format === '.tar') {
      const hint = sortedTars.get(identity);
      if (hint && hint.after === from && from) return await sortedTarPage(file, identity, shard.key, hint.offset, limit);
    }
    const heap = new NameHeap(limit + 1);
    let sorted = true;
    let prev = '';
    const offer = (raw: string, size: number, next?: number) => {
      const name = memberEntryName(shard.key, raw);
      if (compareKeys(name, prev) < 0) sorted = false;
      prev = name;
      if (!from || compareKeys(name, from) > 0) heap.offer({ name, size, next });
    };
    if (format === '.tar') {
      // Walked here rather than by walkShard: each member's end offset is what a resume hint needs.
      const blocks = new FileBlocks(file);
      await walkTar(blocks, (h) => {
        if (!h.dir) offer(h.name, h.size, blocks.offset + padded(h.size));
      });
    } else {
      await walkShard(file, format, async (m) => {
        if (!m.dir) offer(m.name, m.size);
      });
    }
    const members = heap.sorted();
    const more = members.length > limit;
    if (more) members.pop();
    // An ordered .tar: the next page starts where this one ended rather than walk from the top.
    const last = members[members.length - 1];
    if (sorted && more && last?.next !== undefined) remember(identity, { after: last.name, offset: last.next });
    return { members, more };
  } catch (e) {
    if (e instanceof ArchiveError) throw new ArchiveError(e.status, e.tcode, `failed to list ${bucketCname(bucket)}/${shard.key}: ${e.message}`);
    throw e;
  } finally {
    await file.close();
  }
}

// ---------------------------------------------------------------- ordered .tar resume hints

/** An ordered .tar and the offset of the header that follows member `after`. */
interface SortedTar {
  after: string;
  offset: number;
}

/** Hints for the shards being paged through now: a few dozen, oldest dropped first. */
const HINTS = 64;
const sortedTars = new Map<string, SortedTar>();

function remember(identity: string, hint: SortedTar): void {
  sortedTars.delete(identity);
  sortedTars.set(identity, hint);
  if (sortedTars.size > HINTS) sortedTars.delete(sortedTars.keys().next().value!);
}

/** The next page of an ordered .tar: `limit` members from `offset` on, no heap, no walk from the top. */
async function sortedTarPage(file: ShardFile, identity: string, shard: string, offset: number, limit: number): Promise<{ members: Listed[]; more: boolean }> {
  const blocks = new FileBlocks(file, offset);
  const members: Listed[] = [];
  let more = false;
  let next = offset;
  await walkTar(blocks, (h) => {
    if (h.dir) return;
    if (members.length === limit) {
      more = true;
      return true;
    }
    members.push({ name: memberEntryName(shard, h.name), size: h.size });
    next = blocks.offset + padded(h.size);
  });
  if (more && members.length > 0) remember(identity, { after: members[members.length - 1].name, offset: next });
  else sortedTars.delete(identity);
  return { members, more };
}

/** A bounded max-heap of names: keeps the `cap` smallest offered. */
class NameHeap {
  private readonly items: Listed[] = [];
  constructor(private readonly cap: number) {}

  offer(x: Listed): void {
    const a = this.items;
    if (a.length < this.cap) {
      a.push(x);
      for (let i = a.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (compareKeys(a[p].name, a[i].name) >= 0) break;
        [a[p], a[i]] = [a[i], a[p]];
        i = p;
      }
      return;
    }
    if (compareKeys(x.name, a[0].name) >= 0) return;
    a[0] = x;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && compareKeys(a[l].name, a[m].name) > 0) m = l;
      if (r < a.length && compareKeys(a[r].name, a[m].name) > 0) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i], a[m]];
      i = m;
    }
  }

  sorted(): Listed[] {
    return this.items.sort((x, y) => compareKeys(x.name, y.name));
  }
}
