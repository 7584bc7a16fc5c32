// Before an eval runs: calls, tokens and cost per model, with a range and the share already in the cache.
// Input tokens are counted from the rendered prompts (all samples up to a limit, then an even sample); output
// tokens are typical answer lengths (a letter, a short answer), capped by max_tokens. Grader calls are estimated
// on their own rows ("<grader> (grader)"): the rubric plus the input, a typical output and the target.
import type { CompiledEval, ModelSpec } from '../../format';
import type { Estimate, ModelEstimate, Range } from '../../api';
import { priceSource, type Pricing } from './pricing';
import { approximateTokens } from '../providers/test-model';
import { cacheKey } from '../runner/call-path';
import { scoringCalls, withScoringCalls } from './estimate-scoring';
import { estimateTotal, usdRange } from './estimate-total';
import type { CacheScope, Store } from '../store/store';

const EXACT_LIMIT = 2000;
const CHOICE_OUTPUT: Range = { low: 2, expected: 10, high: 80 };
const OPEN_OUTPUT: Range = { low: 2, expected: 40, high: 300 };
const GRADER_OUTPUT: Range = { low: 20, expected: 120, high: 400 };

/** `scope`: the cache of the user who asks (see CacheScope): only their own cached calls count as cached. */
export async function estimateEval(compiled: CompiledEval, store: Store, pricing: Pricing, fresh: boolean, scope: CacheScope): Promise<Estimate> {
  if (fresh) return estimateWith(compiled, pricing, () => false);
  // Two passes: the first names every call, one read of the store finds those cached, the second counts them.
  const keys: string[] = [];
  estimateWith(compiled, pricing, (key) => {
    keys.push(key);
    return false;
  });
  const cached = await store.cachedKeys(scope, keys);
  return estimateWith(compiled, pricing, (key) => cached.has(key));
}

/** `isCached`: whether a call is in the user's cache (always false for a fresh run). */
function estimateWith(compiled: CompiledEval, pricing: Pricing, isCached: (key: string) => boolean): Estimate {
  const { samples, models, epochs, scorers } = compiled.task;
  const step = Math.max(1, samples.length / EXACT_LIMIT);
  const picked = Array.from({ length: Math.min(samples.length, EXACT_LIMIT) }, (_, k) => Math.floor(k * step));
  const scale = picked.length === 0 ? 0 : samples.length / picked.length;
  const notes = ['Input tokens are approximated as characters / 4; output tokens are typical answer lengths, capped by max_tokens.'];
  if (samples.length > EXACT_LIMIT) notes.push(`Large dataset: prompts of ${EXACT_LIMIT} evenly spaced samples were rendered and scaled up.`);

  const rows: ModelEstimate[] = models.map((model) => {
    let input = 0;
    let cached = 0;
    const output: Range = { low: 0, expected: 0, high: 0 };
    for (const index of picked) {
      const prompts = compiled.prompts(index);
      const typical = compiled.sample(index).choices ? CHOICE_OUTPUT : OPEN_OUTPUT;
      for (let epoch = 0; epoch < epochs.count; epoch++) {
        if (isCached(cacheKey(model, prompts, epoch))) {
          cached++;
          continue;
        }
        input += approximateTokens(prompts.system) + approximateTokens(prompts.user) + 7;
        add(output, capped(typical, model));
      }
    }
    return row(model.label, model, samples.length * epochs.count, cached * scale, input * scale, output, scale, pricing);
  });

  scorers.forEach((scorer, scorerIndex) => {
    if (scorer.type !== 'model_graded') return;
    for (const model of models) {
      const grader = scorer.model ?? model;
      let input = 0;
      const output: Range = { low: 0, expected: 0, high: 0 };
      for (const index of picked) {
        const rubric = compiled.rubricPrompts(scorerIndex, index, '');
        input += epochs.count * (approximateTokens(rubric.user) + OPEN_OUTPUT.expected + 7);
        for (let epoch = 0; epoch < epochs.count; epoch++) add(output, capped(GRADER_OUTPUT, grader));
      }
      rows.push(row(`${grader.label} (grader of ${model.label})`, grader, samples.length * epochs.count, 0, input * scale, output, scale, pricing));
    }
    notes.push(`Scorer "${scorer.name}" makes one grader call per output; grader calls are estimated without the cache.`);
  });
  const typical = (index: number): Range => (compiled.sample(index).choices ? CHOICE_OUTPUT : OPEN_OUTPUT);
  const scoring = scoringCalls(compiled, picked, scale, typical, isCached);
  for (const extra of scoring) {
    let at = rows.findIndex((r) => r.model === extra.model.label);
    if (at < 0) at = rows.push(row(extra.model.label, extra.model, 0, 0, 0, { low: 0, expected: 0, high: 0 }, 1, pricing)) - 1;
    rows[at] = withScoringCalls(rows[at]!, extra, pricing.price(extra.model)?.input_per_mtok ?? null);
  }
  if (scoring.length > 0) {
    notes.push(
      'Log-probability (evaluate) and embedding calls are counted on the row of the model they call: input tokens only (prompt and target, or a typical output), repeats across epochs answered by the cache.',
    );
  }

  const total = estimateTotal(rows);
  if (!total.usd) notes.push('Some models have no known price: the total is shown as unknown.');
  return { interviews: compiled.interviewCount, models: rows, total, notes };
}

function row(label: string, model: ModelSpec, calls: number, cached: number, input: number, output: Range, scale: number, pricing: Pricing): ModelEstimate {
  const tokens = { low: Math.round(output.low * scale), expected: Math.round(output.expected * scale), high: Math.round(output.high * scale) };
  const inputTokens = Math.round(input);
  const price = pricing.price(model);
  const usd = usdRange(inputTokens, tokens, price);
  return {
    model: label,
    calls,
    cached_calls: Math.min(calls, Math.round(cached)),
    input_tokens: inputTokens,
    output_tokens: tokens,
    usd,
    price_source: price ? priceSource(price) : 'unknown: no price for this model on this server',
    token_source: 'characters / 4 approximation',
  };
}

function capped(range: Range, model: ModelSpec): Range {
  const cap = typeof model.parameters.max_tokens === 'number' ? model.parameters.max_tokens : Infinity;
  return { low: Math.min(cap, range.low), expected: Math.min(cap, range.expected), high: Math.min(cap, range.high) };
}

function add(total: Range, range: Range): void {
  total.low += range.low;
  total.expected += range.expected;
  total.high += range.high;
}
