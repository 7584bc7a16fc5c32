// The two kinds of job as JobRun sees them: interviews in order, and how to run one.
import type { CompiledEval, CompiledSurvey } from '../../format';
import type { ScoringCalls } from './call-path';
import { runEvalInterview } from './eval-interview';
import { runInterview } from './interview';
import type { InterviewPlan } from './job-run';

export function surveyPlan(survey: CompiledSurvey): InterviewPlan {
  return {
    fresh: survey.survey.fresh,
    interviews: () => survey.interviews(0),
    callsPerInterview: survey.survey.questions.length,
    runInterview: (ref, context) => runInterview(survey, ref, context),
  };
}

export function evalPlan(compiled: CompiledEval, scoringCalls: ScoringCalls): InterviewPlan {
  return {
    fresh: compiled.task.fresh,
    interviews: () => compiled.interviews(0),
    callsPerInterview: 1,
    runInterview: (ref, context) => runEvalInterview(compiled, ref, { ...context, scoringCalls }),
  };
}
