// Prompts in EDSL's words. The system prompt is the agent: its instruction, then its traits.
// The user prompt is the question text (rendered), its options or bounds, the earlier questions and answers
// its memory shows, then the type's instructions on how to answer (answer first, comment on the next line).
import type { PromptImage } from './images';
import type { Agent } from './schema';
import type { Question } from './question-types';
import { renderValue } from './template';

export const DEFAULT_AGENT_INSTRUCTION = 'You are answering questions as if you were a human. Do not break character.';

export interface Prompts {
  system: string;
  user: string;
  /** Images the user prompt shows, in the order its text numbers them ("[image 1]"); absent when none. */
  images?: readonly PromptImage[] | undefined;
}

export function systemPrompt(agent: Agent): string {
  const instruction = agent.instruction ?? DEFAULT_AGENT_INSTRUCTION;
  return Object.keys(agent.traits).length === 0 ? instruction : `${instruction}\nYour traits: ${JSON.stringify(agent.traits)}`;
}

/** What follows the question text: its options, scale or bounds. Fixed per question. */
export function presentation(question: Question): string {
  switch (question.question_type) {
    case 'multiple_choice':
    case 'yes_no':
    case 'likert_five':
    case 'rank':
    case 'budget':
      return question.question_options.join('\n');
    case 'checkbox':
    case 'top_k':
      return [question.question_options.join('\n'), selectionBounds(question.min_selections, question.max_selections)].filter(Boolean).join('\n\n');
    case 'linear_scale':
      return question.question_options
        .map((option) => {
          const label = question.option_labels?.[String(option)];
          return label === undefined ? String(option) : `${option} : ${label}`;
        })
        .join('\n');
    case 'numerical':
      return [
        question.min_value != null ? `Minimum answer value: ${question.min_value}` : '',
        question.max_value != null ? `Maximum answer value: ${question.max_value}` : '',
      ]
        .filter(Boolean)
        .join('\n');
    case 'free_text':
    case 'list':
    case 'extract':
      return '';
  }
}

function selectionBounds(min: number | null | undefined, max: number | null | undefined): string {
  if (min != null && max != null && min === max) return `You must select exactly ${min} options.`;
  return [
    min != null ? `Minimum number of options that must be selected: ${min}.` : '',
    max != null ? `Maximum number of options that must be selected: ${max}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

const COMMENT_ON_CHOICE = 'After the answer, you can put a comment explaining why you chose that option on the next line.';
const COMMENT_ON_ANSWER = 'After the answer, you can put a comment explaining your choice on the next line.';

/** How to answer, for the question's type (or its own `answering_instructions`). Fixed per question. */
export function answeringInstructions(question: Question): string {
  if (question.answering_instructions !== undefined) return question.answering_instructions;
  const comment = (text: string) => (question.include_comment ? text : '');
  const lines = (...parts: string[]) => parts.filter(Boolean).join('\n');
  switch (question.question_type) {
    case 'free_text':
      return '';
    case 'multiple_choice':
    case 'yes_no':
    case 'likert_five':
      return lines('Only 1 option may be selected.', 'Respond only with a string corresponding to one of the options.', comment(COMMENT_ON_CHOICE));
    case 'linear_scale': {
      const first = question.question_options[0];
      const last = question.question_options[question.question_options.length - 1];
      return lines(
        'Only 1 option may be selected.',
        `Respond only with the code corresponding to one of the options. E.g., "${first}" or "${last}" by itself.`,
        comment(COMMENT_ON_CHOICE),
      );
    }
    case 'numerical':
      return lines(
        'This question requires a numerical response in the form of an integer or decimal (e.g., -12, 0, 1, 2, 3.45, ...).',
        'Respond with just your number on a single line.',
        "If your response is equivalent to zero, report '0'",
        comment('After the answer, put a comment explaining your choice on the next line.'),
      );
    case 'checkbox':
    case 'top_k':
      return lines(
        'Please respond only with a comma-separated list of the options selected, with square brackets. E.g., ["Good", "Bad"].',
        comment(COMMENT_ON_ANSWER),
      );
    case 'list':
      return lines(
        'Your answer should be only a valid JSON list of items, with square brackets. E.g., ["item1", "item2"].',
        question.min_list_items != null ? `The list must contain at least ${question.min_list_items} items.` : '',
        question.max_list_items != null ? `The list must not contain more than ${question.max_list_items} items.` : '',
        comment(COMMENT_ON_ANSWER),
      );
    case 'rank': {
      const count = question.num_selections ?? question.question_options.length;
      return lines(
        'Rank the options above, from most to least preferred.',
        'Respond only with a comma-separated list of the ranked options, with square brackets. E.g., ["Best", "Good", "Worst"].',
        `You must include exactly ${count} options.`,
        comment(COMMENT_ON_ANSWER),
      );
    }
    case 'budget':
      return lines(
        `Distribute a total of ${question.budget_sum} among the options above.`,
        'Respond only with a JSON object that maps each option to its amount, e.g. {"Option A": 60, "Option B": 40}.',
        `The amounts must add up to exactly ${question.budget_sum}; give 0 to an option you would not fund.`,
        comment('After the answer, you can put a comment explaining your allocation on the next line.'),
      );
    case 'extract':
      return lines(
        `Respond only with a JSON object with these fields, filled in from the text above. The format is: ${JSON.stringify(question.answer_template)}`,
        comment(COMMENT_ON_ANSWER),
      );
  }
}

export interface RememberedAnswer {
  question_text: string;
  answer: unknown;
}

/** EDSL's "prior question memory" block; empty when there is nothing to remember. */
export function memoryBlock(remembered: readonly RememberedAnswer[]): string {
  if (remembered.length === 0) return '';
  let block = 'Before the question you are now answering, you already answered the following question(s):';
  for (const { question_text, answer } of remembered) {
    block += `\n\tQuestion: ${question_text}\n\tAnswer: ${renderValue(answer)}`;
  }
  return block;
}

/** The user prompt from its parts; empty parts leave no gap. */
export function userPrompt(text: string, shown: string, memory: string, instructions: string): string {
  let prompt = text;
  if (shown) prompt += `\n\n${shown}`;
  if (memory) prompt += `\n\n${memory}`;
  if (instructions) prompt += `\n\n${instructions}`;
  return prompt;
}
