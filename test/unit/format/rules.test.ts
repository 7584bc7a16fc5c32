// skip_if / stop_if: CEL conditions, compiled once, evaluated per interview; errors count as false.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnswerRecord } from '../../../src/format';
import { compiled, lines, parseText } from './helpers';

const answers = (entries: Record<string, unknown>) =>
  new Map<string, AnswerRecord>(Object.entries(entries).map(([name, answer]) => [name, { answer, comment: null }]));

const withRule = (rule: string, kind: 'skip_if' | 'stop_if' = 'skip_if') =>
  compiled(
    lines(
      'agents: [{ name: ann, traits: { age: 34 } }, { traits: { age: 12 } }]',
      'scenarios: [{ product: espresso, price: 4 }, { product: tea, price: 2 }]',
      'questions:',
      '  - { question_name: drinks, question_type: yes_no, question_text: Hi }',
      '  - { question_name: n, question_type: numerical, question_text: How many? }',
      '  - { question_name: picks, question_type: checkbox, question_text: Pick, question_options: [a, b, c] }',
      `  - { question_name: last, question_type: free_text, question_text: Why?, ${kind}: ${JSON.stringify(rule)} }`,
    ),
  );

describe('rules', () => {
  test('skip_if compares earlier answers', () => {
    const survey = withRule("drinks.answer == 'No'");
    const ref = survey.interviewAt(0);
    assert.equal(survey.shouldSkip(ref, 3, answers({ drinks: 'No' })), true);
    assert.equal(survey.shouldSkip(ref, 3, answers({ drinks: 'Yes' })), false);
    assert.equal(survey.shouldSkip(ref, 0, answers({ drinks: 'No' })), false, 'a question without a rule is never skipped');
  });

  test("EDSL's {{ q.answer }} form is accepted", () => {
    const survey = withRule("{{ drinks.answer }} == 'No'");
    assert.equal(survey.shouldSkip(survey.interviewAt(0), 3, answers({ drinks: 'No' })), true);
  });

  test('numbers compare as numbers; lists support in and size', () => {
    const ref = { index: 0, agentIndex: 0, scenarioIndex: 0, modelIndex: 0, iteration: 0 };
    assert.equal(withRule('n.answer > 2').shouldSkip(ref, 3, answers({ n: 3 })), true);
    assert.equal(withRule('n.answer == 3').shouldSkip(ref, 3, answers({ n: 3 })), true);
    assert.equal(withRule('n.answer >= 2.5').shouldSkip(ref, 3, answers({ n: 2 })), false);
    assert.equal(withRule("'b' in picks.answer").shouldSkip(ref, 3, answers({ picks: ['a', 'b'] })), true);
    assert.equal(withRule('size(picks.answer) > 2').shouldSkip(ref, 3, answers({ picks: ['a', 'b'] })), false);
  });

  test('scenario and agent values are available', () => {
    const survey = withRule("scenario.price > 3 && agent.age >= 18 && agent.name == 'ann'");
    assert.equal(survey.shouldSkip(survey.interviewAt(0), 3, new Map()), true);
    assert.equal(survey.shouldSkip({ ...survey.interviewAt(0), scenarioIndex: 1 }, 3, new Map()), false);
    assert.equal(survey.shouldSkip({ ...survey.interviewAt(0), agentIndex: 1 }, 3, new Map()), false);
  });

  test('an unanswered or skipped question has answer null', () => {
    const survey = withRule('drinks.answer == null');
    const ref = survey.interviewAt(0);
    assert.equal(survey.shouldSkip(ref, 3, new Map()), true);
    assert.equal(survey.shouldSkip(ref, 3, answers({ drinks: null })), true);
    assert.equal(survey.shouldSkip(ref, 3, answers({ drinks: 'Yes' })), false);
  });

  test('a rule that fails while evaluating counts as false and does not throw', () => {
    const ref = { index: 0, agentIndex: 0, scenarioIndex: 0, modelIndex: 0, iteration: 0 };
    assert.equal(withRule('n.answer > 3').shouldSkip(ref, 3, new Map()), false, 'null > 3');
    assert.equal(withRule('n.answer > 3').shouldSkip(ref, 3, answers({ n: 'many' })), false, "'many' > 3");
    assert.equal(withRule('picks.answer[7] == 1').shouldSkip(ref, 3, answers({ picks: [] })), false, 'out of range');
    assert.equal(withRule('n.answer.missing == 1').shouldSkip(ref, 3, answers({ n: 3 })), false, 'no such field');
    assert.equal(withRule('n.answer').shouldSkip(ref, 3, answers({ n: 'yes' })), false, 'only exactly true counts');
  });

  test('a rule reaching for JavaScript is refused or evaluates inert', () => {
    const flags = globalThis as { fieldworkRulePwned?: boolean };
    flags.fieldworkRulePwned = false;
    const ref = { index: 0, agentIndex: 0, scenarioIndex: 0, modelIndex: 0, iteration: 0 };
    for (const rule of ["drinks.answer.constructor == 'x'", 'scenario.constructor == 1', "scenario.__proto__ == 'x'"]) {
      assert.equal(withRule(rule).shouldSkip(ref, 3, answers({ drinks: 'Yes' })), false, rule);
    }
    for (const rule of [
      "agent.constructor.constructor('globalThis.fieldworkRulePwned = true') == 1",
      'process.exit()',
      "require('child_process')",
      'this.constructor',
    ]) {
      assert.equal(
        parseText(lines('questions:', `  - { question_name: q, question_type: free_text, question_text: Hi, skip_if: ${JSON.stringify(rule)} }`)).ok,
        false,
        rule,
      );
    }
    assert.equal(flags.fieldworkRulePwned, false);
  });

  test('stop_if is evaluated on the question itself', () => {
    const survey = compiled(
      lines(
        'questions:',
        '  - { question_name: how_often, question_type: multiple_choice, question_text: How often?, question_options: [daily, rarely], stop_if: "how_often.answer == \'rarely\'" }',
      ),
    );
    const ref = survey.interviewAt(0);
    assert.equal(survey.shouldStop(ref, 0, answers({ how_often: 'rarely' })), true);
    assert.equal(survey.shouldStop(ref, 0, answers({ how_often: 'daily' })), false);
    assert.equal(survey.shouldSkip(ref, 0, answers({ how_often: 'rarely' })), false);
  });
});
