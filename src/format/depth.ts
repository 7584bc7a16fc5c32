// A cheap scan for flow nesting (`[[[[…` or `{{{{…`) before the YAML parser runs: the parser handles deep block
// nesting itself, but very deep flow nesting can exhaust memory inside it. Quoted text and comments are skipped.
// Brackets inside plain text can only make the count higher, never hide real nesting.
import { MAX_DEPTH } from './limits';

/** The offset where flow nesting first exceeds MAX_DEPTH, or -1. */
export function excessiveFlowNesting(text: string): number {
  let depth = 0;
  let previous = '\n';
  for (let at = 0; at < text.length; at++) {
    const char = text[at] as string;
    if (char === '#' && (previous === ' ' || previous === '\t' || previous === '\n')) {
      while (at < text.length && text[at] !== '\n') at++;
      previous = '\n';
      continue;
    }
    const startsScalar = previous === '\n' || ' \t:[{,-'.includes(previous);
    if ((char === '"' || char === "'") && startsScalar) {
      at = closingQuote(text, at, char);
      previous = char;
      continue;
    }
    if (char === '[' || char === '{') {
      depth++;
      if (depth > MAX_DEPTH) return at;
    } else if ((char === ']' || char === '}') && depth > 0) depth--;
    previous = char;
  }
  return -1;
}

/** The offset of the quote that closes the one at `start` (doubled single quotes and backslash escapes skipped). */
export function closingQuote(text: string, start: number, quote: string): number {
  for (let at = start + 1; at < text.length; at++) {
    const char = text[at];
    if (quote === '"' && char === '\\') at++;
    else if (char === quote) {
      if (quote === "'" && text[at + 1] === "'") at++;
      else return at;
    }
  }
  return text.length;
}
