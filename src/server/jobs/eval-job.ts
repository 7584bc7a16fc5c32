// Eval jobs in the job service: compiling a submitted eval (with the checks only a server can make — services, and
// whether they can evaluate or embed), the queued message, and metrics, computed once a job has finished.
import { CompiledEval, parseEval, type EvalTask, type ModelSpec, type SpecIssue } from '../../format';
import type { JobSubmission, Metric } from '../../api';
import { JobError } from './job-manager';
import type { Provider } from '../providers/provider';
import { ScoreTally } from '../scorers/summary';
import type { Store, StoredJob } from '../store/store';

export interface EvalCompileOptions {
  providers: ReadonlyMap<string, Provider>;
  /** Why the server cannot run a model (the services catalog's word), or null. */
  refusal: (model: ModelSpec) => string | null;
  maxInterviews: number;
}

export function compileEvalSubmission(submission: Pick<JobSubmission, 'source' | 'files'>, options: EvalCompileOptions): CompiledEval {
  const files = submission.files ?? {};
  const parsed = parseEval(submission.source, (name) => (Object.hasOwn(files, name) ? files[name] : undefined));
  if (!parsed.ok) throw new JobError('invalid_spec', summarize(parsed.issues), parsed.issues);
  return compileEvalTask(parsed.value, options);
}

/** An eval already parsed (by a spec worker) → ready to run, with the checks only a server can make. */
export function compileEvalTask(task: EvalTask, options: EvalCompileOptions): CompiledEval {
  checkEvalServices(task, options);
  const compiled = new CompiledEval(task);
  if (compiled.interviewCount > options.maxInterviews) {
    throw new JobError(
      'too_large',
      `This eval has ${compiled.interviewCount.toLocaleString('en-US')} interviews (samples × models × epochs); this server accepts at most ${options.maxInterviews.toLocaleString('en-US')}. Use dataset.limit, or start the server with a larger --max-interviews.`,
    );
  }
  return compiled;
}

/** Every model the eval calls is offered; log-probability and embedding scorers need providers that can. */
function checkEvalServices(task: EvalTask, options: EvalCompileOptions): void {
  const offered = [...options.providers.keys()].join(', ');
  const check = (model: ModelSpec, role: string): Provider => {
    const refusal = options.refusal(model);
    if (refusal) throw new JobError('invalid_spec', `${role}: ${refusal}`);
    const provider = options.providers.get(model.service);
    if (!provider) {
      throw new JobError('invalid_spec', `${role} "${model.label}": this server has no service "${model.service}" (it offers: ${offered}). Use one of those, or configure the service on the server.`);
    }
    return provider;
  };
  const models = task.models.map((model) => check(model, 'model'));
  for (const scorer of task.scorers) {
    if (scorer.type === 'model_graded' && scorer.model) check(scorer.model, `scorer "${scorer.name}" grader`);
    if (scorer.type === 'embedding') {
      const provider = check(scorer.model, `scorer "${scorer.name}" model`);
      if (!provider.embed) {
        throw new JobError('invalid_spec', `scorer "${scorer.name}": service "${scorer.model.service}" cannot embed text. Use a model of a service with embeddings (e.g. aleph-alpha/luminous-base).`);
      }
    }
    if (scorer.type === 'log_probability') {
      task.models.forEach((model, index) => {
        if (!models[index]!.evaluate) {
          throw new JobError('invalid_spec', `scorer "${scorer.name}": model "${model.label}" cannot be scored by log-probability: service "${model.service}" has no evaluate endpoint (Aleph Alpha has one). Remove the scorer or evaluate a model that supports it.`);
        }
      });
    }
  }
}

export function evalQueuedMessage(compiled: CompiledEval): string {
  const { samples, models, epochs, scorers } = compiled.task;
  return `Queued: ${samples.length.toLocaleString('en-US')} samples × ${models.length} models × ${epochs.count} epochs = ${compiled.interviewCount.toLocaleString('en-US')} interviews, scored by ${scorers.map((s) => s.name).join(', ')}.`;
}

/** Metrics of finished eval jobs, computed once per finish (a retry finishes the job again, with new metrics). */
export class FinishedMetrics {
  private readonly cache = new Map<string, { finishedAt: string; metrics: Metric[] }>();

  constructor(private readonly store: Store) {}

  async get(job: StoredJob, compile: () => CompiledEval): Promise<Metric[]> {
    const key = job.finished_at ?? '';
    const hit = this.cache.get(job.id);
    if (hit && hit.finishedAt === key) return hit.metrics;
    const metrics = await this.live(job, compile);
    this.cache.set(job.id, { finishedAt: key, metrics });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    return metrics;
  }

  async live(job: StoredJob, compile: () => CompiledEval): Promise<Metric[]> {
    const tally = new ScoreTally();
    for await (const result of this.store.allResults(job.id)) tally.add(result);
    return tally.metrics(compile().task);
  }
}

export function summarize(issues: SpecIssue[], noun = 'eval'): string {
  const first = issues[0];
  if (!first) return `The ${noun} is not valid.`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  return `${first.file}:${first.line}:${first.column} ${first.message}${more}`;
}
