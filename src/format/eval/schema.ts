// The eval file format: what a `*.eval.yaml` may contain (EvalFile), and the normalized EvalTask the server runs
// (defaults applied, the dataset loaded, shuffled and limited, models split into service and model).
// As for surveys, these zod schemas are the single source of truth: types are inferred, JSON Schema generated.
import { z } from 'zod';
import { ModelEntry, ModelSpec } from '../schema';

const Scalar = z.union([z.string(), z.number()]);

export const SampleEntry = z
  .strictObject({
    input: Scalar.meta({ description: 'What the model is asked; {{ input }} in the prompt template.' }),
    target: z
      .union([Scalar, z.array(Scalar)])
      .optional()
      .meta({ description: 'The right answer, or a list of acceptable ones. For choice questions: a letter (B) or the option text.' }),
    id: Scalar.optional().meta({ description: 'Stable id; generated from the content when absent.' }),
    choices: z.array(Scalar).optional().meta({ description: 'Options of a multiple-choice sample, shown lettered A, B, C…' }),
    metadata: z.record(z.string(), z.unknown()).optional().meta({ description: 'Extra values, usable in templates.' }),
  })
  .meta({ description: 'One sample.' });

/** A dataset file path, relative to the eval file. */
export const DatasetFilePath = z
  .string()
  .regex(/\.(csv|jsonl|CSV|JSONL)$/, { error: 'a dataset file must be a .csv or .jsonl file' })
  .meta({ description: 'A .csv (header row) or .jsonl file of samples, relative to this eval file.' });

const FieldName = z.string().min(1);

export const FieldMapping = z
  .strictObject({
    input: FieldName.optional().meta({ description: 'Column holding the input. Default: input.' }),
    target: z
      .union([FieldName, z.array(FieldName).min(1)])
      .optional()
      .meta({ description: 'Column(s) holding acceptable targets. Default: target.' }),
    id: FieldName.optional().meta({ description: 'Column holding a stable id. Default: id, when present.' }),
    choices: z
      .union([FieldName, z.array(FieldName).min(2)])
      .optional()
      .meta({ description: 'A column holding a list (JSONL), or the columns holding the options (CSV). Default: choices, when present.' }),
    metadata: z.array(FieldName).optional().meta({ description: 'Columns kept as metadata. Default: every column not mapped above.' }),
  })
  .meta({ description: "Which of the file's columns (CSV) or keys (JSONL) become the sample's fields." });

export const DatasetSpec = z
  .strictObject({
    samples: z.array(SampleEntry).min(1, { error: 'samples is empty; add a sample' }).optional(),
    file: DatasetFilePath.optional(),
    fields: FieldMapping.optional(),
    limit: z.int().min(1).optional().meta({ description: 'Use only the first N samples (after shuffling).' }),
    shuffle: z.boolean().default(false).meta({ description: 'Shuffle the samples (repeatably, with seed).' }),
    seed: z.int().default(0).meta({ description: 'Seed of the shuffle: the same seed gives the same order.' }),
  })
  .meta({ description: 'Inline samples or a file, with optional field mapping, limit and shuffle.' });

export const REDUCERS = ['mean', 'mode', 'max', 'pass_at_k'] as const;
export const Reducer = z.enum(REDUCERS);
export type Reducer = z.infer<typeof Reducer>;

export const EpochsSpec = z.union([
  z.int().min(1).max(100).meta({ description: 'How often each sample runs per model; scores are reduced with the mean.' }),
  z.strictObject({
    count: z.int().min(1).max(100),
    reducer: Reducer.default('mean').meta({ description: 'How the epochs of one sample combine into its score.' }),
    k: z.int().min(1).optional().meta({ description: 'pass_at_k: the k (default: count).' }),
  }),
]);

const name = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'a scorer name is letters, digits, _ and -' })
  .optional()
  .meta({ description: 'Name in results and metrics; defaults to the type. Needed when a type appears twice.' });
const ignoreCase = z.boolean().default(true).meta({ description: 'Compare without regard to case.' });

export const SCORER_TYPES = ['exact', 'includes', 'match', 'pattern', 'choice', 'f1', 'model_graded', 'log_probability', 'embedding'] as const;
export type ScorerType = (typeof SCORER_TYPES)[number];
/** Scorers that need no options, so `- exact` is enough. */
export const SHORTHAND_SCORERS = ['exact', 'includes', 'match', 'choice', 'f1', 'model_graded'] as const;

export const SCORER_SCHEMAS = {
  exact: z.strictObject({ type: z.literal('exact'), name, ignore_case: ignoreCase }).meta({
    description: 'The output equals a target, after trimming whitespace and trailing punctuation.',
  }),
  includes: z.strictObject({ type: z.literal('includes'), name, ignore_case: ignoreCase }).meta({
    description: 'The output contains a target.',
  }),
  match: z
    .strictObject({
      type: z.literal('match'),
      name,
      location: z.enum(['begin', 'end', 'any', 'exact']).default('end').meta({ description: 'Where in the output the target must be.' }),
      ignore_case: ignoreCase,
      numeric: z.boolean().default(false).meta({ description: 'Compare numbers: "42 km", "1,000" and "3.0" read as numbers.' }),
      tolerance: z.number().nonnegative().default(0).meta({ description: 'numeric: the largest absolute difference still counted right.' }),
    })
    .meta({ description: 'The target at the beginning, end or anywhere in the output, as text or as a number.' }),
  pattern: z
    .strictObject({
      type: z.literal('pattern'),
      name,
      regex: z.string().min(1).meta({ description: 'A regular expression; its capture group is the answer.' }),
      group: z.int().min(0).default(1).meta({ description: 'The capture group that holds the answer (0: the whole match).' }),
      ignore_case: ignoreCase,
    })
    .meta({ description: 'Extracts the answer with a regular expression and compares it with the targets.' }),
  choice: z.strictObject({ type: z.literal('choice'), name }).meta({
    description: 'The letter the output chose ("ANSWER: B" or a lone letter) is the target\'s letter.',
  }),
  f1: z.strictObject({ type: z.literal('f1'), name }).meta({
    description: 'Word-overlap F1 of output and target (best over targets), after normalizing.',
  }),
  model_graded: z
    .strictObject({
      type: z.literal('model_graded'),
      name,
      model: ModelEntry.optional().meta({ description: 'The grader; defaults to the model being evaluated.' }),
      rubric: z.string().min(1).optional().meta({
        description: 'Grader prompt template: {{ input }}, {{ output }}, {{ target }}, {{ choices }}, metadata. Must ask for "GRADE: C" or "GRADE: I".',
      }),
      partial_credit: z.boolean().default(false).meta({ description: 'Allow GRADE: P, worth 0.5.' }),
    })
    .meta({ description: 'A grader model judges the output against the target; its reasoning is kept as the explanation.' }),
  log_probability: z
    .strictObject({
      type: z.literal('log_probability'),
      name,
      measure: z
        .enum(['log_probability', 'perplexity', 'correct_greedy'])
        .default('log_probability')
        .meta({ description: 'log P(target | prompt), per-character log perplexity, or whether greedy decoding gives the target.' }),
    })
    .meta({ description: "Scores the target's likelihood with the provider's evaluate endpoint (e.g. Aleph Alpha)." }),
  embedding: z
    .strictObject({
      type: z.literal('embedding'),
      name,
      model: z.string().min(1).meta({ description: 'The embedding model, "service/model", e.g. aleph-alpha/luminous-base.' }),
      threshold: z.number().min(-1).max(1).default(0.8).meta({ description: 'Cosine similarity at or above which the output is right.' }),
    })
    .meta({ description: 'Cosine similarity of the embeddings of output and target, against a threshold.' }),
} as const;

export const ScorerEntry = z.union([
  z.enum(SHORTHAND_SCORERS).meta({ description: 'A scorer with its default options.' }),
  z.discriminatedUnion('type', [
    SCORER_SCHEMAS.exact,
    SCORER_SCHEMAS.includes,
    SCORER_SCHEMAS.match,
    SCORER_SCHEMAS.pattern,
    SCORER_SCHEMAS.choice,
    SCORER_SCHEMAS.f1,
    SCORER_SCHEMAS.model_graded,
    SCORER_SCHEMAS.log_probability,
    SCORER_SCHEMAS.embedding,
  ]),
]);

export const EvalFile = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1).optional().meta({ description: 'Defaults to the file name.' }),
    description: z.string().optional(),
    dataset: z.union([z.array(SampleEntry).min(1, { error: 'dataset is empty; add a sample' }), DatasetFilePath, DatasetSpec]),
    prompt: z
      .union([
        z.string().min(1).meta({ description: 'The prompt template.' }),
        z.strictObject({
          template: z.string().min(1).optional().meta({ description: 'Over the sample: {{ input }}, {{ choices }} (lettered), {{ id }}, metadata.' }),
          system: z.string().optional().meta({ description: 'The system prompt.' }),
        }),
      ])
      .optional()
      .meta({ description: 'Default: the input, followed by the lettered choices and how to answer when the sample has choices.' }),
    models: z
      .array(ModelEntry)
      .min(1, { error: 'models is empty; add a model (e.g. test) or remove `models:`' })
      .optional()
      .meta({ description: 'Default: ["test"], the built-in offline model.' }),
    epochs: EpochsSpec.default(1),
    scorers: z.array(ScorerEntry).min(1, { error: 'scorers is empty; add a scorer, e.g. exact' }),
    fresh: z.boolean().default(false).meta({ description: "Bypass the server's cache of model calls." }),
  })
  .meta({ title: 'Fieldwork eval', description: 'An eval: samples × a prompt × models, scored into metrics.' });
export type EvalFile = z.input<typeof EvalFile>;

export const Sample = z.object({
  id: z.string(),
  input: z.string(),
  /** Acceptable answers; empty when the sample has none (a rubric may not need one). */
  target: z.array(z.string()),
  choices: z.array(z.string()).nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type Sample = z.infer<typeof Sample>;

type Normalized<T extends keyof typeof SCORER_SCHEMAS> = Omit<z.output<(typeof SCORER_SCHEMAS)[T]>, 'name'> & { name: string };
export type ExactScorer = Normalized<'exact'>;
export type IncludesScorer = Normalized<'includes'>;
export type MatchScorer = Normalized<'match'>;
export type PatternScorer = Normalized<'pattern'>;
export type ChoiceScorer = Normalized<'choice'>;
export type F1Scorer = Normalized<'f1'>;
export type ModelGradedScorer = Omit<Normalized<'model_graded'>, 'model' | 'rubric'> & { model: ModelSpec | null; rubric: string };
export type LogProbabilityScorer = Normalized<'log_probability'>;
export type EmbeddingScorer = Omit<Normalized<'embedding'>, 'model'> & { model: ModelSpec };
export type ScorerSpec =
  ExactScorer | IncludesScorer | MatchScorer | PatternScorer | ChoiceScorer | F1Scorer | ModelGradedScorer | LogProbabilityScorer | EmbeddingScorer;

export interface Epochs {
  count: number;
  reducer: Reducer;
  /** pass_at_k's k; equals count for other reducers. */
  k: number;
}

export interface EvalTask {
  name: string;
  description: string | null;
  samples: Sample[];
  prompt: { template: string; system: string };
  models: ModelSpec[];
  epochs: Epochs;
  scorers: ScorerSpec[];
  fresh: boolean;
}
