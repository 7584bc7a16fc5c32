// Until replicas share a database's work under leases, one server process runs a PostgreSQL database's jobs: the
// one holding this session-level advisory lock, on a connection of its own for as long as it runs. A second server
// on the same database is refused at start, so no job runs (and is billed) twice.
import pg from 'pg';
import { redactUrl } from './pool';

/** The lock's number: the same in every process that serves a Fieldwork database. */
export const RUNNER_LOCK = 0x6677_0002;

/** Another server process runs this database's jobs. */
export class DatabaseInUseError extends Error {
  constructor(url: string) {
    super(
      `another Fieldwork server already runs the jobs of ${redactUrl(url)}; one server per database for now — stop it, or point this one at another database`,
    );
    this.name = 'DatabaseInUseError';
  }
}

export class RunnerLock {
  private released = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly onLost: (error: Error) => void,
  ) {
    client.on('error', (error) => {
      if (!this.released) this.onLost(error);
    });
  }

  /** Takes the lock, or throws DatabaseInUseError. `onLost`: the lock's connection broke, so the lock is gone. */
  static async acquire(url: string, onLost: (error: Error) => void): Promise<RunnerLock> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RUNNER_LOCK]);
      if (!rows[0]?.locked) throw new DatabaseInUseError(url);
    } catch (error) {
      await client.end();
      throw error;
    }
    return new RunnerLock(client, onLost);
  }

  setUrl(_url: string): void {
    // Nothing to record: the lock itself is the claim.
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Ending the session lets go of the lock.
    await this.client.end().catch(() => {});
  }
}
