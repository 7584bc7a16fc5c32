// EDSL's serialized objects (`to_dict()` of Jobs, Survey, Question*, Agent, Scenario, LanguageModel, Rule), as far
// as Fieldwork reads them. Loose on purpose: EDSL adds fields between releases, and every field we do not know is
// looked at by the importer, which runs what it understands and refuses, by name, what it cannot run.
import { z } from 'zod';

/** Fields EDSL writes on every object: its version and class, never meaningful to a run. */
export const EDSL_BOOKKEEPING = new Set(['edsl_version', 'edsl_class_name']);

export const EdslQuestion = z.looseObject({
  question_name: z.string(),
  question_type: z.string(),
  question_text: z.string().optional(),
});
export type EdslQuestion = z.infer<typeof EdslQuestion>;

export const EdslRule = z.looseObject({
  current_q: z.int().nonnegative(),
  expression: z.string(),
  next_q: z.union([z.int(), z.literal('EndOfSurvey')]),
  priority: z.number(),
  before_rule: z.boolean().default(false),
});
export type EdslRule = z.infer<typeof EdslRule>;

export const EdslMemoryPlan = z.looseObject({
  data: z.record(z.string(), z.looseObject({ prior_questions: z.array(z.string()) })).default({}),
});

export const EdslSurvey = z.looseObject({
  questions: z.array(EdslQuestion).min(1, { error: 'the survey has no questions' }),
  memory_plan: EdslMemoryPlan.optional(),
  rule_collection: z.looseObject({ rules: z.array(EdslRule).default([]) }).optional(),
  question_groups: z.record(z.string(), z.unknown()).optional(),
  edsl_class_name: z.literal('Survey').optional(),
});
export type EdslSurvey = z.infer<typeof EdslSurvey>;

export const EdslAgent = z.looseObject({
  traits: z.record(z.string(), z.unknown()).default({}),
  name: z.string().nullable().optional(),
  instruction: z.string().nullable().optional(),
});
export type EdslAgent = z.infer<typeof EdslAgent>;

export const EdslScenario = z.record(z.string(), z.unknown());
export type EdslScenario = z.infer<typeof EdslScenario>;

export const EdslModel = z.looseObject({
  model: z.string().min(1),
  inference_service: z.string().min(1).optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
});
export type EdslModel = z.infer<typeof EdslModel>;

export const EdslJobs = z.looseObject({
  survey: EdslSurvey,
  agents: z.array(EdslAgent).default([]),
  models: z.array(EdslModel).default([]),
  scenarios: z.array(EdslScenario).default([]),
  edsl_class_name: z.literal('Jobs').optional(),
});
export type EdslJobs = z.infer<typeof EdslJobs>;

/** The version written into what Fieldwork exports: the EDSL release whose format it follows. */
export const EXPORTED_EDSL_VERSION = '1.0.8';

/** A value that says "not set": EDSL writes unused options as null, false or empty. */
export function isUnset(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
