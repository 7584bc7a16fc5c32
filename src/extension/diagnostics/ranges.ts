// The core's 1-based line/column issues → 0-based ranges; an issue without an end covers the rest of its word.
import type { SpecIssue } from '../../format';

export interface ZeroBasedRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export function issueRange(issue: SpecIssue, lines: readonly string[]): ZeroBasedRange {
  const startLine = Math.max(0, issue.line - 1);
  const startCharacter = Math.max(0, issue.column - 1);
  if (issue.end_line !== undefined && issue.end_column !== undefined) {
    const endLine = Math.max(startLine, issue.end_line - 1);
    const endCharacter = issue.end_column - 1;
    if (endLine > startLine || endCharacter > startCharacter) return { startLine, startCharacter, endLine, endCharacter };
  }
  const text = lines[startLine] ?? '';
  const word = /^[^\s:,\]}]+/.exec(text.slice(startCharacter));
  const length = word ? word[0].length : Math.max(1, text.length - startCharacter);
  return { startLine, startCharacter, endLine: startLine, endCharacter: startCharacter + length };
}
