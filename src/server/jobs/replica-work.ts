// What the job service asks of the replica it runs in, when several servers share one PostgreSQL database
// (src/server/replicas): which jobs it runs is decided by leases in the database, not by the order jobs came in here.
export interface ReplicaWork {
  /** A job was queued here (submitted or retried): a replica (this one or another) claims it soon. */
  offer(jobId: string): void;
  /**
   * The job is compiled and about to run on this replica: may it send calls on these lanes (`service/model`)? True
   * when this replica holds (or could take) every lane's ownership; false lets the job go to the replica that does.
   */
  admit(jobId: string, lanes: readonly string[]): Promise<boolean>;
  /** Whether another live replica holds the job's lease: a cancel then asks that replica to stop it. */
  runsElsewhere(jobId: string): Promise<boolean>;
  /** Whether this replica still holds the job's lease: a run that ends writes the job's end only then. */
  stillHolds(jobId: string): Promise<boolean>;
  /** Jobs running on every replica of the database. */
  runningCount(): Promise<number>;
}
