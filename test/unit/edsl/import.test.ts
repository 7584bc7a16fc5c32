// EDSL's own objects → Fieldwork surveys: every Jobs, Survey and Question* EDSL 1.0.4–1.0.8 wrote is imported or
// refused with its reason, and what is imported comes back the same through EDSL's format.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJobs } from '../../../src/edsl/export';
import { importEdsl } from '../../../src/edsl/import';
import { parseSurvey, type Survey } from '../../../src/format';
import { edslFixtures } from './fixtures';

function parsed(file: Record<string, unknown>): Survey {
  const result = parseSurvey({ name: 'imported.survey.json', text: JSON.stringify(file) }, () => undefined);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.value;
}

const SUPPORTED = [
  'budget',
  'checkbox',
  'extract',
  'free_text',
  'likert_five',
  'linear_scale',
  'list',
  'multiple_choice',
  'numerical',
  'rank',
  'top_k',
  'yes_no',
];

describe('importing the objects EDSL wrote', () => {
  const fixtures = edslFixtures().filter((fixture) => ['Jobs', 'Survey'].includes(fixture.className) || fixture.className.startsWith('Question'));

  test('each is imported or refused with a reason naming it; the lists are as expected', (t) => {
    const imported = new Set<string>();
    const refused = new Map<string, string>();
    for (const fixture of fixtures) {
      const value = fixture.className.startsWith('Question') ? { questions: [fixture.dict], edsl_class_name: 'Survey' } : fixture.dict;
      const outcome = importEdsl(value);
      const label = fixture.className.startsWith('Question') ? String(fixture.dict['question_type']) : fixture.className;
      if (outcome.ok) {
        imported.add(label);
      } else {
        assert.equal(outcome.reasons.length, 1, `${fixture.release} ${fixture.className}: ${outcome.reasons.join(' | ')}`);
        assert.match(outcome.reasons[0]!, new RegExp(`type ${label}, which Fieldwork cannot run: .+`));
        refused.set(label, outcome.reasons[0]!);
      }
    }
    t.diagnostic(`${fixtures.length} objects from ${new Set(fixtures.map((f) => f.release)).size} releases`);
    t.diagnostic(`imported (${imported.size}): ${[...imported].sort().join(', ')}`);
    t.diagnostic(`refused (${refused.size}): ${[...refused.keys()].sort().join(', ')}`);
    assert.deepEqual([...imported].sort(), ['Jobs', 'Survey', ...SUPPORTED].sort());
    assert.deepEqual([...refused.keys()].sort(), [
      'checkbox_with_other',
      'compute',
      'demand',
      'diagram',
      'dict',
      'dropdown',
      'edsl_object',
      'file_upload',
      'functional',
      'image_generation',
      'interview',
      'markdown',
      'matrix',
      'multiple_choice_with_other',
      'pydantic',
      'random',
      'thinking',
    ]);
    for (const label of imported) assert.ok(!refused.has(label), `${label} is imported from one release and refused from another`);
  });

  test('what is imported round-trips: import → export → import gives the same survey', () => {
    let checked = 0;
    for (const fixture of fixtures) {
      const value = fixture.className.startsWith('Question') ? { questions: [fixture.dict] } : fixture.dict;
      const first = importEdsl(value, { name: 'trip' });
      if (!first.ok) continue;
      const survey = parsed(first.survey);
      const again = importEdsl(JSON.parse(JSON.stringify(exportJobs(survey))), { name: 'trip' });
      assert.ok(again.ok, `${fixture.release} ${fixture.className}: ${!again.ok && again.reasons.join(' | ')}`);
      assert.deepEqual(parsed(again.survey), survey, `${fixture.release} ${fixture.className}`);
      checked++;
    }
    assert.equal(checked, 5 * 2 + 5 * SUPPORTED.length);
  });

  test("the Survey's jump rule (after q0, when q0 is yes, go to q2) skips q1", () => {
    const survey = fixtures.find((fixture) => fixture.className === 'Survey')!;
    const outcome = importEdsl(survey.dict);
    assert.ok(outcome.ok);
    const questions = parsed(outcome.survey).questions;
    assert.equal(questions[1]!.skip_if, "q0.answer== 'yes'");
    assert.equal(questions[0]!.skip_if, undefined);
    assert.equal(questions[2]!.skip_if, undefined);
  });

  test('agents, scenarios and the job’s models become the survey’s; no models means the test model, said in a note', () => {
    const jobs = fixtures.find((fixture) => fixture.className === 'Jobs' && fixture.release === '1.0.8')!;
    const outcome = importEdsl(jobs.dict, { iterations: 3, fresh: true });
    assert.ok(outcome.ok);
    const survey = parsed(outcome.survey);
    assert.deepEqual(
      survey.agents.map((agent) => agent.traits),
      [{ status: 'Joyful' }, { status: 'Sad' }],
    );
    assert.deepEqual(survey.scenarios, [{ period: 'morning' }, { period: 'afternoon' }]);
    assert.deepEqual(
      survey.models.map((model) => model.label),
      ['test'],
    );
    assert.equal(survey.iterations, 3);
    assert.equal(survey.fresh, true);
    assert.ok(outcome.notes.some((note) => note.includes('no models')));
  });
});
