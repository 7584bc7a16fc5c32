// The job panel's messages, host ⇄ webview: one discriminated union each way, parsed with zod on both sides.
// The panel sends `ready`; the host answers with a `snapshot`, then deltas (`job`, `log`, `results`, `metrics`, `estimate`).
import { z } from 'zod';
import { Estimate } from '../api/estimate';
import { Job } from '../api/job';
import { EvalScore, Metric } from '../api/metrics';
import { Comparison } from '../api/compare';

/** One line of the job's log, as the panel shows it. */
export const LogLine = z.object({ id: z.number(), at: z.string(), type: z.string(), message: z.string() });
export type LogLine = z.infer<typeof LogLine>;

/** What an eval's samples table shows beside a result: absent for surveys, so their rows stay small. */
export const EvalSample = z.object({
  sample: z.string(),
  epoch: z.number(),
  input: z.string(),
  target: z.array(z.string()),
  /** The model's output. */
  output: z.string().nullable(),
  /** Every scorer's verdict by scorer name; null when the sample failed before it was scored. */
  scores: z.record(z.string(), EvalScore).nullable(),
});
export type EvalSample = z.infer<typeof EvalSample>;

/** One result, reduced to what the table and charts show: 100,000 of these must cross postMessage quickly. */
export const ResultRow = z.object({
  interview: z.number(),
  agent: z.string(),
  scenario: z.number(),
  model: z.string(),
  iteration: z.number(),
  question: z.string(),
  status: z.string(),
  /** The answer as text (lists joined), for the table and choice charts. */
  answer: z.string(),
  /** The answer when it is a number, for histograms. */
  value: z.number().nullable(),
  cost: z.number().nullable(),
  cached: z.boolean(),
  latency: z.number(),
  error: z.string().nullable(),
  sample: EvalSample.optional(),
  /** A list answer's items (checkbox, rank, top_k, list), in the order given: absent otherwise. */
  items: z.array(z.string()).optional(),
  /** A budget answer: the amount given to each option. */
  amounts: z.record(z.string(), z.number()).optional(),
});
export type ResultRow = z.infer<typeof ResultRow>;

/** What a chart needs to know of a question: its type, and its options in the file's order with their labels. */
export const QuestionInfo = z.object({
  name: z.string(),
  type: z.string(),
  options: z.array(z.string()).nullable(),
  /** linear_scale's option_labels, by option. */
  labels: z.record(z.string(), z.string()).nullable(),
});
export type QuestionInfo = z.infer<typeof QuestionInfo>;

export const EstimateView = z.object({
  fileName: z.string(),
  estimate: Estimate,
  /** Whether the panel may offer "Run": it was opened from a file that can be submitted. */
  canRun: z.boolean(),
});
export type EstimateView = z.infer<typeof EstimateView>;

/** Calls made and about how many the job makes, from its latest progress event (null until one says). */
export const CallProgress = z.object({ callsMade: z.number().nullable(), callsExpected: z.number().nullable() });
export type CallProgress = z.infer<typeof CallProgress>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('snapshot'),
    job: Job.nullable(),
    estimate: EstimateView.nullable(),
    log: z.array(LogLine),
    results: z.array(ResultRow),
    resultsComplete: z.boolean(),
    /** An eval job's metrics per model and scorer (empty for surveys and until the first are known). */
    metrics: z.array(Metric),
    progress: CallProgress,
    /** The questions as the job's file states them, when the host could read it (else charts go by the answers). */
    questions: z.array(QuestionInfo),
  }),
  z.object({ type: z.literal('questions'), questions: z.array(QuestionInfo) }),
  z.object({ type: z.literal('comparison'), comparison: Comparison }),
  z.object({ type: z.literal('progress'), ...CallProgress.shape }),
  z.object({ type: z.literal('job'), job: Job }),
  z.object({ type: z.literal('log'), lines: z.array(LogLine) }),
  z.object({ type: z.literal('results'), rows: z.array(ResultRow), reset: z.boolean(), complete: z.boolean() }),
  z.object({ type: z.literal('metrics'), metrics: z.array(Metric) }),
  z.object({ type: z.literal('estimate'), estimate: EstimateView }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

export const ExportFormat = z.enum(['csv', 'json', 'jsonl']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const PanelMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('run') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('retry') }),
  z.object({ type: z.literal('export'), format: ExportFormat }),
  z.object({ type: z.literal('copyId') }),
  z.object({ type: z.literal('compare') }),
  /** How long the panel took to show a snapshot's results: for the log and the performance check. */
  z.object({ type: z.literal('rendered'), rows: z.number(), ms: z.number() }),
]);
export type PanelMessage = z.infer<typeof PanelMessage>;

/** A message from the other side, or null (with the reason) when it is not one of ours. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; message: T } | { ok: false; reason: string } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, reason: first ? `${first.path.join('.') || '(message)'}: ${first.message}` : 'not a message' };
}

/** A result as the panel shows it. */
export function toResultRow(result: {
  interview: number;
  agent_index: number;
  agent_name: string | null;
  scenario_index: number;
  model: string;
  iteration: number;
  question: string;
  status: string;
  answer: unknown;
  cost_usd: number | null;
  cached: boolean;
  latency_ms: number;
  error: string | null;
  raw?: string | null;
  sample_id?: string;
  epoch?: number;
  input?: string;
  target?: string[];
  scores?: Record<string, EvalScore> | null;
}): ResultRow {
  const answer = result.answer;
  const sample: EvalSample | undefined =
    result.sample_id === undefined
      ? undefined
      : {
          sample: result.sample_id,
          epoch: result.epoch ?? result.iteration + 1,
          input: result.input ?? '',
          target: result.target ?? [],
          output: result.raw ?? null,
          scores: result.scores ?? null,
        };
  return {
    interview: result.interview,
    agent: result.agent_name ?? `agent ${result.agent_index + 1}`,
    scenario: result.scenario_index,
    model: result.model,
    iteration: result.iteration,
    question: result.question,
    status: result.status,
    answer: answerText(answer),
    value: typeof answer === 'number' && Number.isFinite(answer) ? answer : null,
    cost: result.cost_usd,
    cached: result.cached,
    latency: result.latency_ms,
    error: result.error,
    ...(sample ? { sample } : {}),
    ...(Array.isArray(answer) ? { items: answer.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) } : {}),
    ...(isAmounts(answer) ? { amounts: answer } : {}),
  };
}

function isAmounts(answer: unknown): answer is Record<string, number> {
  return (
    typeof answer === 'object' &&
    answer !== null &&
    !Array.isArray(answer) &&
    Object.values(answer).length > 0 &&
    Object.values(answer).every((v) => typeof v === 'number')
  );
}

function answerText(answer: unknown): string {
  if (answer === null || answer === undefined) return '';
  if (typeof answer === 'string') return answer;
  if (typeof answer === 'number' || typeof answer === 'boolean') return String(answer);
  if (Array.isArray(answer) && answer.every((a) => typeof a !== 'object' || a === null)) return answer.join(', ');
  return JSON.stringify(answer);
}
