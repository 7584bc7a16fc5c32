// One server process per data directory, with real processes over loopback: a second `serve` refuses and names the
// owner, commands pointed at an owned directory talk to its server, and a crashed owner is taken over.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FieldworkClient } from '../../src/client';
import { JobList, type Job } from '../../src/api';
import { CLI, ROOT, serve, type CliResult, type ServeProcess } from '../support/processes';
import { waitForJob } from '../support/jobs';

const noServer = { FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '' };

/** 2,000 interviews of two questions on `model` that take about five seconds (256 interviews run at once). */
function survey(model: string, agents = 40, scenarios = 50): string {
  return [
    'name: Ownership',
    'agents:',
    ...Array.from({ length: agents }, (_, i) => `  - { traits: { id: ${i} } }`),
    'scenarios:',
    ...Array.from({ length: scenarios }, (_, i) => `  - { topic: topic ${i} }`),
    `models: [{ model: ${model}, latency_ms: 300 }]`,
    'questions:',
    '  - { question_name: a, question_type: yes_no, question_text: "Is {{ topic }} good?" }',
    '  - { question_name: b, question_type: free_text, question_text: "Why, about {{ topic }}?" }',
  ].join('\n');
}

/** `fieldwork ARGS`, killed if it has not exited after `timeoutMs` (then `code` is null): a command that should refuse must not hang the suite. */
function runBriefly(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<CliResult> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

async function eventTypes(client: FieldworkClient, id: string): Promise<string[]> {
  const page = await client.eventPage(id, { after: 0, limit: 1000 });
  return page.events.map((event) => event.type);
}

/** Every call of the job reached the provider once, and the job paid for each exactly once. */
function assertBilledOnce(dataDir: string, job: Job): void {
  const db = new DatabaseSync(join(dataDir, 'fieldwork.db'), { readOnly: true });
  try {
    const ledger = db.prepare('SELECT COUNT(*) AS calls, MAX(calls) AS most, SUM(input_tokens) AS input FROM call_cache').get() as {
      calls: number;
      most: number;
      input: number;
    };
    assert.equal(ledger.most, 1, 'no call was sent to the provider twice');
    assert.equal(job.cost.input_tokens, ledger.input, 'the job was billed once for every call');
  } finally {
    db.close();
  }
}

describe('one server per data directory', () => {
  let home: string;
  const servers: ServeProcess[] = [];

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'fieldwork-owner-'));
  });
  after(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  });

  const start = async (dataDir: string, extra: string[] = []): Promise<ServeProcess> => {
    const server = await serve(dataDir, extra);
    servers.push(server);
    return server;
  };

  test('a second serve on the same directory refuses and names the first; the job runs and is billed once', { timeout: 90_000 }, async () => {
    const dataDir = join(home, 'two-serves');
    const first = await start(dataDir);
    const client = new FieldworkClient({ baseUrl: first.url, apiKey: first.apiKey });
    const job = await client.submitJob({ source: { name: 'two.survey.yaml', text: survey('test') }, files: {} });
    await waitForJob(client, job.id, { until: (j) => j.progress.interviews_done > 0 });

    const second = await runBriefly(['serve', '--port', '0', '--data-dir', dataDir], noServer);
    assert.notEqual(second.code, 0, 'the second serve exits with an error');
    assert.notEqual(second.code, null, `the second serve kept running:\n${second.stderr}`);
    assert.match(second.stderr, new RegExp(`in use by fieldwork serve \\(pid ${first.child.pid}\\b`));
    assert.ok(second.stderr.includes(first.url), `names the first server's URL:\n${second.stderr}`);
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');

    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', done.error ?? '');
    const types = await eventTypes(client, job.id);
    assert.equal(types.filter((type) => type === 'completed').length, 1, 'one completed event');
    assert.ok(!types.includes('resumed'), 'nobody else resumed the job');
    await first.stop();
    assertBilledOnce(dataDir, done);
  });

  test('jobs list pointed at an owned directory talks to its server: the job there completes', { timeout: 90_000 }, async () => {
    const dataDir = join(home, 'jobs-list');
    // A service only this server's config knows: a second server without the config could not run the job.
    const config = join(home, 'lab.services.yaml');
    writeFileSync(config, 'services:\n  - { name: lab, provider: test }\n');
    const server = await start(dataDir, ['--config', config]);
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const job = await client.submitJob({ source: { name: 'lab.survey.yaml', text: survey('lab/echo') }, files: {} });
    await waitForJob(client, job.id, { until: (j) => j.progress.interviews_done > 0 });

    const env = { ...noServer, FIELDWORK_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
    const list = await runBriefly(['jobs', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const listed = JobList.parse(JSON.parse(list.stdout)).jobs.find((j) => j.id === job.id);
    assert.ok(listed, 'the job is listed');
    assert.equal(listed.status, 'running', 'listed while it runs');

    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', done.error ?? '');
    const types = await eventTypes(client, job.id);
    assert.equal(types.filter((type) => type === 'completed').length, 1);
    assert.ok(!types.includes('resumed'), 'jobs list did not resume the job');
  });

  test('a run while another run serves the directory joins it, and takes the directory over when that run ends', { timeout: 90_000 }, async () => {
    const dataDir = join(home, 'two-runs');
    const env = { ...noServer, FIELDWORK_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
    const short = join(home, 'short.survey.yaml');
    writeFileSync(short, readFileSync(join(ROOT, 'examples/coffee.survey.yaml'), 'utf8').replace('  - test\n', '  - { model: test, latency_ms: 1000 }\n'));
    const long = join(home, 'long.survey.yaml');
    writeFileSync(long, survey('test'));

    const first = runBriefly(['run', short, '--json'], env, 60_000);
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(dataDir, 'owner.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = await runBriefly(['run', long, '--json'], env, 60_000);
    const firstDone = await first;
    assert.equal(firstDone.code, 0, firstDone.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /submitted to the server at http:\/\/127\.0\.0\.1:\d+ \(fieldwork run, pid \d+/);
    assert.match(second.stderr, /has stopped: carrying on/, 'the first run ended before the second job did');
    const job = JSON.parse(second.stdout) as Job;
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.equal(job.progress.interviews_done, 2000);

    const db = new DatabaseSync(join(dataDir, 'fieldwork.db'), { readOnly: true });
    try {
      const completed = db.prepare("SELECT count(*) AS n FROM events WHERE job_id = ? AND type = 'completed'").get(job.id) as { n: number };
      assert.equal(completed.n, 1);
      const most = db.prepare('SELECT MAX(calls) AS most FROM call_cache').get() as { most: number };
      assert.equal(most.most, 1, 'no call was sent to the provider twice');
    } finally {
      db.close();
    }
  });

  test('after kill -9 of the owner a new serve takes over and resumes; it is then the owner others are refused by', { timeout: 120_000 }, async () => {
    const dataDir = join(home, 'take-over');
    const first = await start(dataDir);
    const client1 = new FieldworkClient({ baseUrl: first.url, apiKey: first.apiKey });
    const job = await client1.submitJob({ source: { name: 'crash.survey.yaml', text: survey('test') }, files: {} });
    const midway = await waitForJob(client1, job.id, { until: (j) => j.progress.interviews_done >= 200 });
    assert.ok(midway.progress.interviews_done < 2000, 'the kill lands mid-job');
    const firstPid = first.child.pid;
    await first.stop('SIGKILL');

    const second = await start(dataDir);
    assert.match(second.output(), new RegExp(`Took .* over from fieldwork serve \\(pid ${firstPid} .*process ${firstPid} has exited`));
    const owner = JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as { pid: number; url: string };
    assert.equal(owner.pid, second.child.pid);
    assert.equal(owner.url, second.url);

    const client2 = new FieldworkClient({ baseUrl: second.url, apiKey: second.apiKey });
    const done = await waitForJob(client2, job.id, { timeoutMs: 90_000 });
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.progress.interviews_done, 2000);
    const types = await eventTypes(client2, job.id);
    assert.ok(types.includes('resumed'), 'the new owner resumed the job');
    assert.equal(types.filter((type) => type === 'completed').length, 1);

    const third = await runBriefly(['serve', '--port', '0', '--data-dir', dataDir], noServer);
    assert.notEqual(third.code, 0);
    assert.notEqual(third.code, null, 'the third serve kept running');
    assert.match(third.stderr, new RegExp(`pid ${second.child.pid}\\b`));
    await second.stop();
    assertBilledOnce(dataDir, done);
  });
});
