import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runCommand, type RunOptions } from '../../../src/cli/commands/run';
import { estimateCommand } from '../../../src/cli/commands/estimate';
import type { Job } from '../../../src/api';
import { aJob, aResult, anEvent, json, sseFrame, startWireServer, type WireServer } from '../client/wire-server';
import { fakeCli, type FakeCli } from './fake-cli';

const KEY = 'fw_run_key_123456789';
const SURVEY = `name: Tea
questions:
  - question_name: likes_tea
    question_type: yes_no
    question_text: Do you like tea?
`;
const BROKEN = `name: Tea
questions:
  - question_name: likes_tea
    question_type: multiple_choice
    question_text: Do you like tea?
`;

const finished: Job = aJob({
  status: 'completed',
  started_at: '2025-01-01T00:00:00.000Z',
  finished_at: '2025-01-01T00:00:01.000Z',
  progress: { interviews_total: 2, interviews_done: 2, interviews_failed: 0, calls_done: 2, calls_cached: 0, calls_failed: 0 },
  cost: { usd: 0.002, input_tokens: 20, output_tokens: 4 },
});

const defaults: RunOptions = { json: false, detach: false, fresh: false, quiet: false };

function stream(res: ServerResponse, frames: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(frames.join('') + 'event: end\ndata: {}\n\n');
}

describe('fieldwork run / estimate (against a stand-in server)', () => {
  let server: WireServer;
  let cli: FakeCli;
  let dir: string;

  before(async () => {
    server = await startWireServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'fieldwork-run-'));
    writeFileSync(join(dir, 'tea.survey.yaml'), SURVEY);
    writeFileSync(join(dir, 'broken.survey.yaml'), BROKEN);
    cli = fakeCli({ FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: KEY, XDG_CONFIG_HOME: dir });
    server.route('POST /v1/jobs', (_req, res) => json(res, 201, aJob()));
    server.route('GET /v1/jobs/job_1/events', (_req, res) =>
      stream(res, [
        sseFrame(anEvent(1, { type: 'queued' })),
        sseFrame(anEvent(2, { type: 'progress', data: { progress: finished.progress, cost: finished.cost, calls_per_second: 2 } })),
        sseFrame(anEvent(3, { type: 'completed', message: 'Completed.' })),
      ]),
    );
    server.route('GET /v1/jobs/job_1', (_req, res) => json(res, 200, finished));
    server.route('GET /v1/jobs/job_1/results', (_req, res) =>
      json(res, 200, { results: [aResult(0, 'likes_tea', 'Yes'), aResult(1, 'likes_tea', 'No')], next_cursor: null }),
    );
  });

  it('submits, follows and prints a summary; exit 0 when completed', async () => {
    assert.equal(await runCommand(cli, join(dir, 'tea.survey.yaml'), defaults), 0);
    const submitted = JSON.parse(server.requests.find((r) => r.method === 'POST')!.body);
    assert.equal(submitted.source.text, SURVEY);
    const out = cli.stdoutText();
    assert.match(out, /Job job_1 \(Customer survey\) completed in 1\.0s: 2\/2 interviews/);
    assert.match(out, /│ test\s+│\s+2 │\s+2 │/);
    assert.match(out, /likes_tea\s+│\s+2 │ "Yes" 50%, "No" 50%/);
    assert.match(cli.stderrText(), /Job job_1 submitted to/);
    // Not a terminal: plain lines, no bar escape codes.
    assert.ok(!cli.stderrText().includes('\u001b['));
  });

  it('--json prints exactly the final job and nothing else on stdout', async () => {
    assert.equal(await runCommand(cli, join(dir, 'tea.survey.yaml'), { ...defaults, json: true }), 0);
    assert.deepEqual(JSON.parse(cli.stdoutText()), finished);
  });

  it('--detach prints the job id once queued', async () => {
    assert.equal(await runCommand(cli, join(dir, 'tea.survey.yaml'), { ...defaults, detach: true }), 0);
    assert.equal(cli.stdoutText(), 'job_1\n');
    assert.ok(!server.requests.some((r) => r.path.endsWith('/events')));
  });

  it('--fresh asks the server to bypass its cache', async () => {
    await runCommand(cli, join(dir, 'tea.survey.yaml'), { ...defaults, detach: true, fresh: true });
    assert.equal(JSON.parse(server.requests[0]!.body).fresh, true);
  });

  it('exit 1 when the job partially failed', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => json(res, 200, { ...finished, status: 'partially_failed' }));
    assert.equal(await runCommand(cli, join(dir, 'tea.survey.yaml'), { ...defaults, quiet: true }), 1);
    assert.equal(cli.stderrText(), '');
  });

  it('a bad survey: its issues with line and column on stderr, exit 2, nothing sent', async () => {
    assert.equal(await runCommand(cli, join(dir, 'broken.survey.yaml'), defaults), 2);
    assert.match(cli.stderrText(), /broken\.survey\.yaml:\d+:\d+ /);
    assert.equal(cli.stdoutText(), '');
    assert.equal(server.requests.length, 0);
  });

  it('Ctrl-C asks the server to cancel the job and waits for it to end', async () => {
    server.route('GET /v1/jobs/job_1/events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame(anEvent(1, { type: 'started' })));
      const wait = setInterval(() => {
        if (!server.requests.some((r) => r.path === '/v1/jobs/job_1/cancel')) return;
        clearInterval(wait);
        res.end(`${sseFrame(anEvent(2, { type: 'cancelled', message: 'Cancelled.' }))}event: end\ndata: {}\n\n`);
      }, 10);
    });
    server.route('POST /v1/jobs/job_1/cancel', (_req, res) => json(res, 200, aJob({ status: 'cancelling' })));
    server.route('GET /v1/jobs/job_1', (_req, res) => json(res, 200, { ...finished, status: 'cancelled' }));
    const running = runCommand(cli, join(dir, 'tea.survey.yaml'), defaults);
    await new Promise((resolve) => setTimeout(resolve, 100));
    cli.interrupt();
    assert.equal(await running, 1);
    assert.match(cli.stderrText(), /Cancelling job job_1/);
    assert.match(cli.stdoutText(), /cancelled/);
  });

  it('estimate: a table, or the Estimate JSON', async () => {
    const estimate = {
      interviews: 1,
      models: [
        {
          model: 'test',
          calls: 1,
          cached_calls: 0,
          input_tokens: 12,
          output_tokens: { low: 1, expected: 2, high: 3 },
          usd: { low: 0, expected: 0, high: 0 },
          price_source: 'built-in (free)',
          token_source: 'chars/4 approximation',
        },
      ],
      total: { calls: 1, cached_calls: 0, input_tokens: 12, output_tokens: { low: 1, expected: 2, high: 3 }, usd: { low: 0, expected: 0, high: 0 } },
      notes: [],
    };
    server.route('POST /v1/estimates', (_req, res) => json(res, 200, estimate));
    assert.equal(await estimateCommand(cli, join(dir, 'tea.survey.yaml'), { json: false }), 0);
    assert.match(cli.stdoutText(), /│ test\s+│\s+1 │\s+0 │\s+12 │\s+1 \/ 2 \/ 3 │/);
    const asJson = fakeCli(cli.env);
    await estimateCommand(asJson, join(dir, 'tea.survey.yaml'), { json: true });
    assert.deepEqual(JSON.parse(asJson.stdoutText()), estimate);
  });
});
