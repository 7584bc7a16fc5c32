// The eval file format: what parses, and what is refused with its line and column.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CompiledEval, formatIssue, parseEval, type EvalTask } from '../../../src/format';
import { EVAL_SCHEMA_FILE, evalSchemaFileText } from '../../../src/format/schema-file';

const parse = (text: string, files: Record<string, string> = {}) => parseEval({ name: 'x.eval.yaml', text }, (name) => files[name]);
const ok = (text: string, files: Record<string, string> = {}): EvalTask => {
  const result = parse(text, files);
  if (!result.ok) assert.fail(result.issues.map(formatIssue).join('\n'));
  return result.value;
};
const problems = (text: string, files: Record<string, string> = {}): string[] => {
  const result = parse(text, files);
  assert.ok(!result.ok, 'expected problems');
  return result.issues.map(formatIssue);
};

describe('parseEval', () => {
  test('inline samples with defaults: the test model, one epoch, content ids that are stable', () => {
    const task = ok('dataset:\n  - { input: "2+2?", target: 4 }\n  - { input: "3+3?", target: [6, six] }\nscorers: [exact]\n');
    assert.equal(task.models[0]?.label, 'test');
    assert.deepEqual(task.epochs, { count: 1, reducer: 'mean', k: 1 });
    assert.deepEqual(task.samples[1]?.target, ['6', 'six']);
    assert.match(task.samples[0]!.id, /^[0-9a-f]{12}$/);
    assert.equal(ok('dataset:\n  - { input: "2+2?", target: 4 }\nscorers: [exact]\n').samples[0]?.id, task.samples[0]?.id);
  });

  test('a CSV file with a field mapping, shuffled repeatably and limited', () => {
    const csv = 'q,a,b,topic\nQ1,A1,,t1\nQ2,A2,B2,t2\nQ3,A3,,t3\nQ4,A4,,t4\n';
    const text = 'dataset:\n  file: d.csv\n  fields: { input: q, target: [a, b] }\n  shuffle: true\n  seed: 3\n  limit: 3\nscorers: [includes]\n';
    const first = ok(text, { 'd.csv': csv });
    assert.equal(first.samples.length, 3);
    assert.deepEqual(ok(text, { 'd.csv': csv }).samples, first.samples, 'same seed, same order');
    const q2 = ok(text.replace('limit: 3', 'limit: 4'), { 'd.csv': csv }).samples.find((s) => s.input === 'Q2');
    assert.deepEqual(q2?.target, ['A2', 'B2']);
    assert.deepEqual(q2?.metadata, { topic: 't2' });
  });

  test('the prompt renders lettered choices and metadata', () => {
    const task = ok(
      'dataset:\n  - { input: "Capital?", choices: [Rome, Paris], target: B, metadata: { level: easy } }\nprompt: "[{{ level }}] {{ input }}\\n{{ choices }}"\nscorers: [choice]\n',
    );
    assert.equal(new CompiledEval(task).prompts(0).user, '[easy] Capital?\nA) Rome\nB) Paris');
  });

  test('problems come with line and column', () => {
    assert.deepEqual(problems('dataset:\n  - { input: "2+2?", target: 4 }\nscorers:\n  - exakt\n'), [
      'x.eval.yaml:4:5 scorer "exakt": unknown scorer "exakt". Did you mean "exact"? Scorers: exact, includes, match, pattern, choice, f1, model_graded, log_probability, embedding.',
    ]);
    assert.match(
      problems('dataset:\n  - { input: "2+2?", target: 4 }\nscorers:\n  - { type: match, locaton: end }\n')[0]!,
      /^x\.eval\.yaml:4:20 scorer "match": unknown field "locaton"\. Did you mean "location"\?/,
    );
    assert.match(
      problems('dataset:\n  - { input: "2+2?", target: 4 }\nprompt: "{{ input }} {{ target }}"\nscorers: [exact]\n')[0]!,
      /^x\.eval\.yaml:3:25 prompt: unknown name "target"\. The model must not see the target/,
    );
    assert.match(
      problems('dataset:\n  - { input: "2+2?" }\nscorers: [exact]\n')[0]!,
      /^x\.eval\.yaml:2:3 sample "[0-9a-f]+" has no target; scorer "exact" compares/,
    );
    assert.match(problems('dataset: data.csv\nscorers: [exact]\n')[0]!, /^x\.eval\.yaml:1:10 dataset file "data.csv" was not found/);
    assert.match(problems('dataset: d.csv\nscorers: [exact]\n', { 'd.csv': 'input,target\n"x,1\n' })[0]!, /^d\.csv:2:1 a quoted field is never closed/);
    assert.match(
      problems('dataset:\n  - { input: "q", target: A, choices: [x] }\nscorers: [choice]\n')[0]!,
      /^x\.eval\.yaml:2:39 sample 1: choices needs at least 2 options/,
    );
    assert.match(
      problems('dataset:\n  - { input: "q", target: 1 }\nscorers:\n  - { type: pattern, regex: "(" }\n')[0]!,
      /^x\.eval\.yaml:4:29 scorer "pattern": regex is not a valid regular expression/,
    );
    assert.match(problems('dataset:\n  - { input: "q", target: 1 }\nscorers: [exact, exact]\n')[0]!, /the name "exact" is already used by scorer 1/);
  });

  test('media/eval.schema.json is up to date (regenerate: npx tsx src/format/schema-file.ts --write)', () => {
    assert.equal(readFileSync(EVAL_SCHEMA_FILE, 'utf8'), evalSchemaFileText());
  });
});
