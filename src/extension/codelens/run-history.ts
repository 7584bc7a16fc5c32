// The last run of each spec file (by URI), kept in workspace state so the "Last run" lens survives a reload.
import * as vscode from 'vscode';
import type { Job } from '../../api';
import type { LastRun } from './placement';

const KEY = 'fieldwork.lastRuns';

export class RunHistory implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get(uri: vscode.Uri): LastRun | undefined {
    return this.all()[uri.toString()];
  }

  record(uri: vscode.Uri, job: Job): void {
    void this.state.update(KEY, { ...this.all(), [uri.toString()]: toLastRun(job) });
    this.changed.fire();
  }

  /** Keeps recorded runs' status and cost current as the jobs view learns of them. */
  update(jobs: readonly Job[]): void {
    const all = this.all();
    let dirty = false;
    for (const [uri, run] of Object.entries(all)) {
      const job = jobs.find((j) => j.id === run.jobId);
      if (job && (job.status !== run.status || job.cost.usd !== run.costUsd)) {
        all[uri] = toLastRun(job);
        dirty = true;
      }
    }
    if (dirty) {
      void this.state.update(KEY, all);
      this.changed.fire();
    }
  }

  /** The file a job was run from, when this workspace ran it. */
  fileOf(jobId: string): vscode.Uri | undefined {
    const entry = Object.entries(this.all()).find(([, run]) => run.jobId === jobId);
    return entry ? vscode.Uri.parse(entry[0]) : undefined;
  }

  private all(): Record<string, LastRun> {
    return { ...(this.state.get<Record<string, LastRun>>(KEY) ?? {}) };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function toLastRun(job: Job): LastRun {
  return { jobId: job.id, status: job.status, createdAt: job.created_at, costUsd: job.cost.usd };
}
