// One webview panel per job (reused when open, revived after a reload), or on an estimate before a run.
// The panel says `ready`; the host answers with a snapshot and then sends deltas as the job's events arrive.
import { createWriteStream } from 'node:fs';
import * as vscode from 'vscode';
import type { Comparison, Job, JobEvent, Metric } from '../../api';
import type { EstimateView, HostMessage, LogLine, QuestionInfo, ResultRow } from '../../webview/messages';
import { core } from '../lazy';
import type { ServerConnection } from '../connection/connection';
import type { Log } from '../log/log';
import { showUserError } from '../log/user-error';
import { createNonce, panelHtml } from './html';
import { LiveResults } from './live-results';
import { KIND_VIEW } from '../../api/kind-view';

export const PANEL_VIEW_TYPE = 'fieldwork.job';
const RESULT_BATCH = 5000;
/** Log lines and job updates go to the panel at most this often. */
const FLUSH_MS = 100;
const METRICS_EVERY_MS = 1000;

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
  /** The job as its event stream changed it (at most every 100 ms). */
  onJob(job: Job): void;
  /** The panel follows the job's event stream until the returned disposable is disposed. */
  onFollow?(jobId: string): vscode.Disposable;
}

export class JobPanel implements vscode.Disposable {
  job: Job | null = null;
  estimate: (EstimateView & { uri?: string }) | null = null;
  private log: LogLine[] = [];
  private rows: ResultRow[] = [];
  private resultsComplete = false;
  private metrics: Metric[] = [];
  private metricsAskedAt = 0;
  private questions: QuestionInfo[] = [];
  private comparison: Comparison | null = null;
  /** Calls counted by the job's latest progress event. */
  private progress: { callsMade: number | null; callsExpected: number | null } = { callsMade: null, callsExpected: null };
  private ready = false;
  private pendingLog: LogLine[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** The job's view changed since the panel and the jobs view were last told. */
  private jobChanged = false;
  private following: AbortController | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
  ) {
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(deps.context.extensionUri, 'media'), vscode.Uri.joinPath(deps.context.extensionUri, 'dist')],
    };
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
      this.progress = { callsMade: null, callsExpected: null };
      this.questions = [];
      if (KIND_VIEW[job.kind].questions) void this.loadQuestions(job);
    }
    this.job = job;
    if (job.metrics) this.metrics = job.metrics;
    this.panel.title = `Job: ${job.name}`;
    this.post({ type: 'snapshot', ...this.snapshot() });
    if (!this.following) void this.follow(job.id);
  }

  /** The survey's questions for its charts: from the file it was run from, else the workspace's file of its name. */
  private async loadQuestions(job: Job): Promise<void> {
    let path = this.estimate?.uri ? vscode.Uri.parse(this.estimate.uri).fsPath : undefined;
    if (!path) {
      const name = job.source_name.split(/[\\/]/).pop() ?? job.source_name;
      const [found] = await vscode.workspace.findFiles(`**/${name.replace(/[{}[\]*?]/g, '')}`, '**/node_modules/**', 1);
      path = found?.fsPath;
    }
    if (!path || this.job?.id !== job.id) return;
    this.questions = core().questionsOf(path);
    if (this.questions.length > 0) this.post({ type: 'questions', questions: this.questions });
  }

  /** Two runs side by side, in this panel's Compare tab. */
  showComparison(comparison: Comparison): void {
    this.comparison = comparison;
    this.post({ type: 'comparison', comparison });
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
    return {
      job: this.job,
      estimate,
      log: this.log,
      results: this.rows,
      resultsComplete: this.resultsComplete,
      metrics: this.metrics,
      progress: this.progress,
      questions: this.questions,
    };
  }

  /**
   * Follows the job's event stream: the log, the job's status, progress and cost (no GET per event), and the results
   * each progress event names. The stream resumes by itself after a dropped connection, from the last event seen.
   */
  private async follow(jobId: string): Promise<void> {
    const abort = new AbortController();
    this.following = abort;
    const streaming = this.deps.onFollow?.(jobId);
    try {
      const client = await this.deps.connection.client();
      const live = new LiveResults({
        fetch: (interviews) => client.allResults(jobId, { signal: abort.signal, pageSize: 1000, interviews }),
        toRow: (result) => core().toResultRow(result),
        send: (delta) => {
          this.flush(); // the job's status and log go out before rows that came after them
          this.rows = live.rows;
          this.post({ type: 'results', rows: delta.rows, reset: delta.reset, complete: false });
        },
      });
      // A server that names no stored interviews (an older one), or a resumed run, gets every result read at the end.
      let readAllAtEnd = false;
      for await (const event of client.events(jobId, { signal: abort.signal })) {
        this.appendLog({ id: event.id, at: event.at, type: event.type, message: event.message });
        this.applyEvent(event);
        if (event.type === 'resumed') readAllAtEnd = true;
        if (event.type !== 'progress') continue;
        const data = core().ProgressEventData.safeParse(event.data);
        if (!data.success || !data.data.stored) {
          readAllAtEnd = true;
          continue;
        }
        this.progress = { callsMade: data.data.calls_made ?? null, callsExpected: data.data.calls_expected ?? null };
        this.post({ type: 'progress', ...this.progress });
        if (!readAllAtEnd) live.stored(data.data.stored);
        if (this.job && KIND_VIEW[this.job.kind].metrics) this.liveMetrics(jobId, abort.signal);
      }
      this.flush();
      const job = this.job;
      if (job && core().isFinished(job.status)) {
        if (KIND_VIEW[job.kind].metrics) await this.loadMetrics(job, abort.signal);
        if (readAllAtEnd) await this.loadResults(jobId, abort.signal);
        else {
          await live.drained();
          this.rows = live.rows;
          this.resultsComplete = true;
          this.post({ type: 'results', rows: [], reset: false, complete: true });
        }
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      this.deps.log.error(`Following job ${jobId} failed`, error);
      this.post({
        type: 'error',
        message: `Lost the job's event stream: ${error instanceof Error ? error.message : String(error)}. Reopen the panel to retry.`,
      });
    } finally {
      streaming?.dispose();
      if (this.following === abort) this.following = null;
    }
  }

  /** The job's view from the event: sent to the panel and the jobs view with the next batch of log lines. */
  private applyEvent(event: JobEvent): void {
    if (!this.job) return;
    const job = core().applyJobEvent(this.job, event);
    if (job === this.job) return;
    this.job = job;
    this.jobChanged = true;
    this.scheduleFlush();
  }

  /** A running eval's metrics so far, asked for at most once a second. */
  private liveMetrics(jobId: string, signal: AbortSignal): void {
    const now = Date.now();
    if (this.metricsAskedAt > now - METRICS_EVERY_MS) return;
    this.metricsAskedAt = now;
    void (async () => {
      try {
        this.metrics = await (await this.deps.connection.client()).metrics(jobId, { signal });
        this.post({ type: 'metrics', metrics: this.metrics });
      } catch (error) {
        if (!signal.aborted) this.deps.log.warn(`Could not read the metrics of job ${jobId} so far: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
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

  private appendLog(line: LogLine): void {
    this.log.push(line);
    this.pendingLog.push(line);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Sends the log lines and the job's view gathered since the last flush: a burst of events is one message each. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingLog.length > 0) {
      const lines = this.pendingLog;
      this.pendingLog = [];
      this.post({ type: 'log', lines });
    }
    if (this.jobChanged && this.job) {
      this.jobChanged = false;
      this.post({ type: 'job', job: this.job });
      this.deps.onJob(this.job);
    }
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
        if (this.comparison) this.post({ type: 'comparison', comparison: this.comparison });
        return;
      case 'run':
        if (this.estimate?.uri) {
          // The panel shows "Submitting…" from the click; it learns here when nothing was submitted.
          const notRun = (): void =>
            this.post({ type: 'error', message: 'The file was not submitted (see the message in the corner, or the Problems panel).' });
          void this.deps.run(vscode.Uri.parse(this.estimate.uri)).then(
            (job) => (job ? undefined : notRun()),
            (error: unknown) => {
              notRun();
              void showUserError('Could not run the file', error, this.deps.log);
            },
          );
        }
        return;
      case 'cancel':
        if (this.job) void vscode.commands.executeCommand('fieldwork.cancelJob', this.job.id);
        return;
      case 'retry':
        if (this.job) void vscode.commands.executeCommand('fieldwork.retryJob', this.job.id);
        return;
      case 'compare':
        if (this.job) void vscode.commands.executeCommand('fieldwork.compareJobs', this.job.id);
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
    clearTimeout(this.flushTimer);
    this.closed.fire();
    this.closed.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** Export a job's results as CSV, JSON or JSONL to a file the user picks. */
export async function exportResults(
  deps: Pick<PanelDeps, 'connection' | 'log'>,
  job: Pick<Job, 'id' | 'name'>,
  format?: 'csv' | 'json' | 'jsonl',
): Promise<void> {
  const chosen =
    format ??
    ((await vscode.window.showQuickPick(['csv', 'json', 'jsonl'], { title: `Export results of ${job.name}`, placeHolder: 'Format' })) as
      'csv' | 'json' | 'jsonl' | undefined);
  if (!chosen) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${job.name.replace(/[^\w.-]+/g, '-')}-${job.id}.${chosen}`) : undefined,
    filters: { [chosen.toUpperCase()]: [chosen] },
  });
  if (!target) return;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting results of ${job.name}…`, cancellable: true },
      async (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const client = await deps.connection.client();
        const out = createWriteStream(target.fsPath);
        try {
          await client.downloadResults(job.id, chosen, out, { signal: abort.signal });
        } finally {
          await new Promise<void>((resolve) => out.end(resolve));
        }
      },
    );
    const open = await vscode.window.showInformationMessage(`Exported the results of ${job.name} to ${target.fsPath}.`, 'Open');
    if (open) await vscode.window.showTextDocument(target);
  } catch (error) {
    await showUserError(`Could not export the results of ${job.name}`, error, deps.log);
  }
}
