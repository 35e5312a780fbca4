// The inside of a shard in the Clusters tree: a .tar/.tgz/.zip/.tar.lz4 object expands like a folder into its
// members, paged, and WebDataset samples (members that share a key: 0001.jpg, 0001.cls, 0001.json) group
// under their key. Where listing means reading the whole shard (a compressed TAR on S3), a row says so and
// lists it only when clicked. Plain data, as model.ts: tree.ts maps these to TreeItems.
import * as l10n from '@vscode/l10n';
import type { BucketRef, ClusterClient } from '../client/cluster';
import type { ShardMember } from '../client/shards';
import { formatSize, formatSizeInWords } from '../objects/format';
import { objectUri } from '../objects/location';

/** A file inside a shard. */
export interface MemberNode {
  type: 'member';
  clusterName: string;
  bucket: BucketRef;
  /** The shard's object key. */
  shard: string;
  member: ShardMember;
  /** Set when the member shows under its WebDataset sample (the label then drops the key). */
  sampleKey?: string;
}

/** A WebDataset sample: the members of a shard that share a key, in shard order. */
export interface SampleNode {
  type: 'sample';
  clusterName: string;
  bucket: BucketRef;
  shard: string;
  key: string;
  members: ShardMember[];
}

/** Where a shard node lives, whatever node type the model gives it. */
export interface ShardRef {
  clusterName: string;
  bucket: BucketRef;
  key: string;
}

export type ShardChild = MemberNode | SampleNode;

/** WebDataset's key of a member: its path up to the first dot of the last segment ("a/0001.seg.png" → "a/0001"). */
export function sampleKeyOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot > slash + 1 ? name.slice(0, dot) : name;
}

/** Members in shard order, with runs that share a WebDataset key as one group (a sample). */
export function groupMembers(members: ShardMember[]): { key: string; members: ShardMember[] }[] {
  const groups: { key: string; members: ShardMember[] }[] = [];
  for (const m of members) {
    const key = sampleKeyOf(m.name);
    const last = groups[groups.length - 1];
    if (last && last.key === key && key !== m.name) last.members.push(m);
    else groups.push({ key, members: [m] });
  }
  return groups;
}

interface ShardListing {
  members: ShardMember[];
  nextToken?: string;
  /** The user asked for a full read of a shard that has no index. */
  fullRead: boolean;
}

export type ShardRowState = { kind: 'members'; children: ShardChild[]; more: boolean; loaded: number } | { kind: 'needsFullRead' } | { kind: 'empty' };

/** The listings of the shards the tree expanded, by the shard node's id. */
export class ShardListings {
  private readonly byId = new Map<string, ShardListing>();
  /** Shards whose full read was asked for before they were listed. */
  private readonly fullReads = new Set<string>();

  async children(id: string, ref: ShardRef, client: ClusterClient, pageSize: number): Promise<ShardRowState> {
    let listing = this.byId.get(id);
    if (!listing) {
      const fullRead = this.fullReads.has(id);
      if (!fullRead && client.shards.needsFullRead(ref.key)) return { kind: 'needsFullRead' };
      listing = { members: [], fullRead };
      await this.fetch(listing, ref, client, pageSize);
      this.byId.set(id, listing);
    }
    if (listing.members.length === 0) return { kind: 'empty' };
    return { kind: 'members', children: childrenOf(ref, listing.members), more: !!listing.nextToken, loaded: listing.members.length };
  }

  async loadMore(id: string, ref: ShardRef, client: ClusterClient, pageSize: number): Promise<void> {
    const listing = this.byId.get(id);
    if (listing?.nextToken) await this.fetch(listing, ref, client, pageSize);
  }

  /** The user accepted reading the whole shard to list it. */
  allowFullRead(id: string): void {
    this.fullReads.add(id);
    this.byId.delete(id);
  }

  /** Forgets the listings whose id `drop` says (a refresh of the shard or above it). */
  invalidate(drop: (id: string) => boolean): void {
    for (const id of [...this.byId.keys()]) if (drop(id)) this.byId.delete(id);
  }

  private async fetch(listing: ShardListing, ref: ShardRef, client: ClusterClient, pageSize: number): Promise<void> {
    const page = await client.shards.list(ref.bucket, ref.key, { pageSize, token: listing.nextToken, fullRead: listing.fullRead });
    listing.members.push(...page.members);
    listing.nextToken = page.nextToken;
  }
}

function childrenOf(ref: ShardRef, members: ShardMember[]): ShardChild[] {
  const common = { clusterName: ref.clusterName, bucket: ref.bucket, shard: ref.key };
  return groupMembers(members).map((g) =>
    g.members.length > 1 ? { type: 'sample', ...common, key: g.key, members: g.members } : { type: 'member', ...common, member: g.members[0] },
  );
}

/** The members of a sample as rows below it. */
export function sampleChildren(n: SampleNode): MemberNode[] {
  return n.members.map((m) => ({ type: 'member', clusterName: n.clusterName, bucket: n.bucket, shard: n.shard, member: m, sampleKey: n.key }));
}

/** The extensions of a sample's members: "jpg, cls, json". */
function extensionsOf(n: SampleNode): string {
  return n.members.map((m) => m.name.slice(n.key.length + 1)).join(', ');
}

export interface ShardItem {
  label: string;
  description?: string;
  tooltip: string;
  accessibilityLabel: string;
  collapsible: boolean;
  icon: string;
  contextValue: string;
}

export function shardChildItem(n: ShardChild): ShardItem {
  const where = `${objectUri(n.bucket, n.shard)}`;
  if (n.type === 'sample') {
    const bytes = n.members.reduce((s, m) => s + m.size, 0);
    const exts = extensionsOf(n);
    return {
      label: n.key,
      // The size first, as an object's row has it; what the key holds after.
      description: l10n.t('{0} · {1}', formatSize(bytes), exts),
      tooltip: [l10n.t('Sample {0} in {1}', n.key, where), l10n.t('{0} files sharing the key: {1}', n.members.length, exts), l10n.t('Size: {0}', formatSize(bytes))].join('\n'),
      accessibilityLabel: l10n.t('sample {0}, {1} files: {2}, {3}', n.key, n.members.length, exts, formatSizeInWords(bytes)),
      collapsible: true,
      icon: 'symbol-field',
      contextValue: 'sample',
    };
  }
  const name = n.sampleKey ? n.member.name.slice(n.member.name.lastIndexOf('/') + 1) : n.member.name;
  return {
    label: name,
    description: formatSize(n.member.size),
    tooltip: [l10n.t('{0} in the shard {1}', n.member.name, where), l10n.t('Size: {0} ({1} bytes)', formatSize(n.member.size), n.member.size.toLocaleString('en-US')), l10n.t('Read-only: opened from the shard, which stays as it is')].join('\n'),
    accessibilityLabel: l10n.t('member {0} of the shard, {1}', name, formatSizeInWords(n.member.size)),
    collapsible: false,
    icon: 'file',
    contextValue: 'member',
  };
}

/** The row that stands for a shard listing that needs a full read. */
export function fullReadMessage(size: number): string {
  return l10n.t('Listing reads the whole shard ({0}): click to list', formatSize(size));
}
