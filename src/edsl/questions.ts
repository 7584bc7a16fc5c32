// Questions between EDSL and Fieldwork. Both speak the same vocabulary (question_name, question_text, question_type
// and the type's fields), so a question crosses as it is; what differs is which types exist and a few EDSL options.
import { fieldsOf, QUESTION_TYPES, type QuestionType } from '../format/question-types';
import type { Question } from '../format';
import { EDSL_BOOKKEEPING, EXPORTED_EDSL_VERSION, isUnset, type EdslQuestion } from './objects';

/** EDSL question types Fieldwork cannot run, and why, in words that suggest what to use instead. */
const REFUSED_TYPES: Record<string, string> = {
  functional: 'it answers by running Python code from the survey, and a Fieldwork server never runs submitted code',
  compute: 'it computes its answer from a template without asking a model; put the value in a scenario instead',
  multiple_choice_with_other: 'the model may answer outside the options; use multiple_choice with an "Other" option, or free_text',
  checkbox_with_other: 'the model may answer outside the options; use checkbox with an "Other" option',
  matrix: 'it asks several items in one question; ask one linear_scale or multiple_choice question per item',
  dict: 'its answer is a dictionary of typed values; use extract with an answer_template',
  dropdown: 'it shows the model a sample of its options (max_options_shown); use multiple_choice',
  demand: 'its answer is a quantity for each price; ask one numerical question per price',
  random: 'its answer is a random number drawn without a model',
  interview: 'it runs a conversation of several turns, and a Fieldwork question is one call',
  file_upload: 'it asks for a file, which a model cannot give',
  edsl_object: 'its answer is an EDSL object, which Fieldwork does not build',
  pydantic: 'its answer is checked against a Python (pydantic) model; use extract with an answer_template',
  thinking: 'it names its own model and system prompt; put the model in the job and use free_text',
  image_generation: 'it generates an image; Fieldwork questions are answered with text',
  diagram: 'it renders a diagram; Fieldwork questions are answered with text',
  markdown: 'its answer is rendered Markdown; use free_text',
};

/**
 * EDSL options that change nothing about what a model is asked or what counts as an answer here. `use_code` asks
 * EDSL to number the options in the prompt; Fieldwork's prompts always show the options as text.
 */
const IGNORED_OPTIONS = new Set(['use_code']);

/** Where Fieldwork's rules and memory live on a question; the survey's rule collection and memory plan set them. */
const FIELDWORK_ONLY = new Set(['skip_if', 'stop_if', 'memory']);

export type QuestionImport = { ok: true; question: Record<string, unknown> } | { ok: false; reason: string };

export function importQuestion(edsl: EdslQuestion): QuestionImport {
  const type = edsl.question_type;
  const refused = REFUSED_TYPES[type];
  if (refused) return { ok: false, reason: `question "${edsl.question_name}" is of type ${type}, which Fieldwork cannot run: ${refused}.` };
  if (!(QUESTION_TYPES as string[]).includes(type)) {
    return {
      ok: false,
      reason: `question "${edsl.question_name}" is of type ${type}, which Fieldwork does not know; it runs ${QUESTION_TYPES.join(', ')}.`,
    };
  }
  const fields = new Set(fieldsOf(type as QuestionType).filter((field) => !FIELDWORK_ONLY.has(field)));
  const question: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(edsl)) {
    if (EDSL_BOOKKEEPING.has(key) || IGNORED_OPTIONS.has(key)) continue;
    if (fields.has(key)) {
      if (value !== null) question[key] = value;
    } else if (!isUnset(value)) {
      unknown.push(key);
    }
  }
  if (unknown.length > 0) {
    return {
      ok: false,
      reason: `question "${edsl.question_name}" (${type}) sets ${unknown.map((key) => `"${key}"`).join(', ')}, which Fieldwork cannot honour; remove ${unknown.length === 1 ? 'it' : 'them'} to run the question here.`,
    };
  }
  return { ok: true, question };
}

/** A Fieldwork question as EDSL writes it (QuestionBase.to_dict): its rules and memory go to the survey's. */
export function exportQuestion(question: Question): Record<string, unknown> {
  const edsl: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(question)) {
    if (FIELDWORK_ONLY.has(key) || value === undefined) continue;
    // EDSL's free_text has no comment field (its answer is the whole reply).
    if (key === 'include_comment' && question.question_type === 'free_text') continue;
    edsl[key] = value;
  }
  return { ...edsl, edsl_version: EXPORTED_EDSL_VERSION, edsl_class_name: 'QuestionBase' };
}
