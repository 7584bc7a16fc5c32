// Writes of a job's run go through its lease: a replica writes a job's interviews (and the statuses its run sets) only
// while the lease row names it. The check takes the row FOR SHARE in the write's transaction, so a replica claiming
// the job waits for that write to commit, and every write after the claim is refused.
import type { PoolClient } from 'pg';

export interface LeaseFence {
  /** This replica's id, as job_leases.replica names it. */
  replica: string;
  /** Whether this replica believes it runs the job: statuses are fenced only then (routes set others' jobs too). */
  holds(jobId: string): boolean;
}

/** This replica's lease on the job was taken by another (or released): the write is refused and the run must stop. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`this replica no longer holds the lease of job ${jobId}; another replica runs it now`);
    this.name = 'LeaseLostError';
  }
}

export async function checkLease(client: PoolClient, fence: LeaseFence, jobId: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM job_leases WHERE job_id = $1 AND replica = $2 FOR SHARE', [jobId, fence.replica]);
  if (!rowCount) throw new LeaseLostError(jobId);
}
