// Prompts in EDSL's words: the agent as the system prompt; question, options, memory and instructions as the user's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AGENT_INSTRUCTION, type AnswerRecord } from '../../../src/format';
import { compiled, lines } from './helpers';

const none = new Map<string, AnswerRecord>();

describe('system prompt', () => {
  const survey = compiled(
    lines(
      'agents:',
      '  - { name: plain }',
      '  - { traits: { age: 34, city: Lisbon } }',
      '  - { traits: { age: 70 }, instruction: "You are a retired teacher." }',
      'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]',
    ),
  );
  const system = (agentIndex: number) => survey.prompts({ index: 0, agentIndex, scenarioIndex: 0, modelIndex: 0, iteration: 0 }, 0, none).system;

  test("is EDSL's default instruction, then the traits as JSON", () => {
    assert.equal(DEFAULT_AGENT_INSTRUCTION, 'You are answering questions as if you were a human. Do not break character.');
    assert.equal(system(0), DEFAULT_AGENT_INSTRUCTION);
    assert.equal(system(1), `${DEFAULT_AGENT_INSTRUCTION}\nYour traits: {"age":34,"city":"Lisbon"}`);
    assert.equal(system(2), 'You are a retired teacher.\nYour traits: {"age":70}');
  });
});

describe('user prompt', () => {
  test('multiple_choice: question, options one per line, then how to answer', () => {
    const survey = compiled(
      lines('questions:', '  - { question_name: q, question_type: multiple_choice, question_text: How often?, question_options: [daily, weekly, rarely] }'),
    );
    assert.equal(
      survey.prompts(survey.interviewAt(0), 0, none).user,
      [
        'How often?',
        '',
        'daily',
        'weekly',
        'rarely',
        '',
        'Only 1 option may be selected.',
        'Respond only with a string corresponding to one of the options.',
        'After the answer, you can put a comment explaining why you chose that option on the next line.',
      ].join('\n'),
    );
  });

  test('include_comment: false drops the comment line; answering_instructions replace the instructions', () => {
    const survey = compiled(
      lines(
        'questions:',
        '  - { question_name: a, question_type: yes_no, question_text: Ok?, include_comment: false }',
        '  - { question_name: b, question_type: yes_no, question_text: Ok?, answering_instructions: "Say Yes or No." }',
      ),
    );
    const ref = survey.interviewAt(0);
    assert.equal(
      survey.prompts(ref, 0, none).user,
      'Ok?\n\nYes\nNo\n\nOnly 1 option may be selected.\nRespond only with a string corresponding to one of the options.',
    );
    assert.equal(survey.prompts(ref, 1, none).user, 'Ok?\n\nYes\nNo\n\nSay Yes or No.');
  });

  test('each type says how to answer it', () => {
    const survey = compiled(
      lines(
        'questions:',
        '  - { question_name: a, question_type: linear_scale, question_text: Rate, question_options: [1, 2, 3], option_labels: { 1: Bad, 3: Good } }',
        '  - { question_name: b, question_type: numerical, question_text: Age?, min_value: 0, max_value: 120 }',
        '  - { question_name: c, question_type: checkbox, question_text: Pick, question_options: [x, y, z], min_selections: 1, max_selections: 2 }',
        '  - { question_name: d, question_type: rank, question_text: Rank, question_options: [x, y, z], num_selections: 2 }',
        '  - { question_name: e, question_type: budget, question_text: Split, question_options: [x, y], budget_sum: 100 }',
        '  - { question_name: f, question_type: list, question_text: Name some, max_list_items: 3 }',
        '  - { question_name: g, question_type: extract, question_text: "Text: Ann, 30", answer_template: { name: John, age: 30 } }',
        '  - { question_name: h, question_type: free_text, question_text: Why? }',
        '  - { question_name: i, question_type: top_k, question_text: Top, question_options: [x, y, z], min_selections: 2, max_selections: 2 }',
      ),
    );
    const user = (index: number) => survey.prompts(survey.interviewAt(0), index, none).user;
    assert.match(
      user(0),
      /^Rate\n\n1 : Bad\n2\n3 : Good\n\nOnly 1 option may be selected\.\nRespond only with the code corresponding to one of the options\. E\.g\., "1" or "3" by itself\./,
    );
    assert.match(user(1), /^Age\?\n\nMinimum answer value: 0\nMaximum answer value: 120\n\nThis question requires a numerical response/);
    assert.match(
      user(2),
      /Minimum number of options that must be selected: 1\.\nMaximum number of options that must be selected: 2\.\n\nPlease respond only with a comma-separated list of the options selected, with square brackets/,
    );
    assert.match(user(3), /You must include exactly 2 options\./);
    assert.match(user(4), /Distribute a total of 100 among the options above\..*\n.*JSON object.*\nThe amounts must add up to exactly 100/);
    assert.match(user(5), /valid JSON list.*\nThe list must not contain more than 3 items\./);
    assert.match(user(6), /JSON object with these fields.*\{"name":"John","age":30\}/);
    assert.equal(user(7), 'Why?');
    assert.match(user(8), /You must select exactly 2 options\./);
  });
});

describe('memory', () => {
  const survey = (memory: string, perQuestion = '') =>
    compiled(
      lines(
        `memory: ${memory}`,
        'scenarios: [{ product: tea }]',
        'questions:',
        '  - { question_name: q1, question_type: yes_no, question_text: "Do you drink {{ product }}?" }',
        '  - { question_name: q2, question_type: checkbox, question_text: "Which?", question_options: [a, b] }',
        `  - { question_name: q3, question_type: free_text, question_text: "Why?"${perQuestion} }`,
      ),
    );
  const answered = new Map<string, AnswerRecord>([
    ['q1', { answer: 'Yes', comment: 'often' }],
    ['q2', { answer: ['a', 'b'], comment: null }],
  ]);

  test('memory: all shows every earlier question and answer, in EDSL wording', () => {
    const compiledSurvey = survey('all');
    assert.equal(
      compiledSurvey.prompts(compiledSurvey.interviewAt(0), 2, answered).user,
      [
        'Why?',
        '',
        'Before the question you are now answering, you already answered the following question(s):',
        '\tQuestion: Do you drink tea?',
        '\tAnswer: Yes',
        '\tQuestion: Which?',
        '\tAnswer: ["a","b"]',
      ].join('\n'),
    );
  });

  test('memory: none shows nothing; a question can name what it remembers', () => {
    const plain = survey('none');
    assert.equal(plain.prompts(plain.interviewAt(0), 2, answered).user, 'Why?');
    const named = survey('none', ', memory: [q2]');
    assert.match(named.prompts(named.interviewAt(0), 2, answered).user, /^Why\?\n\nBefore .*\n\tQuestion: Which\?\n\tAnswer: \["a","b"\]$/);
    const overridden = survey('all', ', memory: none');
    assert.equal(overridden.prompts(overridden.interviewAt(0), 2, answered).user, 'Why?');
  });

  test('questions without an answer are left out of memory', () => {
    const compiledSurvey = survey('all');
    const partly = new Map<string, AnswerRecord>([
      ['q1', { answer: null, comment: null }],
      ['q2', { answer: ['a'], comment: null }],
    ]);
    assert.doesNotMatch(compiledSurvey.prompts(compiledSurvey.interviewAt(0), 2, partly).user, /Do you drink/);
  });
});
