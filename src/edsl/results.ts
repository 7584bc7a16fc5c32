// Fieldwork results → EDSL's: the interviews of `results/page` and the `Results.to_dict()` that EDSL's
// `Results.from_dict` reads, so `results.select("answer.*")` works on a Fieldwork job. Prompts are not stored with
// results; they are rendered again from the survey and the interview's answers, exactly as the runner rendered them.
import type { Result } from '../api';
import type { AnswerRecord, CompiledSurvey, ModelSpec, Question } from '../format';
import { exportAgent, exportScenario, exportSurvey } from './export';
import { exportModel } from './models';
import { EXPORTED_EDSL_VERSION } from './objects';

/** One answered (or not) question of an interview, in the fields of EDSL's results page. */
export interface EdslAnswer {
  question_name: string;
  answer: unknown;
  comment: string | null;
  user_prompt: string;
  system_prompt: string;
  raw_model_response: string | null;
  generated_tokens: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  input_price_per_million_tokens: number | null;
  output_price_per_million_tokens: number | null;
  cached: boolean;
  cache_key: string | null;
  /** true: a valid answer; false: the reply did not validate; null: not asked (skipped, stopped) or failed. */
  validated: boolean | null;
  status: Result['status'] | 'not_asked';
  error: string | null;
}

export interface EdslInterview {
  interview: number;
  agent: Record<string, unknown>;
  scenario: Record<string, unknown>;
  model: Record<string, unknown>;
  iteration: number;
  indices: { agent: number; scenario: number; model: number };
  answers: EdslAnswer[];
}

/** A model's price per million tokens, when the server knows it: EDSL works out expenses from it. */
export type PriceOf = (model: ModelSpec) => { input_per_mtok: number; output_per_mtok: number } | null;

/** Groups a job's results (in interview, question order, as the store gives them) into EDSL interviews. */
export function edslInterviews(compiled: CompiledSurvey, results: Iterable<Result>, priceOf: PriceOf): EdslInterview[] {
  const byInterview = new Map<number, Result[]>();
  for (const result of results) {
    let rows = byInterview.get(result.interview);
    if (!rows) byInterview.set(result.interview, (rows = []));
    rows.push(result);
  }
  return [...byInterview.entries()].sort(([a], [b]) => a - b).map(([interview, rows]) => edslInterview(compiled, interview, rows, priceOf));
}

function edslInterview(compiled: CompiledSurvey, interview: number, rows: readonly Result[], priceOf: PriceOf): EdslInterview {
  const { survey } = compiled;
  const ref = compiled.interviewAt(interview);
  const price = priceOf(survey.models[ref.modelIndex]!);
  const byQuestion = new Map(rows.map((row) => [row.question, row]));
  const remembered = new Map<string, AnswerRecord>();
  const answers = survey.questions.map((question, index): EdslAnswer => {
    const name = question.question_name;
    const row = byQuestion.get(name);
    const asked = row !== undefined && row.status !== 'skipped';
    const prompts = asked ? promptsOf(compiled, ref, index, remembered) : { user: '', system: '' };
    if (row) remembered.set(name, { answer: row.status === 'answered' ? row.answer : null, comment: row.comment });
    return {
      question_name: name,
      answer: row?.status === 'answered' ? edslAnswer(question, row.answer) : null,
      comment: row?.comment ?? null,
      user_prompt: prompts.user,
      system_prompt: prompts.system,
      raw_model_response: row?.raw ?? null,
      generated_tokens: row?.raw ?? null,
      input_tokens: asked ? row.input_tokens : null,
      output_tokens: asked ? row.output_tokens : null,
      // EDSL prices a cost it is given: without a known price, no cost (never a guess).
      cost: asked && price ? row.cost_usd : null,
      input_price_per_million_tokens: price?.input_per_mtok ?? null,
      output_price_per_million_tokens: price?.output_per_mtok ?? null,
      cached: row?.cached ?? false,
      cache_key: null,
      validated: row?.status === 'answered' ? true : row?.status === 'invalid' ? false : null,
      status: row?.status ?? 'not_asked',
      error: row?.error ?? null,
    };
  });
  return {
    interview,
    agent: exportAgent(survey.agents[ref.agentIndex]!),
    scenario: exportScenario(survey.scenarios[ref.scenarioIndex]!),
    model: exportModel(survey.models[ref.modelIndex]!),
    iteration: ref.iteration,
    indices: { agent: ref.agentIndex, scenario: ref.scenarioIndex, model: ref.modelIndex },
    answers,
  };
}

/** An answer in EDSL's form: a budget is a list of one-option maps in option order ([{"Pizza": 40}, …]). */
export function edslAnswer(question: Question, answer: unknown): unknown {
  if (question.question_type !== 'budget' || typeof answer !== 'object' || answer === null || Array.isArray(answer)) return answer;
  const amounts = answer as Record<string, unknown>;
  return question.question_options.map((option) => ({ [String(option)]: amounts[String(option)] ?? 0 }));
}

function promptsOf(
  compiled: CompiledSurvey,
  ref: ReturnType<CompiledSurvey['interviewAt']>,
  index: number,
  answers: ReadonlyMap<string, AnswerRecord>,
): { user: string; system: string } {
  try {
    const prompts = compiled.prompts(ref, index, answers);
    return { user: prompts.user, system: prompts.system };
  } catch {
    return { user: '', system: '' };
  }
}

const prompt = (text: string) => ({ text, class_name: 'Prompt' });

/** One interview as EDSL's Result.to_dict(). */
export function edslResult(compiled: CompiledSurvey, interview: EdslInterview): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  const prompts: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  const generated: Record<string, unknown> = {};
  const comments: Record<string, unknown> = {};
  const reasoning: Record<string, unknown> = {};
  const cacheUsed: Record<string, unknown> = {};
  const cacheKeys: Record<string, unknown> = {};
  const validated: Record<string, unknown> = {};
  for (const item of interview.answers) {
    const name = item.question_name;
    answer[name] = item.answer;
    prompts[`${name}_user_prompt`] = prompt(item.user_prompt);
    prompts[`${name}_system_prompt`] = prompt(item.system_prompt);
    raw[`${name}_raw_model_response`] = item.raw_model_response;
    raw[`${name}_input_tokens`] = item.input_tokens;
    raw[`${name}_output_tokens`] = item.output_tokens;
    raw[`${name}_thinking_tokens`] = null;
    raw[`${name}_input_price_per_million_tokens`] = item.input_price_per_million_tokens;
    raw[`${name}_output_price_per_million_tokens`] = item.output_price_per_million_tokens;
    raw[`${name}_cost`] = item.cost;
    raw[`${name}_one_usd_buys`] = item.cost ? 1 / item.cost : 'NA';
    generated[`${name}_generated_tokens`] = item.generated_tokens;
    comments[`${name}_comment`] = item.comment;
    reasoning[`${name}_reasoning_summary`] = null;
    cacheUsed[name] = item.cached;
    cacheKeys[name] = item.cache_key;
    validated[`${name}_validated`] = item.validated;
  }
  return {
    agent: interview.agent,
    scenario: interview.scenario,
    model: interview.model,
    iteration: interview.iteration,
    answer,
    prompt: prompts,
    raw_model_response: raw,
    question_to_attributes: questionAttributes(compiled),
    generated_tokens: generated,
    comments_dict: comments,
    reasoning_summaries_dict: reasoning,
    cache_used_dict: cacheUsed,
    cache_keys: cacheKeys,
    validated_dict: validated,
    indices: interview.indices,
    edsl_version: EXPORTED_EDSL_VERSION,
    edsl_class_name: 'Result',
  };
}

function questionAttributes(compiled: CompiledSurvey): Record<string, unknown> {
  return Object.fromEntries(
    compiled.survey.questions.map((question) => [
      question.question_name,
      {
        question_text: question.question_text,
        question_type: question.question_type,
        question_options: 'question_options' in question ? question.question_options : null,
      },
    ]),
  );
}

/** A whole job as EDSL's Results.to_dict(). */
export function edslResults(compiled: CompiledSurvey, results: Iterable<Result>, priceOf: PriceOf): Record<string, unknown> {
  return {
    data: edslInterviews(compiled, results, priceOf).map((interview) => edslResult(compiled, interview)),
    survey: exportSurvey(compiled.survey),
    created_columns: [],
    edsl_version: EXPORTED_EDSL_VERSION,
    edsl_class_name: 'Results',
  };
}
