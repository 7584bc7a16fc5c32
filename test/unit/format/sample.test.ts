// The offline test model's replies are always valid answers, and spread like data.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleReply } from '../../../src/format';
import { compiled, lines, seeded } from './helpers';

const survey = compiled(
  lines(
    'questions:',
    '  - { question_name: a, question_type: free_text, question_text: Q }',
    '  - { question_name: b, question_type: multiple_choice, question_text: Q, question_options: [daily, weekly, "Yes, often", 3] }',
    '  - { question_name: c, question_type: checkbox, question_text: Q, question_options: [x, y, "z, w"] }',
    '  - { question_name: c2, question_type: checkbox, question_text: Q, question_options: [x, y, z, v], min_selections: 2, max_selections: 3 }',
    '  - { question_name: c3, question_type: checkbox, question_text: Q, question_options: [x, y], max_selections: 0 }',
    '  - { question_name: d, question_type: linear_scale, question_text: Q, question_options: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }',
    '  - { question_name: e, question_type: numerical, question_text: Q }',
    '  - { question_name: e2, question_type: numerical, question_text: Q, min_value: -5.5, max_value: 2.25 }',
    '  - { question_name: e3, question_type: numerical, question_text: Q, max_value: -100 }',
    '  - { question_name: e4, question_type: numerical, question_text: Q, min_value: 1000000 }',
    '  - { question_name: f, question_type: yes_no, question_text: Q }',
    '  - { question_name: g, question_type: likert_five, question_text: Q, include_comment: false }',
    '  - { question_name: h, question_type: list, question_text: Q }',
    '  - { question_name: h2, question_type: list, question_text: Q, min_list_items: 2, max_list_items: 2 }',
    '  - { question_name: h3, question_type: list, question_text: Q, max_list_items: 0 }',
    '  - { question_name: i, question_type: rank, question_text: Q, question_options: [x, y, z] }',
    '  - { question_name: i2, question_type: rank, question_text: Q, question_options: [x, y, z], num_selections: 1 }',
    '  - { question_name: j, question_type: budget, question_text: Q, question_options: [x, y, z], budget_sum: 100 }',
    '  - { question_name: j2, question_type: budget, question_text: Q, question_options: [x, y, z, v, u, t, s], budget_sum: 0.3 }',
    '  - { question_name: j3, question_type: budget, question_text: Q, question_options: [x, y], budget_sum: 1 }',
    '  - { question_name: k, question_type: extract, question_text: Q, answer_template: { name: John, age: null } }',
    '  - { question_name: l, question_type: top_k, question_text: Q, question_options: [x, y, z], min_selections: 2, max_selections: 2 }',
  ),
);

describe('sampleReply', () => {
  test('parseAnswer accepts it, for every type, over 1000 seeds', () => {
    survey.survey.questions.forEach((question, index) => {
      for (let seed = 1; seed <= 1000; seed++) {
        const reply = sampleReply(question, seeded(seed));
        const parsed = survey.parseAnswer(index, reply);
        assert.ok(parsed.ok, `${question.question_name} seed ${seed}: ${JSON.stringify(reply)} → ${parsed.ok ? '' : parsed.reason}`);
      }
    });
  });

  test('answers spread over the options unevenly, like data', () => {
    const index = survey.survey.questions.findIndex((question) => question.question_name === 'd');
    const question = survey.survey.questions[index]!;
    const counts = new Map<unknown, number>();
    for (let seed = 1; seed <= 2000; seed++) {
      const parsed = survey.parseAnswer(index, sampleReply(question, seeded(seed)));
      if (parsed.ok) counts.set(parsed.answer, (counts.get(parsed.answer) ?? 0) + 1);
    }
    assert.ok(counts.size >= 8, `most scale points appear (${counts.size})`);
    const values = [...counts.values()];
    assert.ok(Math.max(...values) > 2 * Math.min(...values), 'some points are clearly preferred');
  });

  test('replies carry a comment unless the question asks for none', () => {
    const [free, choice] = survey.survey.questions;
    assert.doesNotMatch(sampleReply(free!, seeded(1)), /simulated|test model/i);
    assert.match(sampleReply(choice!, seeded(1)), /\n.*test model/);
    const likert = survey.survey.questions.find((question) => question.question_name === 'g')!;
    assert.doesNotMatch(sampleReply(likert, seeded(1)), /\n/);
  });

  test('is deterministic for a given random source', () => {
    const question = survey.survey.questions[1]!;
    assert.equal(sampleReply(question, seeded(42)), sampleReply(question, seeded(42)));
  });
});
