// The jobs view: history from the server, newest first, paged ("Load more"), filtered by status, polled while jobs
// run — except the jobs an open panel follows over their event stream, which it updates here. Empty states are welcome views chosen by the `fieldwork.connection` and `fieldwork.jobsEmpty` contexts.
import * as vscode from 'vscode';
import type { Job, JobStatus } from '../../api';
import type { ServerConnection } from '../connection/connection';
import type { Log } from '../log/log';
import { JobsModel, presentJob } from './tree-model';

const PAGE_SIZE = 50;
const ACTIVE_POLL_MS = 1500;
const IDLE_POLL_MS = 30_000;

export type JobsNode = { kind: 'job'; job: Job } | { kind: 'more' };

const HIDDEN_KEY = 'fieldwork.hiddenJobs';

export class JobsView implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  readonly model = new JobsModel();
  private readonly changed = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly jobsChanged = new vscode.EventEmitter<readonly Job[]>();
  /** Fires with the jobs after every load or poll: the status bar and CodeLens follow it. */
  readonly onDidChangeJobs = this.jobsChanged.event;
  private filter = new Set<JobStatus>();
  private timer: NodeJS.Timeout | undefined;
  private pollDelay: number | null = null;
  private disposed = false;
  private loading: Promise<void> | null = null;
  /** Jobs whose event stream a panel follows (with how many panels): they are updated by `upsert`, not polled. */
  private readonly streamed = new Map<string, number>();
  visible = false;

  constructor(
    private readonly connection: ServerConnection,
    private readonly log: Log,
  ) {}

  getTreeItem(node: JobsNode): vscode.TreeItem {
    if (node.kind === 'more') {
      const item = new vscode.TreeItem('Load more…');
      item.command = { command: 'fieldwork.loadMoreJobs', title: 'Load more' };
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      return item;
    }
    const p = presentJob(node.job);
    const item = new vscode.TreeItem(p.label);
    item.id = node.job.id;
    item.description = p.description;
    item.tooltip = p.tooltip;
    item.iconPath = new vscode.ThemeIcon(p.icon, p.color ? new vscode.ThemeColor(p.color) : undefined);
    item.contextValue = p.contextValue;
    item.command = { command: 'fieldwork.openJob', title: 'Open', arguments: [node.job.id] };
    return item;
  }

  async getChildren(node?: JobsNode): Promise<JobsNode[]> {
    if (node) return [];
    if (!this.model.loaded) await this.load();
    const jobs = this.model.jobs(this.filter).map((job): JobsNode => ({ kind: 'job', job }));
    if (this.model.nextCursor) jobs.push({ kind: 'more' });
    return jobs;
  }

  /** Reloads the first page. */
  refresh(): Promise<void> {
    return this.load().then(() => this.changed.fire(undefined));
  }

  async loadMore(): Promise<void> {
    const cursor = this.model.nextCursor;
    if (!cursor) return;
    try {
      const client = await this.connection.client();
      const page = await client.listJobs({ limit: PAGE_SIZE, cursor });
      this.model.add(page.jobs, page.next_cursor);
      this.changed.fire(undefined);
    } catch (error) {
      this.log.error('Could not load more jobs', error);
    }
  }

  /** A job the extension just submitted or changed: shown at once, without waiting for the next poll. */
  upsert(job: Job): void {
    this.model.add([job]);
    this.changed.fire(undefined);
    this.jobsChanged.fire(this.model.jobs());
    // A job that now needs polling is polled soon, not after the idle refresh.
    if (!this.timer || (this.pollDelay !== ACTIVE_POLL_MS && this.polled().length > 0)) this.schedule();
  }

  /** A panel follows the job's event stream until the disposable is disposed: meanwhile the job is not polled. */
  streaming(jobId: string): vscode.Disposable {
    this.streamed.set(jobId, (this.streamed.get(jobId) ?? 0) + 1);
    if (this.timer) this.schedule();
    let disposed = false;
    return new vscode.Disposable(() => {
      if (disposed) return;
      disposed = true;
      const count = (this.streamed.get(jobId) ?? 1) - 1;
      if (count > 0) this.streamed.set(jobId, count);
      else this.streamed.delete(jobId);
      this.schedule(); // a stream that ended before its job did leaves the job to the poll again
    });
  }

  /** Unfinished jobs no panel follows: polled often while the view is visible. */
  private polled(): Job[] {
    return this.model.active().filter((job) => !this.streamed.has(job.id));
  }

  /** Takes a job off the list for good (in this VS Code; the server keeps it). */
  remove(id: string, state: vscode.Memento): void {
    this.model.hidden.add(id);
    void state.update(HIDDEN_KEY, [...this.model.hidden]);
    this.changed.fire(undefined);
    this.jobsChanged.fire(this.model.jobs());
  }

  /** The jobs removed earlier. */
  restoreHidden(state: vscode.Memento): void {
    for (const id of state.get<string[]>(HIDDEN_KEY) ?? []) this.model.hidden.add(id);
  }

  setFilter(statuses: JobStatus[]): void {
    this.filter = new Set(statuses);
    void vscode.commands.executeCommand('setContext', 'fieldwork.jobsFiltered', statuses.length > 0);
    this.changed.fire(undefined);
  }

  get filterStatuses(): JobStatus[] {
    return [...this.filter];
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const client = await this.connection.client();
        const page = await client.listJobs({ limit: PAGE_SIZE });
        this.model.reset(page.jobs, page.next_cursor);
        this.connection.report(true);
        void vscode.commands.executeCommand('setContext', 'fieldwork.jobsEmpty', page.jobs.length === 0);
        this.jobsChanged.fire(this.model.jobs());
      } catch (error) {
        this.log.error(`Could not list jobs on ${this.connection.describe()}`, error);
        if (this.connection.state === 'connected' || this.connection.state === 'connecting') this.connection.report(false);
        this.model.reset([], null);
      } finally {
        this.loading = null;
        this.schedule();
      }
    })();
    return this.loading;
  }

  /** Polls the unfinished jobs no panel follows often, and the first page now and then (new jobs from elsewhere; keeps the local server's idle clock alive). */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pollDelay = null;
    if (this.disposed) return;
    const active = this.polled();
    if (!this.visible && active.length === 0 && !this.model.loaded) return;
    this.pollDelay = active.length > 0 ? ACTIVE_POLL_MS : IDLE_POLL_MS;
    this.timer = setTimeout(() => void this.poll(), this.pollDelay);
  }

  /** In how many ms the next poll is due (as last scheduled), or null when none is. */
  get nextPoll(): number | null {
    return this.timer ? this.pollDelay : null;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    const active = this.polled();
    if (active.length === 0 || !this.visible) {
      if (this.visible || active.length > 0) await this.refresh();
      else this.schedule();
      return;
    }
    try {
      const client = await this.connection.client();
      const jobs = await Promise.all(active.map((job) => client.getJob(job.id)));
      if (this.model.update(jobs)) {
        this.changed.fire(undefined);
        this.jobsChanged.fire(this.model.jobs());
      }
    } catch (error) {
      this.log.warn(`polling jobs failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.dispose();
    this.jobsChanged.dispose();
  }
}

export function activateJobsView(context: vscode.ExtensionContext, connection: ServerConnection, log: Log): JobsView {
  const view = new JobsView(connection, log);
  view.restoreHidden(context.workspaceState);
  const tree = vscode.window.createTreeView('fieldwork.jobs', { treeDataProvider: view, showCollapseAll: false });
  view.visible = tree.visible;
  context.subscriptions.push(
    view,
    tree,
    tree.onDidChangeVisibility((e) => {
      view.visible = e.visible;
      if (e.visible) void view.refresh();
    }),
    connection.onDidChangeTarget(() => void view.refresh()),
  );
  return view;
}
