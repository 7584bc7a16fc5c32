// The question types, in EDSL's vocabulary: one strict zod schema per `question_type`.
// Fields, defaults and bounds follow EDSL (github.com/expectedparrot/edsl) so its users feel at home.
import { z } from 'zod';
import { looseKey } from './answer-text';

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names a question may not take: they already mean something in templates (`{{ scenario.x }}`, `{{ agent.x }}`)
 * and rules, or are words of the rule language (CEL) or the template language (Liquid).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'scenario',
  'agent',
  'true',
  'false',
  'null',
  'nil',
  'empty',
  'blank',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
  'int',
  'uint',
  'double',
  'string',
  'bool',
  'bytes',
  'list',
  'map',
  'type',
  'null_type',
  'cel',
]);

export const LIKERT_FIVE_OPTIONS = ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'];
export const YES_NO_OPTIONS = ['Yes', 'No'];

const QuestionName = z
  .string()
  .regex(IDENTIFIER, {
    error: 'question_name must start with a letter or _ and use only letters, digits and _ (it is used as a variable name)',
  })
  .refine((name) => !RESERVED_NAMES.has(name), {
    error: (issue) => `question_name "${String(issue.input)}" is a reserved word in templates and rules; choose another name`,
  })
  .meta({ description: 'Identifier of the question: used in results, templates ({{ name.answer }}) and rules.' });

/** Which earlier answers a question's prompt shows: none, all, or the named questions. */
export const MemorySetting = z
  .union([z.enum(['none', 'all']), z.array(z.string().regex(IDENTIFIER, { error: 'memory lists question names' }))])
  .meta({ description: 'Earlier questions and answers shown in this prompt: none, all, or a list of question names.' });
export type MemorySetting = z.infer<typeof MemorySetting>;

const Option = z.union([z.string().regex(/^[^\r\n]+$/, { error: 'an option must be one line of text, not empty' }), z.number()]);

/** Options must be distinct as answers are matched: ignoring case and spacing. */
function distinctOptions<T extends z.ZodType<(string | number)[]>>(schema: T): T {
  return schema.superRefine((options, ctx) => {
    const seen = new Map<string, number>();
    options.forEach((option, index) => {
      const key = looseKey(String(option));
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `option ${JSON.stringify(option)} repeats option ${first + 1} (options must differ, ignoring case); remove or rename it`,
        });
    });
  }) as T;
}

const options = (minimum: number) =>
  distinctOptions(
    z.array(Option).min(minimum, {
      error: `question_options needs at least ${minimum} options`,
    }),
  ).meta({ description: 'The options the answer is chosen from.' });

const Count = z.int().nonnegative().nullable().optional();

const common = {
  question_name: QuestionName,
  question_text: z
    .string()
    .min(1, { error: 'question_text is empty; write the question' })
    .meta({ description: 'The question. May use {{ scenario_key }}, {{ agent.trait }} and {{ earlier_question.answer }}.' }),
  include_comment: z.boolean().default(true).meta({ description: 'Ask for a comment on the line after the answer.' }),
  skip_if: z.string().optional().meta({ description: 'Skip this question when true, e.g. "drinks.answer == \'No\'". May use earlier questions only.' }),
  stop_if: z.string().optional().meta({ description: 'End the interview after this question when true. May use this and earlier questions.' }),
  memory: MemorySetting.optional(),
  answering_instructions: z.string().optional().meta({ description: "Replaces the type's default instructions on how to answer." }),
};

type Bounded = { [key: string]: unknown };

/** A check that `low <= high` when both are set, reported on `lowKey` with the fix. */
function ordered(lowKey: string, highKey: string) {
  return (question: Bounded, ctx: z.RefinementCtx) => {
    const low = question[lowKey];
    const high = question[highKey];
    if (typeof low === 'number' && typeof high === 'number' && low > high) {
      ctx.addIssue({
        code: 'custom',
        path: [lowKey],
        message: `${lowKey} (${low}) is greater than ${highKey} (${high}); no answer could satisfy both. Lower ${lowKey} or raise ${highKey}`,
      });
    }
  };
}

/** A check that a count field is at most the number of options. */
function atMostOptions(key: string) {
  return (question: Bounded, ctx: z.RefinementCtx) => {
    const count = question[key];
    const optionCount = Array.isArray(question['question_options']) ? question['question_options'].length : 0;
    if (typeof count === 'number' && count > optionCount) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${key} (${count}) is more than the ${optionCount} options; use at most ${optionCount} or add options`,
      });
    }
  };
}

export const FreeTextQuestion = z.strictObject({ ...common, question_type: z.literal('free_text') });

export const MultipleChoiceQuestion = z.strictObject({
  ...common,
  question_type: z.literal('multiple_choice'),
  question_options: options(2),
});

export const CheckboxQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('checkbox'),
    question_options: options(2),
    min_selections: Count,
    max_selections: Count,
  })
  .superRefine(ordered('min_selections', 'max_selections'))
  .superRefine(atMostOptions('min_selections'))
  .superRefine(atMostOptions('max_selections'));

export const LinearScaleQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('linear_scale'),
    question_options: distinctOptions(
      z.array(z.int({ error: 'linear_scale options must be whole numbers, e.g. [1, 2, 3, 4, 5]' })).min(2, {
        error: 'question_options needs at least 2 points on the scale, e.g. [1, 2, 3, 4, 5]',
      }),
    ),
    option_labels: z.record(z.string(), z.string()).optional().meta({ description: 'Labels for some scale points, e.g. {1: "Not at all", 5: "Very much"}.' }),
  })
  .superRefine((question, ctx) => {
    for (const key of Object.keys(question.option_labels ?? {})) {
      if (!question.question_options.some((option) => String(option) === key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['option_labels', key],
          message: `option_labels has a label for ${key}, which is not one of the question_options (${question.question_options.join(', ')})`,
        });
      }
    }
  });

export const NumericalQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('numerical'),
    min_value: z.number().nullable().optional(),
    max_value: z.number().nullable().optional(),
  })
  .superRefine(ordered('min_value', 'max_value'));

export const YesNoQuestion = z.strictObject({
  ...common,
  question_type: z.literal('yes_no'),
  question_options: options(2).default(() => [...YES_NO_OPTIONS]),
});

export const LikertFiveQuestion = z.strictObject({
  ...common,
  question_type: z.literal('likert_five'),
  question_options: options(2).default(() => [...LIKERT_FIVE_OPTIONS]),
});

export const ListQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('list'),
    min_list_items: Count,
    max_list_items: Count,
  })
  .superRefine(ordered('min_list_items', 'max_list_items'));

export const RankQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('rank'),
    question_options: options(2),
    num_selections: z.int().positive().nullable().optional().meta({ description: 'How many options to rank (default: all of them).' }),
  })
  .superRefine(atMostOptions('num_selections'));

export const BudgetQuestion = z.strictObject({
  ...common,
  question_type: z.literal('budget'),
  question_options: options(2),
  budget_sum: z.number().positive().meta({ description: 'The total to distribute among the options.' }),
});

export const ExtractQuestion = z.strictObject({
  ...common,
  question_type: z.literal('extract'),
  answer_template: z
    .record(z.string(), z.unknown())
    .refine((template) => Object.keys(template).length > 0, { error: 'answer_template needs at least one field' })
    .meta({ description: 'The fields to extract, with example values, e.g. {name: "John", age: 30}.' }),
});

export const TopKQuestion = z
  .strictObject({
    ...common,
    question_type: z.literal('top_k'),
    question_options: options(2),
    min_selections: Count,
    max_selections: Count,
  })
  .superRefine(ordered('min_selections', 'max_selections'))
  .superRefine(atMostOptions('min_selections'))
  .superRefine(atMostOptions('max_selections'));

export const QUESTION_SCHEMAS = {
  free_text: FreeTextQuestion,
  multiple_choice: MultipleChoiceQuestion,
  checkbox: CheckboxQuestion,
  linear_scale: LinearScaleQuestion,
  numerical: NumericalQuestion,
  yes_no: YesNoQuestion,
  likert_five: LikertFiveQuestion,
  list: ListQuestion,
  rank: RankQuestion,
  budget: BudgetQuestion,
  extract: ExtractQuestion,
  top_k: TopKQuestion,
} as const;

export type QuestionType = keyof typeof QUESTION_SCHEMAS;
export const QUESTION_TYPES = Object.keys(QUESTION_SCHEMAS) as QuestionType[];

export const Question = z.discriminatedUnion('question_type', [
  FreeTextQuestion,
  MultipleChoiceQuestion,
  CheckboxQuestion,
  LinearScaleQuestion,
  NumericalQuestion,
  YesNoQuestion,
  LikertFiveQuestion,
  ListQuestion,
  RankQuestion,
  BudgetQuestion,
  ExtractQuestion,
  TopKQuestion,
]);
export type Question = z.infer<typeof Question>;
export type QuestionOf<T extends QuestionType> = Extract<Question, { question_type: T }>;

/** Every field any question type has: to tell "not a field of this type" from "no such field". */
export const ALL_QUESTION_FIELDS: ReadonlySet<string> = new Set(Object.values(QUESTION_SCHEMAS).flatMap((schema) => Object.keys(shapeOf(schema))));

/** The fields of one question type. */
export function fieldsOf(type: QuestionType): string[] {
  return Object.keys(shapeOf(QUESTION_SCHEMAS[type]));
}

function shapeOf(schema: z.ZodType): Record<string, unknown> {
  return (schema as unknown as { shape: Record<string, unknown> }).shape;
}
