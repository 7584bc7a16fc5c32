// What Fieldwork cannot run is refused before anything runs, by name and with the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importEdsl } from '../../../src/edsl/import';

const question = { question_name: 'q0', question_text: 'How are you?', question_type: 'free_text' };
const jobs = (extra: Record<string, unknown>) => ({
  survey: { questions: [question] },
  agents: [],
  models: [],
  scenarios: [],
  edsl_class_name: 'Jobs',
  ...extra,
});

describe('refusals', () => {
  test('JSON that is not a Jobs or Survey object', () => {
    for (const value of [[1, 2], 'text', null, { hello: 1 }]) {
      const outcome = importEdsl(value);
      assert.ok(!outcome.ok);
      assert.match(outcome.reasons[0]!, /not an EDSL Jobs or Survey object/);
    }
    const broken = importEdsl({ survey: { questions: 'none' }, edsl_class_name: 'Jobs' });
    assert.ok(!broken.ok);
    assert.match(broken.reasons[0]!, /^Jobs survey\.questions: /);
  });

  test('an agent whose traits come from code, a scenario holding a file, a question option we cannot honour', () => {
    const outcome = importEdsl(
      jobs({
        agents: [{ traits: { a: 1 }, dynamic_traits_function_source_code: 'def f(): ...' }],
        scenarios: [{ picture: { base64_string: 'AAAA', edsl_class_name: 'FileStore' } }],
        survey: { questions: [{ ...question, question_type: 'multiple_choice', question_options: ['a', 'b'], question_presentation: 'Custom {{ x }}' }] },
      }),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.reasons.length, 3);
    assert.match(outcome.reasons[0]!, /question "q0" \(multiple_choice\) sets "question_presentation", which Fieldwork cannot honour/);
    assert.match(outcome.reasons[1]!, /agent 0 sets "dynamic_traits_function_source_code".*never runs submitted code/);
    assert.match(outcome.reasons[2]!, /scenario 0 holds a file in "picture"/);
  });

  test('a question name Fieldwork reserves is refused in the words of its own check', () => {
    const outcome = importEdsl({ questions: [{ ...question, question_name: 'scenario' }] });
    assert.ok(!outcome.ok);
    assert.match(outcome.reasons[0]!, /reserved word/);
  });

  test("models: EDSL's defaults are left out, duplicates get names, test's canned response is noted", () => {
    const gpt = {
      model: 'gpt-4o',
      inference_service: 'openai',
      parameters: { temperature: 0.5, max_tokens: 1000, logprobs: false, top_logprobs: 3, frequency_penalty: 0, reasoning_effort: null },
    };
    const outcome = importEdsl(jobs({ models: [gpt, gpt, { model: 'test', inference_service: 'test', parameters: { canned_response: 'Hi' } }] }));
    assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.reasons));
    assert.deepEqual(outcome.survey['models'], [
      { model: 'openai/gpt-4o', temperature: 0.5, max_tokens: 1000 },
      { model: 'openai/gpt-4o', temperature: 0.5, max_tokens: 1000, name: 'openai/gpt-4o#2' },
      'test',
    ]);
    assert.ok(outcome.notes.some((note) => note.includes('canned_response')));
  });
});
