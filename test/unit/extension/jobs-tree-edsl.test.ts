// Jobs sent by EDSL's client read as such in the jobs tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presentJob } from '../../../src/extension/jobs/tree-model';
import { edslSourceName, type Job } from '../../../src/api';

const job = (source_name: string): Job => ({
  id: 'job_1',
  kind: 'survey',
  name: 'lunch',
  source_name,
  owner: 'local',
  status: 'completed',
  models: ['test'],
  created_at: '2026-01-01T00:00:00Z',
  started_at: null,
  finished_at: null,
  progress: { interviews_total: 4, interviews_done: 4, interviews_failed: 0, calls_done: 8, calls_cached: 0, calls_failed: 0 },
  cost: { usd: 0, input_tokens: 0, output_tokens: 0 },
  error: null,
});

describe('the jobs tree and EDSL', () => {
  it('marks a job EDSL sent, and only such a job', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    const edsl = presentJob(job(edslSourceName('0b5a2f5e-6c1d-4a37-9e39-2f3f4c9a1b2c')), now);
    assert.equal(edsl.description, '1m ago · EDSL · completed · 4/4 · $0', 'the age first, then the mark');
    assert.match(edsl.tooltip, /sent by EDSL's client; Open Submitted Survey shows it/);
    const own = presentJob(job('edsl-notes.survey.json'), now);
    assert.equal(own.description, '1m ago · completed · 4/4 · $0');
  });
});
