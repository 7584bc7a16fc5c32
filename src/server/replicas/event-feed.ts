// Events across replicas: every replica LISTENs on the channel each stored event is notified on
// (store/postgres/events.ts) and reads the events of the jobs followed here from the table, in id order, one job's
// reads after another's, so a live follower on this replica sees a job whose work runs on any replica. Notices also
// wake the claim loop (a job queued anywhere) and stop a run here that a request on another replica cancelled.
import pg from 'pg';
import { z } from 'zod';
import type { JobEvent } from '../../api';
import type { Store } from '../store/store';
import { EVENTS_CHANNEL } from '../store/postgres/events';

/** A notification's payload, as events.ts writes it. */
const Notice = z.object({ job: z.string().min(1), id: z.number().int().nonnegative(), type: z.string() });
export type EventNotice = z.infer<typeof Notice>;

export interface FeedTarget {
  /** Whether anyone on this replica follows the job live. */
  isFollowed(jobId: string): boolean;
  deliver(event: JobEvent): void;
  /** Every notice, before its events are read (the replica acts on the type). */
  noticed(notice: EventNotice): void;
}

const RECONNECT_MAX_MS = 5000;

export class EventFeed {
  private client: pg.Client | null = null;
  private closed = false;
  /** Per followed job: the last event id delivered, and the chain its reads run on. */
  private readonly followed = new Map<string, { last: number; reading: Promise<void> }>();

  constructor(
    private readonly url: string,
    private readonly store: Store,
    private readonly target: FeedTarget,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.client = await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    client.on('error', (error) => this.lost(client, error));
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      let notice: EventNotice;
      try {
        notice = Notice.parse(JSON.parse(message.payload));
      } catch {
        this.log(`ignored a malformed notice on ${EVENTS_CHANNEL}`);
        return;
      }
      this.target.noticed(notice);
      if (notice.id > 0) this.read(notice.job, notice.id); // 0: a notice about the job, not a stored event
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  /** Reads the job's events after the last delivered one; `noticed` is the id just notified. */
  private read(jobId: string, noticed: number): void {
    if (!this.target.isFollowed(jobId)) {
      this.followed.delete(jobId);
      return;
    }
    let state = this.followed.get(jobId);
    // Followed from now: a follower replays what came before from the store itself.
    if (!state) this.followed.set(jobId, (state = { last: noticed - 1, reading: Promise.resolve() }));
    const following = state;
    following.reading = following.reading.then(async () => {
      if (following.last >= noticed) return;
      try {
        for (;;) {
          const events = await this.store.eventsAfter(jobId, following.last, 500);
          for (const event of events) {
            following.last = event.id;
            this.target.deliver(event);
          }
          if (events.length < 500) return;
        }
      } catch (error) {
        this.log(`could not read the events of ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  /** The listening connection broke (the database restarting): listen again once it is back, and catch up. */
  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client || this.closed) return;
    this.client = null;
    void client.end().catch(() => {});
    this.log(`the connection listening for events broke (${error.message}); listening again once the database is back`);
    void (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          const again = await this.connect();
          if (this.closed) {
            await again.end().catch(() => {});
            return;
          }
          this.client = again;
          // Events stored while nobody listened: read them for the jobs followed here.
          for (const jobId of [...this.followed.keys()]) this.read(jobId, Number.MAX_SAFE_INTEGER);
          this.target.noticed({ job: '', id: 0, type: 'reconnected' });
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, Math.min(RECONNECT_MAX_MS, 250 * 2 ** attempt)));
        }
      }
    })();
  }
}
