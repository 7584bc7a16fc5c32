// The open job panels: one per job (reused), one per estimated file, revived after a window reload.
import * as vscode from 'vscode';
import type { Job } from '../../api';
import type { EstimateView, ResultRow } from '../../webview/messages';
import { JobPanel, PANEL_VIEW_TYPE, type PanelDeps, type PanelState } from './job-panel';

export class JobPanels implements vscode.Disposable {
  private readonly byJob = new Map<string, JobPanel>();
  private readonly byFile = new Map<string, JobPanel>();

  constructor(private readonly deps: PanelDeps) {}

  /** Opens (or reveals) the panel of a job. */
  async openJob(jobId: string, known?: Job): Promise<JobPanel> {
    const open = this.byJob.get(jobId);
    if (open) {
      open.reveal();
      if (known) open.showJob(known);
      return open;
    }
    const job = known ?? (await (await this.deps.connection.client()).getJob(jobId));
    const panel = this.track(new JobPanel(this.createPanel(`Job: ${job.name}`), this.deps));
    this.byJob.set(job.id, panel);
    panel.showJob(job);
    return panel;
  }

  /** Opens the estimate of a file; its Run button turns the same panel into the job's panel. */
  openEstimate(uri: vscode.Uri, view: EstimateView): JobPanel {
    const key = uri.toString();
    let panel = this.byFile.get(key);
    if (!panel) {
      panel = this.track(new JobPanel(this.createPanel(`Estimate: ${view.fileName}`), this.deps));
      this.byFile.set(key, panel);
    } else panel.reveal();
    panel.showEstimate(view, uri);
    return panel;
  }

  /** After a run: the file's estimate panel becomes the job's panel when there is one. */
  async showRun(uri: vscode.Uri, job: Job): Promise<JobPanel> {
    const key = uri.toString();
    const fromEstimate = this.byFile.get(key);
    if (fromEstimate && !fromEstimate.job) {
      this.byFile.delete(key);
      this.byJob.set(job.id, fromEstimate);
      fromEstimate.showJob(job);
      fromEstimate.reveal();
      return fromEstimate;
    }
    return this.openJob(job.id, job);
  }

  /** A synthetic panel of `rows` results, for the performance check. */
  openRows(title: string, rows: ResultRow[]): JobPanel {
    const panel = this.track(new JobPanel(this.createPanel(title), this.deps));
    panel.showRows(rows);
    return panel;
  }

  /** Revives a panel VS Code kept across a reload. */
  revive(webviewPanel: vscode.WebviewPanel, state: PanelState | undefined): void {
    const panel = this.track(new JobPanel(webviewPanel, this.deps));
    const jobId = state?.jobId;
    if (!jobId) {
      webviewPanel.dispose();
      return;
    }
    this.byJob.set(jobId, panel);
    void this.deps.connection
      .client()
      .then((client) => client.getJob(jobId))
      .then((job) => panel.showJob(job))
      .catch((error: unknown) => {
        this.deps.log.error(`Could not restore the panel of job ${jobId}`, error);
        panel.dispose();
      });
  }

  get(jobId: string): JobPanel | undefined {
    return this.byJob.get(jobId);
  }

  private createPanel(title: string): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true },
    );
  }

  private track(panel: JobPanel): JobPanel {
    panel.onDidClose(() => {
      for (const [key, value] of this.byJob) if (value === panel) this.byJob.delete(key);
      for (const [key, value] of this.byFile) if (value === panel) this.byFile.delete(key);
    });
    return panel;
  }

  dispose(): void {
    for (const panel of [...this.byJob.values(), ...this.byFile.values()]) panel.dispose();
  }
}

export function activateJobPanels(context: vscode.ExtensionContext, deps: PanelDeps): JobPanels {
  const panels = new JobPanels(deps);
  context.subscriptions.push(
    panels,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => panels.revive(panel, state as PanelState | undefined),
    }),
  );
  return panels;
}
