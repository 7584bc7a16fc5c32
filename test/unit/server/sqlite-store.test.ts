import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Job, JobEvent, Result } from '../../../src/protocol';
import { MIGRATIONS } from '../../../src/server/store/schema';
import { openSqliteStore, type SqliteStore } from '../../../src/server/store/sqlite';
import { InvalidCursorError, type FinishedInterview, type NewJob, type NewResult } from '../../../src/server/store/store';

/** A store on a fresh file in its own temp directory, removed after the test. */
function withStore(t: { after: (fn: () => void) => void }): { store: SqliteStore; path: string; reopen: () => SqliteStore } {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-'));
  const path = join(dir, 'fieldwork.db');
  let current = openSqliteStore(path);
  t.after(() => {
    current.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    store: current,
    path,
    reopen: () => {
      current.close();
      current = openSqliteStore(path);
      return current;
    },
  };
}

/** The cache of the jobs' owner, ada. */
const ADA = 'user:ada';

const newJob = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id,
  kind: 'survey',
  name: `survey ${id}`,
  source_name: 'ask.survey.yaml',
  owner: 'ada',
  models: ['test/echo'],
  interviews_total: 10,
  submission: { source: { name: 'ask.survey.yaml', text: 'questions: []' }, files: {} },
  idempotency_key: null,
  ...overrides,
});

const result = (question: string, overrides: Partial<NewResult> = {}): NewResult => ({
  interview: 0,
  agent_index: 0,
  agent_name: null,
  scenario_index: 0,
  model: 'test/echo',
  iteration: 0,
  question,
  status: 'answered',
  answer: `answer to ${question}`,
  comment: null,
  raw: `raw ${question}`,
  input_tokens: 10,
  output_tokens: 5,
  cost_usd: 0.001,
  cached: false,
  latency_ms: 12.5,
  error: null,
  ...overrides,
});

/** An interview with one result per question name, costing one call per question. */
const interview = (index: number, questions: string[], failed = false): FinishedInterview => ({
  interview: index,
  failed,
  results: questions.map((q) => result(q, { interview: index, ...(failed ? { status: 'failed', answer: null, error: 'boom' } : {}) })),
  calls_cached: 0,
  calls_done: failed ? 0 : questions.length,
  calls_failed: failed ? questions.length : 0,
  usd: failed ? 0 : 0.001 * questions.length,
  input_tokens: 10 * questions.length,
  output_tokens: 5 * questions.length,
});

test('a new database is in WAL mode at the newest schema version, and reopening it migrates nothing', (t) => {
  const { path, reopen } = withStore(t);
  reopen();
  const raw = new DatabaseSync(path);
  try {
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, MIGRATIONS.length);
  } finally {
    raw.close();
  }
});

test('an API key resolves to its user; only its hash is stored, never the key', (t) => {
  const { store, path, reopen } = withStore(t);
  const { key, record } = store.createApiKey('ada');
  assert.match(key, /^fw_[A-Za-z0-9_-]{43}$/);
  assert.equal(record.user, 'ada');
  assert.equal(record.prefix, key.slice(0, 8));
  assert.equal(store.userForKey(key), 'ada');
  assert.equal(store.userForKey(`${key}x`), null);
  assert.equal(store.userForKey(''), null);
  store.createApiKey('grace');
  assert.equal(store.countApiKeys(), 2);

  reopen(); // checkpoints the WAL into the main file
  const files = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file));
  const everything = Buffer.concat(files);
  assert.equal(everything.includes(key), false, 'the plain key is not in the database files');
  assert.equal(everything.includes(key.slice(3)), false, 'nor is its random part');
  assert.ok(everything.includes(createHash('sha256').update(key).digest('hex')), 'its hash is what is kept');
});

test('a job is stored queued with zero progress and reads back as a valid wire Job', (t) => {
  const { store } = withStore(t);
  const stored = store.insertJob(newJob('job_1', { models: ['test/echo', 'openai/gpt-4o'] }));
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
  assert.equal(store.getJob('job_nope'), null);
});

test('a job’s submission is read once and shared, frozen, however often the job is read', (t) => {
  const { store } = withStore(t);
  const files = { 'data.csv': 'x,y\n'.repeat(100_000) };
  store.insertJob(newJob('job_1', { submission: { source: { name: 'a.eval.yaml', text: 'dataset: data.csv' }, files } }));
  const first = store.getJob('job_1')!;
  assert.deepEqual(first.submission.files, files);
  assert.equal(store.getJob('job_1')!.submission, first.submission);
  assert.equal(store.unfinishedJobs()[0]!.submission, first.submission);
  assert.ok(Object.isFrozen(first.submission) && Object.isFrozen(first.submission.files));
  assert.throws(() => {
    (first.submission.files as Record<string, string>)['other.csv'] = '';
  }, TypeError);
});

test('jobs list newest first, page by cursor, filter by status, and show only the owner’s jobs', (t) => {
  const { store } = withStore(t);
  for (let i = 1; i <= 5; i++) store.insertJob(newJob(`job_${i}`));
  store.insertJob(newJob('job_other', { owner: 'grace' }));
  store.setJobStatus('job_2', 'running', { started: true });
  store.setJobStatus('job_4', 'failed', { finished: true, error: 'no quota' });

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = store.listJobs('ada', { limit: 2, cursor });
    for (const job of page.jobs) Job.parse(job);
    assert.ok(page.jobs.every((job) => !('submission' in job)), 'the list carries wire jobs only');
    seen.push(...page.jobs.map((job) => job.id));
    cursor = page.next_cursor ?? undefined;
    pages++;
  } while (cursor);
  assert.deepEqual(seen, ['job_5', 'job_4', 'job_3', 'job_2', 'job_1']);
  assert.equal(pages, 3);

  const filtered = store.listJobs('ada', { status: ['running', 'failed'] });
  assert.deepEqual(filtered.jobs.map((job) => job.id), ['job_4', 'job_2']);
  assert.equal(filtered.next_cursor, null);
  assert.deepEqual(store.listJobs('grace', {}).jobs.map((job) => job.id), ['job_other']);
  assert.deepEqual(store.listJobs('nobody', {}).jobs, []);
  assert.throws(() => store.listJobs('ada', { cursor: 'not-a-cursor' }), InvalidCursorError);
  assert.throws(() => store.listJobs('ada', { cursor: Buffer.from('[1,2]').toString('base64url') }), InvalidCursorError);
});

test('an idempotency key is unique per owner', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1', { idempotency_key: 'k1' }));
  assert.equal(store.findJobByIdempotencyKey('ada', 'k1')?.id, 'job_1');
  assert.equal(store.findJobByIdempotencyKey('ada', 'k2'), null);
  assert.equal(store.findJobByIdempotencyKey('grace', 'k1'), null);
  assert.throws(() => store.insertJob(newJob('job_2', { idempotency_key: 'k1' })), /UNIQUE/);
  store.insertJob(newJob('job_3', { idempotency_key: 'k1', owner: 'grace' }));
  store.insertJob(newJob('job_4'));
  store.insertJob(newJob('job_5')); // many jobs without a key
  assert.equal(store.getJob('job_2'), null);
});

test('status changes stamp and clear times and errors as asked; unfinished jobs are found for a restart', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.insertJob(newJob('job_2'));
  store.insertJob(newJob('job_3'));
  store.setJobStatus('job_1', 'running', { started: true });
  const started = store.getJob('job_1')!;
  assert.ok(started.started_at);
  assert.equal(started.finished_at, null);
  store.setJobStatus('job_1', 'running', { started: false }); // a resumed run keeps the first start
  assert.equal(store.getJob('job_1')!.started_at, started.started_at);

  store.setJobStatus('job_2', 'failed', { finished: true, error: 'no quota' });
  assert.equal(store.getJob('job_2')!.error, 'no quota');
  assert.ok(store.getJob('job_2')!.finished_at);
  store.setJobStatus('job_2', 'queued', { finished: false, error: null });
  assert.equal(store.getJob('job_2')!.error, null);
  assert.equal(store.getJob('job_2')!.finished_at, null);

  store.setJobStatus('job_3', 'cancelled', { finished: true });
  assert.deepEqual(store.unfinishedJobs().map((job) => job.id), ['job_1', 'job_2']);
  assert.ok(store.unfinishedJobs()[0]!.submission.source.text);
  assert.throws(() => store.setJobStatus('job_nope', 'running'), /No job/);
});

test('finishing interviews adds their progress to the job; stored calls add their cost', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.finishInterviews('job_1', [
    interview(0, ['q1', 'q2']),
    { ...interview(1, ['q1', 'q2']), calls_cached: 2, usd: 0, input_tokens: 0, output_tokens: 0 }, // both from the cache
    interview(2, ['q1', 'q2'], true),
  ]);
  const job = store.getJob('job_1')!;
  assert.deepEqual(job.progress, {
    interviews_total: 10,
    interviews_done: 2,
    interviews_failed: 1,
    calls_done: 4,
    calls_cached: 2,
    calls_failed: 2,
  });
  assert.deepEqual(job.cost, { usd: 0, input_tokens: 0, output_tokens: 0 }, 'interviews add progress, not cost');
  const call = (key: string, input: number, output: number) => ({ key, raw: 'Yes', input_tokens: input, output_tokens: output, cost_usd: 0.001, model_version: null });
  store.putCachedCall(ADA, call('k1', 30, 5), { job: 'job_1' });
  store.putCachedCall(ADA, call('k2', 10, 15), { job: 'job_1' });
  store.putCachedCall(ADA, call('k3', 99, 99)); // stored without a job to bill
  store.flush();
  const billed = store.getJob('job_1')!;
  assert.equal(billed.cost.usd.toFixed(6), '0.002000');
  assert.equal(billed.cost.input_tokens, 40);
  assert.equal(billed.cost.output_tokens, 20);
  assert.deepEqual([...store.finishedInterviews('job_1')].sort(), [0, 1]);
  assert.equal(store.results('job_1', { limit: 100 }).results.length, 6);
});

test('finishing an interview that is already recorded changes nothing', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.finishInterviews('job_1', [interview(0, ['q1'])]);
  const before = store.getJob('job_1')!;
  store.finishInterviews('job_1', [{ ...interview(0, ['q1', 'q2']), usd: 99 }, interview(1, ['q1'])]);
  const after = store.getJob('job_1')!;
  assert.equal(after.progress.interviews_done, 2, 'only the new interview counts');
  assert.equal(after.progress.calls_done, before.progress.calls_done + 1);
  assert.equal(after.cost.usd, 0);
  const questions = store.results('job_1', { limit: 100 }).results.map((r) => `${r.interview}:${r.question}`);
  assert.deepEqual(questions, ['0:q1', '1:q1'], 'the first record of interview 0 is kept');
});

test('a batch that fails part-way leaves nothing behind', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  const broken = interview(1, ['q1']);
  (broken.results[0] as { question: unknown }).question = null; // violates NOT NULL
  assert.throws(() => store.finishInterviews('job_1', [interview(0, ['q1']), broken]));
  assert.equal(store.getJob('job_1')!.progress.interviews_done, 0);
  assert.equal(store.finishedInterviews('job_1').size, 0);
  assert.equal(store.results('job_1', { limit: 10 }).results.length, 0);
  assert.throws(() => store.finishInterviews('job_nope', [interview(0, ['q1'])]), /FOREIGN KEY/);
  store.finishInterviews('job_1', [interview(0, ['q1'])]); // the store is still usable
  assert.equal(store.getJob('job_1')!.progress.interviews_done, 1);
});

test('clearing failed interviews forgets them and their results, takes back their progress, keeps the cost', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.finishInterviews('job_1', [
    interview(0, ['q1', 'q2']),
    { ...interview(1, ['q1', 'q2'], true), calls_done: 1, calls_failed: 1, usd: 0.5 },
    interview(2, ['q1'], true),
  ]);
  store.putCachedCall(ADA, { key: 'paid', raw: 'Yes', input_tokens: 10, output_tokens: 1, cost_usd: 0.5, model_version: null }, { job: 'job_1' });
  store.flush();
  const before = store.getJob('job_1')!;
  assert.equal(before.cost.usd, 0.5);
  assert.equal(store.clearFailedInterviews('job_1'), 2);
  const after = store.getJob('job_1')!;
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
    store.results('job_1', { limit: 100 }).results.map((r) => `${r.interview}:${r.question}`),
    ['0:q1', '0:q2'],
  );
  assert.equal(store.clearFailedInterviews('job_1'), 0);
  store.finishInterviews('job_1', [interview(1, ['q1', 'q2'])]); // the retry records it afresh
  assert.equal(store.getJob('job_1')!.progress.interviews_done, 2);
});

test('results page in interview and question order, whatever order they were written in', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.insertJob(newJob('job_2'));
  store.finishInterviews('job_1', [interview(2, ['b', 'a'])]);
  store.finishInterviews('job_1', [interview(0, ['b', 'a']), interview(10, ['z'])]);
  store.finishInterviews('job_1', [interview(1, ['b', 'a'])]);
  store.finishInterviews('job_2', [interview(0, ['other'])]);

  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = store.results('job_1', { limit: 2, cursor });
    assert.ok(page.results.length <= 2);
    for (const r of page.results) Result.parse(r);
    seen.push(...page.results.map((r) => `${r.interview}:${r.question}`));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  const expected = ['0:b', '0:a', '1:b', '1:a', '2:b', '2:a', '10:z'];
  assert.deepEqual(seen, expected);
  assert.deepEqual([...store.allResults('job_1')].map((r) => `${r.interview}:${r.question}`), expected);
  assert.ok([...store.allResults('job_1')].every((r) => r.job_id === 'job_1' && !('question_index' in r)));
  assert.throws(() => store.results('job_1', { limit: 2, cursor: 'xyz' }), InvalidCursorError);
});

test('answers of every JSON shape round-trip, and absent values come back as null', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  const answers: unknown[] = ['text, with "quotes"', 42, 3.5, true, ['a', 'b'], { low: 1, high: 2 }, null];
  store.finishInterviews('job_1', [
    {
      ...interview(0, []),
      results: answers.map((answer, i) =>
        result(`q${i}`, { answer, cost_usd: i === 0 ? null : 0.5, cached: i % 2 === 0, comment: i === 1 ? 'because' : null }),
      ),
    },
  ]);
  const stored = store.results('job_1', { limit: 100 }).results;
  assert.deepEqual(stored.map((r) => r.answer), answers);
  assert.equal(stored[0]!.cost_usd, null);
  assert.equal(stored[0]!.cached, true);
  assert.equal(stored[1]!.cached, false);
  assert.equal(stored[1]!.comment, 'because');
  for (const r of stored) Result.parse(r);
});

test('streaming all results crosses internal page boundaries without losing or repeating a row', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  const batch: FinishedInterview[] = [];
  for (let i = 0; i < 1234; i++) batch.push(interview(i, ['q1', 'q2']));
  store.finishInterviews('job_1', batch);
  let count = 0;
  let previous = -1;
  for (const r of store.allResults('job_1')) {
    const position = r.interview * 2 + (r.question === 'q1' ? 0 : 1);
    assert.equal(position, previous + 1);
    previous = position;
    count++;
  }
  assert.equal(count, 2468);
});

test('events get increasing ids and ISO times, and read back after an id', (t) => {
  const { store } = withStore(t);
  store.insertJob(newJob('job_1'));
  store.insertJob(newJob('job_2'));
  const queued = store.appendEvent({ job_id: 'job_1', type: 'queued', message: 'Queued.' });
  const other = store.appendEvent({ job_id: 'job_2', type: 'queued', message: 'Queued.' });
  const progress = store.appendEvent({ job_id: 'job_1', type: 'progress', message: '1 / 10', data: { done: 1 } });
  const completed = store.appendEvent({ job_id: 'job_1', type: 'completed', message: 'Done.', data: null });
  assert.ok(queued.id < other.id && other.id < progress.id && progress.id < completed.id);
  assert.equal(new Date(queued.at).toISOString(), queued.at);
  JobEvent.parse(queued);

  const all = store.eventsAfter('job_1', 0, 100);
  assert.deepEqual(all, [queued, progress, completed]);
  for (const event of all) JobEvent.parse(event);
  assert.deepEqual(store.eventsAfter('job_1', queued.id, 1), [progress]);
  assert.deepEqual(store.eventsAfter('job_1', completed.id, 100), []);
  assert.deepEqual(store.eventsAfter('job_2', 0, 100), [other]);
});

test('a cached call is visible at once, written in the next turn, and counted', async (t) => {
  const { store, path } = withStore(t);
  const call = { key: 'k1', raw: 'hello', input_tokens: 3, output_tokens: 1, cost_usd: 0.25, model_version: 'v1' };
  const unpaid = { ...call, paid_job: null, paid_interview: null };
  assert.equal(store.hasCachedCall(ADA, 'k1'), false);
  store.putCachedCall(ADA, call);
  assert.deepEqual(store.getCachedCall(ADA, 'k1'), unpaid, 'a buffered call is read from the buffer');
  assert.equal(store.hasCachedCall(ADA, 'k1'), true);

  const countOnDisk = (): number => {
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      return (raw.prepare('SELECT count(*) AS n FROM call_cache').get() as { n: number }).n;
    } finally {
      raw.close();
    }
  };
  assert.equal(countOnDisk(), 0, 'not yet written');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(countOnDisk(), 1, 'written by the scheduled flush');
  assert.deepEqual(store.getCachedCall(ADA, 'k1'), unpaid);

  store.putCachedCall(ADA, { ...call, key: 'k2', cost_usd: null, model_version: null });
  store.putCachedCall(ADA, { ...call, raw: 'hello again' }); // same key: the newer call wins
  assert.deepEqual(store.cacheStats(), { entries: 2, bytes: 2 + 'hello again'.length + 2 + 'hello'.length });
  assert.equal(store.getCachedCall(ADA, 'k1')!.raw, 'hello again');
  assert.equal(store.getCachedCall(ADA, 'k2')!.cost_usd, null);
  assert.equal(store.getCachedCall(ADA, 'nope'), null);

  const timesStored = (key: string): number => {
    store.flush();
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      return (raw.prepare('SELECT calls FROM call_cache WHERE scope = ? AND key = ?').get(ADA, key) as { calls: number }).calls;
    } finally {
      raw.close();
    }
  };
  assert.equal(timesStored('k1'), 2, 'a call stored again (a fresh run) is counted, buffered or not');
  assert.equal(timesStored('k2'), 1);
  store.putCachedCall(ADA, { ...call, key: 'k2' });
  store.putCachedCall(ADA, { ...call, key: 'k2' });
  assert.equal(timesStored('k2'), 3);

  store.putCachedCall(ADA, { ...call, key: 'k3' });
  assert.equal(store.clearCache(), 3, 'clearing counts buffered calls too');
  assert.equal(store.hasCachedCall(ADA, 'k3'), false);
  assert.deepEqual(store.cacheStats(), { entries: 0, bytes: 0 });
});

test('everything survives closing and reopening, including calls still buffered at close', (t) => {
  const { store, reopen } = withStore(t);
  const { key } = store.createApiKey('ada');
  store.insertJob(newJob('job_1', { idempotency_key: 'k' }));
  store.finishInterviews('job_1', [interview(0, ['q1'])]);
  const event = store.appendEvent({ job_id: 'job_1', type: 'queued', message: 'Queued.' });
  store.putCachedCall(ADA, { key: 'c', raw: 'r', input_tokens: 1, output_tokens: 1, cost_usd: 0, model_version: null }, { job: 'job_2', interview: 0 });
  const job = store.getJob('job_1');

  const again = reopen();
  assert.equal(again.userForKey(key), 'ada');
  assert.deepEqual(again.getJob('job_1'), job);
  assert.equal(again.findJobByIdempotencyKey('ada', 'k')?.id, 'job_1');
  assert.equal(again.results('job_1', { limit: 10 }).results.length, 1);
  assert.deepEqual(again.eventsAfter('job_1', 0, 10), [event]);
  assert.equal(again.getCachedCall(ADA, 'c')?.raw, 'r');
  assert.equal(again.getCachedCall(ADA, 'c')?.paid_job, 'job_2', 'who paid for it is stored with it');
  const next = again.appendEvent({ job_id: 'job_1', type: 'started', message: 'Started.' });
  assert.ok(next.id > event.id);
});

test('calls are counted per (job, model): billed ones with their tokens and cost, cache hits at $0; kept across a reopen', (t) => {
  const { store, reopen } = withStore(t);
  store.insertJob(newJob('job_1'));
  const call = (key: string, cost: number | null) => ({ key, raw: 'Yes', input_tokens: 30, output_tokens: 5, cost_usd: cost, model_version: null });
  assert.deepEqual(store.costByModel('job_1'), [], 'nothing yet: older jobs read the same');
  store.putCachedCall(ADA, call('a1', 0.002), { job: 'job_1', model: 'openai/gpt-4o' });
  store.putCachedCall(ADA, call('a2', 0.001), { job: 'job_1', model: 'openai/gpt-4o' });
  store.countCacheHit('job_1', 'openai/gpt-4o');
  store.putCachedCall(ADA, call('b1', null), { job: 'job_1', model: 'local/llama' });
  store.countCacheHit('job_2', 'openai/gpt-4o');
  const expected = [
    { model: 'local/llama', calls: 1, cached_calls: 0, input_tokens: 30, output_tokens: 5, usd: null },
    { model: 'openai/gpt-4o', calls: 3, cached_calls: 1, input_tokens: 60, output_tokens: 10, usd: 0.003 },
  ];
  const read = (costs: ReturnType<SqliteStore['costByModel']>) => costs.map((c) => ({ ...c, usd: c.usd === null ? null : Number(c.usd.toFixed(9)) }));
  assert.deepEqual(read(store.costByModel('job_1')), expected, 'an unknown price makes the model\'s cost unknown, never $0');
  assert.equal(store.getJob('job_1')!.cost.input_tokens, 90, 'the job total is billed as before');
  const again = reopen();
  again.countCacheHit('job_1', 'local/llama');
  assert.deepEqual(read(again.costByModel('job_1')), [{ ...expected[0]!, calls: 2, cached_calls: 1 }, expected[1]]);
  assert.deepEqual(again.costByModel('job_2'), [{ model: 'openai/gpt-4o', calls: 1, cached_calls: 1, input_tokens: 0, output_tokens: 0, usd: 0 }]);
});

test('migration 3 adds the per-model ledger to a database at version 2 without touching its rows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-v2-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fieldwork.db');
  const raw = new DatabaseSync(path);
  for (const sql of MIGRATIONS.slice(0, 2)) raw.exec(sql);
  raw.exec('PRAGMA user_version = 2');
  raw.close();
  const store = openSqliteStore(path);
  t.after(() => store.close());
  store.insertJob(newJob('job_old'));
  assert.deepEqual(store.costByModel('job_old'), []);
});

test('each scope has its own calls: the same key in two scopes is two calls, and who paid is kept with each', (t) => {
  const { store, reopen } = withStore(t);
  const call = { key: 'same', raw: 'Yes', input_tokens: 3, output_tokens: 1, cost_usd: 0.25, model_version: null };
  store.putCachedCall('user:alice', call, { job: 'job_a', model: 'test', interview: 4 });
  assert.equal(store.hasCachedCall('user:bob', 'same'), false, 'buffered: not in another scope');
  assert.equal(store.getCachedCall('user:bob', 'same'), null);
  assert.deepEqual(store.getCachedCall('user:alice', 'same'), { ...call, paid_job: 'job_a', paid_interview: 4 });
  store.flush();
  assert.equal(store.hasCachedCall('user:bob', 'same'), false, 'stored: not in another scope');
  store.putCachedCall('team:lab', { ...call, raw: 'No' });
  assert.deepEqual(store.cacheStats().entries, 2, 'the administrator sees every scope');
  const again = reopen();
  assert.deepEqual(again.getCachedCall('user:alice', 'same'), { ...call, paid_job: 'job_a', paid_interview: 4 });
  assert.equal(again.getCachedCall('team:lab', 'same')?.raw, 'No');
  assert.equal(again.getCachedCall('team:lab', 'same')?.paid_job, null);
});

/** A database at the version before the private cache, with the call_cache of that version and jobs of `owners`. */
function databaseBeforePrivateCache(t: { after: (fn: () => void) => void }, owners: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-shared-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fieldwork.db');
  const version = MIGRATIONS.findIndex((sql) => sql.includes('call_cache_scoped'));
  assert.ok(version > 0);
  const raw = new DatabaseSync(path);
  for (const sql of MIGRATIONS.slice(0, version)) raw.exec(sql);
  raw.exec(`PRAGMA user_version = ${version}`);
  owners.forEach((owner, index) => {
    raw.prepare(`INSERT INTO jobs (id, kind, name, source_name, owner, status, models, created_at, interviews_total, submission)
      VALUES (?, 'survey', 'n', 's.survey.yaml', ?, 'completed', '[]', '2025-01-01T00:00:00Z', 1, '{}')`).run(`job_${index}`, owner);
  });
  raw.prepare(`INSERT INTO call_cache (key, raw, input_tokens, output_tokens, cost_usd, model_version, created_at, bytes, calls)
    VALUES ('k', 'Yes', 3, 1, 0.5, NULL, '2025-01-01T00:00:00Z', 4, 2)`).run();
  raw.close();
  return path;
}

test('the private-cache migration keeps the shared calls of a one-user database as that user\'s', (t) => {
  const store = openSqliteStore(databaseBeforePrivateCache(t, ['local', 'local']));
  t.after(() => store.close());
  assert.deepEqual(store.getCachedCall('user:local', 'k'), {
    key: 'k', raw: 'Yes', input_tokens: 3, output_tokens: 1, cost_usd: 0.5, model_version: null, paid_job: null, paid_interview: null,
  });
  assert.deepEqual(store.cacheStats(), { entries: 1, bytes: 4 });
});

test('the private-cache migration drops the shared calls of a database with several users: none can be attributed', (t) => {
  const store = openSqliteStore(databaseBeforePrivateCache(t, ['alice', 'bob']));
  t.after(() => store.close());
  assert.equal(store.getCachedCall('user:alice', 'k'), null);
  assert.equal(store.getCachedCall('user:bob', 'k'), null);
  assert.deepEqual(store.cacheStats(), { entries: 0, bytes: 0 });
});
