import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, isSurveyFileName } from '../../../src/format';
import { lines, parseText, survey } from './helpers';

const coffee = lines(
  'name: Coffee habits',
  'description: How people drink coffee',
  'iterations: 2',
  'memory: all',
  'fresh: true',
  'agents:',
  '  - name: barista',
  '    traits: { age: 34, city: Lisbon }',
  '    instruction: "You are answering as this person."',
  '  - traits: { age: 70 }',
  'scenarios:',
  '  - { product: espresso }',
  '  - { product: latte }',
  'models:',
  '  - test',
  '  - openai/gpt-4o-mini',
  '  - { model: openai/gpt-4o-mini, temperature: 0.2, max_tokens: 300, name: mini-cold }',
  'questions:',
  '  - question_name: drinks',
  '    question_type: yes_no',
  '    question_text: "Do you drink {{ product }}?"',
  '  - question_name: how_often',
  '    question_type: multiple_choice',
  '    question_text: How often?',
  '    question_options: [daily, weekly, rarely]',
  '    skip_if: "drinks.answer == \'No\'"',
  '    stop_if: "how_often.answer == \'rarely\'"',
  '    memory: [drinks]',
);

describe('parseSurvey: a valid survey', () => {
  test('is normalized with every field', () => {
    const value = survey(coffee);
    assert.equal(value.name, 'Coffee habits');
    assert.equal(value.description, 'How people drink coffee');
    assert.equal(value.iterations, 2);
    assert.equal(value.memory, 'all');
    assert.equal(value.fresh, true);
    assert.deepEqual(value.agents, [
      { name: 'barista', traits: { age: 34, city: 'Lisbon' }, instruction: 'You are answering as this person.' },
      { name: null, traits: { age: 70 }, instruction: null },
    ]);
    assert.deepEqual(value.scenarios, [{ product: 'espresso' }, { product: 'latte' }]);
    assert.deepEqual(value.models, [
      { label: 'test', service: 'test', model: 'test', parameters: {} },
      { label: 'openai/gpt-4o-mini', service: 'openai', model: 'gpt-4o-mini', parameters: {} },
      { label: 'mini-cold', service: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0.2, max_tokens: 300 } },
    ]);
    const [drinks, howOften] = value.questions;
    assert.equal(drinks?.question_type, 'yes_no');
    assert.deepEqual(drinks?.question_type === 'yes_no' && drinks.question_options, ['Yes', 'No']);
    assert.equal(drinks?.include_comment, true);
    assert.deepEqual(howOften?.memory, ['drinks']);
  });

  test('applies defaults: one agent without traits, one empty scenario, the test model, the file name', () => {
    const value = survey(lines('questions:', '  - { question_name: q1, question_type: free_text, question_text: Hi? }'));
    assert.equal(value.name, 'test');
    assert.equal(value.description, null);
    assert.equal(value.iterations, 1);
    assert.equal(value.memory, 'none');
    assert.equal(value.fresh, false);
    assert.deepEqual(value.agents, [{ name: null, traits: {}, instruction: null }]);
    assert.deepEqual(value.scenarios, [{}]);
    assert.deepEqual(value.models, [{ label: 'test', service: 'test', model: 'test', parameters: {} }]);
  });

  test('keeps model strings with several slashes and other parameters as written', () => {
    const value = survey(
      lines(
        'models:',
        '  - openrouter/meta-llama/llama-3-8b',
        '  - { model: test, latency_ms: 5, failure_rate: 0.1, custom_flag: true }',
        'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]',
      ),
    );
    assert.deepEqual(value.models[0], { label: 'openrouter/meta-llama/llama-3-8b', service: 'openrouter', model: 'meta-llama/llama-3-8b', parameters: {} });
    assert.deepEqual(value.models[1]?.parameters, { latency_ms: 5, failure_rate: 0.1, custom_flag: true });
  });

  test('reads JSON survey files with the same rules', () => {
    const json = JSON.stringify({
      name: 'json',
      questions: [{ question_name: 'q', question_type: 'numerical', question_text: 'How many?', min_value: 0, max_value: 10 }],
    });
    const result = parseText(json, {}, 'x.survey.json');
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.equal(result.value.questions[0]?.question_type, 'numerical');
  });

  test('keeps YAML 1.2 words like yes and no as text', () => {
    const value = survey(
      lines('questions:', '  - { question_name: q, question_type: multiple_choice, question_text: Hi, question_options: [yes, no, on, off] }'),
    );
    const question = value.questions[0];
    assert.deepEqual(question?.question_type === 'multiple_choice' && question.question_options, ['yes', 'no', 'on', 'off']);
  });

  test('accepts every question type with its fields', () => {
    const value = survey(
      lines(
        'questions:',
        '  - { question_name: a, question_type: free_text, question_text: "Why?" }',
        '  - { question_name: b, question_type: multiple_choice, question_text: "Pick", question_options: [x, y] }',
        '  - { question_name: c, question_type: checkbox, question_text: "Pick", question_options: [x, y, z], min_selections: 1, max_selections: 2 }',
        '  - { question_name: d, question_type: linear_scale, question_text: "Rate", question_options: [1, 2, 3, 4, 5], option_labels: { 1: Bad, 5: Good } }',
        '  - { question_name: e, question_type: numerical, question_text: "How many", min_value: 0, max_value: 100 }',
        '  - { question_name: f, question_type: yes_no, question_text: "Ok?" }',
        '  - { question_name: g, question_type: likert_five, question_text: "Agree?" }',
        '  - { question_name: h, question_type: list, question_text: "Name some", max_list_items: 3, min_list_items: 1 }',
        '  - { question_name: i, question_type: rank, question_text: "Rank", question_options: [x, y, z], num_selections: 2 }',
        '  - { question_name: j, question_type: budget, question_text: "Split", question_options: [x, y], budget_sum: 100 }',
        '  - { question_name: k, question_type: extract, question_text: "Extract", answer_template: { name: John, age: 30 } }',
        '  - { question_name: l, question_type: top_k, question_text: "Top 2", question_options: [x, y, z], min_selections: 2, max_selections: 2 }',
        '  - { question_name: m, question_type: free_text, question_text: "Hm", include_comment: false, answering_instructions: "Be brief." }',
      ),
    );
    assert.equal(value.questions.length, 13);
    const likert = value.questions[6];
    assert.deepEqual(likert?.question_type === 'likert_five' && likert.question_options, [
      'Strongly disagree',
      'Disagree',
      'Neutral',
      'Agree',
      'Strongly agree',
    ]);
  });
});

describe('isSurveyFileName', () => {
  test('knows the three survey file kinds', () => {
    for (const name of ['a.survey.yaml', 'dir/b.survey.yml', 'C.SURVEY.JSON']) assert.ok(isSurveyFileName(name), name);
    for (const name of ['a.yaml', 'survey.yaml', 'a.survey.txt', 'a.eval.yaml']) assert.ok(!isSurveyFileName(name), name);
  });
});
