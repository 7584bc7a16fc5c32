// A survey expands lazily into agents × scenarios × models × iterations interviews.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compiled, lines } from './helpers';

describe('interviews', () => {
  test('are numbered iteration fastest, then model, then scenario, then agent', () => {
    const survey = compiled(
      lines(
        'iterations: 2',
        'agents: [{ name: a }, { name: b }]',
        'scenarios: [{ x: 1 }, { x: 2 }, { x: 3 }]',
        'models: [test, { model: test, name: t2 }]',
        'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]',
      ),
    );
    assert.equal(survey.interviewCount, 24);
    const all = [...survey.interviews()];
    assert.equal(all.length, 24);
    assert.deepEqual(
      all.slice(0, 5).map((ref) => [ref.agentIndex, ref.scenarioIndex, ref.modelIndex, ref.iteration]),
      [
        [0, 0, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 1, 0],
        [0, 0, 1, 1],
        [0, 1, 0, 0],
      ],
    );
    assert.deepEqual(all[23], { index: 23, agentIndex: 1, scenarioIndex: 2, modelIndex: 1, iteration: 1 });
    all.forEach((ref, index) => assert.deepEqual(survey.interviewAt(index), ref));
    assert.deepEqual(
      [...survey.interviews(21)].map((ref) => ref.index),
      [21, 22, 23],
    );
    assert.deepEqual([...survey.interviews(24)], []);
    assert.throws(() => survey.interviewAt(24), RangeError);
    assert.throws(() => survey.interviewAt(-1), RangeError);
    assert.throws(() => survey.interviewAt(1.5), RangeError);
  });

  test('a million interviews are counted, found by index and walked without holding them', () => {
    const agents = Array.from({ length: 1000 }, (_, index) => `  - { traits: { n: ${index} } }`);
    const scenarios = Array.from({ length: 1000 }, (_, index) => `  - { product: p${index} }`);
    const survey = compiled(
      lines('agents:', ...agents, 'scenarios:', ...scenarios, 'questions: [{ question_name: q, question_type: free_text, question_text: "{{ product }}?" }]'),
    );
    assert.equal(survey.interviewCount, 1_000_000);
    assert.deepEqual(survey.interviewAt(999_999), { index: 999_999, agentIndex: 999, scenarioIndex: 999, modelIndex: 0, iteration: 0 });
    assert.deepEqual(survey.interviewAt(123_456), { index: 123_456, agentIndex: 123, scenarioIndex: 456, modelIndex: 0, iteration: 0 });

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let grown = 0;
    let count = 0;
    for (const ref of survey.interviews()) {
      if (ref.index % 9973 === 0) assert.deepEqual(survey.interviewAt(ref.index), ref);
      if (ref.index % 250_000 === 0) {
        gc();
        grown = Math.max(grown, process.memoryUsage().heapUsed - before);
      }
      count++;
    }
    gc();
    grown = Math.max(grown, process.memoryUsage().heapUsed - before);
    assert.equal(count, 1_000_000);
    assert.ok(grown < 4 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`);
  });
});
