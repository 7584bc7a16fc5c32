// One server, SQLite next to PostgreSQL: a job on the `test` model (no latency) from submission to completion.
// Not a test: run it by hand. PostgreSQL is Debian's package on a cluster of this process (test/support/postgres.ts).
//   npm run bench:stores [-- --json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldworkClient } from '../../src/client';
import { startServer } from '../../src/server/server';
import { freshDatabase } from '../support/postgres';
import { waitForJob } from '../support/jobs';

const INTERVIEWS = 5000;
const QUESTIONS = 3;

interface Run {
  store: 'sqlite' | 'postgres';
  replicas: number;
  workload: 'test-model';
  makespan_s: number;
  rate_limited_per_100: number;
  calls_per_second: number;
  failed_calls: number;
}

const survey = [
  'name: Bench',
  `scenarios: [${Array.from({ length: 100 }, (_, i) => `{ n: ${i} }`).join(', ')}]`,
  'models: [test]',
  `iterations: ${INTERVIEWS / 100}`,
  'questions:',
  ...Array.from({ length: QUESTIONS }, (_, q) => `  - { question_name: q${q}, question_type: free_text, question_text: "Question ${q} about {{ n }}?" }`),
].join('\n');

async function runOn(store: Run['store']): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-stores-'));
  const database = store === 'postgres' ? await freshDatabase() : undefined;
  const server = await startServer({ dataDir, database, port: 0 });
  try {
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const started = performance.now();
    const job = await client.submitJob({ source: { name: 'bench.survey.yaml', text: survey }, files: {} });
    const done = await waitForJob(client, job.id, { timeoutMs: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    if (done.status !== 'completed') throw new Error(`the ${store} job ended ${done.status}: ${done.error}`);
    return {
      store,
      replicas: 1,
      workload: 'test-model',
      makespan_s: Math.round(seconds * 100) / 100,
      rate_limited_per_100: 0,
      calls_per_second: Math.round(done.progress.calls_done / seconds),
      failed_calls: done.progress.calls_failed,
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const runs = [await runOn('sqlite'), await runOn('postgres')];
  if (json) {
    console.log(JSON.stringify({ runs }));
    return;
  }
  console.log(`${INTERVIEWS.toLocaleString('en-US')} interviews × ${QUESTIONS} questions on the test model, one server`);
  for (const run of runs) {
    console.log(
      `  ${run.store.padEnd(8)} makespan ${run.makespan_s.toFixed(2)} s, ${run.calls_per_second.toLocaleString('en-US')} calls/s, ${run.failed_calls} failed`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
