// One interview: an agent walks the survey's questions for one scenario, model and iteration.
import { blankResult, recordCall, startTally } from './tally';
import type { AnswerRecord, CompiledSurvey, InterviewRef } from '../../format';
import { ProviderError } from '../providers/provider';
import type { FinishedInterview, NewResult } from '../store/store';
import type { CallPath, Paid } from './call-path';

export interface InterviewContext {
  jobId: string;
  user: string;
  fresh: boolean;
  signal: AbortSignal;
  callPath: CallPath;
}

/** Raised when a call fails in a way no retry can fix (bad key, no quota): the whole job should stop. */
export class FatalCallError extends Error {
  constructor(readonly providerError: ProviderError) {
    super(providerError.message);
    this.name = 'FatalCallError';
  }
}

/**
 * A call that failed, in either kind of interview: a cancelled run or a fatal provider error (bad key, no quota)
 * is thrown on, to end the run or the job; anything else fails this interview, counted in its tally.
 */
export function countFailure(tally: FinishedInterview, error: unknown, signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
  if (error instanceof ProviderError && error.kind === 'fatal') throw new FatalCallError(error);
  tally.failed = true;
  tally.calls_failed++;
}

export async function runInterview(survey: CompiledSurvey, ref: InterviewRef, context: InterviewContext): Promise<FinishedInterview> {
  const { questions, agents, models } = survey.survey;
  const model = models[ref.modelIndex]!;
  const agent = agents[ref.agentIndex]!;
  const answers = new Map<string, AnswerRecord>();
  const finished = startTally(ref.index);
  const paid: Paid = new Set();
  const row = (question: string): NewResult => blankResult(ref, model.label, question, { index: ref.agentIndex, name: agent.name });

  for (let index = 0; index < questions.length; index++) {
    const question = questions[index]!;
    const name = question.question_name;
    if (survey.shouldSkip(ref, index, answers)) {
      answers.set(name, { answer: null, comment: null });
      finished.results.push({ ...row(name), status: 'skipped' });
      continue;
    }
    const prompts = survey.prompts(ref, index, answers);
    let outcome;
    try {
      outcome = await context.callPath.call({
        jobId: context.jobId,
        user: context.user,
        interview: ref.index,
        paid,
        model,
        prompts,
        iteration: ref.iteration,
        question,
        fresh: context.fresh,
        signal: context.signal,
      });
    } catch (error) {
      countFailure(finished, error, context.signal);
      finished.results.push({ ...row(name), status: 'failed', error: describe(error) });
      break;
    }
    const parsed = survey.parseAnswer(index, outcome.reply.text);
    const result = row(name);
    recordCall(finished, result, outcome);
    result.comment = parsed.comment;
    if (parsed.ok) {
      result.answer = parsed.answer;
    } else {
      result.status = 'invalid';
      result.error = parsed.reason;
    }
    finished.results.push(result);
    answers.set(name, { answer: parsed.ok ? parsed.answer : null, comment: parsed.comment });
    if (survey.shouldStop(ref, index, answers)) break;
  }
  return finished;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
