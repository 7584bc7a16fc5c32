// What an interview adds up as it runs: shared by survey and eval interviews.
import type { InterviewRef } from '../../format';
import type { FinishedInterview, NewResult } from '../store/store';
import type { CallOutcome } from './call-path';

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

/** A call's answer on its result row, counted in the interview's tally. */
export function recordCall(tally: FinishedInterview, result: NewResult, outcome: CallOutcome): void {
  const { reply } = outcome;
  result.raw = reply.text;
  result.input_tokens = reply.input_tokens;
  result.output_tokens = reply.output_tokens;
  result.cost_usd = outcome.cost_usd;
  result.cached = outcome.cached;
  result.latency_ms = Math.round(outcome.latency_ms);
  countCall(tally, outcome.cached, outcome.cost_usd, reply.input_tokens, reply.output_tokens);
}

/** A result row with nothing recorded yet: the interview's place, and no answer, tokens or cost. */
export function blankResult(ref: InterviewRef, model: string, question: string, agent: { index: number; name: string | null }): NewResult {
  return {
    interview: ref.index,
    agent_index: agent.index,
    agent_name: agent.name,
    scenario_index: ref.scenarioIndex,
    model,
    iteration: ref.iteration,
    question,
    status: 'answered',
    answer: null,
    comment: null,
    raw: null,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    cached: false,
    latency_ms: 0,
    error: null,
  };
}
