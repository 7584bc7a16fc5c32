// GET /v1/jobs/{id}/source: the file a job was submitted with, to its owner only.
import type { JobSource } from '../../api';
import type { AppDeps } from './types';

export async function jobSource(deps: AppDeps, owner: string, id: string): Promise<JobSource> {
  const job = await deps.jobs.get(owner, id); // not_found unless the job is the caller's
  const stored = (await deps.store.getJob(job.id))!;
  return { name: stored.submission.source.name, text: stored.submission.source.text, files: Object.keys(stored.submission.files) };
}
