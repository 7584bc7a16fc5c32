// The evaluate and embed calls of an eval's log-probability and embedding scorers, for its estimate. They cost
// input tokens only and are billed to the model they call, so they are added to that model's row (a new row for
// an embedder that is not also under test). A call the job repeats (another epoch, a target read again) is
// answered by the cache, as the runner shares it; calls already in the server's cache are counted at $0.
import type { CompiledEval, ModelSpec } from '../../format';
import type { ModelEstimate, Range } from '../../api';
import { approximateTokens } from '../providers/test-model';
import { scoringCacheKey } from '../runner/call-path';

export interface ScoringCallCount {
  model: ModelSpec;
  calls: number;
  cached_calls: number;
  input_tokens: number;
}

/** Per called model: evaluate and embed calls over the picked samples, scaled to the whole dataset. */
export function scoringCalls(
  compiled: CompiledEval,
  picked: readonly number[],
  scale: number,
  typicalOutput: (sampleIndex: number) => Range,
  /** Whether a call is in the user's cache (false for a fresh run); see CachedKeys in estimate-eval.ts. */
  isCached: (key: string) => boolean,
): ScoringCallCount[] {
  const { models, epochs, scorers } = compiled.task;
  const counts = new Map<string, ScoringCallCount & { seen: Set<string> }>();
  const count = (model: ModelSpec, key: string | null, tokens: number): void => {
    let entry = counts.get(model.label);
    if (!entry) counts.set(model.label, (entry = { model, calls: 0, cached_calls: 0, input_tokens: 0, seen: new Set() }));
    entry.calls++;
    // An output is not known before the run: its embedding is never in the cache.
    if (key !== null && (entry.seen.has(key) || isCached(key))) entry.cached_calls++;
    else entry.input_tokens += tokens;
    if (key !== null) entry.seen.add(key);
  };
  for (const scorer of scorers) {
    if (scorer.type !== 'log_probability' && scorer.type !== 'embedding') continue;
    for (const index of picked) {
      const sample = compiled.sample(index);
      const prompts = compiled.prompts(index);
      const prompt = prompts.system ? `${prompts.system}\n\n${prompts.user}` : prompts.user;
      for (const model of models) {
        for (let epoch = 0; epoch < epochs.count; epoch++) {
          if (scorer.type === 'log_probability') {
            for (const target of sample.target) count(model, scoringCacheKey(model, ['evaluate', prompt, target]), approximateTokens(prompt + target));
          } else {
            count(scorer.model, null, typicalOutput(index).expected);
            for (const target of sample.target) count(scorer.model, scoringCacheKey(scorer.model, ['embed', target]), approximateTokens(target));
          }
        }
      }
    }
  }
  return [...counts.values()].map(({ model, calls, cached_calls, input_tokens }) => ({
    model,
    calls: Math.round(calls * scale),
    cached_calls: Math.round(cached_calls * scale),
    input_tokens: Math.round(input_tokens * scale),
  }));
}

/** Adds scoring calls to a row: more calls and input tokens, and their input price. */
export function withScoringCalls(row: ModelEstimate, extra: ScoringCallCount, inputPerMtok: number | null): ModelEstimate {
  const usdExtra = inputPerMtok === null ? 0 : (extra.input_tokens * inputPerMtok) / 1e6;
  return {
    ...row,
    calls: row.calls + extra.calls,
    cached_calls: row.cached_calls + extra.cached_calls,
    input_tokens: row.input_tokens + extra.input_tokens,
    usd: row.usd ? { low: row.usd.low + usdExtra, expected: row.usd.expected + usdExtra, high: row.usd.high + usdExtra } : null,
  };
}
