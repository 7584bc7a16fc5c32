// Until replicas share a database's work under leases, one server process runs a PostgreSQL database's jobs: the
// one holding this session-level advisory lock, on a connection of its own for as long as it runs. A second server
// on the same database is refused at start, so no job runs (and is billed) twice.
import pg from 'pg';
import { redactUrl } from './pool';
import { whileUnavailable } from '../unavailable';

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
    private client: pg.Client,
    private readonly url: string,
    private readonly onLost: (error: Error) => void,
  ) {
    this.watch(client);
  }

  /** Takes the lock, or throws DatabaseInUseError. `onLost`: the lock could not be taken back after its connection broke. */
  static async acquire(url: string, onLost: (error: Error) => void): Promise<RunnerLock> {
    return new RunnerLock(await lockedClient(url), url, onLost);
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

  /**
   * A broken connection (the database restarting) takes the lock with it: it is taken again on a new connection once
   * the database is back. If another server took it meanwhile, this one must stop.
   */
  private watch(client: pg.Client): void {
    client.on('error', () => {
      if (this.released || client !== this.client) return;
      void whileUnavailable(() => lockedClient(this.url), { stopped: () => this.released }).then(
        async (again) => {
          if (this.released) await again.end().catch(() => {});
          else {
            this.client = again;
            this.watch(again);
          }
        },
        (error: unknown) => {
          if (!this.released) this.onLost(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

async function lockedClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // until the lock holds; then RunnerLock watches it
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RUNNER_LOCK]);
    if (!rows[0]?.locked) throw new DatabaseInUseError(url);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}
