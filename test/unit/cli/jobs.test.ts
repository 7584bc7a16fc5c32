import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { jobsCancel, jobsList, jobsLogs, jobsResults, jobsRetry, jobsShow } from '../../../src/cli/commands/jobs';
import { reportFailure } from '../../../src/cli/failure';
import { aJob, aResult, anEvent, json, problem, sseFrame, startWireServer, type WireServer } from '../client/wire-server';
import { fakeCli, type FakeCli } from './fake-cli';

const KEY = 'fw_jobs_key_123456789';

describe('fieldwork jobs …', () => {
  let server: WireServer;
  let cli: FakeCli;

  before(async () => {
    server = await startWireServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    cli = fakeCli({
      FIELDWORK_SERVER_URL: server.url,
      FIELDWORK_API_KEY: KEY,
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'fieldwork-jobs-')),
    });
  });

  it('list: a table, or the JSON list', async () => {
    server.route('GET /v1/jobs', (_req, res) => json(res, 200, { jobs: [aJob({ status: 'running' })], next_cursor: null }));
    assert.equal(await jobsList(cli, { json: false, status: ['running'] }), 0);
    assert.match(cli.stdoutText(), /│ job_1\s+│ Customer survey\s+│ running\s+│ 0\/4/);
    assert.equal(server.requests[0]!.query.get('status'), 'running');
    const asJson = fakeCli(cli.env);
    await jobsList(asJson, { json: true });
    assert.equal(JSON.parse(asJson.stdoutText()).jobs[0].id, 'job_1');
  });

  it('show: details, or exactly the job JSON', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => json(res, 200, aJob({ status: 'failed', error: 'the key was refused' })));
    await jobsShow(cli, 'job_1', { json: false });
    assert.match(cli.stdoutText(), /error\s+│ the key was refused/);
    const asJson = fakeCli(cli.env);
    await jobsShow(asJson, 'job_1', { json: true });
    assert.deepEqual(JSON.parse(asJson.stdoutText()), aJob({ status: 'failed', error: 'the key was refused' }));
  });

  it('show: an unknown job says so and where (exit 1, not the bad-file 2), in one line with no stack', async () => {
    server.route('GET /v1/jobs/nope', (_req, res) => problem(res, 404, 'No job nope for this API key.'));
    const error = await jobsShow(cli, 'nope', { json: false }).catch((e: unknown) => e);
    assert.equal(reportFailure(cli, error), 1);
    const lines = cli.stderrText().trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(lines[0], `fieldwork: there is no job nope of yours on ${server.url} — \`fieldwork jobs list\` shows your jobs`);
  });

  it('cancel and retry', async () => {
    server.route('POST /v1/jobs/job_1/cancel', (_req, res) => json(res, 200, aJob({ status: 'cancelling' })));
    server.route('POST /v1/jobs/job_1/retry', (_req, res) => json(res, 200, aJob({ status: 'queued' })));
    await jobsCancel(cli, 'job_1', {});
    await jobsRetry(cli, 'job_1', {});
    assert.match(cli.stdoutText(), /job_1: cancelling\./);
    assert.match(cli.stdoutText(), /job_1: queued\./);
  });

  it('logs: pages through the event log', async () => {
    server.route('GET /v1/jobs/job_1/events', (req, res) => {
      const afterId = Number(req.query.get('after') ?? 0);
      const events =
        afterId === 0
          ? [anEvent(1, { type: 'queued', message: 'Queued.' }), anEvent(2, { type: 'started', message: 'Started.' })]
          : afterId === 2
            ? [anEvent(3, { type: 'completed', message: 'Done.' })]
            : [];
      json(res, 200, { events, last_event_id: events.at(-1)?.id ?? afterId, done: afterId >= 2 });
    });
    await jobsLogs(cli, 'job_1', { follow: false });
    assert.deepEqual(cli.stdoutText().trim().split('\n'), [
      '2025-01-01T00:00:01.000Z  queued           Queued.',
      '2025-01-01T00:00:02.000Z  started          Started.',
      '2025-01-01T00:00:03.000Z  completed        Done.',
    ]);
  });

  it('logs --follow: streams until the job ends', async () => {
    server.route('GET /v1/jobs/job_1/events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${sseFrame(anEvent(1, { type: 'started', message: 'Started.' }))}event: end\ndata: {}\n\n`);
    });
    await jobsLogs(cli, 'job_1', { follow: true });
    assert.equal(cli.stdoutText(), '2025-01-01T00:00:01.000Z  started          Started.\n');
  });

  it('results: streams to a file', async () => {
    server.route('GET /v1/jobs/job_1/results', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(`${JSON.stringify(aResult(0, 'q', 'yes'))}\n`);
    });
    const output = join(mkdtempSync(join(tmpdir(), 'fieldwork-results-')), 'r.jsonl');
    await jobsResults(cli, 'job_1', { format: 'jsonl', output });
    assert.equal(JSON.parse(readFileSync(output, 'utf8')).answer, 'yes');
    assert.equal(server.requests[0]!.query.get('format'), 'jsonl');
  });

  it('results: leaves no half-written file behind when the download fails', async () => {
    server.route('GET /v1/jobs/nope/results', (_req, res) => problem(res, 404, 'No job nope.'));
    const output = join(mkdtempSync(join(tmpdir(), 'fieldwork-results-')), 'r.jsonl');
    await assert.rejects(jobsResults(cli, 'nope', { format: 'jsonl', output }), { name: 'NotFoundError' });
    assert.equal(existsSync(output), false);
  });

  it('cannot reach the server: exit 3 and what to do', async () => {
    const away = fakeCli({ ...cli.env, FIELDWORK_SERVER_URL: 'http://127.0.0.1:9' });
    const error = await jobsList(away, { json: false }).catch((e: unknown) => e);
    assert.equal(reportFailure(away, error), 3);
    assert.match(away.stderrText(), /cannot reach the Fieldwork server at http:\/\/127\.0\.0\.1:9/);
    assert.ok(!away.stderrText().includes(KEY));
  });

  it('prints a stack only with FIELDWORK_DEBUG=1', () => {
    const quiet = fakeCli({});
    reportFailure(quiet, new Error('kaboom'));
    assert.equal(quiet.stderrText().trim().split('\n').length, 1);
    const debug = fakeCli({ FIELDWORK_DEBUG: '1' });
    reportFailure(debug, new Error('kaboom'));
    assert.match(debug.stderrText(), /at .*jobs\.test\.ts/);
  });
});
