// Question texts are Liquid templates, sandboxed: no prototype access, no file system, no code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QuestionRenderError } from '../../../src/format';
import { compileTemplate } from '../../../src/format/template';
import { compiled, issues, lines } from './helpers';

const render = (text: string, scope: Record<string, unknown>) => {
  const result = compileTemplate(text);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.template.render(scope);
};

describe('templates: variables', () => {
  const survey = compiled(
    lines(
      'agents: [{ name: ann, traits: { age: 34, likes: [tea, cake] } }]',
      'scenarios: [{ product: espresso, price: 2.5 }]',
      'questions:',
      '  - { question_name: q1, question_type: checkbox, question_text: "Pick", question_options: [a, b, c] }',
      '  - question_name: q2',
      '    question_type: free_text',
      '    question_text: "{{ product }}/{{ scenario.product }}/{{ scenario.price }}/{{ agent.age }}/{{ agent.name }}/{{ agent.likes }}/{{ q1.answer }}/{{ q1.answer | join: \', \' }}/{{ q1.comment }}/{{ product | upcase }}"',
    ),
  );
  const ref = survey.interviewAt(0);

  test('fill from the scenario, the agent and earlier answers; lists render as JSON', () => {
    const answers = new Map([['q1', { answer: ['a', 'c'], comment: 'because' }]]);
    assert.equal(survey.prompts(ref, 1, answers).user, 'espresso/espresso/2.5/34/ann/["tea","cake"]/["a","c"]/a, c/because/ESPRESSO');
  });

  test('an unanswered question renders empty', () => {
    assert.equal(survey.prompts(ref, 1, new Map()).user, 'espresso/espresso/2.5/34/ann/["tea","cake"]////ESPRESSO');
  });
});

describe('templates: a name that is both a scenario key and a question', () => {
  test('bare, it is the scenario value; with .answer, the earlier question', () => {
    const survey = compiled(
      lines(
        'scenarios: [{ rating: 4.5 }]',
        'questions:',
        '  - { question_name: rating, question_type: linear_scale, question_text: "Others say {{ rating }}. Yours?", question_options: [1, 2, 3, 4, 5] }',
        '  - { question_name: why, question_type: free_text, question_text: "You said {{ rating.answer }}, others {{ scenario.rating }}. Why?" }',
      ),
    );
    const ref = survey.interviewAt(0);
    const answers = new Map([['rating', { answer: 2, comment: null }]]);
    assert.match(survey.prompts(ref, 0, answers).user, /^Others say 4\.5\. Yours\?/);
    assert.equal(survey.prompts(ref, 1, answers).user, 'You said 2, others 4.5. Why?');
  });

  test('using it both ways in one text is an error that says how to write it', () => {
    const found = issues(
      lines(
        'scenarios: [{ rating: 4.5 }]',
        'questions:',
        '  - { question_name: rating, question_type: linear_scale, question_text: "Rate", question_options: [1, 2, 3, 4, 5] }',
        '  - { question_name: why, question_type: free_text, question_text: "{{ rating }} vs {{ rating.answer }}" }',
      ),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0]?.message ?? '',
      /^question "why": question_text uses "rating" both as the scenario key and as the question; write \{\{ scenario\.rating \}\}/,
    );
  });
});

describe('templates: sandbox', () => {
  const scope = { product: 'espresso', scenario: { product: 'espresso' }, agent: { age: 3, name: 'ann' }, q1: { answer: ['a'], comment: null } };

  test('prototype and global names render inert', () => {
    for (const text of [
      '{{ constructor }}',
      '{{ __proto__ }}',
      '{{ process }}',
      '{{ require }}',
      '{{ global }}',
      '{{ globalThis }}',
      '{{ product.constructor }}',
      '{{ product.constructor.name }}',
      '{{ agent.constructor.constructor }}',
      '{{ q1.answer.constructor }}',
      '{{ agent.__proto__.toString }}',
      '{{ scenario["constructor"] }}',
    ]) {
      assert.equal(render(text, scope), '', text);
    }
  });

  test('code in a template is refused and never runs', () => {
    const flags = globalThis as { fieldworkTemplatePwned?: boolean };
    flags.fieldworkTemplatePwned = false;
    for (const text of [
      '{{ this.constructor.constructor("return process")() }}',
      '{{ product.constructor.constructor("globalThis.fieldworkTemplatePwned = true")() }}',
      '{{ "x" | constructor }}',
    ]) {
      const result = compileTemplate(text);
      if (result.ok) result.template.render(scope);
      assert.equal(flags.fieldworkTemplatePwned, false, text);
    }
    assert.equal(compileTemplate('{{ this.constructor.constructor("return process")() }}').ok, false);
  });

  test('templates cannot reach the file system', () => {
    for (const tag of ['include', 'render', 'layout']) {
      const result = compileTemplate(`{% ${tag} '/etc/passwd' %}`);
      assert.ok(!result.ok && result.message.includes(`tag "${tag}" not found`), tag);
    }
  });

  test('parseSurvey refuses templates reaching for globals', () => {
    const found = issues(
      lines(
        'questions:',
        '  - { question_name: q, question_type: free_text, question_text: "{{ process }} {{ constructor }} {{ require }} {{ global }} {{ __proto__ }}" }',
      ),
    );
    assert.equal(found.length, 5);
    for (const issue of found) assert.match(issue.message, /which is not a scenario key/);
  });

  test('a runaway loop is a problem at its line and column, found while the survey is checked', () => {
    const [issue, ...more] = issues(
      lines('questions:', '  - { question_name: q, question_type: free_text, question_text: "Hi {% for i in (1..100000000) %}x{% endfor %}" }'),
    );
    assert.equal(more.length, 0);
    assert.deepEqual([issue?.line, issue?.column], [2, 70], 'at the {% for %} tag');
    assert.deepEqual(issue?.path, ['questions', 0, 'question_text']);
    assert.match(
      issue?.message ?? '',
      /^question "q": question_text could not be rendered for scenario 1, agent 1: memory alloc limit exceeded\. .*make its loops shorter/,
    );
  });

  test('a loop that only runs away with an answer stops at the render limit with the question named', () => {
    const survey = compiled(
      lines(
        'questions:',
        '  - { question_name: n, question_type: numerical, question_text: "How many?" }',
        '  - { question_name: q, question_type: free_text, question_text: "{% for i in (1..n.answer) %}x{% endfor %}" }',
      ),
    );
    const answers = new Map([['n', { answer: 100_000_000, comment: null }]]);
    assert.throws(
      () => survey.prompts(survey.interviewAt(0), 1, answers),
      (error: unknown) => {
        assert.ok(error instanceof QuestionRenderError);
        assert.match(error.message, /^question "q": question_text could not be rendered for scenario 1, agent 1: memory alloc limit exceeded/);
        return true;
      },
    );
  });
});
