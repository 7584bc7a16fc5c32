// One eval interview: one sample, one model, one epoch. The model answers the prompt, then every scorer judges
// the output (a grader, evaluate or embed call goes through the same call path). One result row per interview.
import { blankResult, countCall, recordCall, startTally } from './tally';
import type { CompiledEval, InterviewRef, ModelSpec } from '../../format';
import { runScorer, type Score, type ScoringServices } from '../scorers';
import type { FinishedInterview, NewResult } from '../store/store';
import type { CallOutcome, Paid } from './call-path';
import { countFailure, type InterviewContext } from './interview';

export async function runEvalInterview(compiled: CompiledEval, ref: InterviewRef, context: InterviewContext): Promise<FinishedInterview> {
  const sample = compiled.sample(ref.scenarioIndex);
  const model = compiled.task.models[ref.modelIndex]!;
  const finished = startTally(ref.index);
  const paid: Paid = new Set();
  const result: NewResult = {
    ...blankResult(ref, model.label, sample.id, { index: 0, name: null }),
    sample_id: sample.id,
    epoch: ref.iteration + 1,
    input: sample.input,
    target: sample.target,
    scores: null,
  };
  finished.results.push(result);
  const fail = (error: unknown, what: string): FinishedInterview => {
    countFailure(finished, error, context.signal);
    result.status = 'failed';
    result.error = `${what}${error instanceof Error ? error.message : String(error)}`;
    return finished;
  };
  const count = (cached: boolean, cost: number | null, input: number, output: number): void => countCall(finished, cached, cost, input, output);
  // The row carries what every call of the sample cost (its scorers' too), so an eval's rows add up to the job.
  const addCost = (cost: number | null): void => {
    if (cost !== null) result.cost_usd = (result.cost_usd ?? 0) + cost;
  };

  const prompts = compiled.prompts(ref.scenarioIndex);
  let outcome: CallOutcome;
  try {
    outcome = await context.callPath.call({
      jobId: context.jobId,
      user: context.user,
      interview: ref.index,
      paid,
      model,
      prompts,
      iteration: ref.iteration,
      answer_format: compiled.answerFormat(ref.scenarioIndex),
      fresh: context.fresh,
      signal: context.signal,
    });
  } catch (error) {
    return fail(error, '');
  }
  const output = outcome.reply.text;
  recordCall(finished, result, outcome);

  const scoring = { jobId: context.jobId, user: context.user, interview: ref.index, paid, fresh: context.fresh, signal: context.signal };
  const billed = <T extends { input_tokens: number }>(scored: CallOutcome<T>): T => {
    count(scored.cached, scored.cost_usd, scored.reply.input_tokens, 0);
    addCost(scored.cost_usd);
    return scored.reply;
  };
  const services: ScoringServices = {
    complete: async (grader: ModelSpec, graderPrompts, format) => {
      const reply = await context.callPath.call({ ...scoring, model: grader, prompts: graderPrompts, iteration: ref.iteration, answer_format: format });
      count(reply.cached, reply.cost_usd, reply.reply.input_tokens, reply.reply.output_tokens);
      addCost(reply.cost_usd);
      return reply.reply.text;
    },
    evaluate: async (scored, prompt, expected) => billed(await context.callPath.evaluate({ ...scoring, model: scored }, prompt, expected)),
    embed: async (embedder, text) => billed(await context.callPath.embed({ ...scoring, model: embedder }, text)),
  };
  const scores: Record<string, Score> = {};
  const input = { sample, output, prompts, model };
  for (let index = 0; index < compiled.task.scorers.length; index++) {
    const scorer = compiled.task.scorers[index]!;
    try {
      scores[scorer.name] = await runScorer(compiled, index, ref.scenarioIndex, input, services);
    } catch (error) {
      // Unscored, so counted apart as failed (and run again on retry), never half-scored.
      return fail(error, `scorer "${scorer.name}": `);
    }
  }
  result.scores = scores;
  const first = compiled.task.scorers[0];
  result.answer = (first && scores[first.name]?.answer) ?? output.trim();
  return finished;
}
