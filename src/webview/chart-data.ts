// What each question's chart shows, computed from the rows: pure, so it is unit-tested without a DOM.
// The chart follows the question's type: choices in the file's order with their zero counts, a scale's every point,
// a number's histogram, a rank's mean position, a budget's mean amount, and no bars at all for free text.
import type { QuestionInfo, ResultRow } from './messages';

export type GroupBy = 'model' | 'agent';

/** One group's (model's or agent's) figures: `values` per category, in the categories' order. */
export interface Series {
  group: string;
  n: number;
  values: number[];
  /** What each value is, for its label: a count with its share, or a mean. */
  counts?: number[];
  mean?: number;
  stderr?: number;
  median?: number;
}

export type ChartData =
  | { kind: 'choice'; question: string; type: string; categories: string[]; series: Series[]; note: string }
  | { kind: 'scale'; question: string; categories: string[]; labels: string[]; series: Series[] }
  | { kind: 'histogram'; question: string; bins: { from: number; to: number }[]; series: Series[] }
  | { kind: 'means'; question: string; type: 'rank' | 'budget'; categories: string[]; series: Series[]; note: string }
  | { kind: 'text'; question: string; type: string; n: number; samples: string[]; meanWords: number; words: [string, number][] };

const CHOICE = new Set(['multiple_choice', 'yes_no', 'likert_five', 'checkbox', 'top_k']);
const TEXT = new Set(['free_text', 'list', 'extract']);

export function chartData(rows: readonly ResultRow[], questions: readonly QuestionInfo[], groupBy: GroupBy): ChartData[] {
  const byQuestion = new Map<string, ResultRow[]>();
  for (const row of rows) {
    if (row.status !== 'answered') continue;
    let list = byQuestion.get(row.question);
    if (!list) byQuestion.set(row.question, (list = []));
    list.push(row);
  }
  const known = new Map(questions.map((q) => [q.name, q]));
  // The file's question order first, then any the file no longer has.
  const names = [...questions.map((q) => q.name).filter((name) => byQuestion.has(name)), ...[...byQuestion.keys()].filter((name) => !known.has(name))];
  return names.map((name) => questionChart(name, byQuestion.get(name)!, known.get(name), groupBy));
}

function questionChart(question: string, rows: ResultRow[], info: QuestionInfo | undefined, groupBy: GroupBy): ChartData {
  const type = info?.type ?? guessType(rows);
  const groups = groupsOf(rows, groupBy);
  if (type === 'linear_scale') {
    const categories = info?.options ?? distinct(rows.map((r) => r.answer)).sort(byNumber);
    const labels = categories.map((c) => info?.labels?.[c] ?? '');
    return {
      kind: 'scale',
      question,
      categories,
      labels,
      series: groups.map(([group, rs]) =>
        withMoments(
          countSeries(group, rs, categories, (r) => [r.answer]),
          rs,
        ),
      ),
    };
  }
  if (type === 'numerical') return histogram(question, groups);
  if (type === 'rank' || type === 'budget') {
    const categories = info?.options ?? distinct(rows.flatMap((r) => (type === 'rank' ? (r.items ?? []) : Object.keys(r.amounts ?? {}))));
    const series = groups.map(([group, rs]) => {
      const sums = categories.map(() => 0);
      const ns = categories.map(() => 0);
      for (const r of rs) {
        categories.forEach((c, i) => {
          const value = type === 'rank' ? (r.items ? r.items.indexOf(c) + 1 || null : null) : (r.amounts?.[c] ?? null);
          if (value === null) return;
          sums[i]! += value;
          ns[i]! += 1;
        });
      }
      return { group, n: rs.length, values: sums.map((sum, i) => (ns[i] ? sum / ns[i]! : 0)) };
    });
    const note = type === 'rank' ? 'mean rank (1 = first; lower is preferred)' : 'mean amount given to each option';
    return { kind: 'means', question, type, categories, series, note };
  }
  if (TEXT.has(type) || !CHOICE.has(type)) return textSummary(question, type, rows);
  const multi = type === 'checkbox' || type === 'top_k';
  const categories = info?.options ?? distinct(rows.flatMap((r) => r.items ?? [r.answer]));
  const series = groups.map(([group, rs]) => countSeries(group, rs, categories, (r) => (multi ? (r.items ?? []) : [r.answer])));
  return { kind: 'choice', question, type, categories, series, note: multi ? 'share of answers that chose each option' : 'share of answers' };
}

/** Without the file: numbers are numerical, a few distinct short answers are choices, anything else is text. */
function guessType(rows: readonly ResultRow[]): string {
  if (rows.every((r) => r.value !== null)) return 'numerical';
  if (rows.some((r) => r.amounts)) return 'budget';
  const answers = distinct(rows.map((r) => r.answer));
  return answers.length <= 12 && answers.every((a) => a.length <= 40) ? 'multiple_choice' : 'free_text';
}

function groupsOf(rows: readonly ResultRow[], groupBy: GroupBy): [string, ResultRow[]][] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = row[groupBy];
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(row);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function countSeries(group: string, rows: readonly ResultRow[], categories: readonly string[], chosen: (row: ResultRow) => readonly string[]): Series {
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = categories.map(() => 0);
  for (const row of rows)
    for (const c of chosen(row)) {
      const i = index.get(c);
      if (i !== undefined) counts[i]! += 1;
    }
  return { group, n: rows.length, counts, values: counts.map((c) => (rows.length ? c / rows.length : 0)) };
}

function withMoments(series: Series, rows: readonly ResultRow[]): Series {
  const values = rows.map((r) => (r.value !== null ? r.value : Number(r.answer))).filter(Number.isFinite);
  return { ...series, ...moments(values) };
}

function histogram(question: string, groups: [string, ResultRow[]][]): ChartData {
  const all = groups.flatMap(([, rs]) => rs.map((r) => r.value).filter((v): v is number => v !== null));
  const bins = binsFor(all);
  const series = groups.map(([group, rs]) => {
    const values = rs.map((r) => r.value).filter((v): v is number => v !== null);
    const counts = bins.map(() => 0);
    for (const v of values) counts[binIndex(bins, v)]! += 1;
    return { group, n: values.length, counts, values: counts.map((c) => (values.length ? c / values.length : 0)), ...moments(values) };
  });
  return { kind: 'histogram', question, bins, series };
}

/** Up to 10 bins of a round width that cover min..max; whole numbers get whole-number bins. */
export function binsFor(values: readonly number[]): { from: number; to: number }[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return [{ from: min, to: max }];
  const raw = (max - min) / 10;
  const step = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw) ?? raw;
  const integer = values.every(Number.isInteger);
  const width = integer ? Math.max(1, Math.ceil(step)) : step;
  const start = Math.floor(min / width) * width;
  const bins: { from: number; to: number }[] = [];
  for (let from = start; from <= max; from += width) bins.push({ from, to: from + width });
  return bins;
}

function binIndex(bins: readonly { from: number; to: number }[], v: number): number {
  for (let i = 0; i < bins.length; i++) if (v < bins[i]!.to) return i;
  return bins.length - 1;
}

export function moments(values: readonly number[]): { mean: number; stderr: number; median: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, stderr: NaN, median: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const sorted = [...values].sort((a, b) => a - b);
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { mean, stderr: Math.sqrt(variance / n), median };
}

const STOP = new Set(
  'a an and are as at be but by for from has have had i in is it its of on or so that the this to was were with you your my we our not no yes about much been what when which would could some more very just like also than then there their they them into only over any all can will me'.split(
    ' ',
  ),
);

function textSummary(question: string, type: string, rows: readonly ResultRow[]): ChartData {
  const texts = rows.map((r) => (r.items ? r.items.join(' · ') : r.answer)).filter((t) => t !== '');
  const counts = new Map<string, number>();
  let words = 0;
  for (const text of texts) {
    const tokens = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
    words += tokens.length;
    for (const token of tokens) if (token.length > 2 && !STOP.has(token)) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  const frequent = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
  return {
    kind: 'text',
    question,
    type,
    n: texts.length,
    samples: distinct(texts).slice(0, 3),
    meanWords: texts.length ? words / texts.length : 0,
    words: frequent,
  };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function byNumber(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}
