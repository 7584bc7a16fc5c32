// The prompts of an eval: the task prompt over a sample, and a grader's rubric over a sample and its output.
// `{{ choices }}` renders as lettered options ("A) Paris" on its own line each); metadata keys are usable at the top
// level and under `metadata`. Templates are the same safe Liquid as surveys' (src/format/template.ts).

export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

export const DEFAULT_PROMPT = '{{ input }}';

export const DEFAULT_CHOICE_PROMPT = [
  'Answer the following multiple choice question. The last line of your response must be of the form "ANSWER: $LETTER" where LETTER is one of {{ letters }}.',
  '',
  '{{ input }}',
  '',
  '{{ choices }}',
].join('\n');

const GRADE_INSTRUCTIONS = (grades: string) =>
  `After assessing the submitted answer, reply with 'GRADE: $LETTER' (without quotes) where LETTER is one of ${grades}. ` +
  `Choose ONE grade: "C" for correct answers${grades.includes('P') ? ', "P" for partially correct answers' : ''}, or "I" for incorrect answers.\n\n` +
  'First, write out step by step your reasoning about the criterion, to be sure your conclusion is right. ' +
  "Then end with your grade on its own line, formatted as 'GRADE: $LETTER'.";

/** Inspect's model-graded QA rubric, in our template syntax. */
export function defaultRubric(partialCredit: boolean): string {
  return [
    'You are assessing a submitted answer on a given task based on a criterion. Here is the data:',
    '',
    '[BEGIN DATA]',
    '***',
    '[Task]: {{ input }}',
    '***',
    '[Submission]: {{ output }}',
    '***',
    '[Criterion]: {{ target }}',
    '***',
    '[END DATA]',
    '',
    'Does the submission meet the criterion?',
    '',
    GRADE_INSTRUCTIONS(partialCredit ? 'CPI' : 'CI'),
  ].join('\n');
}

/** "A) Paris\nB) Rome" */
export function letteredChoices(choices: readonly string[]): string {
  return choices.map((choice, index) => `${LETTERS[index]}) ${choice}`).join('\n');
}

/** Names a task prompt may use besides metadata keys. `target` is left out on purpose: the model must not see it. */
export const PROMPT_VARIABLES = ['input', 'choices', 'letters', 'id', 'metadata'];
/** Names a rubric may use besides metadata keys. */
export const RUBRIC_VARIABLES = ['input', 'choices', 'letters', 'id', 'metadata', 'output', 'target'];
