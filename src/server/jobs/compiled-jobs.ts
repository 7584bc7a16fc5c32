// Jobs compiled in this process, so a job is compiled once: submit keeps what start needs, and a running eval's live
// metrics read the same. Held from submit until the run ends, at most `limit` at once (the oldest go first); a job
// not here (after a restart, or let go) is compiled again when it is needed.
import type { CompiledJob } from './kinds';

export class CompiledJobs {
  private readonly jobs = new Map<string, CompiledJob>();

  constructor(private readonly limit = 32) {}

  keep(id: string, job: CompiledJob): void {
    this.jobs.delete(id);
    this.jobs.set(id, job);
    if (this.jobs.size > this.limit) this.jobs.delete(this.jobs.keys().next().value!);
  }

  get(id: string): CompiledJob | undefined {
    return this.jobs.get(id);
  }

  forget(id: string): void {
    this.jobs.delete(id);
  }
}
