// A question text that could not be rendered for one interview — a render limit, most often: a loop too long, an
// output too large. It is a problem with the survey file, so it is said as one: at the template's line and column
// when the survey's places are known, with the interview it happened in and what to do.
import type { SpecIssue } from './issues';
import { TEMPLATE_MEMORY, TEMPLATE_RENDER_MS } from './limits';
import { placeAt, type ValuePlace } from './positions';

/** Where each question's text starts in the survey file (null: not written as text), for issues found after parsing. */
export interface TemplatePlaces {
  file: string;
  questionText: (ValuePlace | null)[];
}

export interface RenderContext {
  question: number;
  questionName: string;
  scenarioIndex: number;
  agentIndex: number;
}

export class QuestionRenderError extends Error {
  /** The problem as a spec issue, when the places are known. */
  readonly issue: SpecIssue | null;

  constructor(
    readonly context: RenderContext,
    /** Offset in the question text, or -1. */
    readonly offset: number,
    readonly reason: string,
    places: TemplatePlaces | null,
  ) {
    const what = `question "${context.questionName}": question_text could not be rendered for scenario ${context.scenarioIndex + 1}, agent ${context.agentIndex + 1}: ${reason}. ${advice(reason)}`;
    const place = places?.questionText[context.question];
    const at = place ? placeAt(place, offset) : null;
    super(at && places ? `${places.file}:${at.line}:${at.column} ${what}` : what);
    this.name = 'QuestionRenderError';
    this.issue =
      at && places ? { file: places.file, line: at.line, column: at.column, path: ['questions', context.question, 'question_text'], message: what } : null;
  }
}

function advice(reason: string): string {
  if (/render limit/.test(reason)) return `A question text may take at most ${TEMPLATE_RENDER_MS} ms to render: make its loops shorter`;
  if (/memory/.test(reason))
    return `A question text may build at most ${TEMPLATE_MEMORY.toLocaleString('en-US')} characters and list items while it renders: make its loops shorter`;
  if (/parse/.test(reason)) return 'Make the question text shorter';
  return 'Fix the template';
}
