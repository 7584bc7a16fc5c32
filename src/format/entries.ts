// A cheap count of what a spec file holds, made before the YAML parser runs: the parser needs about 2 KB of memory
// and tens of microseconds per key or list item, so a file of 10 MB made of tiny entries (100,000 questions) would
// cost seconds and gigabytes to parse only to be refused. The scan reads each character once and keeps no copy.
//
// It counts upper bounds: a key is a `:` followed by a space or a line break (or right after a quoted key, as JSON
// writes them), a block list item is a `-` between whitespace, a flow item is a `,` or an opening bracket. Colons and
// dashes in plain text can only make the counts higher, never hide entries. Quoted text and comments are skipped,
// and measured: the parser needs some 30 bytes per character of a long double-quoted text.
import { closingQuote } from './depth';

export interface EntryScan {
  /** Offset where the entries passed `maxEntries`, or -1. */
  entriesOverAt: number;
  /** Keys named `question_name`: an upper bound on the questions a survey holds (each needs one). */
  questionNames: number;
  /** Offset of the `question_name` key that passed `maxQuestions`, or -1. */
  questionsOverAt: number;
  /** Offset of the first quoted text longer than `maxString` characters, or -1; its length is `longString`. */
  stringOverAt: number;
  longString: number;
}

const QUESTION_NAME = 'question_name';

export function scanEntries(text: string, limits: { maxEntries: number; maxQuestions: number; maxString?: number }): EntryScan {
  const maxString = limits.maxString ?? Infinity;
  let entries = 0;
  let questionNames = 0;
  let questionsOverAt = -1;
  let stringOverAt = -1;
  let longString = 0;
  let flowDepth = 0;
  let previous = '\n';
  for (let at = 0; at < text.length; at++) {
    const char = text[at] as string;
    if (char === '#' && (previous === ' ' || previous === '\t' || previous === '\n')) {
      while (at < text.length && text[at] !== '\n') at++;
      previous = '\n';
      continue;
    }
    if ((char === '"' || char === "'") && (previous === '\n' || ' \t:[{,-'.includes(previous))) {
      const end = closingQuote(text, at, char);
      if (end - at - 1 > maxString && stringOverAt < 0) {
        stringOverAt = at;
        longString = end - at - 1;
      }
      at = end;
      previous = char;
      continue;
    }
    let entry = false;
    if (char === ':') {
      const next = text[at + 1];
      if (next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r' || previous === '"' || previous === "'") {
        entry = true;
        if (isQuestionNameKey(text, at) && ++questionNames > limits.maxQuestions && questionsOverAt < 0) questionsOverAt = keyStart(text, at);
      }
    } else if (char === '-' && (previous === ' ' || previous === '\t' || previous === '\n')) {
      const next = text[at + 1];
      entry = next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    } else if (char === '[' || char === '{') {
      flowDepth++;
      entry = true;
    } else if ((char === ']' || char === '}') && flowDepth > 0) {
      flowDepth--;
    } else if (char === ',' && flowDepth > 0) {
      entry = true;
    }
    if (entry && ++entries > limits.maxEntries) return { entriesOverAt: at, questionNames, questionsOverAt, stringOverAt, longString };
    previous = char;
  }
  return { entriesOverAt: -1, questionNames, questionsOverAt, stringOverAt, longString };
}

/** Whether the key that ends just before the `:` at `colon` is `question_name`, bare or quoted. */
function isQuestionNameKey(text: string, colon: number): boolean {
  let end = colon;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  if (text[end - 1] === '"' || text[end - 1] === "'") end--;
  return end >= QUESTION_NAME.length && text.startsWith(QUESTION_NAME, end - QUESTION_NAME.length);
}

/** Where the key ending at `colon` starts, for the column. */
function keyStart(text: string, colon: number): number {
  let start = colon;
  while (start > 0 && !' \t\n{,'.includes(text[start - 1] as string)) start--;
  return start;
}

/** Whether a file is small enough in entries to parse at all (the best-effort readers use it to skip huge files). */
export function withinEntryBudget(text: string, maxEntries: number): boolean {
  return scanEntries(text, { maxEntries, maxQuestions: Infinity }).entriesOverAt < 0;
}
