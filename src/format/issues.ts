// A problem in a survey file, with its place in that file: what the Problems panel, the CLI and the API show.

export interface SpecIssue {
  /** The file the problem is in: the survey file's name, or a scenario file's path as written in the survey. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  end_line?: number;
  end_column?: number;
  /** Where in the document: e.g. ["questions", 1, "question_options"]. */
  path: (string | number)[];
  /** What is wrong and how to fix it; starts with `question "name": ` when it concerns one question. */
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: SpecIssue[] };

/** `customer.survey.yaml:14:5 question "q2": question_options needs at least 2 options` */
export function formatIssue(issue: SpecIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.message}`;
}

/** Issues in reading order: by file (survey first), then line, then column; duplicates removed. */
export function sortIssues(issues: SpecIssue[], surveyFile: string): SpecIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${formatIssue(issue)}\u0000${issue.path.join('.')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) => Number(a.file !== surveyFile) - Number(b.file !== surveyFile) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}

/** The closest of `candidates` to `word`, when close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return best !== null && bestDistance <= tolerance ? best : null;
}

/** ` Did you mean "x"?` or nothing. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const best = didYouMean(word, candidates);
  return best === null ? '' : ` Did you mean "${best}"?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Math.abs(a.length - b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A value as a user wrote it, shortened for a message. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "a list", "a number", … for messages about wrong types. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'true/false';
  if (typeof value === 'string') return 'text';
  return typeof value;
}
