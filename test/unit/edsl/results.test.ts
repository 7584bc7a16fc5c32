// Fieldwork results as EDSL reads them: one Result per interview with every question, prompts rendered again,
// answers in EDSL's forms, validation and cost as EDSL computes its expenses from them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { edslResults } from '../../../src/edsl/results';
import { CompiledSurvey, parseSurvey } from '../../../src/format';
import type { Result } from '../../../src/api';

const SURVEY = {
  name: 'lunch',
  agents: [{ name: 'ann', traits: { age: 30 } }],
  scenarios: [{ food: 'tea' }],
  models: ['test'],
  questions: [
    { question_name: 'likes', question_type: 'yes_no', question_text: 'Do you like {{ food }}?' },
    {
      question_name: 'spend',
      question_type: 'budget',
      question_text: 'Split 10 on {{ food }}',
      question_options: ['cup', 'pot'],
      budget_sum: 10,
      memory: 'all',
    },
    { question_name: 'why', question_type: 'free_text', question_text: 'Why?', skip_if: "likes.answer == 'Yes'" },
  ],
};

const row = (question: string, fields: Partial<Result>): Result => ({
  job_id: 'job_1',
  interview: 0,
  agent_index: 0,
  agent_name: 'ann',
  scenario_index: 0,
  model: 'test',
  iteration: 0,
  question,
  status: 'answered',
  answer: null,
  comment: null,
  raw: null,
  input_tokens: 10,
  output_tokens: 5,
  cost_usd: 0,
  cached: false,
  latency_ms: 1,
  error: null,
  ...fields,
});

describe('EDSL results', () => {
  const parsed = parseSurvey({ name: 'lunch.survey.json', text: JSON.stringify(SURVEY) }, () => undefined);
  assert.ok(parsed.ok);
  const compiled = new CompiledSurvey(parsed.value);
  const results = [
    row('likes', { answer: 'Yes', comment: 'Warm.', raw: 'Yes\nWarm.', cached: true }),
    row('spend', { status: 'invalid', raw: '{"cup": 3}', error: 'the amounts add up to 3, not 10' }),
    row('why', { status: 'skipped', input_tokens: 0, output_tokens: 0 }),
  ];

  test('one Result with every question; answers, comments, validation and cache flags as EDSL names them', () => {
    const dict = edslResults(compiled, results, () => ({ input_per_mtok: 1, output_per_mtok: 2 })) as {
      data: Record<string, Record<string, unknown>>[];
      survey: Record<string, unknown>;
    };
    assert.equal(dict.data.length, 1);
    const result = dict.data[0]!;
    assert.deepEqual(result['answer'], { likes: 'Yes', spend: null, why: null });
    assert.deepEqual(result['validated_dict'], { likes_validated: true, spend_validated: false, why_validated: null });
    assert.deepEqual(result['cache_used_dict'], { likes: true, spend: false, why: false });
    assert.equal(result['comments_dict']!['likes_comment'], 'Warm.');
    assert.equal(result['raw_model_response']!['likes_input_price_per_million_tokens'], 1);
    assert.equal(result['raw_model_response']!['why_cost'], null, 'a question not asked costs nothing EDSL should add');
    assert.deepEqual(result['agent'], { traits: { age: 30 }, name: 'ann', edsl_version: '1.0.8', edsl_class_name: 'Agent' });
    assert.deepEqual(dict.survey['memory_plan'], {
      survey_question_names: ['likes', 'spend', 'why'],
      survey_question_texts: SURVEY.questions.map((q) => q.question_text),
      data: { spend: { prior_questions: ['likes'] } },
    });
  });

  test("prompts are the run's: the scenario filled in, earlier answers remembered where the memory says", () => {
    const dict = edslResults(compiled, results, () => null) as { data: Record<string, Record<string, { text: string }>>[] };
    const prompts = dict.data[0]!['prompt']!;
    assert.match(prompts['likes_user_prompt']!.text, /Do you like tea\?/);
    assert.match(prompts['spend_user_prompt']!.text, /Split 10 on tea/);
    assert.match(prompts['spend_user_prompt']!.text, /Do you like tea\?[\s\S]*Yes/);
    assert.match(prompts['likes_system_prompt']!.text, /age/);
    assert.equal(prompts['why_user_prompt']!.text, '', 'a skipped question had no prompt');
    const raw = dict.data[0]!['raw_model_response'] as unknown as Record<string, unknown>;
    assert.equal(raw['likes_cost'], null, 'without a known price EDSL gets no cost');
  });

  test("a budget answer takes EDSL's form: one map per option, in option order", () => {
    const answered = [results[0]!, row('spend', { answer: { pot: 7, cup: 3 } }), results[2]!];
    const dict = edslResults(compiled, answered, () => null) as { data: { answer: Record<string, unknown> }[] };
    assert.deepEqual(dict.data[0]!.answer['spend'], [{ cup: 3 }, { pot: 7 }]);
  });
});
