// Job leases in PostgreSQL: which replica runs a job, until when. A replica claims unleased (or expired) unfinished
// jobs with FOR UPDATE SKIP LOCKED, so replicas claiming at once never take the same job; it renews its leases on a
// heartbeat, and a lease not renewed in time expires: the job goes to whichever replica claims it next.
import type { Pool } from 'pg';
import { transaction } from '../store/postgres/pool';
import { EVENTS_CHANNEL } from '../store/postgres/events';

/** The notice's type (not an event's: nothing is stored) when a job is let go for another replica to claim. */
export const HANDED_OVER = 'handed_over';

export interface ClaimCandidate {
  jobId: string;
  /** The job's lanes once some replica compiled it; null before. */
  lanes: string[] | null;
}

export interface RenewedLease {
  jobId: string;
  status: string;
}

export class JobLeases {
  constructor(
    private readonly pool: Pool,
    readonly replica: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * Claims up to `limit` jobs nobody holds, oldest first. `accept` decides for each candidate (it may take the lanes
   * the job needs); the jobs' rows stay locked meanwhile, so no other replica claims them.
   */
  claim(limit: number, accept: (candidate: ClaimCandidate) => Promise<boolean>): Promise<string[]> {
    return transaction(this.pool, async (client) => {
      const claimed: string[] = [];
      const declined: string[] = [];
      // Rows are locked only as many at a time as are still wanted: replicas claiming at once share the queue.
      while (claimed.length < limit) {
        const { rows } = await client.query<{ id: string; lanes: string[] | null }>(
          `SELECT j.id, l.lanes FROM jobs j LEFT JOIN job_leases l ON l.job_id = j.id
           WHERE j.status IN ('queued', 'running', 'cancelling') AND (l.replica IS NULL OR l.expires_at < now())
             AND NOT (j.id = ANY($2::text[]))
           ORDER BY j.created_at, j.id LIMIT $1 FOR UPDATE OF j SKIP LOCKED`,
          [limit - claimed.length, declined],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          if (!(await accept({ jobId: row.id, lanes: row.lanes }))) {
            declined.push(row.id);
            continue;
          }
          // The row lock alone is not enough: another replica may have leased the job and committed between this
          // statement's snapshot and the lock (the job's row itself is not changed by a lease, so nothing re-reads
          // it). The upsert sees the latest lease, and takes the job only if nobody else holds it.
          const taken = await client.query(
            `INSERT INTO job_leases (job_id, replica, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
             ON CONFLICT (job_id) DO UPDATE SET replica = excluded.replica, expires_at = excluded.expires_at
             WHERE job_leases.replica IS NULL OR job_leases.expires_at < now() OR job_leases.replica = excluded.replica`,
            [row.id, this.replica, this.leaseMs],
          );
          if (taken.rowCount === 0) continue;
          claimed.push(row.id);
        }
      }
      return claimed;
    });
  }

  /** Renews this replica's leases on these jobs; returns those it still holds, with their jobs' status. */
  async renew(jobIds: readonly string[]): Promise<RenewedLease[]> {
    if (jobIds.length === 0) return [];
    const { rows } = await this.pool.query<{ job_id: string; status: string }>(
      `UPDATE job_leases l SET expires_at = now() + $3 * interval '1 millisecond' FROM jobs j
       WHERE j.id = l.job_id AND l.replica = $1 AND l.job_id = ANY($2::text[]) RETURNING l.job_id, j.status`,
      [this.replica, jobIds, this.leaseMs],
    );
    return rows.map((row) => ({ jobId: row.job_id, status: row.status }));
  }

  /** Lets the job go: any replica may claim it at once. */
  async release(jobId: string): Promise<void> {
    await this.pool.query('UPDATE job_leases SET replica = NULL WHERE job_id = $1 AND replica = $2', [jobId, this.replica]);
  }

  /** Lets an unfinished job go to another replica (the owner of its lanes), and wakes the replicas' claims. */
  async handOver(jobId: string): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('UPDATE job_leases SET replica = NULL WHERE job_id = $1 AND replica = $2', [jobId, this.replica]);
      await client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify({ job: jobId, id: 0, type: HANDED_OVER })]);
    });
  }

  /** Lets every job of this replica go (it stops). */
  async releaseAll(): Promise<void> {
    await this.pool.query('UPDATE job_leases SET replica = NULL WHERE replica = $1', [this.replica]);
  }

  /** Records the lanes a job's calls use, so claims can send it to the replica owning them. */
  async setLanes(jobId: string, lanes: readonly string[]): Promise<void> {
    await this.pool.query('UPDATE job_leases SET lanes = $2 WHERE job_id = $1', [jobId, lanes]);
  }

  async holds(jobId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM job_leases WHERE job_id = $1 AND replica = $2', [jobId, this.replica]);
    return (rowCount ?? 0) > 0;
  }

  /** Whether a replica other than this one holds a lease on the job that has not expired. */
  async heldElsewhere(jobId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM job_leases WHERE job_id = $1 AND replica IS NOT NULL AND replica <> $2 AND expires_at > now()', [
      jobId,
      this.replica,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** Jobs running under a live lease, on any replica (a finished job's lease is let go at the next heartbeat). */
  async liveCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM job_leases l JOIN jobs j ON j.id = l.job_id
       WHERE l.replica IS NOT NULL AND l.expires_at > now() AND j.status IN ('running', 'cancelling')`,
    );
    return rows[0]?.n ?? 0;
  }
}
