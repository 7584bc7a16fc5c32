// The `fieldwork` command as a user runs it: the bundled CLI in a real process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Estimate, JobList } from '../../src/api';
import { ROOT, runCli, serve, type ServeProcess } from '../support/processes';

const noServer = { FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '' };

describe('fieldwork CLI', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'fieldwork-cli-'));
    env = { ...noServer, FIELDWORK_DATA_DIR: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('run --json on the embedded server prints the finished job', async () => {
    const { code, stdout, stderr } = await runCli(['run', 'examples/coffee.survey.yaml', '--json'], env);
    assert.equal(code, 0, stderr);
    const job = Job.parse(JSON.parse(stdout));
    assert.equal(job.status, 'completed');
    assert.equal(job.progress.interviews_total, 12);
    assert.equal(job.progress.interviews_done, job.progress.interviews_total);
  });

  test('run prints a summary table per model and per question', async () => {
    const { code, stdout, stderr } = await runCli(['run', 'examples/coffee.survey.yaml'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /test/);
    assert.match(stdout, /how_often/);
    assert.match(stdout, /completed/i);
  });

  test('estimate --json has a per-model row with ranges', async () => {
    const { code, stdout, stderr } = await runCli(['estimate', 'examples/product-feedback.survey.yaml', '--json'], env);
    assert.equal(code, 0, stderr);
    const estimate = Estimate.parse(JSON.parse(stdout));
    assert.equal(estimate.interviews, 2500);
    assert.deepEqual(
      estimate.models.map((m) => m.model),
      ['test', 'test-warm'],
    );
    for (const model of estimate.models) {
      assert.equal(model.calls, 5000);
      assert.ok(model.output_tokens.low <= model.output_tokens.expected && model.output_tokens.expected <= model.output_tokens.high);
    }
  });

  test('a broken survey gets file:line:column, exit code 2 and no stack trace', async () => {
    const file = join(home, 'broken.survey.yaml');
    writeFileSync(file, 'questions:\n  - question_name: q1\n    question_type: multiple_choice\n    question_text: Pick\n    question_options: [only]\n');
    const { code, stdout, stderr } = await runCli(['run', file], env);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /broken\.survey\.yaml:5:\d+ .*question "q1".*question_options/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  test('malformed YAML and a missing scenario file are reported with their place', async () => {
    const file = join(home, 'bad.survey.yaml');
    writeFileSync(file, 'questions:\n  - question_name: [unclosed\n');
    const syntax = await runCli(['run', file], env);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /bad\.survey\.yaml:\d+:\d+/);
    writeFileSync(file, 'scenarios: nowhere.csv\nquestions:\n  - { question_name: q, question_type: free_text, question_text: Hi }\n');
    const missing = await runCli(['run', file], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /bad\.survey\.yaml:1:\d+ .*nowhere\.csv/);
  });

  test('jobs show of a job that does not exist, on the embedded server: says so, exit 1, and names no port', async () => {
    const { code, stdout, stderr } = await runCli(['jobs', 'show', 'job_nope'], env);
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^fieldwork: there is no job job_nope of yours on a local server in this process \(data in .*\)/);
    assert.doesNotMatch(stderr, /127\.0\.0\.1|:\d{4,5}\b/, 'the port of a server gone with the command means nothing');
  });

  describe('against a running server', () => {
    let server: ServeProcess;
    let remote: NodeJS.ProcessEnv;

    before(async () => {
      server = await serve(join(home, 'server'));
      remote = { ...env, FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: server.apiKey };
    });
    after(() => server.stop());

    test('run, jobs list, jobs show and jobs results', async () => {
      const run = await runCli(['run', 'examples/coffee.survey.yaml', '--json'], remote);
      assert.equal(run.code, 0, run.stderr);
      const job = Job.parse(JSON.parse(run.stdout));
      const list = await runCli(['jobs', 'list', '--json'], remote);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(JobList.parse(JSON.parse(list.stdout)).jobs.some((j) => j.id === job.id));
      const show = await runCli(['jobs', 'show', job.id, '--json'], remote);
      assert.equal(Job.parse(JSON.parse(show.stdout)).id, job.id);
      const csv = await runCli(['jobs', 'results', job.id, '--format', 'csv'], remote);
      assert.equal(csv.code, 0, csv.stderr);
      assert.match(csv.stdout.split('\n')[0]!, /^interview,/);
      const logs = await runCli(['jobs', 'logs', job.id], remote);
      assert.match(logs.stdout, /completed/i);
    });

    test('a wrong key is refused with what to do', async () => {
      const { code, stderr } = await runCli(['jobs', 'list'], { ...remote, FIELDWORK_API_KEY: 'fw_wrong' });
      assert.equal(code, 3);
      assert.match(stderr, /API key/);
      assert.doesNotMatch(stderr, /fw_wrong/);
    });

    test('--detach returns once the job is queued, and the job can be cancelled', async () => {
      const slow = join(home, 'slow.survey.yaml');
      writeFileSync(slow, readFileSync(join(ROOT, 'examples/coffee.survey.yaml'), 'utf8').replace('  - test\n', '  - { model: test, latency_ms: 2000 }\n'));
      const { code, stdout, stderr } = await runCli(['run', slow, '--detach', '--json', '--fresh'], remote);
      assert.equal(code, 0, stderr);
      const job = Job.parse(JSON.parse(stdout));
      assert.ok(['queued', 'running'].includes(job.status), job.status);
      const cancel = await runCli(['jobs', 'cancel', job.id], remote);
      assert.equal(cancel.code, 0, cancel.stderr);
      const show = await runCli(['jobs', 'show', job.id, '--json'], remote);
      assert.ok(['cancelling', 'cancelled'].includes(Job.parse(JSON.parse(show.stdout)).status));
    });
  });
});
