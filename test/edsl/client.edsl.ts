// `npm run test:edsl`: EDSL's own client (shared/tools/edsl-client: EDSL's source and a virtual environment built
// from this machine's local package index) runs a survey with agents, scenarios and a skip rule against a real
// Fieldwork server, unchanged but for EXPECTED_PARROT_URL and EXPECTED_PARROT_API_KEY; what EDSL's Results hold must
// equal what /v1 reports for the same job. Not part of `npm test`: its setup needs that tools folder and package
// index, which a fresh machine may not have. Without them it fails, saying what is missing; it never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { isEdslSourceName, type Result } from '../../src/api';

const execFileAsync = promisify(execFile);
const TOOLS = resolve(process.env.FIELDWORK_EDSL_CLIENT_TOOLS ?? join(__dirname, '../../../shared/tools/edsl-client'));
const CLIENT_DIR = process.env.FIELDWORK_EDSL_CLIENT_DIR ?? join(tmpdir(), 'fieldwork-edsl-client');

let server: RunningServer;
let dataDir: string;

before(async () => {
  if (!existsSync(join(TOOLS, 'setup.sh'))) {
    throw new Error(`EDSL's client tools are not at ${TOOLS}; set FIELDWORK_EDSL_CLIENT_TOOLS to the folder holding setup.sh and edsl-src.tgz.`);
  }
  if (!existsSync(join(CLIENT_DIR, 'env.sh'))) execFileSync(join(TOOLS, 'setup.sh'), [CLIENT_DIR], { stdio: 'inherit' });
  dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-edsl-e2e-'));
  server = await startServer({ dataDir, port: 0 });
});
after(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("EDSL's own client runs a survey on a Fieldwork server and gets the results /v1 reports", async () => {
  const out = join(dataDir, 'edsl-results.json');
  const url = server.url.replace('127.0.0.1', 'localhost'); // EDSL takes plain http for localhost
  // EDSL answers from its local cache what it has seen before, without asking any server: a cache of this run only.
  const cache = `export EDSL_DATABASE_PATH=sqlite:///${join(dataDir, 'edsl-cache.db')}`;
  // Asynchronously: the server runs in this process and must answer while EDSL waits.
  const python = await execFileAsync(
    'bash',
    ['-c', `. "${CLIENT_DIR}/env.sh" && ${cache} && exec "${CLIENT_DIR}/venv/bin/python" "${join(__dirname, 'run_survey.py')}" "${out}"`],
    {
      env: { ...process.env, EXPECTED_PARROT_URL: url, EXPECTED_PARROT_API_KEY: server.apiKey },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  assert.match(python.stdout, /Results UUID: job_/, `EDSL did not run the job remotely:\n${python.stdout}\n${python.stderr}`);
  const edsl = JSON.parse(readFileSync(out, 'utf8')) as {
    rows: { agent: string; scenario: string; iteration: number; answer: Record<string, unknown> }[];
    selected: Record<string, unknown>[];
  };
  // The server ran exactly one job, sent by EDSL's client.
  const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  const listed = (await client.listJobs()).jobs;
  assert.equal(listed.length, 1);
  assert.ok(isEdslSourceName(listed[0]!.source_name), listed[0]!.source_name);
  const job = await client.getJob(listed[0]!.id);
  assert.equal(job.status, 'completed');
  assert.equal(job.progress.interviews_total, 6);
  const v1: Result[] = [];
  for await (const result of client.allResults(job.id)) v1.push(result);

  const foods = ['tea', 'soup', 'plums'];
  const expected = new Map<string, Record<string, unknown>>();
  for (const result of v1) {
    const key = `${result.agent_name}/${foods[result.scenario_index]}/${result.iteration}`;
    const answers = expected.get(key) ?? { likes: null, why_not: null, rating: null };
    answers[result.question] = result.status === 'answered' ? result.answer : null;
    expected.set(key, answers);
  }
  assert.equal(edsl.rows.length, 6);
  for (const row of edsl.rows) assert.deepEqual(row.answer, expected.get(`${row.agent}/${row.scenario}/${row.iteration}`), `${row.agent} on ${row.scenario}`);
  assert.ok(
    v1.some((result) => result.question === 'why_not' && result.status === 'skipped'),
    'the skip rule skipped a question',
  );
  // results.select("answer.*") gives the same answers, one row per interview.
  assert.deepEqual(
    edsl.selected,
    edsl.rows.map((row) => row.answer),
  );
});
