// A job's events in PostgreSQL, as several replicas append them. Appends of one job take a transaction-level advisory
// lock on the job, so they commit in the order of their ids: a follower reading "events after N" never skips one that
// commits later with a smaller id. Each append notifies the channel replicas listen on (delivered on commit), naming
// the job, the event's id and its type; a listener reads the events themselves from the table.
import type { PoolClient } from 'pg';
import type { JobEvent } from '../../../api';
import type { NewEvent } from '../store';

/** The channel of stored events: payload `{"job": id, "id": event id, "type": event type}`. */
export const EVENTS_CHANNEL = 'fieldwork_events';
/** The first key of the per-job advisory locks (the second is a hash of the job's id). */
const EVENT_LOCK = 0x6677_0003;

/** Appends in the caller's transaction. */
export async function appendEventLocked(client: PoolClient, event: NewEvent): Promise<JobEvent> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EVENT_LOCK, event.job_id]);
  const at = new Date().toISOString();
  const data = event.data ?? null;
  const { rows } = await client.query<{ id: number }>('INSERT INTO events (job_id, type, at, message, data) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
    event.job_id,
    event.type,
    at,
    event.message,
    data === null ? null : JSON.stringify(data),
  ]);
  const id = rows[0]!.id;
  await client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify({ job: event.job_id, id, type: event.type })]);
  return { id, job_id: event.job_id, type: event.type, at, message: event.message, data };
}
