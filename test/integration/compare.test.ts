// `fieldwork jobs compare` against a real server: two models of one job, and two jobs, with tests per question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Comparison } from '../../src/api';
import { jobsCompare } from '../../src/cli/commands/compare';
import { fakeCli } from '../unit/cli/fake-cli';
import { waitForJob } from '../support/jobs';
import { useTestServer } from '../support/test-server';

const local = useTestServer('compare');

const SURVEY = `name: Two models
scenarios: [${Array.from({ length: 12 }, (_, i) => `{ n: ${i} }`).join(', ')}]
models: [{ model: test, name: cold, temperature: 0 }, { model: test, name: warm, temperature: 1 }]
questions:
  - { question_name: drink, question_type: multiple_choice, question_text: "Day {{ n }}: which?", question_options: [tea, coffee, water] }
  - { question_name: cups, question_type: numerical, question_text: "Day {{ n }}: how many cups?" }
`;

test('two models of one job, then two jobs: chi-square for a choice, Welch for a number, with n', async () => {
  const job = await waitForJob(local.client, (await local.client.submitJob({ source: { name: 'two.survey.yaml', text: SURVEY }, files: {} })).id);
  const cli = fakeCli({ FIELDWORK_SERVER_URL: local.server.url, FIELDWORK_API_KEY: local.server.apiKey, XDG_CONFIG_HOME: local.dataDir });
  assert.equal(await jobsCompare(cli, job.id, undefined, { models: ['cold', 'warm'], json: true }), 0);
  const comparison = Comparison.parse(JSON.parse(cli.stdoutText()));
  const drink = comparison.questions.find((q) => q.question === 'drink')!;
  assert.equal(drink.kind, 'categories');
  assert.deepEqual(drink.n, [12, 12]);
  assert.equal(drink.test?.test, 'chi-square');
  assert.ok(drink.test!.p >= 0 && drink.test!.p <= 1);
  assert.equal(comparison.questions.find((q) => q.question === 'cups')!.test?.test, 'welch-t');

  const again = await waitForJob(
    local.client,
    (await local.client.submitJob({ source: { name: 'two.survey.yaml', text: SURVEY }, files: {}, fresh: true })).id,
  );
  const text = fakeCli({ FIELDWORK_SERVER_URL: local.server.url, FIELDWORK_API_KEY: local.server.apiKey, XDG_CONFIG_HOME: local.dataDir });
  assert.equal(await jobsCompare(text, job.id, again.id, { json: false }), 0);
  assert.match(text.stdoutText(), /drink\s*│\s*categories\s*│\s*24 \/ 24/);
});
