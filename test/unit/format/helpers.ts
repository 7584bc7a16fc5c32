// Shared by the spec tests: parse a survey from text, and read its issues.
import assert from 'node:assert/strict';
import { CompiledSurvey, formatIssue, parseSurvey, type SpecIssue, type Survey } from '../../../src/format';

export function parseText(text: string, files: Record<string, string> = {}, name = 'test.survey.yaml') {
  return parseSurvey({ name, text }, (path) => (Object.hasOwn(files, path) ? files[path] : undefined));
}

export function survey(text: string, files: Record<string, string> = {}): Survey {
  const result = parseText(text, files);
  if (!result.ok) assert.fail(`expected the survey to parse, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.value;
}

export function compiled(text: string, files: Record<string, string> = {}): CompiledSurvey {
  return new CompiledSurvey(survey(text, files));
}

export function issues(text: string, files: Record<string, string> = {}, name = 'test.survey.yaml'): SpecIssue[] {
  const result = parseText(text, files, name);
  if (result.ok) assert.fail('expected the survey to be refused');
  return result.issues;
}

/** The one issue whose message matches, failing with all of them listed when none or several do. */
export function issueMatching(all: SpecIssue[], pattern: RegExp): SpecIssue {
  const found = all.filter((issue) => pattern.test(issue.message));
  assert.equal(found.length, 1, `expected one issue matching ${pattern}, got:\n${all.map(formatIssue).join('\n')}`);
  return found[0] as SpecIssue;
}

export const lines = (...parts: string[]) => `${parts.join('\n')}\n`;

/** A deterministic random source: the project's seeded generator. */
export { seededRandom as seeded } from '../../../src/random/seeded-random';
