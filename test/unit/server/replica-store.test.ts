// What replicas on one PostgreSQL database rely on in the store (a real server, a database per test): claims never
// give one job to two replicas and give an expired lease to the next; a replica that lost a job's lease cannot write
// its interviews; a call two replicas answered is billed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../../src/server/store/postgres/store';
import { LeaseLostError } from '../../../src/server/store/postgres/lease-fence';
import { JobLeases } from '../../../src/server/replicas/job-leases';
import { freshDatabase } from '../../support/postgres';
import { interview, newJob } from './store-fixtures';

test('replicas claiming at once never take the same job; an expired lease goes to the next claim', async (t) => {
  const url = await freshDatabase();
  const store = await openPostgresStore(url);
  t.after(() => store.close());
  for (let i = 0; i < 12; i++) await store.insertJob(newJob(`job_${String(i).padStart(2, '0')}`));
  const replicas = ['a', 'b', 'c'].map((id) => new JobLeases(store.pool, id, 60_000));
  const claimed = await Promise.all(replicas.map((leases) => leases.claim(4, async () => true)));
  const all = claimed.flat();
  assert.equal(all.length, 12);
  assert.equal(new Set(all).size, 12, 'no job claimed twice');
  assert.deepEqual(await replicas[0]!.claim(4, async () => true), [], 'nothing left while the leases live');

  // b's leases expire (it stopped renewing): the next claim takes its jobs; b's renewal finds none of them.
  const short = new JobLeases(store.pool, 'b', 1);
  assert.equal((await short.renew(claimed[1]!)).length, claimed[1]!.length);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const retaken = await replicas[2]!.claim(10, async () => true);
  assert.deepEqual([...retaken].sort(), [...claimed[1]!].sort());
  assert.deepEqual(await replicas[1]!.renew(claimed[1]!), [], 'b holds none of them any more');
  assert.equal(await replicas[1]!.heldElsewhere(retaken[0]!), true);
});

test('replicas claiming at once, each taking a while to accept, never take the same job', async (t) => {
  // A replica's statement may read a job as free, then lock its row just after another replica leased it and
  // committed: the lease is in another table, so the lock alone does not see it. Sixty rounds of six replicas over 24 new
  // jobs each (the earlier rounds' stay leased).
  const url = await freshDatabase();
  const store = await openPostgresStore(url);
  t.after(() => store.close());
  const replicas = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => new JobLeases(store.pool, id, 60_000));
  let delay = 0;
  const slowly = async () => {
    await new Promise((resolve) => setTimeout(resolve, (delay = (delay + 1) % 4)));
    return true;
  };
  for (let round = 0; round < 60; round++) {
    for (let i = 0; i < 24; i++) await store.insertJob(newJob(`job_${round}_${String(i).padStart(2, '0')}`));
    const claimed = (await Promise.all(replicas.map((leases) => leases.claim(4, slowly)))).flat();
    assert.equal(new Set(claimed).size, claimed.length, `round ${round}: a job claimed twice (${claimed.sort().join(' ')})`);
    assert.equal(claimed.length, 24, `round ${round}: every job claimed once`);
  }
});

test('a replica that lost the lease of a job cannot write its interviews; the holder can', async (t) => {
  const url = await freshDatabase();
  const held = new Set<string>(['job_1']);
  const old = await openPostgresStore(url, { fence: { replica: 'old', holds: (id) => held.has(id) } });
  const next = await openPostgresStore(url, { fence: { replica: 'next', holds: () => true } });
  t.after(async () => {
    await old.close();
    await next.close();
  });
  await old.insertJob(newJob('job_1'));
  const oldLeases = new JobLeases(old.pool, 'old', 1);
  assert.deepEqual(await oldLeases.claim(1, async () => true), ['job_1']);
  await old.finishInterviews('job_1', [interview(0, ['a'])]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await new JobLeases(next.pool, 'next', 60_000).claim(1, async () => true), ['job_1']);

  await assert.rejects(old.finishInterviews('job_1', [interview(1, ['a'])]), LeaseLostError);
  await assert.rejects(old.setJobStatus('job_1', 'completed', { finished: true }), LeaseLostError);
  await next.finishInterviews('job_1', [interview(1, ['a']), interview(0, ['a'])]);
  assert.deepEqual([...(await next.finishedInterviews('job_1'))].sort(), [0, 1]);
  const job = (await next.getJob('job_1'))!;
  assert.equal(job.status, 'queued', "the old replica's status was refused");
  assert.equal(job.progress.interviews_done, 2, 'interview 0, written by both, counted once');
});

test('a call two replicas answered for the same interview is stored once and billed once', async (t) => {
  const url = await freshDatabase();
  const a = await openPostgresStore(url);
  const b = await openPostgresStore(url);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  await a.insertJob(newJob('job_1'));
  const call = { key: 'k1', raw: 'hello', input_tokens: 100, output_tokens: 20, cost_usd: 0.5, model_version: null };
  a.putCachedCall('user:ada', call, { job: 'job_1', model: 'test/echo', interview: 3 });
  await a.flush();
  b.putCachedCall('user:ada', call, { job: 'job_1', model: 'test/echo', interview: 3 });
  // The same prompt asked by another interview is another call, billed too.
  b.putCachedCall('user:ada', { ...call, key: 'k2' }, { job: 'job_1', model: 'test/echo', interview: 4 });
  await b.flush();

  const job = (await a.getJob('job_1'))!;
  assert.equal(job.cost.usd, 1);
  assert.equal(job.cost.input_tokens, 200);
  const [cost] = await b.costByModel('job_1');
  assert.equal(cost?.calls, 2);
  assert.equal(cost?.usd, 1);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM call_bills WHERE job_id = 'job_1'");
    assert.equal(rows[0]!.n, 2);
  } finally {
    await client.end();
  }
  assert.equal((await a.cacheStats()).entries, 2);
});
