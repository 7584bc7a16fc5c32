// Metrics of finished jobs, computed once per finish (a retry finishes the job again, with new metrics).
import type { Metric } from '../../api';
import type { Store, StoredJob } from '../store/store';
import type { CompiledJob } from './kinds/job-kind';

export class FinishedMetrics {
  private readonly cache = new Map<string, { finishedAt: string; metrics: Metric[] }>();

  constructor(private readonly store: Store) {}

  async get(job: StoredJob, compiled: () => CompiledJob): Promise<Metric[]> {
    const key = job.finished_at ?? '';
    const hit = this.cache.get(job.id);
    if (hit && hit.finishedAt === key) return hit.metrics;
    const metrics = await this.live(job, compiled);
    this.cache.set(job.id, { finishedAt: key, metrics });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    return metrics;
  }

  live(job: StoredJob, compiled: () => CompiledJob): Promise<Metric[]> {
    return compiled().metrics(this.store.allResults(job.id));
  }
}
