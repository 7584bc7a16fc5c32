// `kill -9` one of three replicas while it runs a job against `fieldwork mock-provider` (all real processes on a real
// PostgreSQL database): its lease expires, another replica takes the job over and resumes it from what is stored,
// and the job completes with every result once and every call billed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { FieldworkClient } from '../../src/client';
import type { Result } from '../../src/api';
import { freshDatabase } from '../support/postgres';
import { waitForJob } from '../support/jobs';
import { pidOfReplica, startMockProcess, startReplicaProcesses } from '../support/replicas';

/** The lease a replica holds, as the server's defaults set it; a takeover comes within it plus a heartbeat and a claim. */
const LEASE_S = 15;
const INTERVIEWS = 240;

const SURVEY = [
  'name: Failover',
  `scenarios: [${Array.from({ length: 12 }, (_, i) => `{ fruit: fruit${i} }`).join(', ')}]`,
  'models: [{ model: mock/mock-1, max_tokens: 20 }]',
  'iterations: 20',
  'fresh: true',
  'questions:',
  '  - { question_name: thoughts, question_type: free_text, question_text: "What do you think of {{ fruit }}?" }',
].join('\n');

test(
  'kill -9 of the replica running a job: another resumes it within the lease, every result once, every call billed once',
  { timeout: 180_000 },
  async (t) => {
    const database = await freshDatabase();
    const mock = await startMockProcess({
      limits: { requests_per_minute: 900, tokens_per_minute: 1_000_000 },
      latency: { ttft_ms: 20, per_token_ms: 0, tail_probability: 0 },
    });
    t.after(() => mock.stop());
    const set = await startReplicaProcesses(3, database, mock.url);
    t.after(() => set.stop());
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    t.after(() => db.end());
    const clients = set.replicas.map((replica) => new FieldworkClient({ baseUrl: replica.url, apiKey: set.replicas[0]!.apiKey }));

    const job = await clients[0]!.submitJob({ source: { name: 'failover.survey.yaml', text: SURVEY }, files: {} });
    await waitForJob(clients[0]!, job.id, { until: (j) => j.progress.interviews_done >= 40, timeoutMs: 60_000 });
    const { rows } = await db.query<{ replica: string }>('SELECT replica FROM job_leases WHERE job_id = $1', [job.id]);
    const holder = set.replicas.findIndex((replica) => replica.child.pid === pidOfReplica(rows[0]!.replica));
    assert.ok(holder >= 0, `the lease names one of the three replicas: ${rows[0]?.replica}`);
    const killedAt = Date.now();
    assert.equal(await set.replicas[holder]!.stop('SIGKILL'), null);
    const survivor = clients[(holder + 1) % 3]!;

    const done = await waitForJob(survivor, job.id, { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.progress.interviews_done, INTERVIEWS);

    const { events } = await survivor.eventPage(job.id, { after: 0, limit: 10_000 });
    const resumed = events.filter((e) => e.type === 'resumed');
    assert.equal(resumed.length, 1, 'taken over once');
    assert.match(resumed[0]!.message, /Its replica stopped: resuming from the stored results/);
    const takeoverS = (Date.parse(resumed[0]!.at) - killedAt) / 1000;
    assert.ok(takeoverS <= LEASE_S + 5, `taken over ${takeoverS.toFixed(1)} s after the kill (lease ${LEASE_S} s)`);
    assert.equal(events.filter((e) => e.type === 'completed').length, 1);

    const results: Result[] = [];
    for await (const result of survivor.allResults(job.id)) results.push(result);
    assert.equal(results.length, INTERVIEWS, 'one result per interview');
    assert.equal(new Set(results.map((r) => r.interview)).size, INTERVIEWS, 'none stored twice');
    assert.ok(
      results.every((r) => r.status === 'answered' && typeof r.raw === 'string' && r.raw.length > 0),
      'every call answered',
    );

    const billed = await db.query<{ n: number; interviews: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT interview)::int AS interviews FROM call_bills WHERE job_id = $1',
      [job.id],
    );
    const { n, interviews } = billed.rows[0]!;
    assert.equal(n, interviews, "no interview's call billed twice");
    assert.ok(n <= INTERVIEWS);
    const model = done.cost_by_model?.[0];
    assert.equal((model?.calls ?? 0) - (model?.cached_calls ?? 0), n, "the job's bill counts each billed call once");
    assert.ok(results.filter((r) => !r.cached).length <= n, 'every call a result paid for is billed');
    assert.ok((await mock.stats()).admitted >= n, 'no more calls billed than the provider answered');
  },
);
