// Every problem names its place (file:line:column), the question or field, and the fix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, QUESTION_TYPES } from '../../../src/format';
import { issueMatching, issues, lines } from './helpers';

const q = (fields: string) => `  - { question_name: ${fields} }`;

describe('syntax errors', () => {
  test('malformed YAML is reported where it breaks', () => {
    const found = issues(lines('name: x', 'questions:', '  - question_name: q1', '    question_type: free_text', '   question_text: bad indent'));
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /^YAML syntax: /);
    assert.equal(found[0]?.line, 5);
  });

  test('tabs and duplicate keys get a plain explanation', () => {
    assert.match(issues('questions:\n\t- a\n')[0]?.message ?? '', /tabs are not allowed/);
    const duplicate = issues(lines('name: a', 'name: b', 'questions: []'));
    assert.equal(issueMatching(duplicate, /appears twice/).line, 2);
  });

  test('a key that is a list or a map is an error at its place, not a value silently stringified', () => {
    const [issue] = issues(lines('name: x', '? [a, b]', ': 1', 'questions: []'));
    assert.match(issue?.message ?? '', /a key here is a list or a map/);
    assert.equal(issue?.line, 2);
  });

  test('malformed JSON is reported at the offending character', () => {
    const text = '{\n  "name": "x",\n  "questions": [\n    {"question_name": "q1",}\n  ]\n}';
    const [issue] = issues(text, {}, 'x.survey.json');
    assert.equal(formatIssue(issue!), 'x.survey.json:4:28 not valid JSON: trailing comma before }: remove it');
  });

  test('a JSON value left out is an error although YAML would read it as null', () => {
    const [issue] = issues('{\n  "name": "x",\n  "questions": \n}', {}, 'x.survey.json');
    assert.equal(issue?.line, 4);
    assert.match(issue?.message ?? '', /expected a value/);
  });

  test('a file that is not a map says what a survey looks like', () => {
    for (const text of ['- a\n- b\n', '', 'just text']) {
      const [issue] = issues(text);
      assert.match(issue?.message ?? '', /must be a map with at least `questions:`/);
    }
  });
});

describe('schema errors', () => {
  test('an unknown question_type lists the valid ones and suggests the closest', () => {
    const found = issues(lines('questions:', '  - question_name: q1', '    question_type: multi_choice', '    question_text: Hi'));
    const issue = issueMatching(found, /unknown question_type/);
    assert.deepEqual([issue.line, issue.column], [3, 20]);
    assert.match(issue.message, /^question "q1": unknown question_type "multi_choice"\. Did you mean "multiple_choice"\?/);
    for (const type of QUESTION_TYPES) assert.ok(issue.message.includes(type), type);
  });

  test('a missing question_type is reported on the question', () => {
    const issue = issueMatching(issues(lines('questions:', '  - question_name: q2', '    question_text: Hi')), /question_type is missing/);
    assert.deepEqual([issue.line, issue.column], [2, 5]);
  });

  test('wrong field types name the field, what was found and where', () => {
    const found = issues(
      lines('iterations: two', 'questions:', '  - question_name: q2', '    question_type: numerical', '    question_text: Hi', '    min_value: ten'),
    );
    assert.equal(formatIssue(issueMatching(found, /iterations/)), 'test.survey.yaml:1:13 iterations must be a number, not text "two"');
    assert.equal(formatIssue(issueMatching(found, /min_value/)), 'test.survey.yaml:6:16 question "q2": min_value must be a number, not text "ten"');
  });

  test('contradictory bounds say which way to fix them', () => {
    const found = issues(
      lines(
        'questions:',
        q('n, question_type: numerical, question_text: Hi, min_value: 10, max_value: 5'),
        q('c, question_type: checkbox, question_text: Hi, question_options: [a, b, c], min_selections: 3, max_selections: 2'),
        q('r, question_type: rank, question_text: Hi, question_options: [a, b], num_selections: 3'),
        q('l, question_type: list, question_text: Hi, min_list_items: 4, max_list_items: 1'),
        q('k, question_type: checkbox, question_text: Hi, question_options: [a, b], max_selections: 5'),
      ),
    );
    assert.equal(issueMatching(found, /question "n": min_value \(10\) is greater than max_value \(5\)/).line, 2);
    assert.match(
      issueMatching(found, /question "c"/).message,
      /min_selections \(3\) is greater than max_selections \(2\).*Lower min_selections or raise max_selections/,
    );
    assert.match(issueMatching(found, /question "r"/).message, /num_selections \(3\) is more than the 2 options/);
    assert.match(issueMatching(found, /question "l"/).message, /min_list_items \(4\) is greater than max_list_items \(1\)/);
    assert.match(issueMatching(found, /question "k"/).message, /max_selections \(5\) is more than the 2 options/);
  });

  test('options: at least 2, distinct even ignoring case', () => {
    const repeatedLine = q('u, question_type: multiple_choice, question_text: Hi, question_options: [a, b, A]');
    const found = issues(lines('questions:', q('m, question_type: multiple_choice, question_text: Hi, question_options: [a]'), repeatedLine));
    assert.match(issueMatching(found, /question "m"/).message, /question_options needs at least 2 options/);
    const repeated = issueMatching(found, /question "u"/);
    assert.match(repeated.message, /option "A" repeats option 1/);
    assert.equal(repeated.column, repeatedLine.indexOf('A]') + 1);
  });

  test('a duplicate question name is reported at the second', () => {
    const found = issues(lines('questions:', q('q1, question_type: free_text, question_text: Hi'), q('q1, question_type: free_text, question_text: Again')));
    const issue = issueMatching(found, /already used/);
    assert.deepEqual([issue.line, issue.column], [3, 22]);
    assert.match(issue.message, /^question "q1": question_name "q1" is already used by question 1; .*rename one/);
  });

  test('unknown keys are pointed at, with a suggestion when close', () => {
    const found = issues(
      lines(
        'nmae: x',
        'questions:',
        '  - question_name: q1',
        '    question_type: free_text',
        '    question_text: Hi',
        '    question_options: [a, b]',
        '  - question_name: q2',
        '    question_type: multiple_choice',
        '    question_text: Hi',
        '    question_option: [a, b]',
      ),
    );
    assert.equal(formatIssue(issueMatching(found, /nmae/)), 'test.survey.yaml:1:1 unknown field "nmae". Did you mean "name"?');
    const wrongType = issueMatching(found, /not a field of this question type/);
    assert.deepEqual([wrongType.line, wrongType.column], [6, 5]);
    assert.equal(issueMatching(found, /question_option"\. Did you mean "question_options"/).line, 10);
  });

  test('names must be identifiers and not reserved words', () => {
    const found = issues(
      lines(
        'questions:',
        q('"my-q", question_type: yes_no, question_text: Hi'),
        q('agent, question_type: yes_no, question_text: Hi'),
        '  - { question_type: yes_no, question_text: Hi }',
      ),
    );
    assert.match(issueMatching(found, /my-q/).message, /letters, digits and _/);
    assert.match(issueMatching(found, /"agent" is a reserved word/).message, /choose another name/);
    assert.equal(issueMatching(found, /question 3: question_name is missing/).line, 4);
  });

  test('an empty value says to give one or remove it', () => {
    assert.match(issueMatching(issues(lines('description:', 'questions: []')), /description/).message, /is empty; give it a value or remove it/);
  });
});

describe('models', () => {
  test('need a service, unique labels and plausible parameter names', () => {
    const found = issues(
      lines(
        'models:',
        '  - gpt-4o',
        '  - openai/gpt-4o',
        '  - openai/gpt-4o',
        '  - { model: test, temprature: 0.2 }',
        '  - { model: test, temperature: 5 }',
        '  - 42',
        'questions: [{ question_name: q, question_type: free_text, question_text: Hi }]',
      ),
    );
    assert.match(issueMatching(found, /model "gpt-4o"/).message, /write "service\/model", e\.g\. "openai\/gpt-4o"/);
    const duplicate = issueMatching(found, /already listed/);
    assert.equal(duplicate.line, 4);
    assert.match(duplicate.message, /add a name to one of them/);
    assert.match(issueMatching(found, /temprature/).message, /Did you mean "temperature"/);
    assert.match(issueMatching(found, /temperature must be at most 2/).message, /^model 5: /);
    assert.match(issueMatching(found, /42/).message, /must be text or a map/);
  });
});

describe('rules', () => {
  const rules = (...ruleLines: string[]) => issues(lines('scenarios: [{ price: 3 }]', 'questions:', ...ruleLines));

  test('skip_if may use earlier questions only; stop_if also this one', () => {
    const found = rules(
      q(`q1, question_type: yes_no, question_text: Hi, skip_if: "q2.answer == 'Yes'"`),
      q(`q2, question_type: yes_no, question_text: Hi, skip_if: "q2.answer == 'Yes'", stop_if: "q3.answer == 'No'"`),
      q(`q3, question_type: yes_no, question_text: Hi, stop_if: "q3.answer == 'No' || q1.answer == 'Yes'"`),
    );
    assert.equal(found.length, 3);
    const later = issueMatching(found, /question "q1": skip_if may only use earlier questions, and "q2" comes later/);
    assert.deepEqual([later.line, later.column], [3, 78]);
    assert.match(issueMatching(found, /question "q2": skip_if/).message, /cannot use its own answer; use stop_if/);
    assert.match(issueMatching(found, /question "q2": stop_if/).message, /"q3" comes later/);
  });

  test('unknown names get a suggestion; code is refused', () => {
    const found = rules(
      q(`q1, question_type: yes_no, question_text: Hi`),
      q(`q2, question_type: yes_no, question_text: Hi, skip_if: "qq1.answer == 'Yes'"`),
      q(`q3, question_type: yes_no, question_text: Hi, skip_if: "q1.answr == 'Yes'"`),
      q(`q4, question_type: yes_no, question_text: Hi, skip_if: "process.exit()"`),
      q(`q5, question_type: yes_no, question_text: Hi, skip_if: "q1.constructor == 1"`),
    );
    assert.match(issueMatching(found, /"qq1"/).message, /not a question, "scenario" or "agent"\. Did you mean "q1"\?/);
    assert.match(issueMatching(found, /q1\.answr/).message, /only \.answer and \.comment\. Did you mean "answer"\?/);
    assert.match(issueMatching(found, /question "q4"/).message, /uses "process", which is not a question/);
    assert.match(issueMatching(found, /question "q5"/).message, /q1\.constructor/);
  });

  test('syntax errors point into the rule; EDSL braces are accepted', () => {
    const found = rules(
      q(`q1, question_type: yes_no, question_text: Hi`),
      q(`q2, question_type: yes_no, question_text: Hi, skip_if: "q1.answer = 'Yes'"`),
      q(`q3, question_type: yes_no, question_text: Hi, skip_if: "{{ q1.answer }} == 'No' && scenario.price > 2"`),
      q(`q4, question_type: yes_no, question_text: Hi, skip_if: "1 + 2"`),
    );
    assert.equal(found.length, 2);
    const syntax = issueMatching(found, /question "q2": skip_if is not a valid condition/);
    assert.deepEqual([syntax.line, syntax.column], [4, 88]);
    assert.match(issueMatching(found, /question "q4"/).message, /must be a true\/false condition/);
  });
});

describe('templates', () => {
  test('names a template cannot fill are errors, each at its place', () => {
    const found = issues(
      lines(
        'scenarios: [{ product: espresso }]',
        'agents: [{ traits: { age: 3 } }]',
        'questions:',
        q(`q1, question_type: yes_no, question_text: "Do you {{ q2.answer }} {{ prodcut }}?"`),
        q(`q2, question_type: yes_no, question_text: "{{ scenario.price }} {{ agent.height }} {{ q1.answr }} {{ q1 }}"`),
        q(`q3, question_type: yes_no, question_text: "{% include 'x' %}"`),
        q(`q4, question_type: yes_no, question_text: "{{ q1.answer }} {{ agent.name }} {{ scenario.product }} {{ product | upcase }}"`),
      ),
    );
    assert.equal(found.length, 7);
    const later = issueMatching(found, /q2\.answer/);
    assert.deepEqual([later.line, later.column], [4, 75]);
    assert.match(later.message, /^question "q1": .*"q2" is asked later/);
    assert.match(issueMatching(found, /prodcut/).message, /Did you mean "product"\?/);
    assert.match(issueMatching(found, /scenario\.price/).message, /no scenario has "price"/);
    assert.match(issueMatching(found, /agent\.height/).message, /no agent has the trait "height"/);
    assert.match(issueMatching(found, /q1\.answr/).message, /Did you mean "answer"/);
    assert.match(issueMatching(found, /\{\{ q1 \}\}/).message, /write \{\{ q1\.answer \}\}/);
    assert.match(issueMatching(found, /question "q3"/).message, /not a valid template: tag "include" not found/);
  });
});

describe('memory', () => {
  test('may name earlier questions only', () => {
    const secondLine = q('q2, question_type: yes_no, question_text: Hi, memory: [q1, nope]');
    const found = issues(
      lines(
        'questions:',
        q('q1, question_type: yes_no, question_text: Hi, memory: [q2]'),
        secondLine,
        q('q3, question_type: yes_no, question_text: Hi, memory: some'),
      ),
    );
    assert.match(issueMatching(found, /question "q1"/).message, /"q2" comes later/);
    const unknown = issueMatching(found, /nope/);
    assert.deepEqual([unknown.line, unknown.column], [3, secondLine.indexOf('nope') + 1]);
    assert.match(issueMatching(found, /question "q3"/).message, /memory must be one of "none", "all" or a list/);
  });
});

describe('collecting', () => {
  test('all problems are reported at once, in reading order', () => {
    const found = issues(
      lines(
        'iterations: 0',
        'models: [gpt-4o]',
        'questions:',
        q('q1, question_type: nope, question_text: Hi'),
        q(`q2, question_type: yes_no, question_text: "{{ missing }}", skip_if: "q3.answer"`),
        q('q3, question_type: numerical, question_text: Hi, min_value: 3, max_value: 1'),
      ),
    );
    assert.equal(found.length, 6, found.map(formatIssue).join('\n'));
    const order = found.map((issue) => issue.line * 1000 + issue.column);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });
});
