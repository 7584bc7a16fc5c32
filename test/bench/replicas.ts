// Replicas on one PostgreSQL database, as real processes (`fieldwork serve` from the bundled CLI):
//  - against `fieldwork mock-provider` with one limit, by 1 and by 3 replicas: 429s per 100 calls and makespan;
//  - on the `test` model (no provider, no limit): calls per second by 1 and 3 replicas, next to one server on SQLite.
// Not a test: run it by hand (it builds first). PostgreSQL is Debian's package (test/support/postgres.ts).
//   npm run bench:replicas [-- --json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { FieldworkClient } from '../../src/client';
import type { Job } from '../../src/api';
import { freshDatabase } from '../support/postgres';
import { waitForJob } from '../support/jobs';
import { serve, type ServeProcess } from '../support/processes';
import { startMockProcess, startReplicaProcesses } from '../support/replicas';

interface Run {
  store: 'sqlite' | 'postgres';
  replicas: number;
  workload: 'mock-provider' | 'test-model';
  makespan_s: number;
  rate_limited_per_100: number;
  calls_per_second: number;
  failed_calls: number;
}

/** The one limit: 1,200 requests a minute, a bucket holding one second's (20 calls), so the run is bound by the limit. */
const MOCK = {
  limits: { requests_per_minute: 1200, tokens_per_minute: 10_000_000 },
  enforcement: { requests: { kind: 'bucket', window_s: 1 } },
  latency: { ttft_ms: 50, per_token_ms: 0, tail_probability: 0 },
};
/** Jobs submitted at once, spread over the replicas. */
const JOBS = 3;
const MOCK_INTERVIEWS_PER_JOB = 200;
const TEST_INTERVIEWS_PER_JOB = 2000;
const TEST_QUESTIONS = 3;

const scenarios = (count: number): string => `[${Array.from({ length: count }, (_, i) => `{ n: ${i} }`).join(', ')}]`;

const mockSurvey = (job: number): string =>
  [
    `name: Bench ${job}`,
    `scenarios: ${scenarios(MOCK_INTERVIEWS_PER_JOB)}`,
    'models: [{ model: mock/mock-1, max_tokens: 20 }]',
    'fresh: true',
    'questions:',
    `  - { question_name: q, question_type: free_text, question_text: "Job ${job}: what about {{ n }}?" }`,
  ].join('\n');

const testSurvey = (job: number): string =>
  [
    `name: Bench ${job}`,
    `scenarios: ${scenarios(100)}`,
    'models: [test]',
    `iterations: ${TEST_INTERVIEWS_PER_JOB / 100}`,
    'fresh: true',
    'questions:',
    ...Array.from(
      { length: TEST_QUESTIONS },
      (_, q) => `  - { question_name: q${q}, question_type: free_text, question_text: "Job ${job}, question ${q} about {{ n }}?" }`,
    ),
  ].join('\n');

/** Submits JOBS jobs, one per replica in turn, all at once; waits for all; makespan from the first submit to the last end. */
async function runJobs(replicas: ServeProcess[], survey: (job: number) => string): Promise<{ seconds: number; jobs: Job[] }> {
  const apiKey = replicas[0]!.apiKey;
  const clients = replicas.map((replica) => new FieldworkClient({ baseUrl: replica.url, apiKey }));
  const started = performance.now();
  const submitted = await Promise.all(
    Array.from({ length: JOBS }, (_, i) => clients[i % clients.length]!.submitJob({ source: { name: `bench-${i}.survey.yaml`, text: survey(i) }, files: {} })),
  );
  const jobs = await Promise.all(submitted.map((job, i) => waitForJob(clients[i % clients.length]!, job.id, { timeoutMs: 900_000 })));
  const seconds = (performance.now() - started) / 1000;
  for (const job of jobs) if (job.status !== 'completed') throw new Error(`job ${job.id} ended ${job.status}: ${job.error}`);
  return { seconds, jobs };
}

const calls = (jobs: Job[]): number => jobs.reduce((sum, job) => sum + job.progress.calls_done, 0);
const failed = (jobs: Job[]): number => jobs.reduce((sum, job) => sum + job.progress.calls_failed, 0);
const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

async function mockRun(count: number): Promise<Run> {
  const mock = await startMockProcess(MOCK);
  const set = await startReplicaProcesses(count, await freshDatabase(), mock.url);
  try {
    const { seconds, jobs } = await runJobs(set.replicas, mockSurvey);
    const stats = await mock.stats();
    return {
      store: 'postgres',
      replicas: count,
      workload: 'mock-provider',
      makespan_s: round(seconds, 2),
      rate_limited_per_100: round((100 * stats.rejected) / Math.max(1, stats.admitted), 2),
      calls_per_second: round(calls(jobs) / seconds, 1),
      failed_calls: failed(jobs),
    };
  } finally {
    await set.stop();
    await mock.stop();
  }
}

async function testModelRun(store: Run['store'], count: number): Promise<Run> {
  let replicas: ServeProcess[];
  let stop: () => Promise<void>;
  if (store === 'postgres') {
    const set = await startReplicaProcesses(count, await freshDatabase(), null);
    [replicas, stop] = [set.replicas, () => set.stop()];
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-replicas-'));
    const server = await serve(dataDir, [], { FIELDWORK_DATABASE_URL: '', FIELDWORK_CONFIG: '' });
    replicas = [server];
    stop = async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  try {
    const { seconds, jobs } = await runJobs(replicas, testSurvey);
    return {
      store,
      replicas: count,
      workload: 'test-model',
      makespan_s: round(seconds, 2),
      rate_limited_per_100: 0,
      calls_per_second: Math.round(calls(jobs) / seconds),
      failed_calls: failed(jobs),
    };
  } finally {
    await stop();
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  // `--only mock-provider` or `--only test-model` runs one workload.
  const only = process.argv[process.argv.indexOf('--only') + 1];
  const wanted = (workload: Run['workload']): boolean => !process.argv.includes('--only') || only === workload;
  const runs: Run[] = [];
  if (wanted('mock-provider')) runs.push(await mockRun(1), await mockRun(3));
  if (wanted('test-model')) runs.push(await testModelRun('sqlite', 1), await testModelRun('postgres', 1), await testModelRun('postgres', 3));
  if (json) {
    console.log(JSON.stringify({ runs }));
    return;
  }
  console.log(
    `${JOBS} jobs submitted at once, one per replica in turn: ${MOCK_INTERVIEWS_PER_JOB} calls each to the mock provider ` +
      `(${MOCK.limits.requests_per_minute} requests/min), or ${TEST_INTERVIEWS_PER_JOB} interviews × ${TEST_QUESTIONS} questions each on the test model`,
  );
  const table = new Table({ head: ['workload', 'store', 'replicas', 'makespan s', '429s / 100 calls', 'calls/s', 'failed calls'] });
  for (const run of runs) {
    table.push([run.workload, run.store, run.replicas, run.makespan_s.toFixed(2), run.rate_limited_per_100.toFixed(2), run.calls_per_second, run.failed_calls]);
  }
  console.log(table.toString());
  const [one, three] = runs.filter((run) => run.workload === 'mock-provider');
  if (one && three) console.log(`makespan of 3 replicas / 1 against the mock provider: ${(three.makespan_s / one.makespan_s).toFixed(2)} (target ≤ 1.10)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
