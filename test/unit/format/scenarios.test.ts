import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvValue } from '../../../src/format/scenarios-file';
import { issueMatching, issues, lines, survey } from './helpers';

const usesProduct = (path: string) =>
  lines(`scenarios: ${path}`, 'questions:', '  - { question_name: q, question_type: free_text, question_text: "{{ product }}?" }');

describe('scenario files', () => {
  test('CSV: the header gives the keys; clean numbers become numbers, all else stays text', () => {
    const value = survey(usesProduct('data/products.csv'), {
      'data/products.csv':
        'product,price,code,count,flag,note,big\nespresso,2.5,01234,1000,true,,12345678901234567890\n"latte, large",-3,1e5,"1,000",TRUE,x,0\n',
    });
    assert.deepEqual(value.scenarios, [
      { product: 'espresso', price: 2.5, code: '01234', count: 1000, flag: 'true', note: '', big: '12345678901234567890' },
      { product: 'latte, large', price: -3, code: '1e5', count: '1,000', flag: 'TRUE', note: 'x', big: 0 },
    ]);
  });

  test('csvValue: the typing rule', () => {
    for (const [cell, value] of [
      ['42', 42],
      ['-7', -7],
      ['3.25', 3.25],
      ['0.5', 0.5],
      ['0', 0],
    ] as const) {
      assert.equal(csvValue(cell), value, cell);
    }
    for (const cell of ['01', '1,000', '1e5', ' 42', '42 ', '+1', '.5', '5.', 'NaN', 'Infinity', '']) {
      assert.equal(csvValue(cell), cell, cell);
    }
  });

  test('JSONL: one object per line, JSON types kept, blank lines ignored', () => {
    const value = survey(usesProduct('items.jsonl'), {
      'items.jsonl': '{"product": "espresso", "price": 2, "tags": ["hot"]}\n\n{"product": "latte", "price": null}\n',
    });
    assert.deepEqual(value.scenarios, [
      { product: 'espresso', price: 2, tags: ['hot'] },
      { product: 'latte', price: null },
    ]);
  });

  test('a missing scenario file is reported at the scenarios: value', () => {
    const issue = issueMatching(issues(usesProduct('data/products.csv')), /not found/);
    assert.equal(issue.file, 'test.survey.yaml');
    assert.deepEqual([issue.line, issue.column], [1, 12]);
    assert.match(issue.message, /scenarios file "data\/products\.csv" was not found; the path is relative to this survey file/);
  });

  test('malformed CSV rows are reported as file:line, every one', () => {
    const found = issues(usesProduct('p.csv'), { 'p.csv': 'product,price\nespresso,2\nlatte,3,extra\nmocha\n' });
    assert.deepEqual(
      found.map((issue) => [issue.file, issue.line]),
      [
        ['p.csv', 3],
        ['p.csv', 4],
      ],
    );
    assert.match(found[0]?.message ?? '', /row has 3 fields but the header has 2/);
  });

  test('duplicate and empty header names are reported', () => {
    const found = issues(usesProduct('p.csv'), { 'p.csv': 'product,product,\nx,y,z\n' });
    assert.match(issueMatching(found, /appears twice/).message, /column name "product"/);
    assert.match(issueMatching(found, /column 3/).message, /has no name/);
  });

  test('malformed JSONL lines are reported as file:line', () => {
    const found = issues(usesProduct('p.jsonl'), { 'p.jsonl': '{"product": "a"}\n{"product": \n[1, 2]\n"text"\n' });
    assert.deepEqual(
      found.map((issue) => `${issue.file}:${issue.line}`),
      ['p.jsonl:2', 'p.jsonl:3', 'p.jsonl:4'],
    );
    assert.match(found[0]?.message ?? '', /not valid JSON/);
    assert.match(found[1]?.message ?? '', /must be a JSON object/);
  });

  test('an empty scenario file, a wrong extension, and paths outside the survey folder are refused', () => {
    assert.match(issues(usesProduct('e.csv'), { 'e.csv': 'product\n' })[0]?.message ?? '', /has no scenarios/);
    assert.match(issues(usesProduct('e.txt'))[0]?.message ?? '', /must be text or a list|\.csv or \.jsonl/);
    assert.match(issues(usesProduct('../secret.csv'))[0]?.message ?? '', /inside the survey's folder/);
    assert.match(issues(usesProduct('/etc/x.csv'))[0]?.message ?? '', /inside the survey's folder/);
  });

  test('scenario keys from the file are checked against templates', () => {
    const found = issues(usesProduct('p.csv'), { 'p.csv': 'prodcut\nx\n' });
    assert.match(issueMatching(found, /\{\{ product \}\}/).message, /Scenario keys: prodcut/);
  });

  test('inline scenarios must be maps; an empty list is refused', () => {
    assert.match(
      issues(lines('scenarios: []', 'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]'))[0]?.message ?? '',
      /scenarios is empty/,
    );
    assert.match(
      issues(lines('scenarios: [1]', 'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]'))[0]?.message ?? '',
      /^scenario 1: /,
    );
  });
});
