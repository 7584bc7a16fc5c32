// The jobs view's model, without vscode: pages of jobs merged newest first, live updates, and how each job reads
// (label, description, icon, tooltip). The view renders these; tests pin them down.
import type { Job, JobStatus } from '../../api';
import { core } from '../lazy';
import { formatUsd } from '../codelens/placement';

export class JobsModel {
  private readonly byId = new Map<string, Job>();
  private cursor: string | null = null;
  /** Jobs removed from the list (the server keeps them). */
  readonly hidden = new Set<string>();
  private loadedOnce = false;

  /** Replaces everything with a first page. */
  reset(jobs: readonly Job[], nextCursor: string | null): void {
    this.byId.clear();
    this.add(jobs, nextCursor);
    this.loadedOnce = true;
  }

  /** Adds a further page (or an updated job): a job seen again replaces the older copy. */
  add(jobs: readonly Job[], nextCursor?: string | null): void {
    for (const job of jobs) this.byId.set(job.id, job);
    if (nextCursor !== undefined) this.cursor = nextCursor;
  }

  /** Updates jobs already shown; returns whether anything changed. */
  update(jobs: readonly Job[]): boolean {
    let changed = false;
    for (const job of jobs) {
      const old = this.byId.get(job.id);
      if (!old || JSON.stringify(old) !== JSON.stringify(job)) {
        this.byId.set(job.id, job);
        changed = true;
      }
    }
    return changed;
  }

  get loaded(): boolean {
    return this.loadedOnce;
  }

  get nextCursor(): string | null {
    return this.cursor;
  }

  get(id: string): Job | undefined {
    return this.byId.get(id);
  }

  /** Newest first; ties by id so the order is stable. */
  jobs(filter?: ReadonlySet<JobStatus>): Job[] {
    return [...this.byId.values()]
      .filter((job) => !this.hidden.has(job.id) && (!filter || filter.size === 0 || filter.has(job.status)))
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
  }

  /** Jobs not finished yet: they are polled while the view is visible. */
  active(): Job[] {
    return [...this.byId.values()].filter((job) => !core().isFinished(job.status));
  }
}

export interface JobPresentation {
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id; `~spin` makes it turn. */
  icon: string;
  /** A theme color id for the icon, or null. */
  color: string | null;
  /** For `when` clauses of the context menu: `job-running`, `job-completed`, `job-failed`, `job-cancelled`. */
  contextValue: string;
}

const ICONS: Record<JobStatus, [string, string | null]> = {
  queued: ['clock', null],
  running: ['sync~spin', 'charts.blue'],
  cancelling: ['loading~spin', 'charts.orange'],
  completed: ['pass-filled', 'testing.iconPassed'],
  partially_failed: ['warning', 'charts.yellow'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export function presentJob(job: Job, now = Date.now()): JobPresentation {
  const [icon, color] = ICONS[job.status];
  const p = job.progress;
  const percent = p.interviews_total > 0 ? Math.floor(((p.interviews_done + p.interviews_failed) / p.interviews_total) * 100) : 0;
  const status = job.status.replace('_', ' ');
  const progress = core().isFinished(job.status) ? status : `${status} ${percent}%`;
  const fromEdsl = core().isEdslSourceName(job.source_name);
  // The age first: a narrow sidebar cuts the end of the description.
  const description = [
    shortAge(Date.parse(job.created_at), now),
    ...(fromEdsl ? ['EDSL'] : []),
    progress,
    `${p.interviews_done}/${p.interviews_total}`,
    formatUsd(job.cost.usd),
  ].join(' · ');
  const tooltip = [
    `${job.name} (${job.kind})`,
    `id: ${job.id}`,
    `file: ${job.source_name}${fromEdsl ? " (sent by EDSL's client; Open Submitted Survey shows it)" : ''}`,
    `status: ${status}${job.error ? ` — ${job.error}` : ''}`,
    `interviews: ${p.interviews_done} done, ${p.interviews_failed} failed of ${p.interviews_total}`,
    `calls: ${p.calls_done} (${p.calls_cached} from cache), ${p.calls_failed} failed`,
    `cost: ${formatUsd(job.cost.usd)} (${job.cost.input_tokens} in / ${job.cost.output_tokens} out tokens)`,
    `models: ${job.models.join(', ')}`,
    `created: ${localTime(job.created_at)}`,
    ...(job.finished_at ? [`finished: ${localTime(job.finished_at)}`] : []),
  ].join('\n');
  const state = !core().isFinished(job.status) ? 'running' : job.status === 'partially_failed' ? 'failed' : job.status;
  return { label: job.name || job.source_name, description, tooltip, icon, color, contextValue: `job-${state}` };
}

/** In the user's time zone and locale, not UTC ISO. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function shortAge(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}
