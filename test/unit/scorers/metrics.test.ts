// Metric arithmetic against values worked out by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, mode, passAtK, reduceEpochs, standardError } from '../../../src/server/scorers/metrics';
import { evalMetrics } from '../../../src/server/scorers/summary';
import type { EvalTask } from '../../../src/format';
import type { Result } from '../../../src/api';

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('metric arithmetic', () => {
  test('accuracy of 0/1 values and its standard error', () => {
    // [1,1,0,1]: mean 0.75; sample variance = (3·0.0625 + 0.5625)/3 = 0.25; sd 0.5; stderr 0.5/2 = 0.25
    close(mean([1, 1, 0, 1]), 0.75);
    close(standardError([1, 1, 0, 1]), 0.25);
    // [2,4,4,4,5,5,7,9]: mean 5; Σ(x−5)² = 32; s² = 32/7; stderr = √(32/7)/√8 = √(4/7)
    close(standardError([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(4 / 7));
    assert.equal(standardError([1]), null);
    assert.equal(standardError([]), null);
  });

  test('epoch reducers', () => {
    close(reduceEpochs([1, 0, 1], { reducer: 'mean', k: 3 }), 2 / 3);
    assert.equal(reduceEpochs([0, 0.5, 1], { reducer: 'max', k: 3 }), 1);
    assert.equal(mode([0, 1, 1, 0, 1]), 1);
    assert.equal(mode([0, 1]), 0, 'a tie goes to the first seen');
    // pass@k = 1 − C(n−c, k)/C(n, k): n=5, c=2, k=2 → 1 − C(3,2)/C(5,2) = 1 − 3/10 = 0.7
    close(passAtK(5, 2, 2), 0.7);
    close(passAtK(4, 1, 1), 0.25);
    assert.equal(passAtK(3, 2, 2), 1, 'fewer failures than k always passes');
    assert.equal(passAtK(3, 0, 2), 0);
    close(reduceEpochs([1, 0, 0, 0, 1], { reducer: 'pass_at_k', k: 2 }), 0.7);
  });

  test('per model and scorer: epochs reduced first, failed samples counted apart', () => {
    const task = {
      models: [{ label: 'm', service: 'test', model: 'test', parameters: {} }],
      scorers: [{ type: 'exact', name: 'exact', ignore_case: true }],
      epochs: { count: 2, reducer: 'mean', k: 2 },
    } as unknown as EvalTask;
    const row = (sample: string, epoch: number, value: number | null, failed = false): Result =>
      ({
        model: 'm',
        sample_id: sample,
        epoch,
        status: failed ? 'failed' : 'answered',
        scores: failed ? null : { exact: { value, answer: null, explanation: null } },
      }) as Result;
    const results = [
      row('a', 1, 1),
      row('a', 2, 0),
      row('b', 1, 1),
      row('b', 2, 1),
      row('c', 1, 0),
      row('c', 2, 0),
      row('d', 1, 0, true),
      row('d', 2, 0, true),
    ];
    const [metric] = evalMetrics(task, results);
    // per sample: a 0.5, b 1, c 0 → mean 0.5; s² = (0 + 0.25 + 0.25)/2 = 0.25; stderr = 0.5/√3
    assert.equal(metric?.n, 3);
    assert.equal(metric?.failed, 1);
    close(metric!.value, 0.5);
    close(metric!.stderr, 0.5 / Math.sqrt(3));
  });
});
