// An eval's samples: inline, or from a CSV/JSONL file through a field mapping; ids made stable; then shuffled
// (repeatably, by seed) and limited. The order and ids must come out the same every time the file is parsed,
// because a resumed or retried job finds its finished samples by position.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { seededRandom } from '../../random/seeded-random';
import { scenariosFromFile } from '../scenarios-file';
import { lineIssue, type Path } from '../positions';
import type { SpecIssue } from '../issues';
import type { FieldMapping, Sample, SampleEntry } from './schema';

/** Letters of lettered choices: A to Z. */
export const MAX_CHOICES = 26;

export type SampleProblem = { path: Path; message: string };

export type SamplesResult = { ok: true; samples: Sample[] } | { ok: false; issues: SpecIssue[]; problems: SampleProblem[] };

type Mapping = z.output<typeof FieldMapping>;
type Record_ = Record<string, unknown>;

/** Inline samples (already checked by the schema); problems point into the eval file. */
export function samplesFromEntries(entries: z.output<typeof SampleEntry>[], at: Path): SamplesResult {
  const problems: SampleProblem[] = [];
  const drafts = entries.map((entry, index): Draft | null => {
    const path = [...at, index];
    const draft: Draft = {
      id: entry.id === undefined ? null : String(entry.id),
      input: String(entry.input),
      target: targets(entry.target),
      choices: entry.choices ? entry.choices.map(String) : null,
      metadata: entry.metadata ?? {},
    };
    const problem = checkDraft(draft);
    if (problem) {
      problems.push({ path: [...path, problem.field], message: `sample ${index + 1}: ${problem.message}` });
      return null;
    }
    return draft;
  });
  return finish(drafts, problems, [], (index) => ({ path: [...at, index, 'id'] }));
}

/** Samples from a dataset file's records, mapped by `fields`. Problems point at the file's lines. */
export function samplesFromFile(file: string, text: string, fields: Mapping | undefined): SamplesResult {
  const loaded = scenariosFromFile(file, text);
  if (!loaded.ok)
    return { ok: false, issues: loaded.issues.map((issue) => ({ ...issue, message: issue.message.replace(/scenario/g, 'sample') })), problems: [] };
  const records = loaded.scenarios;
  const csv = /\.csv$/i.test(file);
  // Good enough for messages: a record's line when no field spans lines (CSV) and no line is blank (JSONL).
  const lineOf = (index: number) => (csv ? index + 2 : index + 1);
  const issues: SpecIssue[] = [];
  const mapping = resolveMapping(fields, records[0] ?? {});
  const drafts = records.map((record, index): Draft | null => {
    const draft = fromRecord(record, mapping);
    const problem = typeof draft === 'string' ? { message: draft } : checkDraft(draft);
    if (problem) {
      if (issues.length < 20) issues.push(lineIssue(file, lineOf(index), `sample ${index + 1}: ${problem.message}`));
      return null;
    }
    return draft as Draft;
  });
  return finish(drafts, [], issues, (index) => ({ line: lineOf(index), file }));
}

/** Repeatable shuffle (seeded), then the first `limit`. */
export function shuffleAndLimit(samples: Sample[], options: { shuffle: boolean; seed: number; limit?: number | undefined }): Sample[] {
  const order = [...samples];
  if (options.shuffle) {
    const random = seededRandom(options.seed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return options.limit === undefined ? order : order.slice(0, options.limit);
}

interface Draft {
  id: string | null;
  input: string;
  target: string[];
  choices: string[] | null;
  metadata: Record_;
}

interface ResolvedMapping {
  input: string;
  target: string | string[];
  id: string | null;
  choices: string | string[] | null;
  metadata: string[] | null;
}

function resolveMapping(fields: Mapping | undefined, first: Record_): ResolvedMapping {
  return {
    input: fields?.input ?? 'input',
    target: fields?.target ?? 'target',
    id: fields?.id ?? ('id' in first ? 'id' : null),
    choices: fields?.choices ?? ('choices' in first ? 'choices' : null),
    metadata: fields?.metadata ?? null,
  };
}

function fromRecord(record: Record_, mapping: ResolvedMapping): Draft | string {
  const input = record[mapping.input];
  if (input === undefined) return `has no "${mapping.input}" field for the input; name the column with fields: { input: … }`;
  if (typeof input !== 'string' && typeof input !== 'number') return `"${mapping.input}" must be text or a number`;
  const used = new Set<string>([mapping.input]);
  const columns = (names: string | string[]): unknown[] => {
    const list = Array.isArray(names) ? names : [names];
    for (const name of list) used.add(name);
    return list.map((name) => record[name]).filter((value) => value !== undefined && value !== '');
  };
  let target: string[];
  if (Array.isArray(mapping.target)) target = columns(mapping.target).map(String);
  else {
    const [value] = columns(mapping.target);
    target = targets(value as z.output<typeof SampleEntry>['target']);
  }
  let choices: string[] | null = null;
  if (mapping.choices !== null) {
    if (Array.isArray(mapping.choices)) choices = columns(mapping.choices).map(String);
    else {
      let [value] = columns(mapping.choices);
      // A CSV cell may hold a JSON list: ["Paris", "Rome"].
      if (typeof value === 'string' && value.trim().startsWith('[')) {
        try {
          value = JSON.parse(value);
        } catch {
          return `"${mapping.choices}" is not a valid JSON list of options`;
        }
      }
      if (value !== undefined) {
        if (!Array.isArray(value)) return `"${mapping.choices}" must be a list of options, or map choices to several columns`;
        choices = value.map((option) => (typeof option === 'string' ? option : JSON.stringify(option)));
      }
    }
  }
  let id: string | null = null;
  if (mapping.id !== null) {
    used.add(mapping.id);
    const value = record[mapping.id];
    if (value !== undefined && value !== '') id = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const metadata: Record_ = {};
  for (const key of mapping.metadata ?? Object.keys(record).filter((key) => !used.has(key))) {
    if (record[key] !== undefined) metadata[key] = record[key];
  }
  return { id, input: String(input), target, choices, metadata };
}

function targets(value: z.output<typeof SampleEntry>['target'] | unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function checkDraft(draft: Draft): { field: string; message: string } | null {
  if (draft.input.trim() === '') return { field: 'input', message: 'input is empty' };
  if (draft.choices !== null) {
    if (draft.choices.length < 2) return { field: 'choices', message: 'choices needs at least 2 options' };
    if (draft.choices.length > MAX_CHOICES)
      return { field: 'choices', message: `choices has ${draft.choices.length} options; at most ${MAX_CHOICES} (A to Z)` };
  }
  return null;
}

/** Ids: given ones must be unique; missing ones come from the content (a repeat of the same content gets -2, -3…). */
function finish(
  drafts: (Draft | null)[],
  problems: SampleProblem[],
  issues: SpecIssue[],
  where: (index: number) => { path: Path } | { line: number; file: string },
): SamplesResult {
  const seen = new Map<string, number>();
  const samples: Sample[] = [];
  drafts.forEach((draft, index) => {
    if (!draft) return;
    let id = draft.id;
    if (id !== null) {
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        const message = `sample ${index + 1}: id "${id}" is already used by sample ${earlier + 1}; ids must be unique`;
        const place = where(index);
        if ('path' in place) problems.push({ path: place.path, message });
        else issues.push(lineIssue(place.file, place.line, message));
        return;
      }
    } else {
      const base = contentId(draft);
      id = base;
      for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
    }
    seen.set(id, index);
    samples.push({ id, input: draft.input, target: draft.target, choices: draft.choices, metadata: draft.metadata });
  });
  if (problems.length > 0 || issues.length > 0) return { ok: false, issues, problems };
  return { ok: true, samples };
}

function contentId(draft: Draft): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([draft.input, draft.target, draft.choices]))
    .digest('hex');
  return digest.slice(0, 12);
}
