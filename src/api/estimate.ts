// What a job will cost before it runs: per model, with a range and the share already in the cache.
import { z } from 'zod';

export const Range = z.object({ low: z.number(), expected: z.number(), high: z.number() });
export type Range = z.infer<typeof Range>;

export const ModelEstimate = z.object({
  model: z.string(),
  calls: z.number().int().nonnegative(),
  cached_calls: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: Range,
  /** null where the price is unknown: never guessed. */
  usd: Range.nullable(),
  price_source: z.string(),
  /** How the token counts were made, e.g. "chars/4 approximation" or "o200k_base tokenizer". */
  token_source: z.string(),
  /** Stated relative accuracy of input_tokens against the provider's count (0.02 = ±2 %); absent when not stated. */
  input_tokens_accuracy: z.number().nonnegative().optional(),
});
export type ModelEstimate = z.infer<typeof ModelEstimate>;

export const Estimate = z.object({
  interviews: z.number().int().nonnegative(),
  models: z.array(ModelEstimate),
  total: z.object({
    calls: z.number().int().nonnegative(),
    cached_calls: z.number().int().nonnegative(),
    input_tokens: z.number().int().nonnegative(),
    output_tokens: Range,
    usd: Range.nullable(),
  }),
  /** Said plainly: what the ranges assume (skip rules, output lengths). */
  notes: z.array(z.string()),
});
export type Estimate = z.infer<typeof Estimate>;
