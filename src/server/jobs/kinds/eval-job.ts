// An eval as a kind of job (job-kind.ts): samples × models × epochs interviews, each answered then scored; metrics
// from the scores; its samples' and scorers' columns in its CSV.
import type { Estimate, Metric, Result } from '../../../api';
import { CompiledEval, type EvalTask, type ModelSpec } from '../../../format';
import { estimateEval } from '../../cost/estimate-eval';
import { evalCsv, type ResultCsv } from '../../http/csv';
import type { Provider } from '../../providers/provider';
import { runEvalInterview } from '../../runner/eval-interview';
import type { InterviewPlan } from '../../runner/job-run';
import { ScoreTally } from '../../scorers/summary';
import { JobError } from '../job-manager';
import { noServiceMessage, type CompiledJob, type CostContext, type ServerLimits } from './job-kind';
import { evalLanes } from '../lanes';

export class EvalJob implements CompiledJob {
  readonly kind = 'eval';

  constructor(readonly compiled: CompiledEval) {}

  get name(): string {
    return this.compiled.task.name;
  }

  get models(): string[] {
    return this.compiled.task.models.map((m) => m.label);
  }

  get interviewCount(): number {
    return this.compiled.interviewCount;
  }

  get fresh(): boolean {
    return this.compiled.task.fresh;
  }

  queuedMessage(): string {
    const { samples, models, epochs, scorers } = this.compiled.task;
    return `Queued: ${samples.length.toLocaleString('en-US')} samples × ${models.length} models × ${epochs.count} epochs = ${this.interviewCount.toLocaleString('en-US')} interviews, scored by ${scorers.map((s) => s.name).join(', ')}.`;
  }

  estimate(cost: CostContext): Promise<Estimate> {
    return estimateEval(this.compiled, cost.store, cost.pricing, cost.fresh, cost.scope);
  }

  lanes(): string[] {
    return evalLanes(this.compiled);
  }

  plan(): InterviewPlan {
    const compiled = this.compiled;
    return {
      fresh: compiled.task.fresh,
      interviews: () => compiled.interviews(0),
      callsPerInterview: 1,
      runInterview: (ref, context) => runEvalInterview(compiled, ref, context),
    };
  }

  async metrics(results: AsyncIterable<Result>): Promise<Metric[]> {
    const tally = new ScoreTally();
    for await (const result of results) tally.add(result);
    return tally.metrics(this.compiled.task);
  }

  csv(): ResultCsv {
    return evalCsv(this.compiled.task.scorers.map((scorer) => scorer.name));
  }
}

/** An eval the format pool has checked → ready to run, with the checks only a server can make. */
export function compileEval(task: EvalTask, limits: ServerLimits): EvalJob {
  checkEvalServices(task, limits);
  const compiled = new CompiledEval(task);
  if (compiled.interviewCount > limits.maxInterviews) {
    throw new JobError(
      'too_large',
      `This eval has ${compiled.interviewCount.toLocaleString('en-US')} interviews (samples × models × epochs); this server accepts at most ${limits.maxInterviews.toLocaleString('en-US')}. Use dataset.limit, or start the server with a larger --max-interviews.`,
    );
  }
  return new EvalJob(compiled);
}

/** Every model the eval calls is offered; log-probability and embedding scorers need providers that can. */
function checkEvalServices(task: EvalTask, limits: ServerLimits): void {
  const check = (model: ModelSpec, role: string): Provider => {
    const refusal = limits.refusal?.(model, false) ?? null;
    if (refusal) throw new JobError('invalid_spec', `${role}: ${refusal}`);
    const provider = limits.providers.get(model.service);
    if (!provider) throw new JobError('invalid_spec', noServiceMessage(role, model, limits.providers));
    return provider;
  };
  const models = task.models.map((model) => check(model, 'model'));
  for (const scorer of task.scorers) {
    if (scorer.type === 'model_graded' && scorer.model) check(scorer.model, `scorer "${scorer.name}" grader`);
    if (scorer.type === 'embedding') {
      const provider = check(scorer.model, `scorer "${scorer.name}" model`);
      if (!provider.embed) {
        throw new JobError(
          'invalid_spec',
          `scorer "${scorer.name}": service "${scorer.model.service}" cannot embed text. Use a model of a service with embeddings (e.g. aleph-alpha/luminous-base).`,
        );
      }
    }
    if (scorer.type === 'log_probability') {
      task.models.forEach((model, index) => {
        if (!models[index]!.evaluate) {
          throw new JobError(
            'invalid_spec',
            `scorer "${scorer.name}": model "${model.label}" cannot be scored by log-probability: service "${model.service}" has no evaluate endpoint (Aleph Alpha has one). Remove the scorer or evaluate a model that supports it.`,
          );
        }
      });
    }
  }
}
