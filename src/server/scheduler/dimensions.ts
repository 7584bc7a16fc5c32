// The limited dimensions of a lane and what a call costs on each, charged at admission as providers do.
import type { RateLimitSnapshot } from '../providers/provider';

export const DIMENSIONS = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const satisfies readonly (keyof RateLimitSnapshot)[];
export type Dimension = (typeof DIMENSIONS)[number];

/** Words for the job log: "waiting 2.3 s for tokens-per-minute". */
export const DIMENSION_WORDS: Record<Dimension, string> = {
  requests: 'requests-per-minute',
  tokens: 'tokens-per-minute',
  input_tokens: 'input-tokens-per-minute',
  output_tokens: 'output-tokens-per-minute',
};

export interface TicketCosts {
  /** prompt + max_tokens */
  tokens: number;
  /** The prompt alone, when known; else all of `tokens` counts as input. */
  inputTokens?: number | undefined;
  /** max_tokens, when known. */
  outputTokens?: number | undefined;
}

export function costOn(dimension: Dimension, ticket: TicketCosts): number {
  switch (dimension) {
    case 'requests':
      return 1;
    case 'tokens':
      return ticket.tokens;
    case 'input_tokens':
      return ticket.inputTokens ?? ticket.tokens;
    case 'output_tokens':
      return ticket.outputTokens ?? 0;
  }
}

export interface Usage {
  input: number;
  output: number;
}

/** What a finished call really used on a dimension. */
export function usedOn(dimension: Dimension, usage: Usage): number {
  switch (dimension) {
    case 'requests':
      return 1;
    case 'tokens':
      return usage.input + usage.output;
    case 'input_tokens':
      return usage.input;
    case 'output_tokens':
      return usage.output;
  }
}

/**
 * What the provider itself charged a call on admission, now that usage says how long the prompt really was:
 * the prompt as it counts it plus the whole max_tokens (our estimate of the prompt is only an estimate).
 */
export function providerChargeOn(dimension: Dimension, charged: TicketCosts, usage: Usage): number {
  if (charged.outputTokens === undefined) return costOn(dimension, charged);
  return usedOn(dimension, { input: usage.input, output: charged.outputTokens });
}
