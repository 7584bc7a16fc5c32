// The events table: a job's log, appended to as it runs and read by id, so a client can follow it from where it was.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { JobEvent } from '../../api';
import { eventFromRow, type EventRow } from './rows';
import type { NewEvent } from './store';

const now = (): string => new Date().toISOString();

export class EventLog {
  private readonly insert: StatementSync;
  private readonly after: StatementSync;

  constructor(db: DatabaseSync) {
    this.insert = db.prepare('INSERT INTO events (job_id, type, at, message, data) VALUES (?, ?, ?, ?, ?)');
    this.after = db.prepare('SELECT id, job_id, type, at, message, data FROM events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?');
  }

  append(event: NewEvent): JobEvent {
    const at = now();
    const data = event.data ?? null;
    const { lastInsertRowid } = this.insert.run(event.job_id, event.type, at, event.message, data === null ? null : JSON.stringify(data));
    return { id: Number(lastInsertRowid), job_id: event.job_id, type: event.type, at, message: event.message, data };
  }

  readAfter(jobId: string, afterId: number, limit: number): JobEvent[] {
    return (this.after.all(jobId, afterId, limit) as unknown as EventRow[]).map(eventFromRow);
  }
}
