// What an interview adds up as it runs: shared by survey and eval interviews.
import type { FinishedInterview } from '../store/store';

export function startTally(interview: number): FinishedInterview {
  return {
    interview,
    failed: false,
    results: [],
    calls_cached: 0,
    calls_done: 0,
    calls_failed: 0,
    usd: 0,
    input_tokens: 0,
    output_tokens: 0,
  };
}

/** One answered call: cached ones count as calls but cost nothing and add no tokens. */
export function countCall(tally: FinishedInterview, cached: boolean, cost: number | null, input: number, output: number): void {
  tally.calls_done++;
  if (cached) {
    tally.calls_cached++;
    return;
  }
  tally.usd += cost ?? 0;
  tally.input_tokens += input;
  tally.output_tokens += output;
}
