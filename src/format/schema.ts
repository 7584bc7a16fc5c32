// The survey file format: what a `*.survey.yaml` may contain (SurveyFile), and the normalized Survey the rest of
// Fieldwork works with (defaults applied, scenario files loaded, models split into service and model).
// These zod schemas are the single source of truth: types are inferred from them, JSON Schema generated from them.
import { z } from 'zod';
import { MemorySetting, Question } from './question-types';

const Traits = z.record(z.string(), z.unknown());

export const AgentEntry = z.strictObject({
  name: z.string().min(1).optional().meta({ description: 'Shown in results.' }),
  traits: Traits.default(() => ({})).meta({ description: 'The persona, e.g. {age: 34, city: Lisbon}; shown in the system prompt.' }),
  instruction: z.string().optional().meta({ description: 'Replaces the default system prompt instruction.' }),
});

const Parameter = z.union([z.number(), z.string(), z.boolean()]);

/** Model parameters with known meaning; others pass through to the service. */
export const KNOWN_MODEL_PARAMETERS = {
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  seed: z.int().optional(),
  latency_ms: z.number().nonnegative().optional().meta({ description: 'test model: simulated latency per call.' }),
  failure_rate: z.number().min(0).max(1).optional().meta({ description: 'test model: share of calls that fail.' }),
};

export const ModelEntry = z.union([
  z.string().min(1).meta({ description: '"test" or "service/model", e.g. "openai/gpt-4o-mini".' }),
  z
    .object({
      model: z.string().min(1).meta({ description: '"test" or "service/model".' }),
      name: z.string().min(1).optional().meta({ description: 'Label in results; needed when one model appears twice.' }),
      ...KNOWN_MODEL_PARAMETERS,
    })
    .catchall(Parameter),
]);

/** A scenario file path, relative to the survey file. */
export const ScenarioFilePath = z
  .string()
  .regex(/\.(csv|jsonl|CSV|JSONL)$/, { error: 'a scenarios file must be a .csv or .jsonl file' })
  .meta({ description: 'A .csv (header row) or .jsonl file of scenarios, relative to this survey file.' });

export const ScenarioEntry = z.record(z.string(), z.unknown());

export const SurveyFile = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1).optional().meta({ description: 'Defaults to the file name.' }),
    description: z.string().optional(),
    iterations: z.int().min(1).max(10_000).default(1).meta({ description: 'How often each interview runs.' }),
    memory: z.enum(['none', 'all']).default('none').meta({ description: 'Whether prompts show earlier questions and answers; a question may override it.' }),
    fresh: z.boolean().default(false).meta({ description: "Bypass the server's cache of model calls." }),
    agents: z.array(AgentEntry).min(1, { error: 'agents is empty; add an agent or remove `agents:`' }).optional(),
    scenarios: z.union([z.array(ScenarioEntry).min(1, { error: 'scenarios is empty; add a scenario or remove `scenarios:`' }), ScenarioFilePath]).optional(),
    models: z
      .array(ModelEntry)
      .min(1, { error: 'models is empty; add a model (e.g. test) or remove `models:`' })
      .optional()
      .meta({ description: 'Default: ["test"], the built-in offline model.' }),
    questions: z.array(Question).min(1, { error: 'questions is empty; add at least one question' }),
  })
  .meta({ title: 'Fieldwork survey', description: 'A survey: questions asked of agents about scenarios by models.' });
export type SurveyFile = z.input<typeof SurveyFile>;

export const Agent = z.object({
  name: z.string().nullable(),
  traits: Traits,
  instruction: z.string().nullable(),
});
export type Agent = z.infer<typeof Agent>;

export const Scenario = z.record(z.string(), z.unknown());
export type Scenario = z.infer<typeof Scenario>;

export const ModelSpec = z.object({
  /** The name in results: the `name:` given, else the model string as written. */
  label: z.string(),
  service: z.string(),
  model: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
export type ModelSpec = z.infer<typeof ModelSpec>;

export const Survey = z.object({
  name: z.string(),
  description: z.string().nullable(),
  questions: z.array(Question),
  agents: z.array(Agent),
  scenarios: z.array(Scenario),
  models: z.array(ModelSpec),
  iterations: z.int().min(1),
  fresh: z.boolean(),
  memory: z.enum(['none', 'all']),
});
export type Survey = z.infer<typeof Survey>;

export { MemorySetting };
