// One answered (or skipped, invalid, failed) question of one interview.
import { z } from 'zod';
import { EvalScore } from './metrics';

export const ResultStatus = z.enum(['answered', 'invalid', 'skipped', 'failed']);
export type ResultStatus = z.infer<typeof ResultStatus>;

export const Result = z.object({
  job_id: z.string(),
  interview: z.number().int().nonnegative(),
  agent_index: z.number().int().nonnegative(),
  agent_name: z.string().nullable(),
  scenario_index: z.number().int().nonnegative(),
  model: z.string(),
  iteration: z.number().int().nonnegative(),
  question: z.string(),
  status: ResultStatus,
  answer: z.unknown(),
  comment: z.string().nullable(),
  raw: z.string().nullable(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative().nullable(),
  cached: z.boolean(),
  latency_ms: z.number().nonnegative(),
  /** Why there is no answer: the validation failure or the provider's error. */
  error: z.string().nullable(),
  // Eval results only (absent for surveys): `question` holds the sample id, `raw` the output, `answer` the first
  // scorer's answer, `scenario_index` the sample's position and `iteration` the epoch counted from 0.
  sample_id: z.string().optional(),
  /** Counted from 1, as Inspect does. */
  epoch: z.number().int().positive().optional(),
  input: z.string().optional(),
  target: z.array(z.string()).optional(),
  /** Every scorer's verdict by scorer name; null when the sample failed before it was scored. */
  scores: z.record(z.string(), EvalScore).nullable().optional(),
});
export type Result = z.infer<typeof Result>;

export const ResultPage = z.object({
  results: z.array(Result),
  next_cursor: z.string().nullable(),
});
export type ResultPage = z.infer<typeof ResultPage>;

export const ResultFormat = z.enum(['json', 'csv', 'jsonl']);
export type ResultFormat = z.infer<typeof ResultFormat>;

/** Column order of CSV exports; scenario values and agent traits follow as `scenario.*` and `agent.*`. */
export const RESULT_COLUMNS = [
  'interview',
  'agent_index',
  'agent_name',
  'scenario_index',
  'model',
  'iteration',
  'question',
  'status',
  'answer',
  'comment',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cached',
  'latency_ms',
  'error',
] as const;

/**
 * Eval exports add these after RESULT_COLUMNS, then one `score.<scorer>` column per scorer with its value, then
 * `scores`: every scorer's value, answer and explanation as JSON. `output` is the model's text (`raw`).
 */
export const EVAL_RESULT_COLUMNS = ['sample_id', 'epoch', 'input', 'target', 'output'] as const;
