// One result as a row of the results table: built once by column name, so the columns are spelled once, and bound
// by position (in RESULT_TABLE_COLUMNS' order) by both stores. Not the CSV's columns (api's RESULT_COLUMNS).
import type { FinishedInterview } from './store';

export const RESULT_TABLE_COLUMNS = [
  'job_id',
  'interview',
  'question_index',
  'question',
  'agent_index',
  'agent_name',
  'scenario_index',
  'model',
  'iteration',
  'status',
  'answer',
  'comment',
  'raw',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cached',
  'latency_ms',
  'error',
  'sample_id',
  'epoch',
  'input',
  'target',
  'scores',
] as const;

export type ResultColumn = (typeof RESULT_TABLE_COLUMNS)[number];
export type ResultRecord = Record<ResultColumn, string | number | null>;

export const RESULT_TABLE_COLUMNS_SQL = RESULT_TABLE_COLUMNS.join(', ');

type StoredResult = FinishedInterview['results'][number];

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

function resultRecord(jobId: string, interview: number, questionIndex: number, result: StoredResult): ResultRecord {
  return {
    job_id: jobId,
    interview,
    question_index: questionIndex,
    question: result.question,
    agent_index: result.agent_index,
    agent_name: result.agent_name,
    scenario_index: result.scenario_index,
    model: result.model,
    iteration: result.iteration,
    status: result.status,
    answer: json(result.answer),
    comment: result.comment,
    raw: result.raw,
    input_tokens: result.input_tokens,
    output_tokens: result.output_tokens,
    cost_usd: result.cost_usd,
    cached: result.cached ? 1 : 0,
    latency_ms: result.latency_ms,
    error: result.error,
    sample_id: result.sample_id ?? null,
    epoch: result.epoch ?? null,
    input: result.input ?? null,
    target: result.target === undefined ? null : JSON.stringify(result.target),
    scores: json(result.scores),
  };
}

/** The row's values in RESULT_TABLE_COLUMNS' order, to bind by position. */
export function resultValues(jobId: string, interview: number, questionIndex: number, result: StoredResult): (string | number | null)[] {
  const record = resultRecord(jobId, interview, questionIndex, result);
  return RESULT_TABLE_COLUMNS.map((column) => record[column]);
}
