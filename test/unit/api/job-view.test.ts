// applyJobEvent: a job's view from its events, including an older server's events (no state in their data), a retry
// and a replayed log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJobEvent, type Job, type JobEvent, type JobProgress } from '../../../src/api';

const progress = (done: number, failed = 0, calls = done * 2): JobProgress => ({
  interviews_total: 4,
  interviews_done: done,
  interviews_failed: failed,
  calls_done: calls,
  calls_cached: 0,
  calls_failed: 0,
});
const cost = (usd: number) => ({ usd, input_tokens: 10, output_tokens: 5 });

const queued: Job = {
  id: 'j1',
  kind: 'survey',
  name: 'n',
  source_name: 'n.survey.yaml',
  owner: 'local',
  status: 'queued',
  models: ['test'],
  created_at: '2026-01-01T00:00:00.000Z',
  started_at: null,
  finished_at: null,
  progress: progress(0),
  cost: cost(0),
  error: null,
};

let nextId = 1;
const event = (type: JobEvent['type'], second: number, data: Record<string, unknown> | null = null, jobId = 'j1'): JobEvent => ({
  id: nextId++,
  job_id: jobId,
  type,
  at: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
  message: type,
  data,
});
const fold = (job: Job, events: JobEvent[]): Job => events.reduce(applyJobEvent, job);

describe('a job view kept from its events', () => {
  it('follows status events that carry the state, and progress events with cost per model', () => {
    const job = fold(queued, [
      event('started', 1, { status: 'running', error: null, progress: progress(0), cost: cost(0) }),
      event('progress', 2, {
        progress: progress(2),
        cost: cost(0.5),
        cost_by_model: [{ model: 'test', calls: 4, cached_calls: 0, input_tokens: 10, output_tokens: 5, usd: 0.5 }],
      }),
      event('failed', 3, { status: 'partially_failed', error: '1 interviews failed', progress: progress(3, 1), cost: cost(0.7) }),
    ]);
    assert.equal(job.status, 'partially_failed');
    assert.equal(job.error, '1 interviews failed');
    assert.deepEqual(job.progress, progress(3, 1));
    assert.equal(job.cost.usd, 0.7);
    assert.equal(job.cost_by_model?.[0]?.usd, 0.5);
    assert.equal(job.started_at, '2026-01-01T00:00:01.000Z');
    assert.equal(job.finished_at, '2026-01-01T00:00:03.000Z');
  });

  it("reads the status from the type of an older server's events", () => {
    const job = fold(queued, [
      event('started', 1),
      event('progress', 2, { progress: progress(4), cost: cost(1) }),
      event('failed', 3, { status: 'partially_failed' }),
    ]);
    assert.equal(job.status, 'partially_failed');
    assert.equal(job.progress.interviews_done, 4);
    assert.equal(fold(queued, [event('started', 1), event('completed', 2)]).status, 'completed');
  });

  it('follows a retry: queued again with its failures cleared, then running anew', () => {
    const failed = fold(queued, [
      event('started', 1),
      event('failed', 2, { status: 'failed', error: 'every interview failed', progress: progress(0, 4, 8), cost: cost(0.2) }),
    ]);
    assert.equal(failed.status, 'failed');
    const retried = fold(failed, [
      event('queued', 5, { status: 'queued', error: null, progress: progress(0, 0, 8), cost: cost(0.2) }),
      event('started', 6, { status: 'running', error: null, progress: progress(0, 0, 8), cost: cost(0.2) }),
    ]);
    assert.equal(retried.status, 'running');
    assert.equal(retried.error, null);
    assert.equal(retried.finished_at, null);
    assert.equal(retried.started_at, '2026-01-01T00:00:06.000Z');
    assert.equal(retried.progress.interviews_failed, 0);
  });

  it("changes nothing for replayed history the job as read includes, nor for another job's events", () => {
    const running: Job = { ...queued, status: 'running', started_at: '2026-01-01T00:00:10.000Z', progress: progress(3) };
    // An earlier attempt's failure, and a progress event behind the progress known.
    assert.equal(applyJobEvent(running, event('failed', 5, { status: 'failed', error: 'x', progress: progress(0, 4), cost: cost(0) })), running);
    assert.equal(applyJobEvent(running, event('progress', 11, { progress: progress(1), cost: cost(0) })), running);
    assert.equal(applyJobEvent(running, event('started', 10, { status: 'running', error: null, progress: progress(0), cost: cost(0) })), running);
    assert.equal(applyJobEvent(running, event('cancelled', 12, null, 'other')), running);
    assert.equal(applyJobEvent(running, event('progress', 12, { progress: progress(4), cost: cost(1) })).progress.interviews_done, 4);
  });
});
