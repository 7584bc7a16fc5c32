// One webview panel per job (reused when open, revived after a reload), or on an estimate before a run.
// The panel says `ready`; the host answers with a snapshot and then sends deltas as the job's events arrive.
import { createWriteStream } from 'node:fs';
import * as vscode from 'vscode';
import type { Job, Metric } from '../../protocol';
import type { EstimateView, HostMessage, LogLine, ResultRow } from '../../webview/protocol';
import { core } from '../lazy';
import type { ServerConnection } from '../connection/connection';
import type { Log } from '../log/log';
import { showUserError } from '../log/user-error';
import { createNonce, panelHtml } from './html';

export const PANEL_VIEW_TYPE = 'fieldwork.job';
const RESULT_BATCH = 5000;
const LOG_FLUSH_MS = 100;

/** What a panel remembers across a reload (webview state). */
export interface PanelState {
  jobId?: string;
}

export interface PanelDeps {
  context: vscode.ExtensionContext;
  connection: ServerConnection;
  log: Log;
  /** Submits the spec file the estimate was made for; returns the new job. */
  run(uri: vscode.Uri): Promise<Job | undefined>;
  onJob(job: Job): void;
}

export class JobPanel implements vscode.Disposable {
  job: Job | null = null;
  estimate: (EstimateView & { uri?: string }) | null = null;
  private log: LogLine[] = [];
  private rows: ResultRow[] = [];
  private resultsComplete = false;
  private metrics: Metric[] = [];
  private ready = false;
  private pendingLog: LogLine[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private following: AbortController | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
  ) {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.context.extensionUri, 'media'), vscode.Uri.joinPath(deps.context.extensionUri, 'dist')] };
    const nonce = createNonce();
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(deps.context.extensionUri, 'media', 'panel.css')).toString(),
      title: panel.title,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows a job: follows its events and loads its results. */
  showJob(job: Job): void {
    if (this.job?.id !== job.id) {
      this.following?.abort();
      this.following = null;
      this.log = [];
      this.rows = [];
      this.resultsComplete = false;
      this.metrics = [];
    }
    this.job = job;
    if (job.metrics) this.metrics = job.metrics;
    this.panel.title = `Job: ${job.name}`;
    this.post({ type: 'snapshot', ...this.snapshot() });
    if (!this.following) void this.follow(job.id);
  }

  showEstimate(view: EstimateView, uri: vscode.Uri): void {
    this.estimate = { ...view, uri: uri.toString() };
    this.panel.title = `Estimate: ${view.fileName}`;
    this.post({ type: 'estimate', estimate: view });
  }

  /** For the 100,000-row check: replaces the results with synthetic rows. */
  showRows(rows: ResultRow[]): void {
    this.rows = rows;
    this.resultsComplete = true;
    this.post({ type: 'snapshot', ...this.snapshot() });
  }

  private snapshot(): Omit<Extract<HostMessage, { type: 'snapshot' }>, 'type'> {
    const estimate = this.estimate ? { fileName: this.estimate.fileName, estimate: this.estimate.estimate, canRun: this.estimate.canRun && !this.job } : null;
    return { job: this.job, estimate, log: this.log, results: this.rows, resultsComplete: this.resultsComplete, metrics: this.metrics };
  }

  private async follow(jobId: string): Promise<void> {
    const abort = new AbortController();
    this.following = abort;
    try {
      const client = await this.deps.connection.client();
      let refreshing = false;
      const refresh = async (): Promise<void> => {
        if (refreshing) return;
        refreshing = true;
        try {
          await sleep(250);
          const job = await client.getJob(jobId, { signal: abort.signal });
          this.updateJob(job);
        } finally {
          refreshing = false;
        }
      };
      for await (const event of client.events(jobId, { signal: abort.signal })) {
        this.appendLog({ id: event.id, at: event.at, type: event.type, message: event.message });
        void refresh().catch(() => undefined);
      }
      const job = await client.getJob(jobId, { signal: abort.signal });
      this.updateJob(job);
      if (core().isFinished(job.status)) {
        if (job.kind === 'eval') await this.loadMetrics(job, abort.signal);
        await this.loadResults(jobId, abort.signal);
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      this.deps.log.error(`Following job ${jobId} failed`, error);
      this.post({ type: 'error', message: `Lost the job's event stream: ${error instanceof Error ? error.message : String(error)}. Reopen the panel to retry.` });
    } finally {
      if (this.following === abort) this.following = null;
    }
  }

  /** A finished eval job carries its metrics; an older server's job does not, so they are asked for. */
  private async loadMetrics(job: Job, signal: AbortSignal): Promise<void> {
    if (job.metrics) return;
    try {
      this.metrics = await (await this.deps.connection.client()).metrics(job.id, { signal });
      this.post({ type: 'metrics', metrics: this.metrics });
    } catch (error) {
      if (!signal.aborted) this.deps.log.error(`Could not load the metrics of job ${job.id}`, error);
    }
  }

  private updateJob(job: Job): void {
    this.job = job;
    if (job.metrics) {
      this.metrics = job.metrics;
      this.post({ type: 'metrics', metrics: job.metrics });
    }
    this.post({ type: 'job', job });
    this.deps.onJob(job);
  }

  private appendLog(line: LogLine): void {
    this.log.push(line);
    this.pendingLog.push(line);
    this.logTimer ??= setTimeout(() => {
      this.logTimer = undefined;
      const lines = this.pendingLog;
      this.pendingLog = [];
      this.post({ type: 'log', lines });
    }, LOG_FLUSH_MS);
  }

  private async loadResults(jobId: string, signal: AbortSignal): Promise<void> {
    const client = await this.deps.connection.client();
    this.rows = [];
    let batch: ResultRow[] = [];
    let first = true;
    for await (const result of client.allResults(jobId, { signal, pageSize: 1000 })) {
      const row = core().toResultRow(result);
      this.rows.push(row);
      batch.push(row);
      if (batch.length >= RESULT_BATCH) {
        this.post({ type: 'results', rows: batch, reset: first, complete: false });
        first = false;
        batch = [];
      }
    }
    this.resultsComplete = true;
    this.post({ type: 'results', rows: batch, reset: first, complete: true });
  }

  private receive(raw: unknown): void {
    const { parseMessage, PanelMessage } = core();
    const parsed = parseMessage(PanelMessage, raw);
    if (!parsed.ok) {
      this.deps.log.warn(`dropped a message from the job panel: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'snapshot', ...this.snapshot() });
        return;
      case 'run':
        if (this.estimate?.uri) void this.deps.run(vscode.Uri.parse(this.estimate.uri));
        return;
      case 'cancel':
        if (this.job) void vscode.commands.executeCommand('fieldwork.cancelJob', this.job.id);
        return;
      case 'retry':
        if (this.job) void vscode.commands.executeCommand('fieldwork.retryJob', this.job.id);
        return;
      case 'copyId':
        if (this.job) void vscode.commands.executeCommand('fieldwork.copyJobId', this.job.id);
        return;
      case 'rendered':
        this.deps.log.info(`job panel showed ${message.rows} results in ${message.ms.toFixed(0)} ms`);
        return;
      case 'export':
        if (this.job) void exportResults(this.deps, this.job, message.format);
        return;
    }
  }

  private post(message: HostMessage): void {
    if (!this.ready) return; // the snapshot after `ready` carries everything
    void this.panel.webview.postMessage(message); // typed here; the webview parses what it receives
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    this.following?.abort();
    clearTimeout(this.logTimer);
    this.closed.fire();
    this.closed.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** Export a job's results as CSV, JSON or JSONL to a file the user picks. */
export async function exportResults(deps: Pick<PanelDeps, 'connection' | 'log'>, job: Pick<Job, 'id' | 'name'>, format?: 'csv' | 'json' | 'jsonl'): Promise<void> {
  const chosen =
    format ??
    ((await vscode.window.showQuickPick(['csv', 'json', 'jsonl'], { title: `Export results of ${job.name}`, placeHolder: 'Format' })) as 'csv' | 'json' | 'jsonl' | undefined);
  if (!chosen) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${job.name.replace(/[^\w.-]+/g, '-')}-${job.id}.${chosen}`) : undefined,
    filters: { [chosen.toUpperCase()]: [chosen] },
  });
  if (!target) return;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting results of ${job.name}…`, cancellable: true }, async (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const client = await deps.connection.client();
      const out = createWriteStream(target.fsPath);
      try {
        await client.downloadResults(job.id, chosen, out, { signal: abort.signal });
      } finally {
        await new Promise<void>((resolve) => out.end(resolve));
      }
    });
    const open = await vscode.window.showInformationMessage(`Exported the results of ${job.name} to ${target.fsPath}.`, 'Open');
    if (open) await vscode.window.showTextDocument(target);
  } catch (error) {
    await showUserError(`Could not export the results of ${job.name}`, error, deps.log);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
