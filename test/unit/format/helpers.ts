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

/** A deterministic random source (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
