// A Fieldwork survey (as parsed: defaults applied, scenario files loaded) → EDSL's Survey and Jobs `to_dict()`,
// which EDSL's `Survey.from_dict` and `Jobs.from_dict` read back.
import type { Survey } from '../format';
import { exportModel } from './models';
import { EXPORTED_EDSL_VERSION } from './objects';
import { exportQuestion } from './questions';
import { exportRules } from './rules';

const bookkeeping = (className: string) => ({ edsl_version: EXPORTED_EDSL_VERSION, edsl_class_name: className });

export function exportSurvey(survey: Survey): Record<string, unknown> {
  const names = survey.questions.map((question) => question.question_name);
  const data: Record<string, { prior_questions: string[] }> = {};
  survey.questions.forEach((question, index) => {
    const setting = question.memory ?? survey.memory;
    const earlier = names.slice(0, index);
    const prior = setting === 'all' ? earlier : setting === 'none' ? [] : setting.filter((name) => earlier.includes(name));
    if (prior.length > 0) data[question.question_name] = { prior_questions: prior };
  });
  return {
    questions: survey.questions.map(exportQuestion),
    memory_plan: { survey_question_names: names, survey_question_texts: survey.questions.map((question) => question.question_text), data },
    rule_collection: exportRules(survey.questions),
    question_groups: {},
    ...bookkeeping('Survey'),
  };
}

export function exportAgent(agent: Survey['agents'][number]): Record<string, unknown> {
  return {
    traits: agent.traits,
    ...(agent.name !== null ? { name: agent.name } : {}),
    ...(agent.instruction !== null ? { instruction: agent.instruction } : {}),
    ...bookkeeping('Agent'),
  };
}

export function exportScenario(scenario: Survey['scenarios'][number]): Record<string, unknown> {
  return { ...scenario, ...bookkeeping('Scenario') };
}

export function exportJobs(survey: Survey): Record<string, unknown> {
  return {
    survey: exportSurvey(survey),
    agents: survey.agents.map(exportAgent),
    models: survey.models.map(exportModel),
    scenarios: survey.scenarios.map(exportScenario),
    ...bookkeeping('Jobs'),
  };
}
