// Hostile or accidental inputs are refused with the limit named, never with a crash or a stack trace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_SCENARIO_FILE_BYTES, MAX_SOURCE_BYTES } from '../../../src/spec';
import { compiled, issueMatching, issues, lines } from './helpers';

const question = 'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]';

describe('limits', () => {
  test('a survey file over 10 MB is refused with its size and the limit', () => {
    const text = `# ${'x'.repeat(MAX_SOURCE_BYTES)}\n${question}\n`;
    const [issue] = issues(text);
    assert.match(issue?.message ?? '', /^the file is 10\.0 MB; surveys are limited to 10\.0 MB/);
    assert.deepEqual([issue?.line, issue?.column], [1, 1]);
  });

  test('a scenario file over 200 MB is refused with its size and the limit', () => {
    const files = { 'big.csv': `a\n${'1'.repeat(MAX_SCENARIO_FILE_BYTES)}\n` };
    const found = issues(lines('scenarios: big.csv', question), files);
    const issue = issueMatching(found, /limit/);
    assert.equal(issue.file, 'big.csv');
    assert.match(issue.message, /scenario file is 200\.0 MB; the limit is 200\.0 MB/);
  });

  test('YAML alias bombs (billion laughs) are refused', () => {
    let bomb = 'lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let level = 1; level < 9; level++) {
      bomb += `lol${level}: &a${level} [${Array(9).fill(`*a${level - 1}`).join(', ')}]\n`;
    }
    const started = Date.now();
    const [issue] = issues(bomb + question);
    assert.ok(Date.now() - started < 2_000, 'refused quickly');
    assert.match(issue?.message ?? '', new RegExp(`too many YAML aliases.*limit of ${MAX_ALIAS_COUNT}.*billion laughs`));
    assert.equal(issue?.line, 2);
  });

  test('deeply nested flow collections are refused before parsing', () => {
    for (const depth of [MAX_DEPTH + 1, 200_000]) {
      const [issue] = issues(`${question}\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
      assert.match(issue?.message ?? '', /nesting is deeper than 64 levels/);
      assert.equal(issue?.line, 2);
    }
  });

  test('deeply nested block collections are refused', () => {
    let nested = 'agents:\n  - traits:\n';
    for (let level = 0; level < MAX_DEPTH + 5; level++) nested += `${'  '.repeat(level + 3)}k:\n`;
    const [issue] = issues(`${question}\n${nested}${'  '.repeat(MAX_DEPTH + 8)}v\n`);
    assert.match(issue?.message ?? '', /nesting is deeper than 64 levels/);
  });

  test('nesting within the limit is fine, and brackets in quoted text do not count', () => {
    const deepTraits = `${'{ a: '.repeat(20)}1${' }'.repeat(20)}`;
    const text = lines(
      `agents: [{ traits: ${deepTraits} }]`,
      'questions:',
      `  - { question_name: q, question_type: free_text, question_text: "${'['.repeat(100)}" }`,
    );
    const result = issues(text.replace('question_text', 'question_txt'));
    assert.ok(result.every((issue) => !/nesting/.test(issue.message)));
  });

  test('keys named __proto__ or constructor pollute no prototype', () => {
    const survey = compiled(
      lines(
        'agents: [{ traits: { __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 2 } } } }]',
        'scenarios: [{ __proto__: { polluted: 3 }, product: x }]',
        'questions: [{ question_name: q, question_type: free_text, question_text: "{{ product }}", skip_if: "scenario.product == \'x\'" }]',
      ),
    );
    const ref = survey.interviewAt(0);
    assert.equal(survey.prompts(ref, 0, new Map()).user, 'x');
    assert.equal(survey.shouldSkip(ref, 0, new Map()), true);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal(Object.getPrototypeOf(survey.survey.scenarios[0]), Object.prototype);
  });

  test('no message ever carries a stack trace', () => {
    const inputs = ['{', ':', '- [', '? ? ?', '&a *a', '!!binary x', '%YAML 9.9\n---\na: 1', '\u0000\u0001'];
    for (const text of inputs) {
      for (const issue of issues(text)) assert.doesNotMatch(issue.message, /\n\s+at /, text);
    }
  });
});
