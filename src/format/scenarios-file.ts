// Scenarios from a file named by the survey (`scenarios: data/products.csv`), relative to the survey file.
//
// CSV: the first row is the header and gives the keys; each later row is one scenario. Values stay text, except
// a clean number — digits with an optional leading minus and an optional decimal part, no leading zeros, no
// thousands separators, no exponent (42, -7, 3.25, 0.5) — which becomes a number. So "01234", "1,000", "1e5",
// "true" and "" stay text. JSONL: one JSON object per line; blank lines are ignored; values keep their JSON types.
import { parseCsv } from './csv';
import { lineIssue } from './positions';
import type { SpecIssue } from './issues';
import { MAX_DEPTH, MAX_SCENARIO_FILE_BYTES, megabytes } from './limits';
import type { Scenario } from './schema';

const CLEAN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const MAX_ISSUES_PER_FILE = 20;

export type ScenarioFileResult = { ok: true; scenarios: Scenario[] } | { ok: false; issues: SpecIssue[] };

export function scenariosFromFile(file: string, text: string): ScenarioFileResult {
  const bytes = text.length > MAX_SCENARIO_FILE_BYTES / 3 ? Buffer.byteLength(text) : text.length;
  if (bytes > MAX_SCENARIO_FILE_BYTES) {
    return {
      ok: false,
      issues: [lineIssue(file, 1, `scenario file is ${megabytes(bytes)}; the limit is ${megabytes(MAX_SCENARIO_FILE_BYTES)}. Split it into several surveys`)],
    };
  }
  const result = /\.csv$/i.test(file) ? fromCsv(file, text) : fromJsonl(file, text);
  if (result.ok && result.scenarios.length === 0) {
    return { ok: false, issues: [lineIssue(file, 1, 'scenario file has no scenarios; add rows or remove `scenarios:`')] };
  }
  return result;
}

/** A CSV cell as a scenario value: clean numbers become numbers, everything else stays text. */
export function csvValue(cell: string): string | number {
  if (!CLEAN_NUMBER.test(cell)) return cell;
  const number = Number(cell);
  return Number.isFinite(number) && (cell.includes('.') || Number.isSafeInteger(number)) ? number : cell;
}

function fromCsv(file: string, text: string): ScenarioFileResult {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { ok: false, issues: [lineIssue(file, parsed.line, parsed.message)] };
  const [header, ...rows] = parsed.rows;
  if (!header) return { ok: true, scenarios: [] };
  const issues: SpecIssue[] = [];
  const keys = header.fields.map((key) => key.trim());
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    if (key === '') issues.push(lineIssue(file, header.line, `column ${index + 1} of the header row has no name; name it`));
    else if (seen.has(key)) issues.push(lineIssue(file, header.line, `column name "${key}" appears twice in the header row; rename one`));
    seen.add(key);
  });
  const scenarios: Scenario[] = [];
  for (const row of rows) {
    if (row.fields.length !== keys.length) {
      issues.push(lineIssue(file, row.line, `row has ${row.fields.length} fields but the header has ${keys.length}; quote fields that contain commas`));
      continue;
    }
    const scenario: Scenario = {};
    keys.forEach((key, index) => {
      scenario[key] = csvValue(row.fields[index] ?? '');
    });
    scenarios.push(scenario);
  }
  return issues.length > 0 ? { ok: false, issues: capped(file, issues) } : { ok: true, scenarios };
}

function fromJsonl(file: string, text: string): ScenarioFileResult {
  const issues: SpecIssue[] = [];
  const scenarios: Scenario[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(index === 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : 'not JSON';
      issues.push(lineIssue(file, index + 1, `line is not valid JSON (${reason}); each line must be one JSON object`));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push(lineIssue(file, index + 1, 'line must be a JSON object like {"product": "espresso"}'));
    } else if (depthOf(value) > MAX_DEPTH) {
      issues.push(lineIssue(file, index + 1, `line nests more than ${MAX_DEPTH} levels deep; flatten it`));
    } else {
      scenarios.push(value as Scenario);
    }
  });
  return issues.length > 0 ? { ok: false, issues: capped(file, issues) } : { ok: true, scenarios };
}

function capped(file: string, issues: SpecIssue[]): SpecIssue[] {
  if (issues.length <= MAX_ISSUES_PER_FILE) return issues;
  const rest = issues.length - MAX_ISSUES_PER_FILE;
  const last = issues[MAX_ISSUES_PER_FILE - 1];
  return [...issues.slice(0, MAX_ISSUES_PER_FILE), lineIssue(file, last?.line ?? 1, `…and ${rest} more problems in this file`)];
}

/** Nesting depth of a JSON value, stopping early once past the limit. */
export function depthOf(value: unknown, limit = MAX_DEPTH + 1): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest >= limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
