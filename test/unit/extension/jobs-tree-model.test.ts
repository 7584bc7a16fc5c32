import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobsModel, presentJob } from '../../../src/extension/jobs/tree-model';
import type { Job } from '../../../src/api';

function aJob(id: string, created: string, fields: Partial<Job> = {}): Job {
  return {
    id,
    kind: 'survey',
    name: `job ${id}`,
    source_name: 's.survey.yaml',
    owner: 'local',
    status: 'completed',
    models: ['test'],
    created_at: created,
    started_at: null,
    finished_at: null,
    progress: { interviews_total: 10, interviews_done: 10, interviews_failed: 0, calls_done: 30, calls_cached: 5, calls_failed: 0 },
    cost: { usd: 0.5, input_tokens: 100, output_tokens: 50 },
    error: null,
    ...fields,
  };
}

describe('the jobs tree model', () => {
  it('lists newest first across pages, a job seen again replacing the older copy', () => {
    const model = new JobsModel();
    model.reset([aJob('b', '2026-01-02T00:00:00Z'), aJob('a', '2026-01-01T00:00:00Z')], 'cursor-1');
    assert.equal(model.nextCursor, 'cursor-1');
    model.add([aJob('c', '2026-01-03T00:00:00Z'), aJob('a', '2026-01-01T00:00:00Z', { status: 'failed' })], null);
    assert.deepEqual(
      model.jobs().map((j) => j.id),
      ['c', 'b', 'a'],
    );
    assert.equal(model.get('a')?.status, 'failed');
    assert.equal(model.nextCursor, null);
  });

  it('filters by status and knows which jobs are still running', () => {
    const model = new JobsModel();
    model.reset([aJob('a', '2026-01-01T00:00:00Z', { status: 'running' }), aJob('b', '2026-01-02T00:00:00Z')], null);
    assert.deepEqual(
      model.jobs(new Set(['running'])).map((j) => j.id),
      ['a'],
    );
    assert.deepEqual(
      model.active().map((j) => j.id),
      ['a'],
    );
    assert.equal(model.update([aJob('a', '2026-01-01T00:00:00Z', { status: 'running' })]), false);
    assert.equal(model.update([aJob('a', '2026-01-01T00:00:00Z', { status: 'completed' })]), true);
    assert.deepEqual(model.active(), []);
  });

  it('shows a running job spinning, with progress, cost and age', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const running = presentJob(
      aJob('a', '2026-01-01T00:00:00Z', {
        status: 'running',
        progress: { interviews_total: 12, interviews_done: 3, interviews_failed: 0, calls_done: 9, calls_cached: 0, calls_failed: 0 },
        cost: { usd: 0.004, input_tokens: 1, output_tokens: 1 },
      }),
      now,
    );
    assert.equal(running.icon, 'sync~spin');
    assert.equal(running.description, '10m ago · running 25% · 3/12 · $0.0040');
    assert.equal(running.contextValue, 'job-running');
    assert.match(running.tooltip, /id: a/);
  });

  it('gives finished jobs their own icons and context values', () => {
    assert.equal(presentJob(aJob('a', '2026-01-01T00:00:00Z')).contextValue, 'job-completed');
    assert.equal(presentJob(aJob('a', '2026-01-01T00:00:00Z', { status: 'partially_failed' })).contextValue, 'job-failed');
    assert.equal(presentJob(aJob('a', '2026-01-01T00:00:00Z', { status: 'cancelled' })).icon, 'circle-slash');
    assert.match(presentJob(aJob('a', '2026-01-01T00:00:00Z', { status: 'failed', error: 'bad key' })).tooltip, /failed — bad key/);
  });
});
