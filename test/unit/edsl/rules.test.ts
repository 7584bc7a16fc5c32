// EDSL's rule collection and conditions → Fieldwork's skip_if / stop_if, and back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { celToEdsl, edslToCel } from '../../../src/edsl/expressions';
import { importEdsl } from '../../../src/edsl/import';
import { importRules } from '../../../src/edsl/rules';

const names = ['q0', 'q1', 'q2', 'q3'];
const rule = (current_q: number, expression: string, next_q: number | 'EndOfSurvey', before_rule = false) => ({
  current_q,
  expression,
  next_q,
  priority: 0,
  before_rule,
});
const defaults = names.map((_, index) => ({ current_q: index, expression: 'True', next_q: index + 1, priority: -1, before_rule: false }));

describe('EDSL rules', () => {
  test('conditions: Jinja names and Python words become CEL, strings untouched', () => {
    const questions = new Set(names);
    assert.equal(edslToCel("{{ q0.answer }} == 'yes' and not {{ scenario.x }} > 3", questions), "q0.answer == 'yes' && !scenario.x > 3");
    assert.equal(edslToCel("{{ q1 }} == 'and or not' or q2 == True", questions), "q1.answer == 'and or not' || q2.answer == true");
    assert.equal(
      celToEdsl("q0.answer == 'yes' && !(agent.age < 30) || q1.answer == null", questions),
      "{{ q0.answer }} == 'yes' and not ({{ agent.age }} < 30) or {{ q1.answer }} == None",
    );
    assert.equal(celToEdsl("q0.answer != 'a && b'", questions), "{{ q0.answer }} != 'a && b'");
  });

  test('default rules change nothing; a jump after q0 to q3 skips q1 and q2; past the end stops after the question', () => {
    const outcome = importRules([...defaults, rule(0, "{{ q0.answer }} == 'no'", 3), rule(1, '{{ q1.answer }} > 2', 'EndOfSurvey')], names);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.targets, [
      { skip_if: [], stop_if: [] },
      { skip_if: ["q0.answer == 'no'"], stop_if: ['q1.answer > 2'] },
      { skip_if: ["q0.answer == 'no'"], stop_if: [] },
      { skip_if: [], stop_if: [] },
    ]);
  });

  test('a rule before q2 that goes to q3 skips q2; going to the end skips the rest', () => {
    const outcome = importRules([rule(2, "{{ q0.answer }} == 'x'", 3, true), rule(1, '{{ q0.answer }} == 1', 4, true)], names);
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.targets.map((target) => target.skip_if),
      [[], ['q0.answer == 1'], ["q0.answer == 'x'", 'q0.answer == 1'], ['q0.answer == 1']],
    );
  });

  test('a jump back, and two rules after one question, are refused with the reason', () => {
    const back = importRules([rule(2, 'True', 0)], names);
    assert.ok(!back.ok);
    assert.match(back.reasons[0]!, /goes back to question 0; .* may only skip forward/);
    const two = importRules([rule(0, "{{ q0.answer }} == 'a'", 2), rule(0, "{{ q0.answer }} == 'b'", 3)], names);
    assert.ok(!two.ok);
    assert.match(two.reasons[0]!, /more than one rule after it; EDSL picks one by priority/);
  });

  test('a survey whose two jumps overlap gets both conditions on the question they share', () => {
    const questions = names.map((name) => ({ question_name: name, question_text: 'Q?', question_type: 'free_text' }));
    const outcome = importEdsl({ questions, rule_collection: { rules: [rule(0, "{{ q0.answer }} == 'a'", 3), rule(1, "{{ q1.answer }} == 'b'", 3)] } });
    assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.reasons));
    const q2 = (outcome.survey['questions'] as Record<string, unknown>[])[2]!;
    assert.equal(q2['skip_if'], "(q0.answer == 'a') || (q1.answer == 'b')");
  });
});
