// How a run's outcome and a job's stored counts become its final status, its error and the last line of its log.
import type { Job } from '../../api';
import type { RunOutcome } from '../runner/job-run';

export interface JobEnd {
  status: 'completed' | 'partially_failed' | 'failed' | 'cancelled';
  error: string | null;
  message: string;
}

/** The end of a run that was not stopped (a stopped run resumes elsewhere, or at the next start). */
export function jobEnd(outcome: Exclude<RunOutcome, { kind: 'stopped' }>, job: Pick<Job, 'progress' | 'cost'>): JobEnd {
  const p = job.progress;
  const summary = `${p.interviews_done.toLocaleString('en-US')} of ${p.interviews_total.toLocaleString('en-US')} interviews done, ${p.interviews_failed} failed; ${p.calls_done.toLocaleString('en-US')} calls (${p.calls_cached.toLocaleString('en-US')} cached); $${job.cost.usd.toFixed(4)}.`;
  if (outcome.kind === 'cancelled') return { status: 'cancelled', error: null, message: `Cancelled: ${summary}` };
  if (outcome.kind === 'fatal') return { status: 'failed', error: outcome.message, message: `Failed: ${outcome.message}. ${summary}` };
  if (p.interviews_failed === 0) return { status: 'completed', error: null, message: `Completed: ${summary}` };
  if (p.interviews_done > 0) return { status: 'partially_failed', error: `${p.interviews_failed} interviews failed`, message: `Partially failed: ${summary}` };
  return { status: 'failed', error: 'every interview failed', message: `Failed: ${summary}` };
}
