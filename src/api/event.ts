// A job's log: one event per line, numbered so a stream can resume after the last one it saw.
import { z } from 'zod';
import { JobCost, JobProgress, JobStatus, ModelCost } from './job';

export const EventType = z.enum([
  'queued',
  'started',
  'progress',
  'rate_limited',
  'retried',
  'interview_failed',
  'warning',
  'failed',
  'cancelling',
  'cancelled',
  'completed',
  'resumed',
]);
export type EventType = z.infer<typeof EventType>;

export const JobEvent = z.object({
  /** Increases across the whole server; the SSE `id` and the polling cursor. */
  id: z.number().int().positive(),
  job_id: z.string(),
  type: EventType,
  at: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type JobEvent = z.infer<typeof JobEvent>;

export const EventPage = z.object({
  events: z.array(JobEvent),
  /** Pass as `after` to get the next events; equals the last event's id, or the `after` that was asked for. */
  last_event_id: z.number().int().nonnegative(),
  /** True when the job is finished and no event after `last_event_id` will ever come. */
  done: z.boolean(),
});
export type EventPage = z.infer<typeof EventPage>;

/**
 * The `data` of a `progress` event. A running job says at most every half second (and once more as it ends) how far
 * it is, counted in calls as well as interviews, and which interviews' results were stored since its previous
 * progress event: a follower fetches exactly those (GET /v1/jobs/{id}/results?interviews=lo-hi) while the job runs.
 * The newer fields are optional: an older server's events carry only the first three.
 */
export const ProgressEventData = z.object({
  progress: JobProgress,
  cost: JobCost,
  calls_per_second: z.number().optional(),
  /** Calls answered so far (by a provider or the cache), including those of interviews still running. */
  calls_made: z.number().int().nonnegative().optional(),
  /** About how many calls the whole job makes: a survey's skip rules can make it fewer. */
  calls_expected: z.number().int().nonnegative().optional(),
  /** Interview index ranges, [first, last] inclusive, whose results were stored since the previous progress event. */
  stored: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).optional(),
  /** What each model cost so far, as GET /v1/jobs/{id} says it: a follower needs no GET to show it live. */
  cost_by_model: z.array(ModelCost).optional(),
});
export type ProgressEventData = z.infer<typeof ProgressEventData>;

/**
 * The `data` of an event that changes a job's status (`started`, `cancelling`, `cancelled`, `completed`, `failed`,
 * and `queued` for a retry): the status it changed to, why (or null), and the job's progress and cost at that
 * moment. With the progress events, a follower keeps the job's view from its event stream alone. An older server's
 * status events lack these fields: the event's type then says the status.
 */
export const StatusEventData = z.object({
  status: JobStatus,
  error: z.string().nullable(),
  progress: JobProgress,
  cost: JobCost,
});
export type StatusEventData = z.infer<typeof StatusEventData>;
