// What the HTTP layer asks of the job service. The HTTP routes translate; this decides.
import type { Estimate, Job, JobEvent, JobSubmission, MetricsReport, ModelInfo } from '../../api';
import type { SpecIssue } from '../../format';
import type { ResultCsv } from '../http/csv';

/** Thrown by the job service; the HTTP layer maps each kind to a problem+json status. */
export class JobError extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid_spec' | 'invalid_request' | 'too_large' | 'conflict' | 'busy',
    message: string,
    readonly issues: SpecIssue[] = [],
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export interface JobManager {
  /**
   * Validates, stores and queues a job. Same owner + idempotency key returns the existing job with created=false.
   * Asynchronous: the file is parsed and checked off the event loop.
   */
  submit(owner: string, submission: JobSubmission, idempotencyKey: string | null): Promise<{ job: Job; created: boolean }>;
  estimate(owner: string, submission: JobSubmission): Promise<Estimate>;
  /** The job if it exists and belongs to owner, else throws not_found (never reveals other users' jobs). */
  get(owner: string, id: string): Promise<Job>;
  cancel(owner: string, id: string): Promise<Job>;
  /** Runs again the interviews of a failed, partially failed or cancelled job that did not finish; keeps the rest. */
  retry(owner: string, id: string): Promise<Job>;
  /** Live events of one job, after they are stored. Returns the unsubscribe function. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void;
  models(): ModelInfo[];
  /** An eval job's metrics so far; absent in cores without evals. */
  metrics?(owner: string, id: string): Promise<MetricsReport>;
  /** How a job's results are written as CSV (an eval's add its samples' and scorers' columns); absent in managers without evals. */
  resultCsv?(owner: string, id: string): Promise<ResultCsv>;
  runningCount(): Promise<number>;
}
