// Hostile or accidental inputs are refused with the limit named, never with a crash or a stack trace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_QUESTIONS, MAX_ALIAS_COUNT, MAX_DEPTH, MAX_ENTRIES, MAX_SCENARIO_FILE_BYTES, MAX_SOURCE_BYTES, parseSurvey } from '../../../src/format';
import { compiled, issueMatching, issues, lines, parseText } from './helpers';

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
      bomb += `lol${level}: &a${level} [${Array(9)
        .fill(`*a${level - 1}`)
        .join(', ')}]\n`;
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

  test('more questions than allowed are refused at the first one too many, before the file is parsed', () => {
    const many = (count: number) =>
      lines('questions:', ...Array.from({ length: count }, (_, i) => `  - question_name: q${i}\n    question_type: free_text\n    question_text: Hi`));
    const [issue, ...rest] = issues(many(DEFAULT_MAX_QUESTIONS + 1));
    assert.equal(rest.length, 0);
    assert.deepEqual([issue?.line, issue?.column], [2 + 3 * DEFAULT_MAX_QUESTIONS, 5]);
    assert.equal(
      issue?.message,
      'question 2,001 is one too many: a survey may have at most 2,000 questions, and this one has 2,001. Split it into several surveys (a server sets its limit with FIELDWORK_MAX_QUESTIONS)',
    );
    assert.ok(parseText(many(3)).ok);
    const limited = parseSurvey({ name: 'x.survey.yaml', text: many(3) }, () => undefined, { maxQuestions: 2 });
    assert.ok(!limited.ok);
    assert.match(limited.issues[0]!.message, /^question 3 is one too many: a survey may have at most 2 questions, and this one has 3/);
  });

  test('questions without names still count, once parsed', () => {
    const text = lines('questions:', ...Array.from({ length: 4 }, () => '  - { question_type: free_text, question_text: Hi }'));
    const result = parseSurvey({ name: 'x.survey.yaml', text }, () => undefined, { maxQuestions: 3 });
    assert.ok(!result.ok);
    assert.deepEqual([result.issues[0]?.line, result.issues[0]?.path], [5, ['questions', 3]]);
  });

  test('a file of more entries than any survey needs is refused before parsing, wherever they are', () => {
    const text = `${question}\nscenarios:\n${Array.from({ length: MAX_ENTRIES }, (_, i) => `  - { n: ${i} }`).join('\n')}\n`;
    const [issue] = issues(text);
    assert.match(
      issue?.message ?? '',
      /^the file holds more than 50,000 keys and list items; a survey needs far fewer\. Move large data into a scenarios file/,
    );
  });

  test('a quoted text over a million characters is refused before parsing; the same in plain text is a template problem', () => {
    const [quoted] = issues(`questions: [{ question_name: q, question_type: free_text, question_text: "${'x'.repeat(1_000_001)}" }]\n`);
    assert.equal(quoted?.column, 74, 'at the opening quote');
    assert.match(quoted?.message ?? '', /^this quoted text is 1,000,001 characters; a survey file may hold at most 1,000,000 in one text/);
    const [plain] = issues(lines('questions:', '  - question_name: q', '    question_type: free_text', `    question_text: ${'x'.repeat(200_000)}`));
    assert.match(plain?.message ?? '', /question_text is not a valid template: it is 200,000 characters; the limit is 100,000/);
  });

  test('no message ever carries a stack trace', () => {
    const inputs = ['{', ':', '- [', '? ? ?', '&a *a', '!!binary x', '%YAML 9.9\n---\na: 1', '\u0000\u0001'];
    for (const text of inputs) {
      for (const issue of issues(text)) assert.doesNotMatch(issue.message, /\n\s+at /, text);
    }
  });
});
