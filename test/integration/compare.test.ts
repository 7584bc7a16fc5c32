// `fieldwork jobs compare` against a real server: two models of one job, and two jobs, with tests per question.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { Comparison } from '../../src/protocol';
import { jobsCompare } from '../../src/cli/commands/compare';
import { fakeCli } from '../unit/cli/fake-cli';
import { waitForJob } from '../support/jobs';

let dataDir: string;
let server: RunningServer;
let client: FieldworkClient;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-compare-'));
  server = await startServer({ dataDir, port: 0 });
  client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
});
after(async () => {
  await client.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const SURVEY = `name: Two models
scenarios: [${Array.from({ length: 12 }, (_, i) => `{ n: ${i} }`).join(', ')}]
models: [{ model: test, name: cold, temperature: 0 }, { model: test, name: warm, temperature: 1 }]
questions:
  - { question_name: drink, question_type: multiple_choice, question_text: "Day {{ n }}: which?", question_options: [tea, coffee, water] }
  - { question_name: cups, question_type: numerical, question_text: "Day {{ n }}: how many cups?" }
`;

test('two models of one job, then two jobs: chi-square for a choice, Welch for a number, with n', async () => {
  const job = await waitForJob(client, (await client.submitJob({ source: { name: 'two.survey.yaml', text: SURVEY }, files: {} })).id);
  const cli = fakeCli({ FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: server.apiKey, XDG_CONFIG_HOME: dataDir });
  assert.equal(await jobsCompare(cli, job.id, undefined, { models: ['cold', 'warm'], json: true }), 0);
  const comparison = Comparison.parse(JSON.parse(cli.stdoutText()));
  const drink = comparison.questions.find((q) => q.question === 'drink')!;
  assert.equal(drink.kind, 'categories');
  assert.deepEqual(drink.n, [12, 12]);
  assert.equal(drink.test?.test, 'chi-square');
  assert.ok(drink.test!.p >= 0 && drink.test!.p <= 1);
  assert.equal(comparison.questions.find((q) => q.question === 'cups')!.test?.test, 'welch-t');

  const again = await waitForJob(client, (await client.submitJob({ source: { name: 'two.survey.yaml', text: SURVEY }, files: {}, fresh: true })).id);
  const text = fakeCli({ FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: server.apiKey, XDG_CONFIG_HOME: dataDir });
  assert.equal(await jobsCompare(text, job.id, again.id, { json: false }), 0);
  assert.match(text.stdoutText(), /drink\s*│\s*categories\s*│\s*24 \/ 24/);
});
