// The Clusters tree as plain data, computed from ClusterClients: cluster → provider → bucket → folders and
// objects, pages with a "Load more…" node, a prefix filter per bucket or folder, and an error node (with
// what Retry refreshes) where a cluster cannot be reached. No vscode import: tree.ts maps these nodes to
// TreeItems, and the tests run this against a real gateway.
import * as l10n from '@vscode/l10n';
import { type AuthProblem, type BucketRef, type ClusterClient, isClientError, type ObjectEntry, type Presence, type ProviderInfo } from '../client/cluster';
import { errorText, firstSentence } from '../objects/errors';
import { shortEndpoint } from '../objects/format';
import { objectUri } from '../objects/location';
import { shardFormatOf } from '../client/shards';
import { fullReadMessage, type MemberNode, type SampleNode, sampleChildren, shardChildItem, ShardListings } from './shardnodes';
import { leafName, parentPrefix } from '../objects/names';
import { errorItem, loadMoreItem, messageItem } from './messagerows';
import { describeObject, isRemote, markdownLines, objectAccessibilityLabel, objectTooltipLines, presenceEmpty, presenceWords, providerDescription } from './rowtext';

export { describeObject, escapeMarkdown, isRemote, markdownLines, objectAccessibilityLabel, objectTooltipText, presenceWords, providerDescription } from './rowtext';

export type ClusterKind = 'ais' | 's3';

export interface ClusterNode {
  type: 'cluster';
  clusterName: string;
  endpoint: string;
  kind: ClusterKind;
  embedded?: boolean;
  transient?: boolean;
}
export interface ProviderNode {
  type: 'provider';
  clusterName: string;
  provider: string;
  info: ProviderInfo;
  canCreate: boolean;
}
export interface BucketNode {
  type: 'bucket';
  clusterName: string;
  bucket: BucketRef;
}
export interface FolderNode {
  type: 'folder';
  clusterName: string;
  bucket: BucketRef;
  /** Ends with '/'. */
  prefix: string;
}
export interface ObjectNode {
  type: 'object';
  clusterName: string;
  bucket: BucketRef;
  key: string;
  entry: ObjectEntry;
  parentPrefix: string;
}
export interface LoadMoreNode {
  type: 'loadMore';
  /** An object parent is a shard, paged through its members. */
  parent: ProviderNode | BucketNode | FolderNode | ObjectNode;
  loaded: number;
  /** Set on the "Show from the start" row of a listing that begins after this name (after Go to Key). */
  from?: string;
  /** The row above a window of pages that dropped earlier ones: it lists the page before the window again. */
  previous?: true;
  /** Rows before the window's first (dropped pages): the bottom row says "1,001–4,000 shown". */
  skipped?: number;
}
export interface MessageNode {
  type: 'message' | 'error';
  message: string;
  detail?: string;
  /** What Retry refreshes. */
  parent?: TreeNode;
  /** The credentials were refused (an expired token, a wrong key): clicking signs in again or edits them. */
  auth?: { clusterName: string; problem?: AuthProblem };
  /** An empty state's next step, run on `parent` by a click: Create Bucket, Upload Files, Clear Filter. */
  action?: 'createBucket' | 'upload' | 'clearFilter' | 'fullRead';
}

export type TreeNode = ClusterNode | ProviderNode | BucketNode | FolderNode | ObjectNode | MemberNode | SampleNode | LoadMoreNode | MessageNode;
export type { MemberNode, SampleNode } from './shardnodes';
export type ContainerNode = BucketNode | FolderNode;

/** What the model needs from the registry. */
export interface ClusterSource {
  clusters(): Promise<ClusterNode[]>;
  client(clusterName: string): Promise<ClusterClient>;
}

export interface TreeModelOptions {
  /** Objects (and buckets) per page; read on every fetch so a settings change applies at once. */
  pageSize: () => number;
}

/** Everything a TreeItem needs, as plain data. `icon` is a codicon id ('folder' and 'file' mean the theme's). */
export interface ItemData {
  id?: string;
  label: string;
  description?: string;
  tooltip: string;
  /** The same as Markdown (escaped), where the tooltip is worth formatting; tree.ts shows it. */
  markdownTooltip?: string;
  /** What a screen reader says for the row: what it is, then the values a sighted user reads. */
  accessibilityLabel: string;
  collapsible: boolean;
  icon: string;
  /** 'error' icons are drawn in the error colour. */
  iconColor?: 'error';
  contextValue: string;
  command?: { command: string; title: string; arguments: unknown[] };
}

export const DEFAULT_PAGE_SIZE = 1000;

export function nodeId(n: TreeNode): string {
  const bucket = (b: BucketRef) => `${b.provider}${b.namespace ? `@${b.namespace.uuid}#${b.namespace.name}` : ''}|${b.name}`;
  switch (n.type) {
    case 'cluster':
      return `c:${n.clusterName}`;
    case 'provider':
      return `p:${n.clusterName}|${n.provider}`;
    case 'bucket':
      return `b:${n.clusterName}|${bucket(n.bucket)}`;
    case 'folder':
      return `f:${n.clusterName}|${bucket(n.bucket)}|${n.prefix}`;
    case 'object':
      return `o:${n.clusterName}|${bucket(n.bucket)}|${n.key}`;
    case 'member':
      return `a:${n.clusterName}|${bucket(n.bucket)}|${n.shard}|${n.sampleKey !== undefined ? '>' : ''}${n.member.name}`;
    case 'sample':
      return `w:${n.clusterName}|${bucket(n.bucket)}|${n.shard}|${n.key}`;
    case 'loadMore':
      return `${n.previous ? 'mp' : n.from !== undefined ? 'm0' : 'm'}:${nodeId(n.parent)}`;
    default:
      return `${n.type}:${n.parent ? nodeId(n.parent) : ''}:${n.message}`;
  }
}

/** How one page of a listing is asked for: again with the same request, it lists the same names (AIStore and S3 take old tokens). */
interface PageRequest {
  token?: string;
  startAfter?: string;
}

interface ListedPage {
  request: PageRequest;
  items: (FolderNode | ObjectNode)[];
}

/**
 * The pages of a bucket or folder now shown: a window of at most WINDOW_PAGES, so that a tree paged to the
 * millionth name still hands VS Code a few thousand rows per change, not all it has passed.
 */
interface Listing {
  pages: ListedPage[];
  /** All the window's rows, in order (pages flattened). */
  items: (FolderNode | ObjectNode)[];
  /** The requests of the pages dropped off the window's top, oldest first, with their row counts. */
  before: { request: PageRequest; count: number }[];
  /** The page below the window, or none at the listing's end. */
  next?: PageRequest;
  filter: string;
  presence: Presence;
  /** The listing begins after this name (a jump by Go to Key), not at the first one. */
  startAfter?: string;
}

/** Pages a bucket or folder shows at once; Load more beyond them drops the oldest, "Load previous…" brings it back. */
export const WINDOW_PAGES = 3;

function newListing(filter: string, presence: Presence, startAfter?: string): Listing {
  return { pages: [], items: [], before: [], next: startAfter !== undefined ? { startAfter } : {}, filter, presence, ...(startAfter !== undefined ? { startAfter } : {}) };
}

/** A name just before `name` in listing order, so that a listing "after" it starts with `name`. */
export function nameBefore(name: string): string {
  const cps = [...name];
  const last = cps.pop()!.codePointAt(0)!;
  if (last === 0) return cps.join('');
  const prev = last - 1 >= 0xd800 && last - 1 <= 0xdfff ? 0xd7ff : last - 1;
  return cps.join('') + String.fromCodePoint(prev);
}

/** Where Go to Key landed: the node, and the containers whose rows changed on the way. */
export interface LocateResult {
  node: BucketNode | FolderNode | ObjectNode;
  changed: (ProviderNode | BucketNode | FolderNode)[];
  /** The key was a prefix: the node is the first name that starts with it. */
  byPrefix?: boolean;
}

interface BucketListing {
  buckets: BucketNode[];
  shown: number;
}

export class TreeModel {
  private readonly listings = new Map<string, Listing>();
  private readonly bucketLists = new Map<string, BucketListing>();
  private readonly filters = new Map<string, string>();
  /** Per remote bucket (its node id): which objects its listings show, cached or not (AIStore). */
  private readonly presences = new Map<string, Presence>();
  private readonly parents = new Map<string, TreeNode>();
  /** The members of the shards expanded, by the shard's object node id. */
  readonly shards = new ShardListings();

  constructor(
    private readonly source: ClusterSource,
    private readonly options: TreeModelOptions = { pageSize: () => DEFAULT_PAGE_SIZE },
  ) {}

  private pageSize(): number {
    const n = Math.floor(this.options.pageSize());
    return Number.isFinite(n) ? Math.max(1, Math.min(10000, n)) : DEFAULT_PAGE_SIZE;
  }

  filterOf(n: ContainerNode): string {
    return this.filters.get(nodeId(n)) ?? '';
  }

  /** Sets (or with '' clears) the name-prefix filter of a bucket or folder and drops its pages. */
  setFilter(n: ContainerNode, filter: string): void {
    if (filter) this.filters.set(nodeId(n), filter);
    else this.filters.delete(nodeId(n));
    this.listings.delete(nodeId(n));
  }

  presenceOf(n: ContainerNode): Presence {
    return this.presences.get(nodeId({ type: 'bucket', clusterName: n.clusterName, bucket: n.bucket })) ?? 'all';
  }

  /** Shows only the cached, the not cached or the remotely changed objects of a remote bucket (all: 'all'). */
  setPresence(n: ContainerNode, presence: Presence): void {
    const id = nodeId({ type: 'bucket', clusterName: n.clusterName, bucket: n.bucket });
    if (presence === 'all') this.presences.delete(id);
    else this.presences.set(id, presence);
    this.invalidate({ type: 'bucket', clusterName: n.clusterName, bucket: n.bucket });
  }

  parentOf(n: TreeNode): TreeNode | undefined {
    return this.parents.get(nodeId(n));
  }

  /** Forgets cached pages of `n` and everything below it (all of them without `n`). */
  invalidate(n?: TreeNode): void {
    if (!n || n.type === 'loadMore' || n.type === 'message' || n.type === 'error') {
      if (n && n.type !== 'loadMore' && n.parent) return this.invalidate(n.parent);
      this.listings.clear();
      this.bucketLists.clear();
      this.shards.invalidate(() => true);
      return;
    }
    if (n.type === 'member' || n.type === 'sample') return this.invalidate({ type: 'object', clusterName: n.clusterName, bucket: n.bucket, key: n.shard, parentPrefix: '', entry: { key: n.shard, size: 0 } });
    if (n.type === 'cluster' || n.type === 'provider') {
      const inScope = (id: string) => {
        const rest = id.slice(2);
        if (n.type === 'cluster') return rest.startsWith(`${n.clusterName}|`);
        const p = `${n.clusterName}|${n.provider}`;
        return rest === p || rest.startsWith(`${p}|`) || rest.startsWith(`${p}@`);
      };
      for (const id of [...this.bucketLists.keys()]) if (inScope(id)) this.bucketLists.delete(id);
      for (const id of [...this.listings.keys()]) if (inScope(id)) this.listings.delete(id);
      this.shards.invalidate(inScope);
      return;
    }
    if (n.type !== 'bucket' && n.type !== 'folder' && n.type !== 'object') return;
    // bucket, folder or object: that bucket's listings at and below the prefix
    const scope = nodeId({ type: 'bucket', clusterName: n.clusterName, bucket: n.bucket }).slice(2);
    const base = n.type === 'folder' ? n.prefix : n.type === 'object' ? n.parentPrefix : '';
    if (base === '') this.listings.delete(`b:${scope}`);
    const folderIds = `f:${scope}|`;
    for (const id of [...this.listings.keys()]) if (id.startsWith(folderIds) && id.slice(folderIds.length).startsWith(base)) this.listings.delete(id);
    const shardIds = `o:${scope}|${n.type === 'object' ? n.key : base}`;
    this.shards.invalidate((id) => (n.type === 'object' ? id === shardIds : id.startsWith(shardIds)));
  }

  async children(n?: TreeNode): Promise<TreeNode[]> {
    const out = await this.compute(n);
    if (n) for (const c of out) this.parents.set(nodeId(c), n);
    return out;
  }

  private async compute(n?: TreeNode): Promise<TreeNode[]> {
    if (!n) return this.source.clusters();
    try {
      switch (n.type) {
        case 'cluster': {
          const client = await this.source.client(n.clusterName);
          const providers = await client.listProviders();
          if (providers.length === 0) return [{ type: 'message', message: l10n.t('No providers'), parent: n }];
          return providers.map((p) => ({
            type: 'provider',
            clusterName: n.clusterName,
            provider: p.name,
            info: p,
            canCreate: client.capabilities.createBucket && (client.kind === 's3' || p.name === 'ais'),
          }));
        }
        case 'provider': {
          let list = this.bucketLists.get(nodeId(n));
          if (!list) {
            const client = await this.source.client(n.clusterName);
            const buckets = await client.listBuckets(n.provider);
            list = {
              buckets: buckets.map((b) => ({
                type: 'bucket',
                clusterName: n.clusterName,
                bucket: { name: b.name, provider: b.provider || n.provider, ...(b.namespace ? { namespace: b.namespace } : {}) },
              })),
              shown: this.pageSize(),
            };
            this.bucketLists.set(nodeId(n), list);
          }
          if (list.buckets.length === 0)
            return [n.canCreate ? { type: 'message', message: l10n.t('No buckets: Create Bucket…'), parent: n, action: 'createBucket' } : { type: 'message', message: l10n.t('No buckets'), parent: n }];
          const out: TreeNode[] = list.buckets.slice(0, list.shown);
          if (list.buckets.length > list.shown) out.push({ type: 'loadMore', parent: n, loaded: list.shown });
          return out;
        }
        case 'bucket':
        case 'folder': {
          let listing = this.listings.get(nodeId(n));
          if (!listing || listing.filter !== this.filterOf(n) || listing.presence !== this.presenceOf(n)) {
            listing = newListing(this.filterOf(n), this.presenceOf(n));
            await this.fetchNext(n, listing);
            this.listings.set(nodeId(n), listing);
          }
          const skipped = listing.before.reduce((sum, p) => sum + p.count, 0);
          const out: TreeNode[] = [...listing.items];
          if (listing.before.length) out.unshift({ type: 'loadMore', parent: n, loaded: skipped, previous: true });
          else if (listing.startAfter !== undefined) out.unshift({ type: 'loadMore', parent: n, loaded: listing.items.length, from: listing.startAfter });
          if (listing.next) out.push({ type: 'loadMore', parent: n, loaded: skipped + listing.items.length, ...(skipped ? { skipped } : {}) });
          if (out.length === 0)
            return [
              listing.filter
                ? { type: 'message', message: l10n.t('Nothing starts with "{0}"', listing.filter), parent: n, action: 'clearFilter' }
                : listing.presence !== 'all'
                  ? { type: 'message', message: presenceEmpty(listing.presence), parent: n }
                  : { type: 'message', message: l10n.t('Empty: Upload…'), parent: n, action: 'upload' },
            ];
          return out;
        }
        case 'object':
          return shardFormatOf(n.key) ? await this.shardChildren(n) : [];
        case 'sample':
          return sampleChildren(n);
        default:
          return [];
      }
    } catch (e) {
      const message = errorText(e);
      const auth = isClientError(e) && e.kind === 'auth' && n && 'clusterName' in n ? { clusterName: n.clusterName, ...(e.authProblem ? { problem: e.authProblem } : {}) } : undefined;
      return [{ type: 'error', message: firstSentence(message), detail: message, parent: n, ...(auth ? { auth } : {}) }];
    }
  }

  private async shardChildren(n: ObjectNode): Promise<TreeNode[]> {
    const client = await this.source.client(n.clusterName);
    const state = await this.shards.children(nodeId(n), { clusterName: n.clusterName, bucket: n.bucket, key: n.key }, client, this.pageSize());
    if (state.kind === 'needsFullRead') return [{ type: 'message', message: fullReadMessage(n.entry.size), parent: n, action: 'fullRead' }];
    if (state.kind === 'empty') return [{ type: 'message', message: l10n.t('No files in this shard'), parent: n }];
    return state.more ? [...state.children, { type: 'loadMore', parent: n, loaded: state.loaded }] : state.children;
  }

  /** The user agreed to read a whole shard to list it (a compressed TAR on S3). */
  allowFullRead(n: ObjectNode): void {
    this.shards.allowFullRead(nodeId(n));
  }

  /** Lists one page of a bucket or folder as tree nodes, and the request of the page after it. */
  private async fetchPage(n: ContainerNode, listing: Listing, request: PageRequest): Promise<{ page: ListedPage; next?: PageRequest }> {
    const client = await this.source.client(n.clusterName);
    const base = n.type === 'folder' ? n.prefix : '';
    const presence = listing.presence !== 'all' ? { presence: listing.presence } : {};
    const page = await client.listObjects(n.bucket, { prefix: base + listing.filter, folders: true, pageSize: this.pageSize(), ...request, ...presence });
    const common = { clusterName: n.clusterName, bucket: n.bucket };
    const items: ListedPage['items'] = [];
    for (const folder of page.folders) items.push({ type: 'folder', ...common, prefix: folder });
    for (const entry of page.objects) {
      // "dir/" itself is the folder marker some tools create, not an object inside it.
      if (entry.key === base) continue;
      items.push({ type: 'object', ...common, key: entry.key, entry, parentPrefix: base });
    }
    return { page: { request, items }, ...(page.nextToken ? { next: { token: page.nextToken } } : {}) };
  }

  /** Appends the page below the window; past WINDOW_PAGES the window's top page is dropped (and remembered). */
  private async fetchNext(n: ContainerNode, listing: Listing): Promise<void> {
    if (!listing.next) return;
    const { page, next } = await this.fetchPage(n, listing, listing.next);
    listing.pages.push(page);
    listing.next = next;
    while (listing.pages.length > WINDOW_PAGES) {
      const dropped = listing.pages.shift()!;
      listing.before.push({ request: dropped.request, count: dropped.items.length });
    }
    listing.items = listing.pages.flatMap((p) => p.items);
  }

  /** Lists the page above the window again and puts it back on top; the window's bottom page is dropped. */
  private async fetchPrevious(n: ContainerNode, listing: Listing): Promise<void> {
    const above = listing.before.at(-1);
    if (!above) return;
    const { page } = await this.fetchPage(n, listing, above.request);
    listing.before.pop();
    listing.pages.unshift(page);
    while (listing.pages.length > WINDOW_PAGES) listing.next = listing.pages.pop()!.request;
    listing.items = listing.pages.flatMap((p) => p.items);
  }

  /**
   * Appends the next page to a bucket, folder or bucket list (or with a "Load previous…" row, lists the page
   * above again); throws the ClientError if it fails. Returns the row to bring into view when rows above the
   * click changed (the window moved), so the reader goes on where the page continues.
   */
  async loadMore(node: LoadMoreNode): Promise<FolderNode | ObjectNode | undefined> {
    const parent = node.parent;
    if (parent.type === 'object') {
      await this.shards.loadMore(nodeId(parent), { clusterName: parent.clusterName, bucket: parent.bucket, key: parent.key }, await this.source.client(parent.clusterName), this.pageSize());
      return;
    }
    if (parent.type === 'provider') {
      const list = this.bucketLists.get(nodeId(parent));
      if (list) list.shown += this.pageSize();
      return;
    }
    if (node.from !== undefined) {
      // "Show from the start": forget the jump; the next expand lists from the first name.
      this.listings.delete(nodeId(parent));
      return;
    }
    const listing = this.listings.get(nodeId(parent));
    if (!listing) return;
    if (node.previous) {
      await this.fetchPrevious(parent, listing);
      return listing.pages[0]?.items.at(-1);
    }
    const dropped = listing.before.length;
    await this.fetchNext(parent, listing);
    return listing.before.length > dropped ? listing.pages.at(-1)?.items[0] : undefined;
  }

  /**
   * Go to Key: finds (loading only what it must) the node of `key` in a bucket, an object or a folder
   * ("a/b/"), or with a bare prefix the first name that starts with it. A level whose loaded pages do not
   * reach the name is listed again starting just before it (start-after), so a bucket of millions of
   * objects costs one listing per folder level. Throws an Error that says what is missing.
   */
  async locate(clusterName: string, bucket: BucketRef, key: string): Promise<LocateResult> {
    const changed: LocateResult['changed'] = [];
    const cluster = (await this.children()).find((c): c is ClusterNode => c.type === 'cluster' && c.clusterName === clusterName);
    if (!cluster) throw new Error(l10n.t('No cluster named "{0}".', clusterName));
    const providers = await this.children(cluster);
    const bad = providers.find((p): p is MessageNode => p.type === 'error');
    if (bad) throw new Error(bad.detail ?? bad.message);
    const provider = providers.find((p): p is ProviderNode => p.type === 'provider' && p.provider === bucket.provider) ?? providers.find((p): p is ProviderNode => p.type === 'provider' && providers.length === 1);
    if (!provider) throw new Error(l10n.t('{0} has no {1} buckets.', clusterName, bucket.provider));
    const isBucket = (b: TreeNode): b is BucketNode =>
      b.type === 'bucket' &&
      b.bucket.name === bucket.name &&
      (b.bucket.namespace?.uuid ?? '') === (bucket.namespace?.uuid ?? '') &&
      (b.bucket.namespace?.name ?? '') === (bucket.namespace?.name ?? '');
    await this.children(provider);
    let list = this.bucketLists.get(nodeId(provider));
    if (list && !list.buckets.some(isBucket)) {
      // Listed before the bucket was made (by another tool, or a moment ago): list once more.
      this.bucketLists.delete(nodeId(provider));
      await this.children(provider);
      list = this.bucketLists.get(nodeId(provider));
      changed.push(provider);
    }
    const bucketNode = list?.buckets.find(isBucket);
    if (!list || !bucketNode) throw new Error(l10n.t('No bucket {0} on {1}.', objectUri(bucket), clusterName));
    const at = list.buckets.indexOf(bucketNode);
    if (at >= list.shown) {
      list.shown = at + 1;
      changed.push(provider);
    }
    this.parents.set(nodeId(bucketNode), provider);
    if (!key) return { node: bucketNode, changed };

    let container: BucketNode | FolderNode = bucketNode;
    let base = '';
    for (;;) {
      const rest = key.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) {
        const prefix = base + rest.slice(0, slash + 1);
        const folder = await this.findChild(container, prefix, (c) => c.type === 'folder' && c.prefix === prefix, changed);
        if (!folder || folder.type !== 'folder') throw new Error(l10n.t('No folder "{0}" in {1}.', prefix, objectUri(container.bucket, base)));
        if (prefix === key) return { node: folder, changed };
        container = folder;
        base = prefix;
        continue;
      }
      const exact = await this.findChild(container, key, (c) => (c.type === 'object' && c.key === key) || (c.type === 'folder' && c.prefix === key + '/'), changed);
      if (exact) return { node: exact, changed };
      // A bare prefix: the listing now starts just before it; its first name with that prefix.
      const listing = this.listings.get(nodeId(container));
      const first = listing?.items.find((c) => (c.type === 'object' ? c.key : c.prefix).startsWith(key));
      if (first) {
        this.parents.set(nodeId(first), container);
        return { node: first, changed, byPrefix: true };
      }
      throw new Error(l10n.t('Nothing named "{0}" or starting with it in {1}.', key, objectUri(container.bucket, base)));
    }
  }

  private async findChild(
    container: BucketNode | FolderNode,
    name: string,
    match: (c: FolderNode | ObjectNode) => boolean,
    changed: LocateResult['changed'],
  ): Promise<FolderNode | ObjectNode | undefined> {
    const id = nodeId(container);
    const base = container.type === 'folder' ? container.prefix : '';
    const filter = this.filterOf(container);
    if (filter && !name.startsWith(base + filter)) {
      this.setFilter(container, ''); // the filter hides the name: drop it rather than fail
      changed.push(container);
    }
    let listing = this.listings.get(id);
    if (listing && (listing.filter !== this.filterOf(container) || listing.presence !== this.presenceOf(container))) listing = undefined;
    const found = listing?.items.find(match);
    if (found) {
      this.parents.set(nodeId(found), container);
      return found;
    }
    // Loaded from the start and complete: the name is not there.
    if (listing && !listing.next && listing.startAfter === undefined && listing.before.length === 0) return undefined;
    const jumped = newListing(this.filterOf(container), this.presenceOf(container), nameBefore(name));
    await this.fetchNext(container, jumped);
    this.listings.set(id, jumped);
    changed.push(container);
    const hit = jumped.items.find(match);
    if (hit) this.parents.set(nodeId(hit), container);
    return hit;
  }

  /**
   * Labels, descriptions, tooltips, accessibility labels and context values of a node. Descriptions are
   * short (a side bar is ~300 px wide: host:port, "32 B · 3 min ago"); tooltips hold the full values.
   */
  item(n: TreeNode, now: Date = new Date()): ItemData {
    switch (n.type) {
      case 'cluster': {
        const short = shortEndpoint(n.endpoint);
        const lines = [
          n.clusterName,
          n.kind === 'ais' ? l10n.t('AIStore cluster {0}', n.endpoint) : l10n.t('S3 endpoint {0}', n.endpoint),
          ...(n.embedded ? [l10n.t('The embedded gateway on this machine')] : []),
        ];
        return {
          id: nodeId(n),
          label: n.clusterName,
          description: n.embedded ? l10n.t('embedded · {0}', short) : short,
          tooltip: lines.slice(1).join('\n'),
          markdownTooltip: markdownLines(lines),
          accessibilityLabel: n.embedded
            ? l10n.t('cluster {0}, the embedded gateway at {1}', n.clusterName, n.endpoint)
            : n.kind === 'ais'
              ? l10n.t('cluster {0}, AIStore at {1}', n.clusterName, n.endpoint)
              : l10n.t('cluster {0}, S3 endpoint {1}', n.clusterName, n.endpoint),
          collapsible: true,
          icon: n.embedded ? 'vm' : n.kind === 'ais' ? 'server' : 'cloud',
          contextValue: `cluster.${n.embedded ? 'embedded' : n.transient ? 'transient' : 'saved'}.${n.kind}`,
        };
      }
      case 'provider': {
        const description = providerDescription(n.info.name, n.info.label);
        return {
          id: nodeId(n),
          label: n.info.name,
          ...(description ? { description } : {}),
          tooltip: l10n.t('{0} buckets ({1})', n.info.label, n.info.scheme),
          accessibilityLabel: l10n.t('provider {0}, {1} buckets', n.info.name, n.info.label),
          collapsible: true,
          icon: n.provider === 'ais' ? 'database' : 'cloud',
          contextValue: `provider${n.canCreate ? '.create' : ''}`,
        };
      }
      case 'bucket':
      case 'folder': {
        const filter = this.filterOf(n);
        const presence = this.presenceOf(n);
        const label = n.type === 'bucket' ? n.bucket.name : leafName(n.prefix, parentPrefix(n.prefix));
        const uri = objectUri(n.bucket, n.type === 'folder' ? n.prefix : '');
        const lines = [uri, ...(filter ? [l10n.t('Showing only names that start with "{0}"', filter)] : []), ...(presence !== 'all' ? [presenceWords(presence)] : [])];
        const description = [filter ? l10n.t('filter: {0}*', filter) : '', n.type === 'bucket' && presence !== 'all' ? presenceWords(presence) : ''].filter(Boolean).join(' · ');
        const what = n.type === 'bucket' ? l10n.t('bucket {0}', label) : l10n.t('folder {0}', label);
        return {
          id: nodeId(n),
          label,
          ...(description ? { description } : {}),
          tooltip: lines.join('\n'),
          markdownTooltip: markdownLines(lines),
          accessibilityLabel: filter ? l10n.t('{0}, filtered: names that start with {1}', what, filter) : what,
          collapsible: true,
          icon: n.type === 'bucket' ? 'package' : 'folder',
          contextValue: `${n.type}${filter ? '.filtered' : ''}${isRemote(n.bucket) ? '.remote' : ''}`,
        };
      }
      case 'object': {
        const name = leafName(n.key, n.parentPrefix);
        const lines = objectTooltipLines(objectUri(n.bucket, n.key), n.entry, now);
        return {
          id: nodeId(n),
          label: name,
          description: describeObject(n.entry, now),
          tooltip: lines.join('\n'),
          markdownTooltip: markdownLines(lines),
          accessibilityLabel: objectAccessibilityLabel(name, n.entry, now),
          collapsible: !!shardFormatOf(n.key),
          // A shard is a folder of files as much as a file: the archive icon says it expands.
          icon: shardFormatOf(n.key) ? 'file-zip' : 'file',
          contextValue: `object${shardFormatOf(n.key) ? '.shard' : ''}${isRemote(n.bucket) ? '.remote' : ''}`,
        };
      }
      case 'member':
      case 'sample':
        return { id: nodeId(n), ...shardChildItem(n) };
      case 'loadMore':
        return loadMoreItem(n, nodeId(n), this.pageSize());
      case 'error':
        return errorItem(n);
      default: {
        const item = messageItem(n);
        return { ...item, accessibilityLabel: item.description ? `${item.label} ${item.description}` : item.label };
      }
    }
  }
}
