// What a call's row carries when its answer is already in the cache: the cost this interview paid for it before a
// restart or a retry (once), $0 otherwise; and a user never reads another user's calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallPath, type CallInput, type Paid } from '../../../src/server/runner/call-path';
import { Pricing } from '../../../src/server/cost/pricing';
import { TestModel } from '../../../src/server/providers/test-model';
import { Scheduler } from '../../../src/server/scheduler/scheduler';
import { openSqliteStore } from '../../../src/server/store/sqlite';

const model = { label: 'test', service: 'test', model: 'test', parameters: {} };
const pricing = new Pricing({ 'test/test': { input_per_mtok: 1_000_000, output_per_mtok: 0, as_of: null, source: 'test' } });

test('a paid call is on one row per run of its interview; other interviews and users see it as cached or not at all', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-call-path-'));
  const store = openSqliteStore(join(dir, 'fieldwork.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let providerCalls = 0;
  const provider = new TestModel();
  const counting = { service: 'test', call: (request: Parameters<TestModel['call']>[0]) => (providerCalls++, provider.call(request)) };
  const path = new CallPath(store, new Scheduler({}), new Map([['test', counting]]), pricing);
  const signal = new AbortController().signal;
  const ask = (user: string, interview: number, paid: Paid, fresh = false): Promise<{ cached: boolean; cost_usd: number | null }> =>
    Promise.resolve(
      path.call({
        jobId: 'job_1',
        user,
        interview,
        paid,
        model,
        prompts: { system: '', user: 'Is it good?' },
        iteration: 0,
        fresh,
        signal,
      } satisfies CallInput),
    );

  const firstRun: Paid = new Set();
  const paid = await ask('alice', 0, firstRun);
  assert.equal(paid.cached, false);
  assert.ok(paid.cost_usd! > 0);
  const twice = await ask('alice', 0, firstRun);
  assert.deepEqual([twice.cached, twice.cost_usd], [true, 0], 'the same prompt again in the same run is a cache hit');

  // The interview runs again (the server restarted before it finished, or it failed and is retried).
  const secondRun: Paid = new Set();
  const again = await ask('alice', 0, secondRun);
  assert.equal(again.cached, false);
  assert.equal(again.cost_usd, paid.cost_usd, 'its row carries what was paid');
  assert.equal((await ask('alice', 0, secondRun)).cost_usd, 0, 'once');
  assert.equal((await ask('alice', 0, new Set(), true)).cost_usd, paid.cost_usd, 'a fresh job does not pay twice either');

  assert.deepEqual(await ask('alice', 1, new Set()).then((o) => [o.cached, o.cost_usd]), [true, 0], 'another interview of the job: a cache hit');
  assert.equal(providerCalls, 1);

  const bobs = await ask('bob', 0, new Set());
  assert.equal(bobs.cached, false, "Bob does not read Alice's cache");
  assert.equal(providerCalls, 2);
  await store.flush();
  const [costs] = await store.costByModel('job_1');
  assert.equal(costs?.calls, 5, 'calls made or claimed count once: the two paid, and the three cache hits');
  assert.equal(costs?.cached_calls, 3);
});
