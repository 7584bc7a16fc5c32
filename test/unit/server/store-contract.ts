// The store's contract: what every implementation (SQLite, PostgreSQL) must do alike. Each implementation's test
// file calls storeContract with a way to open a fresh store, and to close and open it again on the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Job, JobEvent, Result } from '../../../src/api';
import { InvalidCursorError, type FinishedInterview, type Store } from '../../../src/server/store/store';
import { ADA, collect, interview, newJob, result, type OpenStore } from './store-fixtures';

export function storeContract(open: OpenStore): void {
  test('a job is stored queued with zero progress and reads back as a valid wire Job', async (t) => {
    const { store } = await open(t);
    const stored = await store.insertJob(newJob('job_1', { models: ['test/echo', 'openai/gpt-4o'] }));
    assert.equal(stored.status, 'queued');
    assert.deepEqual(stored.models, ['test/echo', 'openai/gpt-4o']);
    assert.deepEqual(stored.progress, {
      interviews_total: 10,
      interviews_done: 0,
      interviews_failed: 0,
      calls_done: 0,
      calls_cached: 0,
      calls_failed: 0,
    });
    assert.deepEqual(stored.cost, { usd: 0, input_tokens: 0, output_tokens: 0 });
    assert.deepEqual(stored.submission, newJob('job_1').submission);
    Job.parse(stored);
    assert.ok(!Number.isNaN(Date.parse(stored.created_at)));
    assert.equal(await store.getJob('job_nope'), null);
  });

  test('a job’s submission is read once and shared, frozen, however often the job is read', async (t) => {
    const { store } = await open(t);
    const files = { 'data.csv': 'x,y\n'.repeat(100_000) };
    await store.insertJob(newJob('job_1', { submission: { source: { name: 'a.eval.yaml', text: 'dataset: data.csv' }, files } }));
    const first = (await store.getJob('job_1'))!;
    assert.deepEqual(first.submission.files, files);
    assert.equal((await store.getJob('job_1'))!.submission, first.submission);
    assert.equal((await store.unfinishedJobs())[0]!.submission, first.submission);
    assert.ok(Object.isFrozen(first.submission) && Object.isFrozen(first.submission.files));
    assert.throws(() => {
      (first.submission.files as Record<string, string>)['other.csv'] = '';
    }, TypeError);
  });

  test('jobs list newest first, page by cursor, filter by status, and show only the owner’s jobs', async (t) => {
    const { store } = await open(t);
    for (let i = 1; i <= 5; i++) await store.insertJob(newJob(`job_${i}`));
    await store.insertJob(newJob('job_other', { owner: 'grace' }));
    await store.setJobStatus('job_2', 'running', { started: true });
    await store.setJobStatus('job_4', 'failed', { finished: true, error: 'no quota' });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listJobs('ada', { limit: 2, cursor });
      for (const job of page.jobs) Job.parse(job);
      assert.ok(
        page.jobs.every((job) => !('submission' in job)),
        'the list carries wire jobs only',
      );
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, ['job_5', 'job_4', 'job_3', 'job_2', 'job_1']);
    assert.equal(pages, 3);

    const filtered = await store.listJobs('ada', { status: ['running', 'failed'] });
    assert.deepEqual(
      filtered.jobs.map((job) => job.id),
      ['job_4', 'job_2'],
    );
    assert.equal(filtered.next_cursor, null);
    assert.deepEqual(
      (await store.listJobs('grace', {})).jobs.map((job) => job.id),
      ['job_other'],
    );
    assert.deepEqual((await store.listJobs('nobody', {})).jobs, []);
    await assert.rejects(async () => await store.listJobs('ada', { cursor: 'not-a-cursor' }), InvalidCursorError);
    await assert.rejects(async () => await store.listJobs('ada', { cursor: Buffer.from('[1,2]').toString('base64url') }), InvalidCursorError);
  });

  test('an idempotency key is unique per owner', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1', { idempotency_key: 'k1' }));
    assert.equal((await store.findJobByIdempotencyKey('ada', 'k1'))?.id, 'job_1');
    assert.equal(await store.findJobByIdempotencyKey('ada', 'k2'), null);
    assert.equal(await store.findJobByIdempotencyKey('grace', 'k1'), null);
    await assert.rejects(async () => await store.insertJob(newJob('job_2', { idempotency_key: 'k1' })), /unique/i);
    await store.insertJob(newJob('job_3', { idempotency_key: 'k1', owner: 'grace' }));
    await store.insertJob(newJob('job_4'));
    await store.insertJob(newJob('job_5')); // many jobs without a key
    assert.equal(await store.getJob('job_2'), null);
  });

  test('status changes stamp and clear times and errors as asked; unfinished jobs are found for a restart', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.insertJob(newJob('job_2'));
    await store.insertJob(newJob('job_3'));
    await store.setJobStatus('job_1', 'running', { started: true });
    const started = (await store.getJob('job_1'))!;
    assert.ok(started.started_at);
    assert.equal(started.finished_at, null);
    await store.setJobStatus('job_1', 'running', { started: false }); // a resumed run keeps the first start
    assert.equal((await store.getJob('job_1'))!.started_at, started.started_at);

    await store.setJobStatus('job_2', 'failed', { finished: true, error: 'no quota' });
    assert.equal((await store.getJob('job_2'))!.error, 'no quota');
    assert.ok((await store.getJob('job_2'))!.finished_at);
    await store.setJobStatus('job_2', 'queued', { finished: false, error: null });
    assert.equal((await store.getJob('job_2'))!.error, null);
    assert.equal((await store.getJob('job_2'))!.finished_at, null);

    await store.setJobStatus('job_3', 'cancelled', { finished: true });
    assert.deepEqual(
      (await store.unfinishedJobs()).map((job) => job.id),
      ['job_1', 'job_2'],
    );
    assert.ok((await store.unfinishedJobs())[0]!.submission.source.text);
    await assert.rejects(async () => await store.setJobStatus('job_nope', 'running'), /No job/);
  });

  test('finishing interviews adds their progress to the job; stored calls add their cost', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.finishInterviews('job_1', [
      interview(0, ['q1', 'q2']),
      { ...interview(1, ['q1', 'q2']), calls_cached: 2, usd: 0, input_tokens: 0, output_tokens: 0 }, // both from the cache
      interview(2, ['q1', 'q2'], true),
    ]);
    const job = (await store.getJob('job_1'))!;
    assert.deepEqual(job.progress, {
      interviews_total: 10,
      interviews_done: 2,
      interviews_failed: 1,
      calls_done: 4,
      calls_cached: 2,
      calls_failed: 2,
    });
    assert.deepEqual(job.cost, { usd: 0, input_tokens: 0, output_tokens: 0 }, 'interviews add progress, not cost');
    const call = (key: string, input: number, output: number) => ({
      key,
      raw: 'Yes',
      input_tokens: input,
      output_tokens: output,
      cost_usd: 0.001,
      model_version: null,
    });
    store.putCachedCall(ADA, call('k1', 30, 5), { job: 'job_1' });
    store.putCachedCall(ADA, call('k2', 10, 15), { job: 'job_1' });
    store.putCachedCall(ADA, call('k3', 99, 99)); // stored without a job to bill
    await store.flush();
    const billed = (await store.getJob('job_1'))!;
    assert.equal(billed.cost.usd.toFixed(6), '0.002000');
    assert.equal(billed.cost.input_tokens, 40);
    assert.equal(billed.cost.output_tokens, 20);
    assert.deepEqual([...(await store.finishedInterviews('job_1'))].sort(), [0, 1]);
    assert.equal((await store.results('job_1', { limit: 100 })).results.length, 6);
  });

  test('finishing an interview that is already recorded changes nothing', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.finishInterviews('job_1', [interview(0, ['q1'])]);
    const before = (await store.getJob('job_1'))!;
    await store.finishInterviews('job_1', [{ ...interview(0, ['q1', 'q2']), usd: 99 }, interview(1, ['q1'])]);
    const after = (await store.getJob('job_1'))!;
    assert.equal(after.progress.interviews_done, 2, 'only the new interview counts');
    assert.equal(after.progress.calls_done, before.progress.calls_done + 1);
    assert.equal(after.cost.usd, 0);
    const questions = (await store.results('job_1', { limit: 100 })).results.map((r) => `${r.interview}:${r.question}`);
    assert.deepEqual(questions, ['0:q1', '1:q1'], 'the first record of interview 0 is kept');
  });

  test('a batch that fails part-way leaves nothing behind', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    const broken = interview(1, ['q1']);
    (broken.results[0] as { question: unknown }).question = null; // violates NOT NULL
    await assert.rejects(async () => await store.finishInterviews('job_1', [interview(0, ['q1']), broken]));
    assert.equal((await store.getJob('job_1'))!.progress.interviews_done, 0);
    assert.equal((await store.finishedInterviews('job_1')).size, 0);
    assert.equal((await store.results('job_1', { limit: 10 })).results.length, 0);
    await assert.rejects(async () => await store.finishInterviews('job_nope', [interview(0, ['q1'])]), /foreign key/i);
    await store.finishInterviews('job_1', [interview(0, ['q1'])]); // the store is still usable
    assert.equal((await store.getJob('job_1'))!.progress.interviews_done, 1);
  });

  test('clearing failed interviews forgets them and their results, takes back their progress, keeps the cost', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.finishInterviews('job_1', [
      interview(0, ['q1', 'q2']),
      { ...interview(1, ['q1', 'q2'], true), calls_done: 1, calls_failed: 1, usd: 0.5 },
      interview(2, ['q1'], true),
    ]);
    store.putCachedCall(ADA, { key: 'paid', raw: 'Yes', input_tokens: 10, output_tokens: 1, cost_usd: 0.5, model_version: null }, { job: 'job_1' });
    await store.flush();
    const before = (await store.getJob('job_1'))!;
    assert.equal(before.cost.usd, 0.5);
    assert.equal(await store.clearFailedInterviews('job_1'), 2);
    const after = (await store.getJob('job_1'))!;
    assert.deepEqual(after.progress, {
      interviews_total: 10,
      interviews_done: 1,
      interviews_failed: 0,
      calls_done: 2,
      calls_cached: 0,
      calls_failed: 0,
    });
    assert.equal(after.cost.usd, before.cost.usd, 'money spent stays spent');
    assert.deepEqual(
      (await store.results('job_1', { limit: 100 })).results.map((r) => `${r.interview}:${r.question}`),
      ['0:q1', '0:q2'],
    );
    assert.equal(await store.clearFailedInterviews('job_1'), 0);
    await store.finishInterviews('job_1', [interview(1, ['q1', 'q2'])]); // the retry records it afresh
    assert.equal((await store.getJob('job_1'))!.progress.interviews_done, 2);
  });

  test('results page in interview and question order, whatever order they were written in', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.insertJob(newJob('job_2'));
    await store.finishInterviews('job_1', [interview(2, ['b', 'a'])]);
    await store.finishInterviews('job_1', [interview(0, ['b', 'a']), interview(10, ['z'])]);
    await store.finishInterviews('job_1', [interview(1, ['b', 'a'])]);
    await store.finishInterviews('job_2', [interview(0, ['other'])]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.results('job_1', { limit: 2, cursor });
      assert.ok(page.results.length <= 2);
      for (const r of page.results) Result.parse(r);
      seen.push(...page.results.map((r) => `${r.interview}:${r.question}`));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const expected = ['0:b', '0:a', '1:b', '1:a', '2:b', '2:a', '10:z'];
    assert.deepEqual(seen, expected);
    assert.deepEqual(
      (await collect(store.allResults('job_1'))).map((r) => `${r.interview}:${r.question}`),
      expected,
    );
    assert.ok((await collect(store.allResults('job_1'))).every((r) => r.job_id === 'job_1' && !('question_index' in r)));
    await assert.rejects(async () => await store.results('job_1', { limit: 2, cursor: 'xyz' }), InvalidCursorError);
    // A range of interviews (as a progress event names those just stored): theirs only, paged the same way.
    const first = await store.results('job_1', { limit: 3, interviews: [1, 2] });
    assert.deepEqual(
      first.results.map((r) => `${r.interview}:${r.question}`),
      ['1:b', '1:a', '2:b'],
    );
    const rest = await store.results('job_1', { limit: 3, interviews: [1, 2], cursor: first.next_cursor! });
    assert.deepEqual(
      rest.results.map((r) => `${r.interview}:${r.question}`),
      ['2:a'],
    );
    assert.equal(rest.next_cursor, null);
    assert.deepEqual((await store.results('job_1', { limit: 10, interviews: [3, 9] })).results, []);
  });

  test('answers of every JSON shape round-trip, and absent values come back as null', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    const answers: unknown[] = ['text, with "quotes"', 42, 3.5, true, ['a', 'b'], { low: 1, high: 2 }, null];
    await store.finishInterviews('job_1', [
      {
        ...interview(0, []),
        results: answers.map((answer, i) =>
          result(`q${i}`, { answer, cost_usd: i === 0 ? null : 0.5, cached: i % 2 === 0, comment: i === 1 ? 'because' : null }),
        ),
      },
    ]);
    const stored = (await store.results('job_1', { limit: 100 })).results;
    assert.deepEqual(
      stored.map((r) => r.answer),
      answers,
    );
    assert.equal(stored[0]!.cost_usd, null);
    assert.equal(stored[0]!.cached, true);
    assert.equal(stored[1]!.cached, false);
    assert.equal(stored[1]!.comment, 'because');
    for (const r of stored) Result.parse(r);
  });

  test('streaming all results crosses internal page boundaries without losing or repeating a row', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    const batch: FinishedInterview[] = [];
    for (let i = 0; i < 1234; i++) batch.push(interview(i, ['q1', 'q2']));
    await store.finishInterviews('job_1', batch);
    let count = 0;
    let previous = -1;
    for await (const r of store.allResults('job_1')) {
      const position = r.interview * 2 + (r.question === 'q1' ? 0 : 1);
      assert.equal(position, previous + 1);
      previous = position;
      count++;
    }
    assert.equal(count, 2468);
  });

  test('events get increasing ids and ISO times, and read back after an id', async (t) => {
    const { store } = await open(t);
    await store.insertJob(newJob('job_1'));
    await store.insertJob(newJob('job_2'));
    const queued = await store.appendEvent({ job_id: 'job_1', type: 'queued', message: 'Queued.' });
    const other = await store.appendEvent({ job_id: 'job_2', type: 'queued', message: 'Queued.' });
    const progress = await store.appendEvent({ job_id: 'job_1', type: 'progress', message: '1 / 10', data: { done: 1 } });
    const completed = await store.appendEvent({ job_id: 'job_1', type: 'completed', message: 'Done.', data: null });
    assert.ok(queued.id < other.id && other.id < progress.id && progress.id < completed.id);
    assert.equal(new Date(queued.at).toISOString(), queued.at);
    JobEvent.parse(queued);

    const all = await store.eventsAfter('job_1', 0, 100);
    assert.deepEqual(all, [queued, progress, completed]);
    for (const event of all) JobEvent.parse(event);
    assert.deepEqual(await store.eventsAfter('job_1', queued.id, 1), [progress]);
    assert.deepEqual(await store.eventsAfter('job_1', completed.id, 100), []);
    assert.deepEqual(await store.eventsAfter('job_2', 0, 100), [other]);
  });

  test('everything survives closing and reopening, including calls still buffered at close', async (t) => {
    const { store, reopen } = await open(t);
    const { key } = await store.createApiKey('ada');
    await store.insertJob(newJob('job_1', { idempotency_key: 'k' }));
    await store.finishInterviews('job_1', [interview(0, ['q1'])]);
    const event = await store.appendEvent({ job_id: 'job_1', type: 'queued', message: 'Queued.' });
    store.putCachedCall(ADA, { key: 'c', raw: 'r', input_tokens: 1, output_tokens: 1, cost_usd: 0, model_version: null }, { job: 'job_2', interview: 0 });
    const job = await store.getJob('job_1');

    const again = await reopen();
    assert.equal(await again.userForKey(key), 'ada');
    assert.deepEqual(await again.getJob('job_1'), job);
    assert.equal((await again.findJobByIdempotencyKey('ada', 'k'))?.id, 'job_1');
    assert.equal((await again.results('job_1', { limit: 10 })).results.length, 1);
    assert.deepEqual(await again.eventsAfter('job_1', 0, 10), [event]);
    assert.equal((await again.getCachedCall(ADA, 'c'))?.raw, 'r');
    assert.equal((await again.getCachedCall(ADA, 'c'))?.paid_job, 'job_2', 'who paid for it is stored with it');
    const next = await again.appendEvent({ job_id: 'job_1', type: 'started', message: 'Started.' });
    assert.ok(next.id > event.id);
  });

  test('calls are counted per (job, model): billed ones with their tokens and cost, cache hits at $0; kept across a reopen', async (t) => {
    const { store, reopen } = await open(t);
    await store.insertJob(newJob('job_1'));
    const call = (key: string, cost: number | null) => ({ key, raw: 'Yes', input_tokens: 30, output_tokens: 5, cost_usd: cost, model_version: null });
    assert.deepEqual(await store.costByModel('job_1'), [], 'nothing yet: older jobs read the same');
    store.putCachedCall(ADA, call('a1', 0.002), { job: 'job_1', model: 'openai/gpt-4o' });
    store.putCachedCall(ADA, call('a2', 0.001), { job: 'job_1', model: 'openai/gpt-4o' });
    store.countCacheHit('job_1', 'openai/gpt-4o');
    store.putCachedCall(ADA, call('b1', null), { job: 'job_1', model: 'local/llama' });
    store.countCacheHit('job_2', 'openai/gpt-4o');
    const expected = [
      { model: 'local/llama', calls: 1, cached_calls: 0, input_tokens: 30, output_tokens: 5, usd: null },
      { model: 'openai/gpt-4o', calls: 3, cached_calls: 1, input_tokens: 60, output_tokens: 10, usd: 0.003 },
    ];
    const read = (costs: Awaited<ReturnType<Store['costByModel']>>) => costs.map((c) => ({ ...c, usd: c.usd === null ? null : Number(c.usd.toFixed(9)) }));
    assert.deepEqual(read(await store.costByModel('job_1')), expected, "an unknown price makes the model's cost unknown, never $0");
    assert.equal((await store.getJob('job_1'))!.cost.input_tokens, 90, 'the job total is billed as before');
    const again = await reopen();
    again.countCacheHit('job_1', 'local/llama');
    assert.deepEqual(read(await again.costByModel('job_1')), [{ ...expected[0]!, calls: 2, cached_calls: 1 }, expected[1]]);
    assert.deepEqual(await again.costByModel('job_2'), [{ model: 'openai/gpt-4o', calls: 1, cached_calls: 1, input_tokens: 0, output_tokens: 0, usd: 0 }]);
  });

  test('each scope has its own calls: the same key in two scopes is two calls, and who paid is kept with each', async (t) => {
    const { store, reopen } = await open(t);
    const call = { key: 'same', raw: 'Yes', input_tokens: 3, output_tokens: 1, cost_usd: 0.25, model_version: null };
    store.putCachedCall('user:alice', call, { job: 'job_a', model: 'test', interview: 4 });
    assert.equal((await store.cachedKeys('user:bob', ['same'])).has('same'), false, 'buffered: not in another scope');
    assert.equal(await store.getCachedCall('user:bob', 'same'), null);
    assert.deepEqual(await store.getCachedCall('user:alice', 'same'), { ...call, paid_job: 'job_a', paid_interview: 4 });
    await store.flush();
    assert.equal((await store.cachedKeys('user:bob', ['same'])).has('same'), false, 'stored: not in another scope');
    store.putCachedCall('team:lab', { ...call, raw: 'No' });
    assert.deepEqual((await store.cacheStats()).entries, 2, 'the administrator sees every scope');
    const again = await reopen();
    assert.deepEqual(await again.getCachedCall('user:alice', 'same'), { ...call, paid_job: 'job_a', paid_interview: 4 });
    assert.equal((await again.getCachedCall('team:lab', 'same'))?.raw, 'No');
    assert.equal((await again.getCachedCall('team:lab', 'same'))?.paid_job, null);
  });
}
