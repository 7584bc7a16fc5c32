// Scorers on their own: normalization, unicode, whitespace, numbers with units, several targets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sample, ScorerSpec } from '../../../src/format';
import { scoreExact } from '../../../src/server/scorers/exact';
import { scoreIncludes } from '../../../src/server/scorers/includes';
import { scoreMatch } from '../../../src/server/scorers/match';
import { scorePattern } from '../../../src/server/scorers/pattern';
import { scoreChoice } from '../../../src/server/scorers/choice';
import { f1, scoreF1 } from '../../../src/server/scorers/f1';
import { gradeOf } from '../../../src/server/scorers/model-graded';
import { cosine, scoreEmbedding } from '../../../src/server/scorers/embedding';
import { measured, scoreLogProbability } from '../../../src/server/scorers/log-probability';
import { numbersIn } from '../../../src/server/scorers/normalize';
import type { ScoreInput, ScoringServices } from '../../../src/server/scorers';

const sample = (target: string[], choices: string[] | null = null): Sample => ({ id: 's', input: 'q', target, choices, metadata: {} });
const input = (output: string, target: string[], choices: string[] | null = null): ScoreInput => ({
  sample: sample(target, choices),
  output,
  prompts: { system: '', user: 'q' },
  model: { label: 'test', service: 'test', model: 'test', parameters: {} },
});
const spec = <T extends ScorerSpec['type']>(type: T, extra: object = {}) => ({ type, name: type, ...extra }) as Extract<ScorerSpec, { type: T }>;

describe('exact and includes', () => {
  test('whitespace, case, quotes and trailing punctuation do not matter; unicode is folded', () => {
    const exact = spec('exact', { ignore_case: true });
    assert.equal(scoreExact(exact, input('  Paris.\n', ['paris'])).value, 1);
    assert.equal(scoreExact(exact, input('"São  Paulo"', ['são paulo'])).value, 1);
    assert.equal(scoreExact(exact, input('Ｔｏｋｙｏ', ['Tokyo'])).value, 1, 'full-width letters (NFKC)');
    assert.equal(scoreExact(exact, input('Paris, France', ['Paris'])).value, 0);
    assert.equal(scoreExact(spec('exact', { ignore_case: false }), input('paris', ['Paris'])).value, 0);
  });

  test('several targets: any one counts', () => {
    const includes = spec('includes', { ignore_case: true });
    const scored = scoreIncludes(includes, input('It was William Shakespeare.', ['Marlowe', 'shakespeare']));
    assert.equal(scored.value, 1);
    assert.equal(scored.answer, 'shakespeare');
    assert.equal(scoreIncludes(includes, input('Bacon', ['Marlowe', 'Shakespeare'])).value, 0);
    assert.equal(scoreIncludes(includes, input('anything', [''])).value, 0, 'an empty target never matches');
  });
});

describe('match', () => {
  const numeric = (location: string, tolerance = 0) => spec('match', { location, numeric: true, tolerance, ignore_case: true });
  test('numbers with units, separators and signs are read as numbers', () => {
    assert.deepEqual(numbersIn('It is 1,000 km, about −3.5% or $42.'), [1000, -3.5, 42]);
    assert.equal(scoreMatch(numeric('end'), input('The distance is 42 km', ['42'])).value, 1);
    assert.equal(scoreMatch(numeric('end'), input('The answer: 1,000', ['1000'])).value, 1);
    assert.equal(scoreMatch(numeric('end'), input('12 apples, 13 pears', ['12'])).value, 0, 'end reads the last number');
    assert.equal(scoreMatch(numeric('begin'), input('12 apples, 13 pears', ['12'])).value, 1);
    assert.equal(scoreMatch(numeric('any'), input('12 apples, 13 pears', ['13'])).value, 1);
    assert.equal(scoreMatch(numeric('exact'), input('12 apples, 13 pears', ['12'])).value, 0);
  });

  test('tolerance is absolute, with room for floating point', () => {
    assert.equal(scoreMatch(numeric('end', 0.01), input('3.141', ['3.14159'])).value, 1);
    assert.equal(scoreMatch(numeric('end', 0.001), input('3.13', ['3.14159'])).value, 0);
    assert.equal(scoreMatch(numeric('end'), input(String(0.1 + 0.2), ['0.3'])).value, 1);
    const none = scoreMatch(numeric('end'), input('no idea', ['7']));
    assert.equal(none.value, 0);
    assert.equal(none.answer, null);
  });

  test('as text: begin, end and any after normalizing', () => {
    const text = (location: string) => spec('match', { location, numeric: false, tolerance: 0, ignore_case: true });
    assert.equal(scoreMatch(text('end'), input('The capital is Paris.', ['paris'])).value, 1);
    assert.equal(scoreMatch(text('begin'), input('Paris is the capital', ['paris'])).value, 1);
    assert.equal(scoreMatch(text('begin'), input('The capital is Paris', ['paris'])).value, 0);
  });
});

describe('pattern', () => {
  test('the capture group is the answer and is compared with the targets', () => {
    const pattern = spec('pattern', { regex: 'ANSWER:\\s*(\\w+)', group: 1, ignore_case: true });
    const scored = scorePattern(pattern, input('thinking…\nANSWER: Blue', ['blue', 'azure']));
    assert.deepEqual([scored.value, scored.answer], [1, 'Blue']);
    const miss = scorePattern(pattern, input('I do not know', ['blue']));
    assert.deepEqual([miss.value, miss.answer], [0, null]);
    const unicode = spec('pattern', { regex: 'Antwort: (\\p{L}+)', group: 1, ignore_case: true });
    assert.equal(scorePattern(unicode, input('Antwort: Ärger', ['ärger'])).value, 1);
  });
});

describe('choice', () => {
  const choices = ['Sydney', 'Canberra', 'Melbourne'];
  test('reads "ANSWER: B", a lone letter, "(B)" or the option text; targets may be letters or text', () => {
    assert.equal(scoreChoice(spec('choice'), input('Let me think.\nANSWER: B', ['B'], choices)).value, 1);
    assert.equal(scoreChoice(spec('choice'), input('b', ['Canberra'], choices)).value, 1);
    assert.equal(scoreChoice(spec('choice'), input('(B) Canberra', ['B'], choices)).value, 1);
    assert.equal(scoreChoice(spec('choice'), input('Canberra.', ['B'], choices)).value, 1);
    assert.equal(scoreChoice(spec('choice'), input('ANSWER: A', ['B'], choices)).value, 0);
    const outOfRange = scoreChoice(spec('choice'), input('ANSWER: E', ['B'], choices));
    assert.deepEqual([outOfRange.value, outOfRange.answer], [0, null]);
  });
});

describe('f1', () => {
  test('word overlap after SQuAD normalization, best over targets', () => {
    assert.equal(f1(['a'], ['a']), 1);
    assert.equal(scoreF1(spec('f1'), input('The Eiffel Tower!', ['eiffel tower'])).value, 1);
    // predicted: [big, red, dog], expected: [red, dog] → P = 2/3, R = 1 → F1 = 0.8
    assert.ok(Math.abs(scoreF1(spec('f1'), input('big red dog', ['a red dog', 'cat'])).value! - 0.8) < 1e-12);
    assert.equal(scoreF1(spec('f1'), input('', ['x'])).value, 0);
  });
});

describe('model-graded, log-probability and embedding', () => {
  test('the last GRADE line is the grade; the reasoning before it is the explanation', () => {
    const c = gradeOf('The submission says ice is less dense.\nGRADE: C', false);
    assert.deepEqual([c.value, c.answer, c.explanation], [1, 'C', 'The submission says ice is less dense.']);
    assert.equal(gradeOf('GRADE: I', false).value, 0);
    assert.equal(gradeOf('Partly right. GRADE: P', true).value, 0.5);
    assert.equal(gradeOf('Partly right. GRADE: P', false).value, null, 'P without partial credit is no grade');
    assert.equal(gradeOf('I cannot decide.', false).value, null, 'no grade: counted apart, not wrong');
  });

  const services = (vectors: Record<string, number[]>): ScoringServices => ({
    complete: async () => 'GRADE: C',
    evaluate: async (_model, _prompt, expected) => ({
      log_probability: expected === 'Paris' ? -0.5 : -4,
      log_perplexity_per_character: 0.1,
      correct_greedy: expected === 'Paris',
      input_tokens: 5,
    }),
    embed: async (_model, text) => ({ embedding: vectors[text] ?? [0, 0], input_tokens: 2 }),
  });

  test('log-probability takes the best target and reports the chosen measure (provider interface faked)', async () => {
    const lp = spec('log_probability', { measure: 'log_probability' });
    const scored = await scoreLogProbability(lp, input('ignored', ['Lyon', 'Paris']), services({}));
    assert.deepEqual([scored.value, scored.answer], [-0.5, 'Paris']);
    const greedy = measured(spec('log_probability', { measure: 'correct_greedy' }), 'Lyon', {
      log_probability: -4,
      log_perplexity_per_character: null,
      correct_greedy: false,
      input_tokens: 1,
    });
    assert.equal(greedy.value, 0);
  });

  test('embedding similarity: cosine of output and target against the threshold', async () => {
    assert.ok(Math.abs(cosine([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
    assert.ok(Number.isNaN(cosine([1, 0], [1, 0, 0])));
    const model = { label: 'aa', service: 'aleph-alpha', model: 'luminous-base', parameters: {} };
    const embedding = { type: 'embedding', name: 'embedding', model, threshold: 0.9 } as Extract<ScorerSpec, { type: 'embedding' }>;
    const vectors = { out: [1, 0], near: [0.99, 0.1], far: [0, 1] };
    assert.equal((await scoreEmbedding(embedding, input('out', ['far', 'near']), services(vectors))).value, 1);
    const far = await scoreEmbedding(embedding, input('out', ['far']), services(vectors));
    assert.deepEqual([far.value, far.answer], [0, '0.0000']);
  });
});
