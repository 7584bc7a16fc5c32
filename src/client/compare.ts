// Compares two runs' results question by question: a chi-square test for categorical answers, Welch's t for
// numbers, and for evals each scorer's paired difference on the samples both scored. Pure: no I/O.
import type { Comparison, QuestionComparison, Result, ScorerComparison } from '../api';
import { chiSquare, meanVariance, pairedDifference, welchT } from './stats';

/** Many distinct answers are free text: counted, not tested. */
const MAX_CATEGORIES = 20;

export function compareRuns(a: readonly Result[], b: readonly Result[], labels: [string, string]): Comparison {
  const isEval = a.some((r) => r.sample_id !== undefined) || b.some((r) => r.sample_id !== undefined);
  return { labels, questions: isEval ? [] : compareQuestions(a, b), scorers: isEval ? compareScorers(a, b) : [] };
}

function compareQuestions(a: readonly Result[], b: readonly Result[]): QuestionComparison[] {
  const names = [...new Set([...a, ...b].map((r) => r.question))];
  return names.map((question) => {
    const ra = a.filter((r) => r.question === question && r.status === 'answered');
    const rb = b.filter((r) => r.question === question && r.status === 'answered');
    const n: [number, number] = [ra.length, rb.length];
    const numbers = [...ra, ...rb].every((r) => typeof r.answer === 'number');
    if (numbers && ra.length + rb.length > 0) {
      const xa = ra.map((r) => r.answer as number);
      const xb = rb.map((r) => r.answer as number);
      const means: [number, number] = [xa.length ? meanVariance(xa)[0] : NaN, xb.length ? meanVariance(xb)[0] : NaN];
      return { question, kind: 'numbers', n, categories: [], means, test: welchT(xa, xb) };
    }
    const text = (r: Result): string => (Array.isArray(r.answer) ? r.answer.join(', ') : typeof r.answer === 'string' ? r.answer : JSON.stringify(r.answer));
    const counts = new Map<string, [number, number]>();
    for (const r of ra) (counts.get(text(r)) ?? counts.set(text(r), [0, 0]).get(text(r))!)[0]++;
    for (const r of rb) (counts.get(text(r)) ?? counts.set(text(r), [0, 0]).get(text(r))!)[1]++;
    const categories = [...counts].map(([answer, c]) => ({ answer, counts: c }));
    if (categories.length > MAX_CATEGORIES) return { question, kind: 'text', n, categories: [], means: null, test: null };
    return { question, kind: 'categories', n, categories, means: null, test: chiSquare(categories.map((c) => c.counts)) };
  });
}

function compareScorers(a: readonly Result[], b: readonly Result[]): ScorerComparison[] {
  const key = (r: Result): string => `${r.sample_id}\u0000${r.epoch ?? r.iteration + 1}`;
  const byKey = new Map(b.map((r) => [key(r), r]));
  const scorers = [...new Set([...a, ...b].flatMap((r) => Object.keys(r.scores ?? {})))];
  return scorers.map((scorer) => {
    const pairs: [number, number][] = [];
    for (const ra of a) {
      const rb = byKey.get(key(ra));
      const va = ra.scores?.[scorer]?.value;
      const vb = rb?.scores?.[scorer]?.value;
      if (typeof va === 'number' && typeof vb === 'number') pairs.push([va, vb]);
    }
    const difference = pairedDifference(pairs.map(([x, y]) => x - y));
    const mean = (i: 0 | 1): number => (pairs.length ? pairs.reduce((s, p) => s + p[i], 0) / pairs.length : NaN);
    return { scorer, means: [mean(0), mean(1)], difference: difference.mean, stderr: difference.stderr, n: difference.n };
  });
}
