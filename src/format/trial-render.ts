// While a survey is checked, each question text is rendered with real data: a template that always runs into a
// render limit (`{% for x in (1..100000000) %}`) is then a problem at its line and column, found before anything is
// estimated or run, rather than a failure in the middle of a job. Renders are spread over the scenarios and agents
// within a budget of renders and of time; what depends on answers is left to the estimate and the run.
import { CompiledSurvey } from './compiled-survey';
import { TRIAL_RENDER_MS, TRIAL_RENDERS } from './limits';
import { QuestionRenderError } from './render-error';
import type { Survey } from './schema';

export interface TrialFailure {
  question: number;
  /** Offset in the question text, or -1. */
  offset: number;
  /** The message of the issue, starting `question "name": `. */
  message: string;
}

export function trialRender(survey: Survey, budget = { renders: TRIAL_RENDERS, ms: TRIAL_RENDER_MS }): TrialFailure | null {
  const questions = survey.questions.length;
  if (questions === 0 || survey.questions.every((question) => !/\{\{|\{%/.test(question.question_text))) return null;
  const compiled = new CompiledSurvey(survey);
  const { scenarios, agents, models, iterations } = {
    scenarios: survey.scenarios.length,
    agents: survey.agents.length,
    models: survey.models.length,
    iterations: survey.iterations,
  };
  const pairs = scenarios * agents;
  const tries = Math.max(1, Math.min(pairs, Math.floor(budget.renders / questions)));
  const started = performance.now();
  const none = new Map();
  // Every question gets its first try before any gets a second, so the time budget never leaves one untried.
  for (let attempt = 0; attempt < tries; attempt++) {
    const pair = Math.floor((attempt * pairs) / tries);
    const agent = Math.floor(pair / scenarios);
    const scenario = pair % scenarios;
    const ref = compiled.interviewAt((agent * scenarios + scenario) * models * iterations);
    for (let question = 0; question < questions; question++) {
      try {
        compiled.prompts(ref, question, none);
      } catch (error) {
        if (!(error instanceof QuestionRenderError)) throw error;
        return { question, offset: error.offset, message: error.message };
      }
    }
    if (performance.now() - started > budget.ms) break;
  }
  return null;
}
