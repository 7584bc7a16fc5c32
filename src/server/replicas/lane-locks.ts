// Ownership of provider lanes across replicas: a session-level PostgreSQL advisory lock per lane (`service/model`), on a
// connection this replica keeps for as long as it owns any lane. All calls on a lane leave from its owner, so that
// replica's scheduler (its buckets, what it learned of the limits, its fairness between users) governs the lane
// alone. A replica that dies takes its connection, and with it its locks, along: another can own the lanes at once.
import pg from 'pg';

/** The first key of the lanes' locks (the second is a hash of the lane). */
const LANE_LOCK = 0x6677_0004;

export class LaneLocks {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly held = new Set<string>();
  private closed = false;

  constructor(
    private readonly url: string,
    /** The connection broke: every lane is lost, and the runs that used them must stop. */
    private readonly onLost: (lanes: string[], error: Error) => void,
  ) {}

  holds(lane: string): boolean {
    return this.held.has(lane);
  }

  owned(): string[] {
    return [...this.held];
  }

  /** Takes every lane not held yet, or none of them: true when this replica now owns them all. */
  async take(lanes: readonly string[]): Promise<boolean> {
    const missing = lanes.filter((lane) => !this.held.has(lane));
    if (missing.length === 0) return true;
    const client = await this.connection();
    const taken: string[] = [];
    for (const lane of missing) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [LANE_LOCK, lane]);
      if (!rows[0]?.locked) {
        for (const back of taken) await this.unlock(client, back);
        return false;
      }
      taken.push(lane);
      this.held.add(lane);
    }
    return true;
  }

  /** Lets go of the lanes no job here uses any more, so another replica may own them. */
  async keepOnly(inUse: ReadonlySet<string>): Promise<void> {
    const client = this.client;
    if (!client) return;
    for (const lane of [...this.held]) if (!inUse.has(lane)) await this.unlock(client, lane);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async unlock(client: pg.Client, lane: string): Promise<void> {
    this.held.delete(lane);
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LANE_LOCK, lane]);
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the replica is stopping'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
      client.on('error', (error) => this.lost(client, error));
      try {
        await client.connect();
      } catch (error) {
        this.connecting = null;
        throw error;
      }
      this.client = client;
      this.connecting = null;
      return client;
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client) return;
    this.client = null;
    const lanes = [...this.held];
    this.held.clear();
    void client.end().catch(() => {});
    if (!this.closed && lanes.length > 0) this.onLost(lanes, error);
  }
}
