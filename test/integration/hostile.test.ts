// Hostile files — runaway templates, deep nesting, huge strings, 100,000 questions, alias bombs, includes, wrong
// types — through every route that takes a file: the server's estimate and submit, the CLI's estimate and run, and
// the extension's prompt preview. Each is refused with a 4xx problem (or exit code 2, or a list of problems) that
// says what is wrong and where; never a 5xx, a stack trace or an internal error. Nothing here is timed: the figures
// come from `npm run bench:hostile`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Problem, type JobSubmission } from '../../src/api';
import { FieldworkClient } from '../../src/client';
import { previewPrompts } from '../../src/extension/commands/preview';
import { startServer, type RunningServer } from '../../src/server/server';
import { fileKind } from '../../src/format';
import { dataDependentLoop, hostileFiles, hundredThousandQuestions } from '../fixtures/hostile';
import { waitForJob } from '../support/jobs';
import { runCli } from '../support/processes';

const ROUTES = ['/v1/estimates', '/v1/jobs'] as const;

describe('hostile files', () => {
  let dataDir: string;
  let server: RunningServer;
  const logs: string[] = [];

  const post = (path: string, submission: JobSubmission) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(submission),
    });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-hostile-'));
    server = await startServer({ dataDir, port: 0, log: (line) => logs.push(line) });
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every hostile file, estimated and submitted, is a 4xx problem that says what and where', async () => {
    for (const file of hostileFiles()) {
      for (const route of ROUTES) {
        const response = await post(route, { source: { name: file.name, text: file.text }, files: {} });
        const label = `${file.name} → POST ${route}`;
        assert.ok(response.status >= 400 && response.status < 500, `${label}: HTTP ${response.status}`);
        assert.equal(response.headers.get('content-type'), 'application/problem+json', label);
        const problem = Problem.parse(await response.json());
        const first = problem.issues?.[0];
        assert.match(first?.message ?? problem.detail ?? '', file.says, label);
        if (file.located) {
          assert.ok(first && first.line >= 1 && first.column >= 1, `${label}: an issue with its place`);
          assert.match(problem.detail ?? '', new RegExp(`^${file.name.replace(/\./g, '\\.')}:\\d+:\\d+ `), `${label}: file:line:column`);
        }
      }
    }
    assert.equal((await server.store.listJobs('local', {})).jobs.length, 0, 'no hostile file became a job');
    assert.deepEqual(
      logs.filter((line) => / 5\d\d \d+ms/.test(line) || /\n\s+at /.test(line)),
      [],
      'no 5xx and no stack trace in the log',
    );
  });

  test('a loop that runs away with one scenario: the estimate refuses it at the template, a run fails saying so', async () => {
    const { name, text, files } = dataDependentLoop();
    const estimate = await post('/v1/estimates', { source: { name, text }, files });
    assert.equal(estimate.status, 422);
    const problem = Problem.parse(await estimate.json());
    assert.deepEqual(
      problem.issues?.map((issue) => [issue.line, issue.column, issue.path]),
      [[6, 27, ['questions', 0, 'question_text']]],
    );
    assert.match(
      problem.detail ?? '',
      /^data-loop\.survey\.yaml:6:27 question "a": question_text could not be rendered for scenario 2, agent 1: memory alloc limit exceeded/,
    );

    // Submitting checks only what a file check renders (every third scenario here): the run finds the rest.
    const submitted = await post('/v1/jobs', { source: { name, text }, files });
    assert.equal(submitted.status, 201);
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const job = await waitForJob(client, ((await submitted.json()) as { id: string }).id);
    await client.close();
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /^data-loop\.survey\.yaml:6:27 question "a": question_text could not be rendered for scenario 2/);
    assert.doesNotMatch(job.error ?? '', /internal error/);
  });

  test('three 100,000-question files at once are refused while health goes on answering', async () => {
    const text = hundredThousandQuestions();
    const refusals = Promise.all(
      ['/v1/estimates', '/v1/estimates', '/v1/jobs'].map((route, i) => post(route, { source: { name: `many-${i}.survey.json`, text }, files: {} })),
    );
    const health = await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    assert.equal(health.status, 200);
    for (const response of await refusals) {
      assert.equal(response.status, 422);
      assert.match(Problem.parse(await response.json()).detail ?? '', /question 2,001 is one too many/);
    }
  });

  test('the CLI exits 2 with file:line:column for a hostile file, for estimate and for run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldwork-hostile-cli-'));
    const env = { FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: server.apiKey, FIELDWORK_DATA_DIR: join(dir, 'data') };
    try {
      const loop = hostileFiles().find((file) => file.name === 'liquid-loop.survey.yaml')!;
      writeFileSync(join(dir, loop.name), loop.text);
      const data = dataDependentLoop();
      writeFileSync(join(dir, data.name), data.text);
      mkdirSync(join(dir, 'data'), { recursive: true });
      for (const [path, content] of Object.entries(data.files)) writeFileSync(join(dir, path), content);
      for (const command of ['estimate', 'run']) {
        const local = await runCli([command, join(dir, loop.name)], env);
        assert.equal(local.code, 2, `${command}: ${local.stderr}`);
        assert.match(local.stderr, /^liquid-loop\.survey\.yaml:6:28 question "q": question_text could not be rendered/m);
        // Found by the server's estimate, which `run` asks for first.
        const remote = await runCli([command, join(dir, data.name)], env);
        assert.equal(remote.code, 2, `${command}: ${remote.stderr}`);
        assert.match(remote.stderr, /^data-loop\.survey\.yaml:6:27 question "a": question_text could not be rendered/m);
        assert.doesNotMatch(local.stderr + remote.stderr, /\n\s+at /, 'no stack trace');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('preview prompts lists the problems of each hostile file instead of failing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldwork-hostile-preview-'));
    try {
      for (const file of hostileFiles()) {
        const path = join(dir, file.name);
        writeFileSync(path, file.text);
        const preview = previewPrompts(fileKind(file.name), path);
        assert.match(preview, /The file has problems/, file.name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
