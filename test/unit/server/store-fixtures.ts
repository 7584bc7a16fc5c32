// What the store's contract tests are made of: a fresh store to open, and jobs, results and interviews to put in it.
import type { FinishedInterview, NewJob, NewResult, Store } from '../../../src/server/store/store';

export interface OpenedStore {
  store: Store;
  /** Closes the store and opens a new one on the same data. */
  reopen: () => Promise<Store>;
}

export type OpenStore = (t: { after: (fn: () => Promise<void> | void) => void }) => Promise<OpenedStore>;

/** The cache of the jobs' owner, ada. */
export const ADA = 'user:ada';

export const newJob = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id,
  kind: 'survey',
  name: `survey ${id}`,
  source_name: 'ask.survey.yaml',
  owner: 'ada',
  models: ['test/echo'],
  interviews_total: 10,
  submission: { source: { name: 'ask.survey.yaml', text: 'questions: []' }, files: {} },
  idempotency_key: null,
  ...overrides,
});

export const result = (question: string, overrides: Partial<NewResult> = {}): NewResult => ({
  interview: 0,
  agent_index: 0,
  agent_name: null,
  scenario_index: 0,
  model: 'test/echo',
  iteration: 0,
  question,
  status: 'answered',
  answer: `answer to ${question}`,
  comment: null,
  raw: `raw ${question}`,
  input_tokens: 10,
  output_tokens: 5,
  cost_usd: 0.001,
  cached: false,
  latency_ms: 12.5,
  error: null,
  ...overrides,
});

/** An interview with one result per question name, costing one call per question. */
export const interview = (index: number, questions: string[], failed = false): FinishedInterview => ({
  interview: index,
  failed,
  results: questions.map((q) => result(q, { interview: index, ...(failed ? { status: 'failed', answer: null, error: 'boom' } : {}) })),
  calls_cached: 0,
  calls_done: failed ? 0 : questions.length,
  calls_failed: failed ? questions.length : 0,
  usd: failed ? 0 : 0.001 * questions.length,
  input_tokens: 10 * questions.length,
  output_tokens: 5 * questions.length,
});

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
