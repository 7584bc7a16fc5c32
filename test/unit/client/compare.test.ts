import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../../src/client';
import { betaI, chiSquare, gammaQ, welchT } from '../../../src/client/stats';
import type { Result } from '../../../src/api';

const close = (actual: number, expected: number, tolerance = 1e-4): void => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected}`);

test('the p-values agree with the tables', () => {
  close(gammaQ(0.5, 3.841 / 2), 0.05); // chi-square, 1 df, 3.841
  close(gammaQ(2, 9.488 / 2), 0.05); // 4 df
  close(betaI(10 / 2, 0.5, 10 / (10 + 2.228 ** 2)), 0.05); // t, 10 df, two-sided
  const table = chiSquare([
    [10, 20],
    [20, 10],
  ])!;
  close(table.statistic, 6.6667);
  close(table.p, 0.009823);
  const t = welchT([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])!;
  close(t.statistic, -1.8974, 1e-3);
  close(t.df, 5.882, 1e-2);
  assert.ok(t.p > 0.1 && t.p < 0.12, String(t.p));
});

const result = (question: string, answer: unknown, extra: Partial<Result> = {}): Result => ({
  job_id: 'j',
  interview: 0,
  agent_index: 0,
  agent_name: null,
  scenario_index: 0,
  model: 'm',
  iteration: 0,
  question,
  status: 'answered',
  answer,
  comment: null,
  raw: null,
  input_tokens: 0,
  output_tokens: 0,
  cost_usd: null,
  cached: false,
  latency_ms: 0,
  error: null,
  ...extra,
});

test('two runs: categories by chi-square, numbers by Welch, eval scorers by paired difference', () => {
  const a = [...Array(10).fill('Yes'), ...Array(20).fill('No')].map((x) => result('drinks', x)).concat([3, 4, 5].map((x) => result('cups', x)));
  const b = [...Array(20).fill('Yes'), ...Array(10).fill('No')].map((x) => result('drinks', x)).concat([3, 3, 4].map((x) => result('cups', x)));
  const comparison = compareRuns(a, b, ['A', 'B']);
  const drinks = comparison.questions.find((q) => q.question === 'drinks')!;
  assert.equal(drinks.kind, 'categories');
  assert.deepEqual(drinks.n, [30, 30]);
  close(drinks.test!.p, 0.009823);
  const cups = comparison.questions.find((q) => q.question === 'cups')!;
  assert.equal(cups.kind, 'numbers');
  assert.equal(cups.test!.test, 'welch-t');

  const sample = (id: string, value: number): Result =>
    result(id, null, { sample_id: id, epoch: 1, scores: { match: { value, answer: null, explanation: null } } });
  const evalComparison = compareRuns([sample('s1', 1), sample('s2', 1), sample('s3', 0)], [sample('s1', 0), sample('s2', 1), sample('s3', 0)], ['A', 'B']);
  const [match] = evalComparison.scorers;
  assert.equal(match!.n, 3);
  close(match!.difference, 1 / 3);
  close(match!.stderr!, Math.sqrt(1 / 3 / 3));
});
