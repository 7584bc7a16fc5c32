// A running job's `progress` events: at most one every half second, a trailing one so that no stored result waits
// for the next, and a last one as the job ends. Each says how many calls were made (interviews can take long, calls
// do not), what the job and each of its models cost so far, and which interviews' results were stored since the
// previous one, so a follower fetches just those.
import type { ModelCost, ProgressEventData } from '../../api';
import type { JobEvents } from './job-events';
import type { Store } from '../store/store';

const PROGRESS_EVERY_MS = 500;
/** More ranges than this in one event are sent as the one range that covers them. */
const MAX_RANGES = 100;

interface Running {
  at: number;
  calls: number;
  callsExpected: number;
  stored: number[];
  timer: NodeJS.Timeout | null;
}

export class JobProgress {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly store: Store,
    private readonly events: JobEvents,
    /** Where a progress event that could not be stored is said (a database restarting: the next one says it). */
    private readonly log: (line: string) => void,
  ) {}

  /**
   * A job starts (or resumes) running with `callsDone` calls done: `callsExpected` is about how many calls it makes in
   * all. A store that cannot say more now (restarting) does not hold the run back: its first event counts from here.
   */
  async start(jobId: string, callsExpected: number, callsDone: number): Promise<void> {
    const calls = await this.callsMade(jobId, callsDone).catch(() => callsDone);
    this.running.set(jobId, { at: Date.now(), calls, callsExpected, stored: [], timer: null });
  }

  /** Interviews whose results were just written. */
  stored(jobId: string, interviews: readonly number[]): void {
    const state = this.running.get(jobId);
    if (!state) return;
    for (const interview of interviews) state.stored.push(interview);
    this.soon(jobId, state);
  }

  /** A call was answered (by a provider or the cache). Cheap: it only makes sure a progress event follows. */
  called(jobId: string): void {
    const state = this.running.get(jobId);
    if (state && !state.timer) this.soon(jobId, state);
  }

  /** The job's run ended: its last progress event, with whatever was stored since the one before. */
  async finish(jobId: string): Promise<void> {
    const state = this.running.get(jobId);
    if (state?.timer) clearTimeout(state.timer);
    this.running.delete(jobId);
    await this.emit(jobId, state ?? null);
  }

  /** The server stops: the job resumes later, and says nothing more now. */
  forget(jobId: string): void {
    const state = this.running.get(jobId);
    if (state?.timer) clearTimeout(state.timer);
    this.running.delete(jobId);
  }

  private soon(jobId: string, state: Running): void {
    if (state.timer) return;
    const wait = Math.max(0, state.at + PROGRESS_EVERY_MS - Date.now());
    state.timer = setTimeout(() => {
      state.timer = null;
      if (this.running.get(jobId) !== state) return;
      this.emit(jobId, state).catch((error: unknown) => this.log(`progress of ${jobId} not stored: ${error instanceof Error ? error.message : String(error)}`));
    }, wait);
    state.timer.unref();
  }

  private async emit(jobId: string, state: Running | null): Promise<void> {
    const job = await this.store.getJob(jobId);
    if (!job) return;
    const now = Date.now();
    const p = job.progress;
    const costs = await this.store.costByModel(jobId);
    const callsMade = costs.length > 0 ? callsOf(costs) : p.calls_done;
    const seconds = state ? (now - state.at) / 1000 : 0;
    const callsPerSecond = state && seconds > 0 ? Math.max(0, callsMade - state.calls) / seconds : 0;
    const stored = state ? ranges(state.stored) : [];
    if (state) {
      state.at = now;
      state.calls = callsMade;
      state.stored = [];
    }
    const data: ProgressEventData = {
      progress: p,
      cost: job.cost,
      calls_per_second: Math.round(callsPerSecond * 10) / 10,
      calls_made: callsMade,
      ...(state ? { calls_expected: Math.max(state.callsExpected, callsMade) } : {}),
      stored,
      ...(costs.length > 0 ? { cost_by_model: costs } : {}),
    };
    await this.events.emit({
      job_id: jobId,
      type: 'progress',
      // Done and failed apart: "1 / 1 interviews" for a job whose only interview failed read as success.
      message: `${p.interviews_done} / ${p.interviews_total} interviews done${p.interviews_failed > 0 ? `, ${p.interviews_failed} failed` : ''}, ${callsMade} calls, ${Math.round(callsPerSecond)} calls/s, $${job.cost.usd.toFixed(4)}`,
      data,
    });
  }

  /** Calls answered so far, interviews still running included; a job stored before per-model counts uses its own. */
  private async callsMade(jobId: string, fallback: number): Promise<number> {
    const costs = await this.store.costByModel(jobId);
    return costs.length > 0 ? callsOf(costs) : fallback;
  }
}

const callsOf = (costs: readonly ModelCost[]): number => costs.reduce((sum, c) => sum + c.calls, 0);

/** Sorted, merged [first, last] ranges of interview indexes; many are sent as the one range that covers them. */
export function ranges(indexes: readonly number[]): [number, number][] {
  if (indexes.length === 0) return [];
  const sorted = [...indexes].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i <= last[1] + 1) last[1] = Math.max(last[1], i);
    else out.push([i, i]);
  }
  return out.length > MAX_RANGES ? [[out[0]![0], out[out.length - 1]![1]]] : out;
}
