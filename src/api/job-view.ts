// A job's view kept from its event stream: the job as read once (at open), then each event applied in order. Status
// events say the status and the progress and cost at that moment, progress events the progress and cost so far, so a
// follower reads the job again only when it opens (or reopens) the stream.
import { ProgressEventData, StatusEventData, type EventType, type JobEvent } from './event';
import { isFinished, JobStatus, type Job, type JobProgress } from './job';

/** The status an event's type implies, for events that carry none (an older server's, the first `queued`). */
const STATUS_OF_TYPE: Partial<Record<EventType, JobStatus>> = {
  queued: 'queued',
  started: 'running',
  resumed: 'running',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
  completed: 'completed',
  failed: 'failed',
};

/**
 * The job after `event`; the same object when the event changes nothing in it. A stream replays a job's log from its
 * start, so history the job as read already includes changes nothing: an event from before the job's latest status
 * change, or a progress event behind the progress known.
 */
export function applyJobEvent(job: Job, event: JobEvent): Job {
  if (event.job_id !== job.id || Date.parse(event.at) < Date.parse(lastChange(job))) return job;
  if (event.type === 'progress') {
    const data = ProgressEventData.safeParse(event.data);
    if (!data.success || behind(data.data.progress, job.progress)) return job;
    const { progress, cost, cost_by_model } = data.data;
    return { ...job, progress, cost, ...(cost_by_model ? { cost_by_model } : {}) };
  }
  const data = StatusEventData.safeParse(event.data);
  if (data.success) {
    const { status, error, progress, cost } = data.data;
    if (status === job.status && behind(progress, job.progress)) return job;
    return { ...withStatus(job, status, event.at), error, progress, cost };
  }
  const status = event.type === 'failed' ? (JobStatus.safeParse(event.data?.['status']).data ?? 'failed') : STATUS_OF_TYPE[event.type];
  return status && status !== job.status ? withStatus(job, status, event.at) : job;
}

/** When the job's status last changed, as far as the job says. */
function lastChange(job: Job): string {
  return job.finished_at ?? job.started_at ?? job.created_at;
}

function behind(progress: JobProgress, known: JobProgress): boolean {
  return progress.calls_done < known.calls_done || progress.interviews_done + progress.interviews_failed < known.interviews_done + known.interviews_failed;
}

function withStatus(job: Job, status: JobStatus, at: string): Job {
  return {
    ...job,
    status,
    started_at: status === 'running' && job.status !== 'running' ? at : job.started_at,
    finished_at: isFinished(status) ? (job.finished_at ?? at) : null,
  };
}
