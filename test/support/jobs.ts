// Waits for a job over the real client: polls until `until` holds (by default, until the job has finished).
import type { FieldworkClient } from '../../src/client';
import { isFinished, type Job } from '../../src/api';

export interface WaitOptions {
  until?: (job: Job) => boolean;
  timeoutMs?: number;
}

export async function waitForJob(
  client: FieldworkClient,
  id: string,
  { until = (job) => isFinished(job.status), timeoutMs = 60_000 }: WaitOptions = {},
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJob(id);
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs / 1000} s: ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
