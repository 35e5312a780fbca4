// The Jobs view: per cluster, its running jobs on top and the finished ones below (jobs/board.ts holds
// them and decides when to ask the clusters). While a job runs, its row redraws each second, so the rate
// and elapsed time move; nothing redraws (or polls) when none runs.
import * as vscode from 'vscode';
import { isRunning } from '../client/jobs';
import { ClusterJobsState, JobBoard, JobEntry } from '../jobs/board';
import { jobAccessibilityLabel, jobDescription, jobIcon, jobLabel, jobTooltip } from '../jobs/items';
import { firstSentence } from '../objects/errors';

export type JobsNode =
  | { type: 'jobCluster'; state: ClusterJobsState }
  | { type: 'job'; entry: JobEntry }
  | { type: 'jobMessage'; clusterName: string; message: string; error?: boolean };

export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobsNode | JobsNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };
  private ticker?: ReturnType<typeof setInterval>;
  /** The job rows VS Code holds, by cluster and id: progress redraws these rows only. */
  private readonly jobNodes = new Map<string, Extract<JobsNode, { type: 'job' }>>();
  /** Which rows the tree has (clusters, jobs, running or not, errors): when it changes, all is drawn anew. */
  private shownShape = '';

  constructor(private readonly board: JobBoard) {
    this.subscription = board.onDidChange(() => void this.update());
  }

  private static shapeOf(state: ClusterJobsState[]): string {
    return state.map((c) => `${c.clusterName}:${c.error ?? ''}:${c.jobs.map((j) => `${j.info.id}${isRunning(j.info) ? '*' : ''}`).join(',')}`).join('|');
  }

  /**
   * What the board changed: when only counts moved, the rows of those jobs are redrawn in place (a full
   * redraw each second would swap the rows under the mouse, and a click on Stop would find no job).
   */
  private async update(): Promise<void> {
    const state = await this.board.state();
    if (JobsTreeProvider.shapeOf(state) !== this.shownShape) {
      this.changed.fire(undefined);
    } else {
      const moved: JobsNode[] = [];
      for (const c of state) {
        for (const entry of c.jobs) {
          const node = this.jobNodes.get(`${c.clusterName}\n${entry.info.id}`);
          if (node && node.entry !== entry) {
            node.entry = entry;
            moved.push(node);
          }
        }
      }
      if (moved.length) this.changed.fire(moved);
    }
    this.tick();
  }

  /** Elapsed time moves between answers too: the running rows are redrawn each second while any runs. */
  private tick(): void {
    const anyRunning = this.board.anyRunning();
    if (anyRunning && !this.ticker) {
      this.ticker = setInterval(() => {
        const running = [...this.jobNodes.values()].filter((n) => isRunning(n.entry.info));
        if (running.length) this.changed.fire(running);
      }, 1000);
    }
    if (!anyRunning && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private lastState: ClusterJobsState[] = [];

  /** Scrolls the Jobs view to a job's row (a job just started here), showing the view first. */
  async reveal(view: vscode.TreeView<JobsNode>, clusterName: string, id: string): Promise<void> {
    this.lastState = await this.board.state();
    const state = this.lastState.find((c) => c.clusterName === clusterName);
    const entry = state?.jobs.find((j) => j.info.id === id);
    if (!entry) return;
    const node = this.jobNodes.get(`${clusterName}\n${id}`) ?? { type: 'job' as const, entry };
    await view.reveal(node, { select: false, focus: false });
  }

  getParent(n: JobsNode): JobsNode | undefined {
    if (n.type === 'jobCluster') return undefined;
    const clusterName = n.type === 'job' ? n.entry.clusterName : n.clusterName;
    const state = this.lastState.find((c) => c.clusterName === clusterName);
    return state ? { type: 'jobCluster', state } : undefined;
  }

  async getChildren(n?: JobsNode): Promise<JobsNode[]> {
    if (!n) {
      this.lastState = await this.board.state();
      this.shownShape = JobsTreeProvider.shapeOf(this.lastState);
      this.jobNodes.clear();
      this.tick();
      return this.lastState.map((state) => ({ type: 'jobCluster', state }));
    }
    if (n.type !== 'jobCluster') return [];
    const state = this.lastState.find((c) => c.clusterName === n.state.clusterName) ?? n.state;
    const rows: JobsNode[] = state.jobs.map((entry) => {
      const node = { type: 'job' as const, entry };
      this.jobNodes.set(`${state.clusterName}\n${entry.info.id}`, node);
      return node;
    });
    if (state.error) rows.unshift({ type: 'jobMessage', clusterName: state.clusterName, message: vscode.l10n.t('Could not read the jobs: {0}', firstSentence(state.error)), error: true });
    if (rows.length === 0) {
      rows.push({
        type: 'jobMessage',
        clusterName: state.clusterName,
        message: state.kind === 'ais' ? vscode.l10n.t('No jobs') : vscode.l10n.t('No jobs (an S3 endpoint has no server-side jobs; copies and deletes started here show up here)'),
      });
    }
    return rows;
  }

  getTreeItem(n: JobsNode): vscode.TreeItem {
    if (n.type === 'jobCluster') {
      const running = n.state.jobs.filter((j) => isRunning(j.info)).length;
      const item = new vscode.TreeItem(n.state.clusterName, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `jobs:${n.state.clusterName}`;
      item.iconPath = new vscode.ThemeIcon(n.state.kind === 'ais' ? 'server' : 'cloud');
      item.description = running ? (running === 1 ? vscode.l10n.t('1 running') : vscode.l10n.t('{0} running', running)) : undefined;
      item.contextValue = 'jobCluster';
      return item;
    }
    if (n.type === 'jobMessage') {
      const item = new vscode.TreeItem(n.message, vscode.TreeItemCollapsibleState.None);
      item.id = `jobs:${n.clusterName}:message:${n.error ? 'error' : 'empty'}`;
      item.contextValue = n.error ? 'jobError' : 'jobMessage';
      if (n.error) item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      return item;
    }
    const { entry } = n;
    const now = Date.now();
    const item = new vscode.TreeItem(jobLabel(entry), vscode.TreeItemCollapsibleState.None);
    item.id = `jobs:${entry.clusterName}:${entry.info.id}`;
    item.description = jobDescription(entry.info, now);
    item.tooltip = jobTooltip(entry, now);
    item.accessibilityInformation = { label: jobAccessibilityLabel(entry, now) };
    const icon = jobIcon(entry.info);
    const color = icon.color === 'error' ? new vscode.ThemeColor('errorForeground') : icon.color === 'passed' ? new vscode.ThemeColor('testing.iconPassed') : undefined;
    item.iconPath = new vscode.ThemeIcon(icon.icon, color);
    const revealable = entry.info.destination ?? entry.info.bucket;
    item.contextValue = `job.${isRunning(entry.info) ? 'running' : 'finished'}${revealable ? '.reveal' : ''}`;
    return item;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
