// EDSL's Jobs or Survey (its `to_dict()`) → a Fieldwork survey file. Everything that changes what runs is carried
// over or refused with its name and the reason, before anything runs: nothing is dropped without a word.
import type { z } from 'zod';
import { parseSurvey } from '../format';
import { importModels } from './models';
import { EDSL_BOOKKEEPING, EdslJobs, EdslSurvey, isUnset, type EdslAgent, type EdslScenario } from './objects';
import { importQuestion } from './questions';
import { anyOf, importRules } from './rules';

export interface ImportOptions {
  /** The survey's name (default: "EDSL job" or "EDSL survey"). */
  name?: string | undefined;
  description?: string | null | undefined;
  iterations?: number | undefined;
  fresh?: boolean | undefined;
}

export type EdslImport =
  /** `notes`: what was read differently from EDSL, said once each (e.g. a parameter the service does not take). */
  { ok: true; kind: 'Jobs' | 'Survey'; survey: Record<string, unknown>; notes: string[] } | { ok: false; reasons: string[] };

/** A Jobs dict (survey, agents, scenarios, models) or a bare Survey dict. */
export function importEdsl(value: unknown, options: ImportOptions = {}): EdslImport {
  const kind = classOf(value);
  if (kind === null) {
    return {
      ok: false,
      reasons: ['this is not an EDSL Jobs or Survey object: expected the JSON of jobs.to_dict() or survey.to_dict(), with "survey" or "questions".'],
    };
  }
  const parsed = kind === 'Jobs' ? EdslJobs.safeParse(value) : EdslSurvey.safeParse(value);
  if (!parsed.success) return { ok: false, reasons: zodReasons(kind, parsed.error) };
  const jobs: EdslJobs = kind === 'Jobs' ? (parsed.data as EdslJobs) : { survey: parsed.data as EdslSurvey, agents: [], models: [], scenarios: [] };

  const reasons: string[] = [];
  const notes: string[] = [];
  const edslSurvey = jobs.survey;
  const names = edslSurvey.questions.map((question) => question.question_name);

  const questions: Record<string, unknown>[] = [];
  for (const edsl of edslSurvey.questions) {
    const imported = importQuestion(edsl);
    if (imported.ok) questions.push(imported.question);
    else reasons.push(imported.reason);
  }

  const rules = importRules(edslSurvey.rule_collection?.rules ?? [], names);
  if (!rules.ok) reasons.push(...rules.reasons);

  const memory = edslSurvey.memory_plan?.data ?? {};
  for (const [focal, plan] of Object.entries(memory)) {
    const at = names.indexOf(focal);
    if (at < 0) reasons.push(`the memory plan names question "${focal}", which the survey does not have.`);
    for (const prior of plan.prior_questions) {
      const priorAt = names.indexOf(prior);
      if (priorAt < 0 || priorAt >= at) reasons.push(`the memory plan of "${focal}" remembers "${prior}", which is not an earlier question.`);
    }
  }
  if (!isUnset(edslSurvey.question_groups)) {
    notes.push('question_groups only name ranges of questions in EDSL; they do not change the run and are not kept.');
  }

  const agents = jobs.agents.map((agent, index) => importAgent(agent, index, reasons));
  const scenarios = jobs.scenarios.map((scenario, index) => importScenario(scenario, index, reasons));
  const models = importModels(jobs.models, reasons, notes);

  if (reasons.length > 0) return { ok: false, reasons };

  questions.forEach((question, index) => {
    const targets = rules.ok ? rules.targets[index] : undefined;
    const skip = anyOf(targets?.skip_if ?? []);
    const stop = anyOf(targets?.stop_if ?? []);
    if (skip !== undefined) question['skip_if'] = skip;
    if (stop !== undefined) question['stop_if'] = stop;
    const remembered = memory[names[index]!]?.prior_questions;
    if (remembered && remembered.length > 0) question['memory'] = [...remembered];
  });

  const survey: Record<string, unknown> = {
    name: options.name ?? (kind === 'Jobs' ? 'EDSL job' : 'EDSL survey'),
    ...(options.description ? { description: options.description } : {}),
    ...(options.iterations !== undefined && options.iterations !== 1 ? { iterations: options.iterations } : {}),
    ...(options.fresh ? { fresh: true } : {}),
    ...(agents.length > 0 ? { agents } : {}),
    ...(scenarios.length > 0 ? { scenarios } : {}),
    ...(models.length > 0 ? { models } : {}),
    questions,
  };
  // The file as Fieldwork reads it: whatever it would refuse (a reserved question name, a rule naming an unknown
  // question) is refused here, in its words.
  const checked = parseSurvey({ name: 'edsl.survey.json', text: JSON.stringify(survey) }, () => undefined);
  if (!checked.ok)
    return { ok: false, reasons: checked.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'survey'}: ${issue.message}.`) };
  if (models.length === 0) notes.push('no models: Fieldwork asks its built-in offline model "test" (EDSL would add its default model).');
  return { ok: true, kind, survey, notes };
}

function classOf(value: unknown): 'Jobs' | 'Survey' | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (record['edsl_class_name'] === 'Jobs' || 'survey' in record) return 'Jobs';
  if (record['edsl_class_name'] === 'Survey' || 'questions' in record) return 'Survey';
  return null;
}

function zodReasons(kind: string, error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => `${kind} ${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}.`);
}

const AGENT_FIELDS = new Set(['traits', 'name', 'instruction']);

function importAgent(agent: EdslAgent, index: number, reasons: string[]): Record<string, unknown> {
  const label = agent.name ? `agent "${agent.name}"` : `agent ${index}`;
  for (const [key, value] of Object.entries(agent)) {
    if (AGENT_FIELDS.has(key) || EDSL_BOOKKEEPING.has(key) || isUnset(value)) continue;
    reasons.push(`${label} sets "${key}", which Fieldwork cannot honour: ${AGENT_REFUSALS[key] ?? 'it is not a field Fieldwork knows'}.`);
  }
  return {
    ...(agent.name ? { name: agent.name } : {}),
    traits: agent.traits,
    ...(agent.instruction ? { instruction: agent.instruction } : {}),
  };
}

const AGENT_REFUSALS: Record<string, string> = {
  dynamic_traits_function_source_code: 'its traits come from Python code, and a Fieldwork server never runs submitted code',
  dynamic_traits_function_name: 'its traits come from Python code, and a Fieldwork server never runs submitted code',
  answer_question_directly_source_code: 'it answers with Python code instead of a model',
  answer_question_directly_function_name: 'it answers with Python code instead of a model',
  traits_presentation_template: 'Fieldwork shows traits in its own system prompt; put the wording in `instruction`',
  codebook: 'Fieldwork shows trait names as they are; rename the traits to the words the codebook gives',
};

function importScenario(scenario: EdslScenario, index: number, reasons: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(scenario)) {
    if (EDSL_BOOKKEEPING.has(key)) continue;
    if (isFileStore(value)) {
      reasons.push(`scenario ${index} holds a file in "${key}" (an EDSL FileStore); give Fieldwork the image's path in a survey file instead.`);
      continue;
    }
    values[key] = value;
  }
  return values;
}

function isFileStore(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['edsl_class_name'] === 'FileStore' || 'base64_string' in record;
}
