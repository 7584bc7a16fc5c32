import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binsFor, chartData, moments } from '../../../src/webview/chart-data';
import { toResultRow, type QuestionInfo } from '../../../src/webview/messages';

const row = (question: string, answer: unknown, model = 'test', interview = 0) =>
  toResultRow({
    interview,
    agent_index: 0,
    agent_name: null,
    scenario_index: 0,
    model,
    iteration: 0,
    question,
    status: 'answered',
    answer,
    cost_usd: 0,
    cached: false,
    latency_ms: 1,
    error: null,
  });

const scale: QuestionInfo = { name: 'taste', type: 'linear_scale', options: ['1', '2', '3', '4', '5'], labels: { '1': 'Awful', '5': 'Superb' } };
const choice: QuestionInfo = { name: 'drink', type: 'multiple_choice', options: ['tea', 'coffee', 'water'], labels: null };

test('a linear scale shows every point in order with its label, zero counts included, and mean ± standard error', () => {
  const chart = chartData([row('taste', 4), row('taste', 1), row('taste', 4)], [scale], 'model')[0]!;
  if (chart.kind !== 'scale') return assert.fail(chart.kind);
  assert.deepEqual(chart.categories, ['1', '2', '3', '4', '5']);
  assert.deepEqual(chart.labels, ['Awful', '', '', '', 'Superb']);
  assert.deepEqual(chart.series[0]!.counts, [1, 0, 0, 2, 0]);
  assert.equal(chart.series[0]!.n, 3);
  assert.equal(chart.series[0]!.mean, 3);
  assert.ok(Math.abs(chart.series[0]!.stderr! - Math.sqrt(3 / 3)) < 1e-9);
});

test("choices keep the file's order, not the alphabet's, and models sit side by side", () => {
  const chart = chartData([row('drink', 'water', 'a'), row('drink', 'tea', 'b'), row('drink', 'water', 'b')], [choice], 'model')[0]!;
  if (chart.kind !== 'choice') return assert.fail(chart.kind);
  assert.deepEqual(chart.categories, ['tea', 'coffee', 'water']);
  assert.deepEqual(
    chart.series.map((s) => [s.group, s.counts]),
    [
      ['a', [0, 0, 1]],
      ['b', [1, 0, 1]],
    ],
  );
});

test('free text is summarised, not drawn as bars; numbers become a histogram with round bins; ranks by mean position', () => {
  const text = chartData(
    [row('why', 'Because coffee wakes me up'), row('why', 'Coffee tastes good')],
    [{ name: 'why', type: 'free_text', options: null, labels: null }],
    'model',
  )[0]!;
  assert.equal(text.kind, 'text');
  if (text.kind === 'text') assert.deepEqual(text.words[0], ['coffee', 2]);
  assert.deepEqual(
    binsFor([0, 3, 7, 10]).map((b) => b.from),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.deepEqual(
    binsFor([0, 95])
      .map((b) => [b.from, b.to])
      .at(-1),
    [90, 100],
  );
  assert.deepEqual(moments([1, 2, 3, 10]).median, 2.5);
  const rank = chartData(
    [row('order', ['tea', 'coffee']), row('order', ['coffee', 'tea'])],
    [{ name: 'order', type: 'rank', options: ['coffee', 'tea'], labels: null }],
    'model',
  )[0]!;
  if (rank.kind !== 'means') return assert.fail(rank.kind);
  assert.deepEqual(rank.series[0]!.values, [1.5, 1.5]);
});
