// Before a run: calls, tokens and cost per model, as a range, with the share already in the cache.
// Input tokens are counted from rendered prompts (exactly for small jobs, from an even sample for large ones) with
// the provider's own tokenizer where it is published (OpenAI's encodings), else a stated approximation;
// output tokens come from typical reply lengths per question type, capped by max_tokens.
import { surveyShowsImages, type AnswerRecord, type CompiledSurvey, type InterviewRef, type Question } from '../../format';
import type { Estimate, ModelEstimate, Range } from '../../api';
import type { CacheScope, Store } from '../store/store';
import { priceSource, type Pricing } from './pricing';
import { cacheKey } from '../runner/call-path';
import { TimeSlice } from '../time-slice';
import { tokenCounter } from './tokens';
import { estimateTotal, usdRange } from './estimate-total';

/** Interviews rendered per model before switching to an even sample. */
const EXACT_LIMIT = 2000;
/**
 * Prompts rendered per estimate, over all models: with many questions, fewer interviews are sampled, so the work of
 * an estimate is bounded whatever the survey's interviews × questions.
 */
const RENDER_BUDGET = 50_000;

/** Typical reply lengths in tokens (answer plus the optional comment), by question type. */
const OUTPUT_TOKENS: Record<string, Range> = {
  free_text: { low: 20, expected: 120, high: 400 },
  multiple_choice: { low: 2, expected: 25, high: 80 },
  checkbox: { low: 4, expected: 30, high: 100 },
  linear_scale: { low: 1, expected: 25, high: 80 },
  numerical: { low: 1, expected: 25, high: 80 },
  yes_no: { low: 1, expected: 20, high: 80 },
  likert_five: { low: 2, expected: 25, high: 80 },
  list: { low: 10, expected: 50, high: 200 },
  rank: { low: 10, expected: 40, high: 150 },
  budget: { low: 15, expected: 50, high: 150 },
  extract: { low: 15, expected: 60, high: 200 },
  top_k: { low: 5, expected: 30, high: 100 },
};
const WITHOUT_COMMENT_SHARE = 0.35;

/** `scope`: the cache of the user who asks (see CacheScope): only their own cached calls count as cached. */
export async function estimateJob(survey: CompiledSurvey, store: Store, pricing: Pricing, fresh: boolean, scope: CacheScope): Promise<Estimate> {
  const { models, questions, agents, scenarios, iterations } = survey.survey;
  const perModel = agents.length * scenarios.length * iterations;
  const sampled = Math.max(1, Math.min(EXACT_LIMIT, Math.floor(RENDER_BUDGET / Math.max(1, questions.length * models.length))));
  const slice = new TimeSlice();
  const hasSkipRules = questions.some((q) => q.skip_if || q.stop_if);
  const notes: string[] = [
    'Output tokens are typical reply lengths per question type (low / expected / high), capped by max_tokens; reasoning models may spend more on hidden reasoning.',
    "Calls already in your cache on the server (yours, or your team's) cost nothing and are counted in cached_calls, not in tokens or USD.",
  ];
  if (hasSkipRules) notes.push('Skip and stop rules may leave questions unasked: calls and costs are upper bounds where answers are not yet in the cache.');
  if (questions.some((q) => q.memory !== undefined && q.memory !== 'none') || survey.survey.memory === 'all')
    notes.push('Prompts that show earlier answers are counted without those answers where they are not yet in the cache.');
  if (surveyShowsImages(survey.survey)) {
    notes.push('Images are not in the input tokens: providers bill each image apart, by its size (roughly 85–1,600 tokens per image at OpenAI and Anthropic).');
  }
  if (perModel > sampled)
    notes.push(`Large job: prompts of ${sampled.toLocaleString('en-US')} evenly spaced interviews per model were rendered and scaled up.`);

  const estimates: ModelEstimate[] = [];
  for (const [modelIndex, model] of models.entries()) {
    const sample = sampleInterviews(survey, modelIndex, perModel, sampled);
    const counter = tokenCounter(pricing.providerOf(model.service), model.service, model.model);
    let inputTokens = 0;
    let cachedCalls = 0;
    let calls = 0;
    const output: Range = { low: 0, expected: 0, high: 0 };
    for (const ref of sample) {
      // Walk the interview as the runner would: cached replies are real answers, so later prompts, skip and
      // stop rules see them; after the first uncached call answers are unknown and every question counts.
      const answers = new Map<string, AnswerRecord>();
      let known = true;
      for (let index = 0; index < questions.length; index++) {
        // Each step renders (and, the first time, compiles) a question: a slice ends between any two.
        await slice.yield();
        const question = questions[index]!;
        if (known && survey.shouldSkip(ref, index, answers)) {
          answers.set(question.question_name, { answer: null, comment: null });
          continue;
        }
        const prompts = survey.prompts(ref, index, answers);
        calls++;
        const hit = fresh ? null : await store.getCachedCall(scope, cacheKey(model, prompts, ref.iteration));
        if (hit && known) {
          cachedCalls++;
          const parsed = survey.parseAnswer(index, hit.raw);
          answers.set(question.question_name, { answer: parsed.ok ? parsed.answer : null, comment: parsed.comment });
          if (survey.shouldStop(ref, index, answers)) break;
          continue;
        }
        known = false;
        answers.set(question.question_name, { answer: null, comment: null });
        inputTokens += counter.count(prompts.system, prompts.user);
        const range = outputTokens(question, model.parameters.max_completion_tokens ?? model.parameters.max_tokens);
        output.low += range.low;
        output.expected += range.expected;
        output.high += range.high;
      }
    }
    const scale = sample.length === 0 ? 0 : perModel / sample.length;
    const totalCalls = Math.round(calls * scale);
    const scaled = (value: number) => Math.round(value * scale);
    const outputTokensRange = { low: scaled(output.low), expected: scaled(output.expected), high: scaled(output.high) };
    const price = pricing.price(model);
    const input = scaled(inputTokens);
    const usd = usdRange(input, outputTokensRange, price);
    estimates.push({
      model: model.label,
      calls: totalCalls,
      cached_calls: Math.min(totalCalls, Math.round(cachedCalls * scale)),
      input_tokens: input,
      output_tokens: outputTokensRange,
      usd,
      price_source: price ? priceSource(price) : 'unknown: no price for this model on this server',
      token_source: counter.source,
      input_tokens_accuracy: counter.accuracy,
    });
  }

  const total = estimateTotal(estimates);
  if (!total.usd) notes.push('Some models have no known price: the total covers only the priced ones and is shown as unknown.');
  return { interviews: survey.interviewCount, models: estimates, total, notes };
}

function outputTokens(question: Question, maxTokens: unknown): Range {
  // `max_completion_tokens` (reasoning models) caps a reply just as max_tokens does.
  const typical = OUTPUT_TOKENS[question.question_type] ?? OUTPUT_TOKENS.free_text!;
  const share = question.include_comment === false ? WITHOUT_COMMENT_SHARE : 1;
  const cap = typeof maxTokens === 'number' ? maxTokens : Infinity;
  return {
    low: Math.min(cap, Math.max(1, Math.round(typical.low * share))),
    expected: Math.min(cap, Math.max(1, Math.round(typical.expected * share))),
    high: Math.min(cap, Math.max(1, Math.round(typical.high * share))),
  };
}

/** The interviews of one model, all of them or an even sample. */
function sampleInterviews(survey: CompiledSurvey, modelIndex: number, perModel: number, limit: number): InterviewRef[] {
  const { models, iterations } = survey.survey;
  const step = Math.max(1, perModel / limit);
  const refs: InterviewRef[] = [];
  for (let k = 0; k < Math.min(perModel, limit); k++) {
    // Index within this model's interviews → global index (iteration fastest, then model).
    const local = Math.floor(k * step);
    const iteration = local % iterations;
    const rest = Math.floor(local / iterations);
    refs.push(survey.interviewAt((rest * models.length + modelIndex) * iterations + iteration));
  }
  return refs;
}
