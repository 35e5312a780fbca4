// The Clusters view: a vscode.TreeDataProvider over the plain-data TreeModel (model.ts), which holds the
// logic (providers, buckets, folders, paging, filters, error nodes) and is tested in plain Node.
import * as vscode from 'vscode';
import type { Presence } from '../client/cluster';
import { errorText } from '../objects/errors';
import { formatFsPath, formatMemberPath, FS_SCHEME, objectUri, SHARD_SCHEME } from '../objects/location';
import { shardFormatOf } from '../client/shards';
import type { ClusterRegistry } from '../registry';
import { MultiStepInput } from '../commands/input/multistep';
import { SummaryCache } from '../jobs/summaries';
import { formatCount, formatSize } from '../objects/format';
import { BucketNode, ContainerNode, escapeMarkdown, ItemData, LoadMoreNode, MessageNode, nodeId, TreeModel, TreeNode } from './model';

export class BucketTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly model: TreeModel;
  /** Show Summary's counts, shown in bucket and folder tooltips until the tree is refreshed there. */
  readonly summaries = new SummaryCache();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.model = new TreeModel(
      {
        clusters: async () =>
          (await registry.entries()).map((e) => ({
            type: 'cluster' as const,
            clusterName: e.spec.name,
            endpoint: e.spec.endpoint,
            kind: e.spec.kind,
            ...(e.embedded ? { embedded: true } : {}),
            ...(e.transient ? { transient: true } : {}),
          })),
        client: (name) => registry.client(name),
      },
      { pageSize: () => vscode.workspace.getConfiguration('aisBuckets').get<number>('pageSize') ?? 1000 },
    );
    this.subscription = registry.onDidChange(() => this.refresh());
  }

  refresh(node?: TreeNode): void {
    this.model.invalidate(node);
    if (!node || node.type === 'cluster' || node.type === 'provider') this.summaries.invalidate(node && { clusterName: node.clusterName });
    else if (node.type === 'bucket' || node.type === 'folder' || node.type === 'object') this.summaries.invalidate({ clusterName: node.clusterName, bucket: node.bucket });
    const target = node && (node.type === 'loadMore' || node.type === 'message' || node.type === 'error') ? node.parent : node;
    this.redraw(target && target.type !== 'loadMore' && target.type !== 'message' && target.type !== 'error' ? target : undefined);
  }

  /** A bucket changed outside the tree (the `ais:` file system): drop its pages and redraw. */
  refreshBucket(n: BucketNode): void {
    this.model.invalidate(n);
    this.redraw(undefined);
  }

  /**
   * The container rows VS Code holds, by id. It redraws a row only when given the very object it got from
   * getChildren (an equal node made later, e.g. by Go to Key, is ignored without a word).
   */
  private readonly shownContainers = new Map<string, TreeNode>();

  private redraw(n: TreeNode | undefined): void {
    if (!n) this.shownContainers.clear(); // all of it is fetched again
    this.changed.fire(n && (this.shownContainers.get(nodeId(n)) ?? n));
  }

  filterOf(n: ContainerNode): string {
    return this.model.filterOf(n);
  }

  setFilter(n: ContainerNode, filter: string): void {
    this.model.setFilter(n, filter);
    this.redraw(n);
  }

  /** Shows only the cached, not cached or remotely changed objects of a remote bucket (all of them: 'all'). */
  setPresence(n: ContainerNode, presence: Presence): void {
    this.model.setPresence(n, presence);
    this.redraw({ type: 'bucket', clusterName: n.clusterName, bucket: n.bucket });
  }

  /** Whether any name in a bucket or folder starts with `filter` (one short listing): Filter says so before it hides all. */
  async anyStartsWith(n: ContainerNode, filter: string): Promise<boolean> {
    const base = n.type === 'folder' ? n.prefix : '';
    const page = await (await this.registry.client(n.clusterName)).listObjects(n.bucket, { prefix: base + filter, folders: true, pageSize: 1 });
    return page.objects.length > 0 || page.folders.length > 0;
  }

  /** Re-renders containers whose pages the model changed (Go to Key). */
  changedNodes(nodes: TreeNode[]): void {
    for (const n of nodes) this.redraw(n);
  }

  getParent(n: TreeNode): TreeNode | undefined {
    return this.model.parentOf(n);
  }

  /** Who waits for VS Code to fetch a node's children again (after a redraw), by node id. */
  private readonly fetchWaiters = new Map<string, (() => void)[]>();

  /** Resolves once VS Code has fetched the children of `n` again, or after `ms` (a folded node is not fetched). */
  childrenFetched(n: TreeNode, ms = 3000): Promise<void> {
    return new Promise((resolve) => {
      const id = nodeId(n);
      const timer = setTimeout(resolve, ms);
      this.fetchWaiters.set(id, [...(this.fetchWaiters.get(id) ?? []), () => (clearTimeout(timer), resolve())]);
    });
  }

  async getChildren(n?: TreeNode): Promise<TreeNode[]> {
    const children = await this.model.children(n);
    if (n) {
      const waiting = this.fetchWaiters.get(nodeId(n));
      this.fetchWaiters.delete(nodeId(n));
      // After this call returns, when VS Code holds the rows.
      if (waiting) setTimeout(() => waiting.forEach((w) => w()), 0);
    }
    for (const c of children) {
      const container = c.type === 'cluster' || c.type === 'provider' || c.type === 'bucket' || c.type === 'folder' || c.type === 'sample' || (c.type === 'object' && shardFormatOf(c.key));
      if (container) this.shownContainers.set(nodeId(c), c);
    }
    for (const c of children) if (c.type === 'error') this.log.warn(`${n ? nodeId(n) : 'clusters'}: ${c.detail ?? c.message}`);
    return children;
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    return toTreeItem(this.model.item(n), n);
  }

  /** Redraws a bucket or folder row whose summary changed (its tooltip). */
  redrawContainer(n?: ContainerNode): void {
    this.redraw(n);
  }

  /** Bucket tooltips show the checksum props, fetched only when a user hovers; buckets and folders their summary. */
  async resolveTreeItem(item: vscode.TreeItem, n: TreeNode): Promise<vscode.TreeItem> {
    if (n.type !== 'folder' && n.type !== 'bucket' && n.type !== 'object') return item;
    // VS Code keeps a tooltip getTreeItem gave and resolves only a missing one: these rows give none.
    const d = this.model.item(n);
    item.tooltip = new vscode.MarkdownString(d.markdownTooltip ?? escapeMarkdown(d.tooltip).replace(/\n/g, '  \n'));
    if (n.type === 'object') return item;
    this.addSummary(item, n);
    if (n.type !== 'bucket') return item;
    try {
      const client = await this.registry.client(n.clusterName);
      if (!client.capabilities.bucketProps) return item;
      const c = (await client.getBucketProps(n.bucket)).checksum;
      if (c) {
        const flags = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'].filter((f) => (c as unknown as Record<string, unknown>)[f]);
        const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : `**${escapeMarkdown(objectUri(n.bucket))}**`;
        item.tooltip = new vscode.MarkdownString([md, escapeMarkdown(vscode.l10n.t('checksum: {0}', c.type)), ...(flags.length ? [escapeMarkdown(flags.join(', '))] : [])].join('  \n'));
      }
    } catch {
      // the tooltip keeps its plain text
    }
    return item;
  }

  private addSummary(item: vscode.TreeItem, n: ContainerNode): void {
    const kept = this.summaries.get(n.clusterName, n.bucket, n.type === 'folder' ? n.prefix : '');
    const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : escapeMarkdown(objectUri(n.bucket));
    let line: string;
    if (kept) {
      const here = vscode.l10n.t('{0} objects, {1}', formatCount(kept.objects), formatSize(kept.bytes));
      const cloud = kept.remoteObjects !== undefined ? vscode.l10n.t(' ({0} objects, {1} in the cloud)', formatCount(kept.remoteObjects), formatSize(kept.remoteBytes ?? 0)) : '';
      line = vscode.l10n.t('Summary: {0}{1}, as of {2}', here, cloud, kept.at.toLocaleTimeString());
    } else {
      line = vscode.l10n.t('Object count and size: Show Summary');
    }
    item.tooltip = new vscode.MarkdownString([md, escapeMarkdown(line)].join('  \n'));
  }

  /** Loads the page below (or above) and redraws; returns the row to reveal when the window of pages moved. */
  async loadMore(node: LoadMoreNode): Promise<TreeNode | undefined> {
    let landed: TreeNode | undefined;
    try {
      landed = await this.model.loadMore(node);
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not load more: {0}', errorText(e)));
    }
    const fetched = landed && this.childrenFetched(node.parent);
    this.redraw(node.parent);
    if (fetched) await fetched;
    return landed;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function toTreeItem(d: ItemData, n: TreeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(d.label, d.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  if (d.id) item.id = d.id;
  if (d.description) item.description = d.description;
  // Buckets and folders get theirs on hover (resolveTreeItem), with what is fetched then; objects too, since
  // a page of a thousand rows would otherwise carry a thousand Markdown tooltips to the window on each change.
  if (n.type !== 'bucket' && n.type !== 'folder' && n.type !== 'object') item.tooltip = d.markdownTooltip ? new vscode.MarkdownString(d.markdownTooltip) : d.tooltip;
  item.accessibilityInformation = { label: d.accessibilityLabel };
  item.contextValue = d.contextValue;
  item.iconPath =
    d.icon === 'folder' ? vscode.ThemeIcon.Folder : d.icon === 'file' ? vscode.ThemeIcon.File : new vscode.ThemeIcon(d.icon, d.iconColor === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  if (n.type === 'object') {
    // The object's own `ais:` URI (src/objects/location.ts): file icons by name, and a click opens it as a
    // document the way the Explorer does (a preview that leaves the focus here; see open.ts).
    item.resourceUri = vscode.Uri.from({ scheme: FS_SCHEME, ...formatFsPath({ cluster: n.clusterName, bucket: n.bucket, key: n.key }) });
    // A shard's click expands it: opening a 1 GB archive as a document is never what was meant.
    if (!shardFormatOf(n.key)) item.command = { command: 'aisBuckets.openObject', title: vscode.l10n.t('Open'), arguments: [n, { fromTree: true }] };
  }
  if (n.type === 'member') {
    item.resourceUri = vscode.Uri.from({ scheme: SHARD_SCHEME, ...formatMemberPath({ cluster: n.clusterName, bucket: n.bucket, shard: n.shard, member: n.member.name }) });
    item.command = { command: 'aisBuckets.openMember', title: vscode.l10n.t('Open'), arguments: [n] };
  }
  if (d.command) item.command = d.command;
  return item;
}

export function registerTreeCommands(context: vscode.ExtensionContext, tree: BucketTreeProvider, treeView: vscode.TreeView<TreeNode>) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.refresh', (node?: TreeNode) => tree.refresh(node)),
    vscode.commands.registerCommand('aisBuckets.retry', (node?: MessageNode) => tree.refresh(node?.parent)),
    vscode.commands.registerCommand('aisBuckets.loadMore', async (node: LoadMoreNode) => {
      const landed = await tree.loadMore(node);
      // Rows above the click were dropped or added: without this the view would stay at its old offset,
      // a page away from where the reader was. Revealed once VS Code holds the new rows, so that the
      // reveal finds its row there instead of listing the folder's children a second time.
      if (landed) await treeView.reveal(landed, { select: false, focus: false });
    }),
    vscode.commands.registerCommand('aisBuckets.filter', async (node?: ContainerNode, value?: string) => {
      if (!node) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose a bucket or folder in the AIS Buckets view, then Filter by Prefix.'));
        return;
      }
      let filter = value;
      if (filter === undefined) {
        // One question: its title names the folder; a prefix nothing starts with is said before it hides all.
        const where = objectUri(node.bucket, node.type === 'folder' ? node.prefix : '');
        const asked = await MultiStepInput.run(vscode.l10n.t('Filter {0}', where), () => 1, async (input) => {
          filter = await input.inputBox({
            prompt: vscode.l10n.t('Show only names that start with this (empty: show all)'),
            value: tree.filterOf(node),
            allowEmpty: true,
            accept: async (v) => {
              if (!v || (await tree.anyStartsWith(node, v))) return undefined;
              return { message: vscode.l10n.t('Nothing in {0} starts with "{1}". Press Enter again to filter anyway, or change it.', where, v), overridable: true };
            },
          });
        });
        if (!asked) return;
      }
      if (filter === undefined) return;
      tree.setFilter(node, filter);
    }),
    vscode.commands.registerCommand('aisBuckets.clearFilter', (node?: ContainerNode) => node && tree.setFilter(node, '')),
  );
}
