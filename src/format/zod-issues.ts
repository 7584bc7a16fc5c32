// zod's validation issues → messages that name the field and say the fix. Unknown keys get "did you mean";
// an unknown question_type lists the valid ones; a value of the wrong kind says what was found.
import type { z } from 'zod';
import { kindOf, show, suggestion } from './issues';
import { ALL_QUESTION_FIELDS, QUESTION_SCHEMAS, QUESTION_TYPES, fieldsOf, type QuestionType } from './question-types';
import { AgentEntry, SurveyFile } from './schema';

export interface FieldProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
}

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/** The per-parse error map: messages for zod's own checks (schema-level `error:` messages take precedence). */
export function humanMessage(issue: RawIssue): string | undefined {
  const field = fieldName(issue.path ?? []);
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `${field} is missing`;
      if (input === null) return `${field} is empty; give it a value or remove it`;
      return `${field} must be ${expectedWords(String(issue.expected))}, not ${kindOf(input)} ${show(input)}`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array') return `${field} needs at least ${minimum} item${minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `${field} is empty`;
      return `${field} must be ${issue.inclusive === false ? 'more than' : 'at least'} ${minimum}, not ${show(input)}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') return `${field} has more than ${maximum} items`;
      if (issue.origin === 'string') return `${field} is longer than ${maximum} characters`;
      return `${field} must be ${issue.inclusive === false ? 'less than' : 'at most'} ${maximum}, not ${show(input)}`;
    }
    case 'invalid_value':
      return `${field} must be one of ${(issue.values as unknown[]).map((value) => show(value)).join(', ')}, not ${show(input)}`;
    case 'invalid_format':
      return `${field} has the wrong form: ${show(input)}`;
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

/** The keys valid at a path, for "did you mean" on unknown keys. */
export type KnownKeys = (path: (string | number)[], data: unknown) => string[];

/** The problems one failed safeParse of a SurveyFile reports (another file kind passes its own `keysAt`). */
export function fieldProblems(issues: readonly Issue[], data: unknown, keysAt: KnownKeys = knownKeys, prefix: (string | number)[] = []): FieldProblem[] {
  return issues.flatMap((issue) => problemsOf(issue, prefix, data, keysAt));
}

function problemsOf(issue: Issue, prefix: (string | number)[], data: unknown, keysAt: KnownKeys = knownKeys): FieldProblem[] {
  const path = [...prefix, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(path, data);
    return issue.keys.map((key) => ({ path: [...path, key], message: unknownKey(key, known), atKey: true }));
  }
  if (issue.code === 'invalid_union') {
    if ('discriminator' in issue && issue.discriminator === 'question_type') return [questionTypeProblem(path, data)];
    const branches = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && isKindMismatch(inner)));
    if (branches.length >= 1 && branches[0]) return branches[0].flatMap((inner) => problemsOf(inner, path, data, keysAt));
    const expected = [...new Set(issue.errors.flatMap((branch) => branch.filter(isKindMismatch).map((inner) => expectationOf(inner))))];
    const value = valueAt(data, path);
    const found = value === undefined ? 'it is missing' : `not ${kindOf(value)} ${show(value)}`;
    return [{ path, message: `${fieldName(path)} must be ${expected.join(' or ')}, ${found}` }];
  }
  if (prefix.length > 0) {
    // Inside a union the message was made with the path relative to it: make it again with the whole path.
    const input = valueAt(data, path);
    const relative = humanMessage({ ...issue, input } as RawIssue);
    if (relative !== undefined && relative === issue.message) {
      return [{ path, message: humanMessage({ ...issue, path, input } as RawIssue) ?? issue.message }];
    }
  }
  return [{ path, message: issue.message }];
}

function isKindMismatch(issue: Issue): boolean {
  return issue.code === 'invalid_type' || issue.code === 'invalid_value';
}

function expectationOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return expectedWords(issue.expected);
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((value) => show(value)).join(', ')}`;
  return 'something else';
}

function questionTypeProblem(path: (string | number)[], data: unknown): FieldProblem {
  const questionPath = path[path.length - 1] === 'question_type' ? path.slice(0, -1) : path;
  const written = valueAt(data, [...questionPath, 'question_type']);
  const valid = `Valid types: ${QUESTION_TYPES.join(', ')}.`;
  if (written === undefined) return { path: questionPath, message: `question_type is missing. ${valid}` };
  const typed = typeof written === 'string' ? written : show(written);
  return {
    path: [...questionPath, 'question_type'],
    message: `unknown question_type "${typed}".${suggestion(typed, QUESTION_TYPES)} ${valid}`,
  };
}

function unknownKey(key: string, known: readonly string[]): string {
  const close = suggestion(key, known);
  if (close) return `unknown field "${key}".${close}`;
  if (known.includes('question_type') && ALL_QUESTION_FIELDS.has(key)) {
    const owners = QUESTION_TYPES.filter((type) => fieldsOf(type).includes(key));
    return `"${key}" is not a field of this question type (it belongs to ${owners.join(', ')}); remove it or change question_type`;
  }
  return `unknown field "${key}"; known fields: ${known.join(', ')}`;
}

/** The keys valid where an unknown key was found, for suggestions. */
function knownKeys(path: (string | number)[], data: unknown): string[] {
  if (path.length === 0) return Object.keys(SurveyFile.shape);
  if (path[0] === 'agents' && path.length === 2) return Object.keys(AgentEntry.shape);
  if (path[0] === 'questions' && path.length === 2) {
    const type = valueAt(data, [...path, 'question_type']);
    if (typeof type === 'string' && type in QUESTION_SCHEMAS) return fieldsOf(type as QuestionType);
  }
  return [];
}

function expectedWords(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a map';
    default:
      return expected;
  }
}

const ENTRY_SECTIONS = new Set(['questions', 'models', 'agents', 'scenarios']);

/** "question_options", or "question_options item 3" for an element of a list. */
function fieldName(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const parent = path[path.length - 2];
    // questions[2], models[0] …: the message's prefix already names the entry.
    if (path.length === 2 && typeof parent === 'string' && ENTRY_SECTIONS.has(parent)) return 'the entry';
    return typeof parent === 'string' ? `${parent} item ${last + 1}` : `item ${last + 1}`;
  }
  if (typeof last === 'string') return last;
  return 'the survey';
}

export function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
