// The call cache is private to its owner: a real server over loopback with four users, two of them in a team named
// in the server config. One user's calls are neither counted as cached in another's estimate nor reused by the
// other's run; the users of one team share theirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { parseServicesConfig } from '../../src/server/services/config';
import { FieldworkClient } from '../../src/client';
import type { Job } from '../../src/api';
import { waitForJob } from '../support/jobs';

const SURVEY = [
  'name: Private',
  'agents: [{ name: ann, traits: { age: 30 } }, { name: ben, traits: { age: 60 } }]',
  'scenarios: [{ fruit: apple }, { fruit: pear }]',
  'models: [test]',
  'questions:',
  '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
  '  - { question_name: why, question_type: free_text, question_text: "Why, about {{ fruit }}?" }',
].join('\n');
const CALLS = 2 * 2 * 2;
const submission = { source: { name: 'private.survey.yaml', text: SURVEY }, files: {} };

describe('a cache private to its owner', () => {
  let dataDir: string;
  let server: RunningServer;
  const clients = new Map<string, FieldworkClient>();
  const as = (user: string): FieldworkClient => clients.get(user)!;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-private-cache-'));
    const config = parseServicesConfig('server.yaml', 'teams:\n  - { name: lab, users: [carol, dan] }\n');
    assert.ok(config.ok, JSON.stringify(!config.ok && config.issues));
    server = await startServer({ dataDir, port: 0, services: config.config });
    for (const user of ['alice', 'bob', 'carol', 'dan']) {
      clients.set(user, new FieldworkClient({ baseUrl: server.url, apiKey: (await server.store.createApiKey(user)).key }));
    }
  });
  after(async () => {
    for (const client of clients.values()) await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (user: string): Promise<Job> => {
    const job = await waitForJob(as(user), (await as(user).submitJob(submission)).id);
    assert.equal(job.status, 'completed', job.error ?? '');
    return job;
  };
  const cachedRows = async (user: string, job: Job): Promise<number> => {
    let cached = 0;
    for await (const result of as(user).allResults(job.id)) if (result.cached) cached++;
    return cached;
  };

  test('another user sees none of my cached calls: their estimate counts 0 cached, and their run calls the model', async () => {
    assert.equal((await as('alice').estimate(submission)).total.cached_calls, 0);
    const first = await run('alice');
    assert.equal(first.progress.calls_cached, 0);
    assert.equal((await as('alice').estimate(submission)).total.cached_calls, CALLS, 'my own rerun would be free');

    assert.equal((await as('bob').estimate(submission)).total.cached_calls, 0, "Alice's calls are not in Bob's estimate");
    const bobs = await run('bob');
    assert.equal(bobs.progress.calls_done, CALLS);
    assert.equal(bobs.progress.calls_cached, 0, "Bob's run asked the model itself");
    assert.equal(await cachedRows('bob', bobs), 0);
    assert.deepEqual(
      bobs.cost_by_model?.map((m) => [m.model, m.calls, m.cached_calls]),
      [['test', CALLS, 0]],
    );

    // And the other way round: Bob's calls did not land in Alice's cache, nor hers in his.
    const again = await run('alice');
    assert.equal(again.progress.calls_cached, CALLS, 'Alice reads only her own cache');
    assert.equal((await as('carol').estimate(submission)).total.cached_calls, 0, 'nor does a team see a user outside it');
  });

  test('the users of one team share one cache', async () => {
    const carols = await run('carol');
    assert.equal(carols.progress.calls_cached, 0);
    assert.equal((await as('dan').estimate(submission)).total.cached_calls, CALLS, "Carol's calls count for Dan");
    const dans = await run('dan');
    assert.equal(dans.progress.calls_cached, CALLS);
    assert.equal(await cachedRows('dan', dans), CALLS);
    assert.equal(dans.cost.input_tokens, 0, 'nothing was asked again');
  });
});
