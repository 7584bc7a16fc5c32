// A job's log as the server writes it: each event stored, then handed to whoever follows the job live.
import type { JobEvent, JobStatus, StatusEventData } from '../../api';
import type { JobStatusFields, NewEvent, Store } from '../store/store';
import type { SchedulerNotice } from '../scheduler/scheduler';

const NOTICE_EVERY_MS = 2000;

export class JobEvents {
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private readonly notices = new Map<string, { at: number; suppressed: number; last: SchedulerNotice }>();

  /** Events reach followers only through deliver() from the database's feed, never straight from emit(). */
  private readonly viaFeed: boolean;

  constructor(
    private readonly store: Store,
    private readonly log: (line: string) => void,
    options: { viaFeed?: boolean } = {},
  ) {
    this.viaFeed = options.viaFeed ?? false;
  }

  isFollowed(jobId: string): boolean {
    return this.listeners.has(jobId);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }

  /**
   * A scheduler notice for a job's log, at most one per kind every few seconds with a count of the rest. What a lane
   * came to believe about its limits is rare and always said, as a rate-limit line.
   */
  notice(raw: SchedulerNotice): void {
    const notice = { ...raw, message: namedAsInSurveys(raw.message, raw.lane) };
    if (notice.type === 'limits') {
      this.emitQuietly({ job_id: notice.jobId, type: 'rate_limited', message: notice.message, data: { lane: notice.lane } });
      return;
    }
    const key = `${notice.jobId}\u0000${notice.type}`;
    const now = Date.now();
    const state = this.notices.get(key);
    if (state && now - state.at < NOTICE_EVERY_MS) {
      state.suppressed++;
      state.last = notice;
      return;
    }
    const more = state && state.suppressed > 0 ? ` (and ${state.suppressed} more since the last note)` : '';
    this.notices.set(key, { at: now, suppressed: 0, last: notice });
    this.emitQuietly({ job_id: notice.jobId, type: notice.type, message: notice.message + more, data: { lane: notice.lane } });
  }

  /** Stores the event, then hands it to the job's live followers. */
  async emit(event: NewEvent): Promise<void> {
    this.stored(await this.store.appendEvent(event));
  }

  /** An event this process just stored: handed to followers now, or by the feed when replicas share the database. */
  stored(event: JobEvent): void {
    if (!this.viaFeed) this.deliver(event);
  }

  /**
   * A job's status and its event, stored in one transaction, then handed to the job's live followers. The event says
   * the new status, why, and the job's progress and cost, so a follower keeps the job's view from the stream alone.
   */
  async setStatus(jobId: string, status: JobStatus, fields: JobStatusFields, event?: Omit<NewEvent, 'job_id'>): Promise<void> {
    if (!event) {
      await this.store.setJobStatus(jobId, status, fields);
      return;
    }
    const job = await this.store.getJob(jobId);
    const state: StatusEventData | Record<string, never> = job
      ? { status, error: fields.error !== undefined ? fields.error : job.error, progress: job.progress, cost: job.cost }
      : {};
    const stored = await this.store.setJobStatus(jobId, status, fields, { ...event, job_id: jobId, data: { ...event.data, ...state } });
    if (stored) this.stored(stored);
  }

  /** Logs a failed write of a notice instead of throwing: a notice must never stop the work it describes. */
  private emitQuietly(event: NewEvent): void {
    this.emit(event).catch((error: unknown) =>
      this.log(`could not store an event of ${event.job_id}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Hands an event already stored (e.g. with a status change) to the job's live followers. */
  deliver(stored: JobEvent): void {
    const set = this.listeners.get(stored.job_id);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(stored);
      } catch (error) {
        this.log(`event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * A scheduler message names its lane as `service/model`; the built-in model's lane is `test/test`, which surveys and
 * the model list call `test`. The log uses the name the user wrote.
 */
function namedAsInSurveys(message: string, lane: string): string {
  return lane === 'test/test' ? message.split(lane).join('test') : message;
}
