// A model's reply → an answer of the question's type, or a reason a user understands.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledSurvey } from '../../../src/format';
import { compiled, lines } from './helpers';

const survey = compiled(
  lines(
    'questions:',
    '  - { question_name: mc, question_type: multiple_choice, question_text: Q, question_options: [daily, weekly, "Yes, often", 3] }',
    '  - { question_name: num, question_type: numerical, question_text: Q, min_value: -10, max_value: 5000 }',
    '  - { question_name: scale, question_type: linear_scale, question_text: Q, question_options: [1, 2, 3, 4, 5], option_labels: { 1: Bad, 5: Good } }',
    '  - { question_name: yn, question_type: yes_no, question_text: Q }',
    '  - { question_name: box, question_type: checkbox, question_text: Q, question_options: [tea, coffee, "milk, warm"], min_selections: 1, max_selections: 2 }',
    '  - { question_name: rank, question_type: rank, question_text: Q, question_options: [a, b, c], num_selections: 2 }',
    '  - { question_name: items, question_type: list, question_text: Q, min_list_items: 1, max_list_items: 3 }',
    '  - { question_name: budget, question_type: budget, question_text: Q, question_options: [a, b, c], budget_sum: 100 }',
    '  - { question_name: extract, question_type: extract, question_text: Q, answer_template: { name: John, age: 30 } }',
    '  - { question_name: free, question_type: free_text, question_text: Q }',
    '  - { question_name: likert, question_type: likert_five, question_text: Q }',
    '  - { question_name: top, question_type: top_k, question_text: Q, question_options: [x, y, z], min_selections: 2, max_selections: 2 }',
  ),
);
const index = (name: string) => survey.survey.questions.findIndex((question) => question.question_name === name);
const parse = (name: string, raw: string) => (survey as CompiledSurvey).parseAnswer(index(name), raw);
const accepts = (name: string, raw: string, answer: unknown, comment: string | null = null) =>
  assert.deepEqual(parse(name, raw), { ok: true, answer, comment }, `${name}: ${JSON.stringify(raw)}`);
const refuses = (name: string, raw: string, reason: RegExp) => {
  const result = parse(name, raw);
  assert.ok(!result.ok, `${name}: ${JSON.stringify(raw)} should be refused, got ${JSON.stringify(result)}`);
  assert.match(result.reason, reason);
};

describe('parseAnswer', () => {
  test('the answer is the first line; the rest is the comment', () => {
    accepts('mc', 'weekly\nI like it.\nA lot.', 'weekly', 'I like it.\nA lot.');
    accepts('mc', '\n  weekly  \n\n  because  \n', 'weekly', 'because');
    assert.deepEqual(parse('mc', 'never\nno comment'), {
      ok: false,
      reason: '"never" is not one of the options (daily, weekly, Yes, often, 3)',
      comment: 'no comment',
    });
  });

  test('options match exactly, then ignoring case, quotes, emphasis and a final period', () => {
    accepts('mc', 'Daily', 'daily');
    accepts('mc', '"Weekly".', 'weekly');
    accepts('mc', '**daily**', 'daily');
    accepts('mc', 'yes, often', 'Yes, often');
    accepts('mc', '3', 3);
    accepts('yn', 'yes', 'Yes');
    accepts('likert', 'strongly agree', 'Strongly agree');
    refuses('yn', 'Maybe', /"Maybe" is not one of the options \(Yes, No\)/);
    refuses('mc', '   ', /the reply is empty/);
  });

  test('numbers: 42, 42.5, 1,000, negatives; bounds are enforced', () => {
    accepts('num', '42', 42);
    accepts('num', '42.5', 42.5);
    accepts('num', '1,000\nabout that', 1000, 'about that');
    accepts('num', '-3', -3);
    accepts('num', '"7".', 7);
    refuses('num', 'about ten', /"about ten" is not a number/);
    refuses('num', '1,00', /not a number/);
    refuses('num', '6000', /6000 is above the maximum of 5000/);
    refuses('num', '-11', /-11 is below the minimum of -10/);
  });

  test('linear_scale: one of the points, or a label', () => {
    accepts('scale', '4', 4);
    accepts('scale', '5 : Good', 5);
    accepts('scale', 'good', 5);
    refuses('scale', '6', /"6" is not on the scale \(1, 2, 3, 4, 5\)/);
    refuses('scale', '2.5', /not on the scale/);
  });

  test('checkbox: JSON-ish lists are repaired, then counted', () => {
    accepts('box', '["tea", "coffee"]', ['tea', 'coffee']);
    accepts('box', "['tea', 'Coffee']\nboth", ['tea', 'coffee'], 'both');
    accepts('box', 'tea, coffee', ['tea', 'coffee']);
    accepts('box', '[tea, coffee]', ['tea', 'coffee']);
    accepts('box', 'milk, warm, tea', ['milk, warm', 'tea']);
    accepts('box', '[\n  "tea",\n  "milk, warm"\n]\nA comment', ['tea', 'milk, warm'], 'A comment');
    accepts('box', '```json\n["tea"]\n```\nthe end', ['tea'], 'the end');
    accepts('box', 'coffee', ['coffee']);
    refuses('box', '["tea", "tea"]', /"tea" is listed twice/);
    refuses('box', '["tea", "juice"]', /"juice" is not one of the options/);
    refuses('box', '[]', /0 selected; at least 1 must be/);
    refuses('box', '["tea", "coffee", "milk, warm"]', /3 selected; at most 2 may be/);
    refuses('box', '{"tea": 1}', /expected a list of options/);
  });

  test('top_k: like checkbox, with its count', () => {
    accepts('top', '["x", "z"]', ['x', 'z']);
    refuses('top', '["x"]', /1 selected; at least 2 must be/);
  });

  test('rank: exactly num_selections valid options, none twice', () => {
    accepts('rank', '["c", "a"]', ['c', 'a']);
    accepts('rank', 'b, a', ['b', 'a']);
    refuses('rank', '["c", "a", "b"]', /ranked 3 options; exactly 2 are needed/);
    refuses('rank', '["c", "c"]', /listed twice/);
    refuses('rank', '["c", "d"]', /"d" is not one of the options/);
  });

  test('list: any items, within bounds', () => {
    accepts('items', '["price", "taste"]', ['price', 'taste']);
    accepts('items', "['it''s', 'b']".replace("''", "\\'"), ["it's", 'b']);
    accepts('items', 'price, taste', ['price', 'taste']);
    refuses('items', '[]', /the list has 0 items; at least 1 are needed/);
    refuses('items', '["a", "b", "c", "d"]', /the list has 4 items; at most 3 are allowed/);
    refuses('items', '["a", "b"', /expected a list like/);
  });

  test('budget: a map of options to amounts that add up', () => {
    const full = { a: 60, b: 40, c: 0 };
    accepts('budget', '{"a": 60, "b": 40, "c": 0}', full);
    accepts('budget', '{"a": 60, "b": 40}', full);
    accepts('budget', "{'a': 60, 'B': 40}", full);
    accepts('budget', 'a: 60, b: 40', full);
    accepts('budget', '[60, 40, 0]\nsplit', full, 'split');
    accepts('budget', '{\n  "a": 50.5,\n  "b": 49.5\n}', { a: 50.5, b: 49.5, c: 0 });
    refuses('budget', '{"a": 60, "b": 30}', /the amounts add up to 90, not 100/);
    refuses('budget', '{"a": 120, "b": -20}', /the amount for "b" is negative/);
    refuses('budget', '{"a": 60, "z": 40}', /"z" is not one of the options/);
    refuses('budget', '{"a": "lots"}', /the amount for "a" is not a number/);
    refuses('budget', 'sixty for a', /expected a JSON object mapping each option to an amount/);
  });

  test('extract: a JSON object with the template fields', () => {
    accepts('extract', '{"name": "Ann", "age": 30}', { name: 'Ann', age: 30 });
    accepts('extract', "{'name': 'Ann'}", { name: 'Ann', age: null });
    refuses('extract', '{"other": 1}', /none of the fields name, age were filled in/);
    refuses('extract', 'Ann is 30', /expected a JSON object with the fields name, age/);
  });

  test('free_text: the whole reply is the answer', () => {
    accepts('free', '  Because I like it.\nAnd more.  ', 'Because I like it.\nAnd more.');
    refuses('free', ' \n ', /the reply is empty/);
  });
});
