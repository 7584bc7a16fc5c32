// The steps a survey's and an eval's estimates share: a row's cost range from its tokens, and the total of the rows.
import type { Estimate, ModelEstimate, Range } from '../../api';
import type { Price } from './pricing';

/** USD for `input` tokens and a range of output tokens at a price, or null without one. */
export function usdRange(input: number, output: Range, price: Price | null | undefined): Range | null {
  if (!price) return null;
  return {
    low: (input * price.input_per_mtok + output.low * price.output_per_mtok) / 1e6,
    expected: (input * price.input_per_mtok + output.expected * price.output_per_mtok) / 1e6,
    high: (input * price.input_per_mtok + output.high * price.output_per_mtok) / 1e6,
  };
}

/** The sum of the rows; its USD is unknown when any row's price is. */
export function estimateTotal(rows: readonly ModelEstimate[]): Estimate['total'] {
  const sum = (pick: (m: ModelEstimate) => number) => rows.reduce((total, m) => total + pick(m), 0);
  const allPriced = rows.every((m) => m.usd !== null);
  return {
    calls: sum((m) => m.calls),
    cached_calls: sum((m) => m.cached_calls),
    input_tokens: sum((m) => m.input_tokens),
    output_tokens: { low: sum((m) => m.output_tokens.low), expected: sum((m) => m.output_tokens.expected), high: sum((m) => m.output_tokens.high) },
    usd: allPriced ? { low: sum((m) => m.usd!.low), expected: sum((m) => m.usd!.expected), high: sum((m) => m.usd!.high) } : null,
  };
}
