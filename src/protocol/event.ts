// A job's log: one event per line, numbered so a stream can resume after the last one it saw.
import { z } from 'zod';

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
