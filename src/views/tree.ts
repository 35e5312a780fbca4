// The Clusters view: cluster → provider → bucket → folders/objects, paged, with a prefix filter per
// bucket or folder and an error node (with Retry) where a cluster cannot be reached.
import * as vscode from 'vscode';
import { BucketRef, isClientError, ObjectEntry, ProviderInfo, providerInfo } from '../client/cluster';
import type { ClusterRegistry } from '../registry';
import { formatChecksum, leafName, objectDescription, objectTooltip } from './format';

export type TreeNode = ClusterNode | ProviderNode | BucketNode | FolderNode | ObjectNode | LoadMoreNode | MessageNode;

export interface ClusterNode {
  type: 'cluster';
  clusterName: string;
  endpoint: string;
  kind: 'ais' | 's3';
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
  provider: string;
  bucket: string;
}
export interface FolderNode {
  type: 'folder';
  clusterName: string;
  provider: string;
  bucket: string;
  /** Ends with '/'. */
  prefix: string;
}
export interface ObjectNode {
  type: 'object';
  clusterName: string;
  provider: string;
  bucket: string;
  key: string;
  entry: ObjectEntry;
  parentPrefix: string;
}
export interface LoadMoreNode {
  type: 'loadMore';
  parent: BucketNode | FolderNode;
  loaded: number;
}
export interface MessageNode {
  type: 'message' | 'error';
  message: string;
  detail?: string;
  /** What Retry refreshes. */
  parent?: TreeNode;
}

type Container = BucketNode | FolderNode;

interface Listing {
  items: (FolderNode | ObjectNode)[];
  nextToken?: string;
  /** The filter the listing was made with. */
  filter: string;
}

export function nodeId(n: TreeNode): string {
  switch (n.type) {
    case 'cluster':
      return `c:${n.clusterName}`;
    case 'provider':
      return `p:${n.clusterName}|${n.provider}`;
    case 'bucket':
      return `b:${n.clusterName}|${n.provider}|${n.bucket}`;
    case 'folder':
      return `f:${n.clusterName}|${n.provider}|${n.bucket}|${n.prefix}`;
    case 'object':
      return `o:${n.clusterName}|${n.provider}|${n.bucket}|${n.key}`;
    case 'loadMore':
      return `m:${nodeId(n.parent)}`;
    default:
      return `${n.type}:${n.parent ? nodeId(n.parent) : ''}:${n.message}`;
  }
}

export function bucketRef(n: { provider: string; bucket: string }): BucketRef {
  return { name: n.bucket, provider: n.provider };
}

/** ais://bucket/key (AIS) or s3://bucket/key: what AIStore's CLI and s3cmd call it. */
export function objectUri(n: { provider: string; bucket: string }, key = ''): string {
  return `${providerInfo(n.provider).scheme}${n.bucket}${key ? '/' + key : ''}`;
}

export class BucketTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  private readonly filters = new Map<string, string>();
  private readonly parents = new Map<string, TreeNode>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = registry.onDidChange(() => this.refresh());
  }

  refresh(node?: TreeNode): void {
    if (!node || node.type === 'loadMore' || node.type === 'message' || node.type === 'error') {
      this.listings.clear();
      this.changed.fire(undefined);
      return;
    }
    node = node as ClusterNode | ProviderNode | BucketNode | FolderNode | ObjectNode;
    // Drop the cached pages of the node and of everything below it.
    const scope =
      node.type === 'cluster' || node.type === 'provider'
        ? `${node.clusterName}|`
        : `${node.clusterName}|${node.provider}|${node.bucket}|${node.type === 'folder' ? node.prefix : ''}`;
    for (const id of [...this.listings.keys()]) if (id.slice(2).startsWith(scope)) this.listings.delete(id);
    this.changed.fire(node);
  }

  private pageSize(): number {
    return Math.max(1, Math.min(10000, vscode.workspace.getConfiguration('aisBuckets').get<number>('pageSize') ?? 1000));
  }

  filterOf(n: Container): string {
    return this.filters.get(nodeId(n)) ?? '';
  }

  setFilter(n: Container, filter: string): void {
    if (filter) this.filters.set(nodeId(n), filter);
    else this.filters.delete(nodeId(n));
    this.listings.delete(nodeId(n));
    this.changed.fire(n);
  }

  getParent(n: TreeNode): TreeNode | undefined {
    return this.parents.get(nodeId(n));
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (n.type) {
      case 'cluster': {
        const item = new vscode.TreeItem(n.clusterName, C.Collapsed);
        item.description = n.embedded ? `embedded · ${n.endpoint}` : n.endpoint;
        item.tooltip = `${n.kind === 'ais' ? 'AIStore cluster' : 'S3 endpoint'} ${n.endpoint}${n.embedded ? '\nThe embedded gateway on this machine' : ''}`;
        item.iconPath = new vscode.ThemeIcon(n.embedded ? 'vm' : n.kind === 'ais' ? 'server' : 'cloud');
        item.contextValue = `cluster.${n.embedded ? 'embedded' : n.transient ? 'transient' : 'saved'}.${n.kind}`;
        item.id = nodeId(n);
        return item;
      }
      case 'provider': {
        const item = new vscode.TreeItem(n.info.name, C.Collapsed);
        item.description = n.info.label;
        item.tooltip = `${n.info.label} buckets (${n.info.scheme})`;
        item.iconPath = new vscode.ThemeIcon(n.provider === 'ais' ? 'database' : 'cloud');
        item.contextValue = `provider${n.canCreate ? '.create' : ''}`;
        item.id = nodeId(n);
        return item;
      }
      case 'bucket':
      case 'folder': {
        const label = n.type === 'bucket' ? n.bucket : leafName(n.prefix, this.parentPrefix(n));
        const item = new vscode.TreeItem(label, C.Collapsed);
        const filter = this.filterOf(n);
        item.description = filter ? `filter: ${filter}*` : undefined;
        item.tooltip = objectUri(n, n.type === 'folder' ? n.prefix : '');
        item.iconPath = n.type === 'bucket' ? new vscode.ThemeIcon('package') : vscode.ThemeIcon.Folder;
        item.contextValue = `${n.type}${filter ? '.filtered' : ''}`;
        item.id = nodeId(n);
        return item;
      }
      case 'object': {
        const item = new vscode.TreeItem(leafName(n.key, n.parentPrefix), C.None);
        item.description = objectDescription(n.entry);
        item.tooltip = objectTooltip(objectUri(n, n.key), n.entry);
        item.iconPath = vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.from({ scheme: 'aisbuckets-object', path: '/' + n.key });
        item.contextValue = 'object';
        item.id = nodeId(n);
        if (n.entry.checksum) item.accessibilityInformation = { label: `${item.label} ${item.description} ${formatChecksum(n.entry.checksum)}` };
        return item;
      }
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', C.None);
        item.description = `${n.loaded} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'aisBuckets.loadMore', title: 'Load More', arguments: [n] };
        item.contextValue = 'loadMore';
        item.id = nodeId(n);
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(n.message, C.None);
        item.tooltip = n.detail ?? n.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'error';
        item.command = n.parent ? { command: 'aisBuckets.retry', title: 'Retry', arguments: [n] } : undefined;
        return item;
      }
      default: {
        const item = new vscode.TreeItem(n.message, C.None);
        item.iconPath = new vscode.ThemeIcon('info');
        item.contextValue = 'message';
        return item;
      }
    }
  }

  /** Bucket tooltips show the checksum props, fetched only when a user hovers. */
  async resolveTreeItem(item: vscode.TreeItem, n: TreeNode): Promise<vscode.TreeItem> {
    if (n.type !== 'bucket') return item;
    try {
      const client = await this.registry.client(n.clusterName);
      if (!client.capabilities.bucketProps) return item;
      const c = (await client.getBucketProps(bucketRef(n))).checksum;
      if (c) {
        const flags = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'].filter((f) => (c as unknown as Record<string, unknown>)[f]);
        item.tooltip = `${objectUri(n)}\nchecksum: ${c.type}${flags.length ? `\n${flags.join(', ')}` : ''}`;
      }
    } catch {
      // the tooltip keeps its plain text
    }
    return item;
  }

  private parentPrefix(n: FolderNode): string {
    const trimmed = n.prefix.slice(0, -1);
    const at = trimmed.lastIndexOf('/');
    return at < 0 ? '' : trimmed.slice(0, at + 1);
  }

  async getChildren(n?: TreeNode): Promise<TreeNode[]> {
    const children = await this.computeChildren(n);
    for (const c of children) if (n) this.parents.set(nodeId(c), n);
    return children;
  }

  private async computeChildren(n?: TreeNode): Promise<TreeNode[]> {
    if (!n) {
      const entries = await this.registry.entries();
      return entries.map((e) => ({
        type: 'cluster',
        clusterName: e.spec.name,
        endpoint: e.spec.endpoint,
        kind: e.spec.kind,
        embedded: e.embedded,
        transient: e.transient,
      }));
    }
    try {
      switch (n.type) {
        case 'cluster': {
          const client = await this.registry.client(n.clusterName);
          const providers = await client.listProviders();
          if (providers.length === 0) return [{ type: 'message', message: 'No buckets yet' }];
          return providers.map((p) => ({
            type: 'provider',
            clusterName: n.clusterName,
            provider: p.name,
            info: p,
            canCreate: client.capabilities.createBucket && (client.kind === 's3' || p.name === 'ais'),
          }));
        }
        case 'provider': {
          const client = await this.registry.client(n.clusterName);
          const buckets = await client.listBuckets(n.provider);
          if (buckets.length === 0) return [{ type: 'message', message: 'No buckets' }];
          return buckets.map((b) => ({ type: 'bucket', clusterName: n.clusterName, provider: b.provider || n.provider, bucket: b.name }));
        }
        case 'bucket':
        case 'folder': {
          let listing = this.listings.get(nodeId(n));
          if (!listing || listing.filter !== this.filterOf(n)) {
            listing = { items: [], filter: this.filterOf(n) };
            await this.fetchPage(n, listing);
            this.listings.set(nodeId(n), listing);
          }
          const out: TreeNode[] = [...listing.items];
          if (listing.nextToken) out.push({ type: 'loadMore', parent: n, loaded: listing.items.length });
          if (out.length === 0) return [{ type: 'message', message: listing.filter ? `Nothing starts with "${listing.filter}"` : 'Empty' }];
          return out;
        }
        default:
          return [];
      }
    } catch (e) {
      const message = isClientError(e) ? e.message : (e as Error).message;
      this.log.warn(`${nodeId(n)}: ${message}`);
      return [{ type: 'error', message: shortError(message), detail: message, parent: n }];
    }
  }

  private async fetchPage(n: Container, listing: Listing): Promise<void> {
    const client = await this.registry.client(n.clusterName);
    const base = n.type === 'folder' ? n.prefix : '';
    const page = await client.listObjects(bucketRef(n), {
      prefix: base + listing.filter,
      folders: true,
      pageSize: this.pageSize(),
      token: listing.nextToken,
    });
    for (const folder of page.folders) {
      listing.items.push({ type: 'folder', clusterName: n.clusterName, provider: n.provider, bucket: n.bucket, prefix: folder });
    }
    for (const entry of page.objects) {
      // A key equal to the folder's own prefix ("dir/") is the folder marker, not an object to show.
      if (entry.key === base) continue;
      listing.items.push({ type: 'object', clusterName: n.clusterName, provider: n.provider, bucket: n.bucket, key: entry.key, entry, parentPrefix: base });
    }
    listing.nextToken = page.nextToken;
  }

  async loadMore(node: LoadMoreNode): Promise<void> {
    const listing = this.listings.get(nodeId(node.parent));
    if (!listing?.nextToken) return;
    try {
      await this.fetchPage(node.parent, listing);
    } catch (e) {
      void vscode.window.showErrorMessage(isClientError(e) ? e.message : (e as Error).message);
    }
    this.changed.fire(node.parent);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The first sentence: a tree row has little room; the tooltip has the rest. */
function shortError(message: string): string {
  const first = message.split(/(?<=\.)\s/)[0];
  return first.length > 120 ? first.slice(0, 117) + '…' : first;
}

export function registerTreeCommands(context: vscode.ExtensionContext, tree: BucketTreeProvider) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.refresh', (node?: TreeNode) => tree.refresh(node)),
    vscode.commands.registerCommand('aisBuckets.retry', (node?: MessageNode) => tree.refresh(node?.parent)),
    vscode.commands.registerCommand('aisBuckets.loadMore', (node: LoadMoreNode) => tree.loadMore(node)),
    vscode.commands.registerCommand('aisBuckets.filter', async (node?: Container, value?: string) => {
      if (!node) {
        void vscode.window.showInformationMessage('Choose a bucket or folder in the AIS Buckets view, then Filter by Prefix.');
        return;
      }
      const filter =
        value ??
        (await vscode.window.showInputBox({
          title: `Filter ${objectUri(node, node.type === 'folder' ? node.prefix : '')}`,
          prompt: 'Show only names that start with this (empty: show all)',
          value: tree.filterOf(node),
        }));
      if (filter === undefined) return;
      tree.setFilter(node, filter);
    }),
    vscode.commands.registerCommand('aisBuckets.clearFilter', (node?: Container) => node && tree.setFilter(node, '')),
  );
}
