// A Fieldwork job as EDSL's `GET /api/v0/remote-inference` answer: status, interview counts, the exceptions of a
// finished job per model and question, failure, cost in USD and in EDSL's credits (1 credit = 1 US cent), and
// expenses per model and token type from the server's prices.
import { isFinished, type Job, type ModelInfo, type Result } from '../../api';
import { EDSL_STATUS } from './wire';

const CREDITS_PER_USD = 100;

export interface JobRunContext {
  /** The job's results once it has finished (exception counts); none before. */
  results: readonly Result[];
  /** The server's models with their prices. */
  models: ModelInfo[];
  /** `service/model` of each model label of the job (from its survey), when known. */
  modelIds: ReadonlyMap<string, string>;
}

export function edslStatus(job: Job): string {
  return EDSL_STATUS[job.status];
}

/** Finished with results EDSL can read (a cancelled job ends EDSL's poll without them). */
export function hasResults(job: Job): boolean {
  return job.status === 'completed' || job.status === 'partially_failed' || job.status === 'failed';
}

export function remoteInferenceResponse(job: Job, version: string, context: JobRunContext, jobJson: string | null): Record<string, unknown> {
  return {
    job_uuid: job.id,
    results_uuid: hasResults(job) ? job.id : null,
    results_url: null,
    status: edslStatus(job),
    reason: job.error,
    version,
    job_json_string: jobJson,
    latest_job_run_details: latestRunDetails(job, context),
  };
}

function latestRunDetails(job: Job, context: JobRunContext): Record<string, unknown> {
  const finished = isFinished(job.status);
  return {
    interview_details: {
      total_interviews: job.progress.interviews_total,
      completed_interviews: job.progress.interviews_done,
      interviews_with_exceptions: job.progress.interviews_failed,
      exception_summary: finished ? exceptionSummary(context) : [],
    },
    failure_reason: job.status === 'failed' ? 'error' : null,
    failure_description: job.status === 'failed' ? job.error : null,
    error_report_uuid: null,
    cost_credits: round(job.cost.usd * CREDITS_PER_USD),
    cost_usd: job.cost.usd,
    expenses: expenses(job, context),
    results_available: finished && hasResults(job),
  };
}

function exceptionSummary(context: JobRunContext): Record<string, unknown>[] {
  const counts = new Map<string, { model: string; question: string; type: string; count: number }>();
  for (const result of context.results) {
    if (result.status !== 'failed' && result.status !== 'invalid') continue;
    const type = result.status === 'failed' ? 'ModelCallError' : 'AnswerValidationError';
    const key = `${result.model}\u0000${result.question}\u0000${type}`;
    const entry = counts.get(key) ?? { model: result.model, question: result.question, type, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].map((entry) => {
    const id = context.modelIds.get(entry.model) ?? entry.model;
    const slash = id.indexOf('/');
    return {
      exception_type: entry.type,
      inference_service: slash > 0 ? id.slice(0, slash) : id,
      model: entry.model,
      question_name: entry.question,
      exception_count: entry.count,
    };
  });
}

function expenses(job: Job, context: JobRunContext): Record<string, unknown>[] {
  const prices = new Map(context.models.map((model) => [model.id, model.price]));
  return (job.cost_by_model ?? []).flatMap((cost) => {
    const id = context.modelIds.get(cost.model) ?? cost.model;
    const slash = id.indexOf('/');
    const service = slash > 0 ? id.slice(0, slash) : id;
    const price = prices.get(id) ?? null;
    return (['input', 'output'] as const).map((tokenType) => {
      const tokens = tokenType === 'input' ? cost.input_tokens : cost.output_tokens;
      const perMillion = price ? (tokenType === 'input' ? price.input_per_mtok : price.output_per_mtok) : null;
      const usd = perMillion === null ? null : (tokens * perMillion) / 1_000_000;
      return {
        service,
        model: cost.model,
        token_type: tokenType,
        price_per_million_tokens: perMillion,
        tokens_count: tokens,
        cost_credits: usd === null ? null : round(usd * CREDITS_PER_USD),
        cost_usd: usd,
      };
    });
  });
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;
