import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostMessage, PanelMessage, parseMessage, toResultRow } from '../../../src/webview/messages';
import { filterSamples, sampleVerdict } from '../../../src/webview/samples';

const job = {
  id: 'job_1',
  kind: 'survey',
  name: 'Coffee habits',
  source_name: 'coffee.survey.yaml',
  owner: 'local',
  status: 'running',
  models: ['test'],
  created_at: '2026-01-01T00:00:00.000Z',
  started_at: null,
  finished_at: null,
  progress: { interviews_total: 12, interviews_done: 3, interviews_failed: 0, calls_done: 9, calls_cached: 0, calls_failed: 0 },
  cost: { usd: 0, input_tokens: 0, output_tokens: 0 },
  error: null,
};

describe('the job panel message protocol', () => {
  it('accepts every message the panel sends', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'run' },
      { type: 'cancel' },
      { type: 'retry' },
      { type: 'copyId' },
      { type: 'export', format: 'csv' },
      { type: 'rendered', rows: 10, ms: 3 },
    ]) {
      assert.equal(parseMessage(PanelMessage, message).ok, true, JSON.stringify(message));
    }
  });

  it('drops unknown and malformed messages with a reason', () => {
    const unknown = parseMessage(PanelMessage, { type: 'deleteEverything' });
    assert.equal(unknown.ok, false);
    const badFormat = parseMessage(PanelMessage, { type: 'export', format: 'xlsx' });
    assert.equal(badFormat.ok, false);
    assert.match(badFormat.ok ? '' : badFormat.reason, /format/);
    assert.equal(parseMessage(PanelMessage, 'ready').ok, false);
  });

  it('takes a snapshot, then deltas, from the host', () => {
    const snapshot = {
      type: 'snapshot',
      job,
      estimate: null,
      log: [{ id: 1, at: job.created_at, type: 'queued', message: 'queued' }],
      results: [],
      resultsComplete: false,
      metrics: [],
      progress: { callsMade: null, callsExpected: null },
      questions: [],
    };
    assert.equal(
      parseMessage(HostMessage, { type: 'questions', questions: [{ name: 'q', type: 'linear_scale', options: ['1', '2'], labels: { '1': 'low' } }] }).ok,
      true,
    );
    assert.equal(parseMessage(HostMessage, snapshot).ok, true);
    assert.equal(parseMessage(HostMessage, { type: 'progress', callsMade: 3, callsExpected: 12 }).ok, true);
    assert.equal(parseMessage(HostMessage, { type: 'progress', callsMade: 'three', callsExpected: 12 }).ok, false);
    const metric = { model: 'test', scorer: 'match', metric: 'accuracy', value: 0.5, stderr: 0.1, n: 8, failed: 0 };
    assert.equal(parseMessage(HostMessage, { type: 'metrics', metrics: [metric] }).ok, true);
    assert.equal(parseMessage(HostMessage, { type: 'metrics', metrics: [{ ...metric, metric: 'median' }] }).ok, false);
    assert.equal(parseMessage(HostMessage, { type: 'job', job: { ...job, status: 'completed' } }).ok, true);
    assert.equal(parseMessage(HostMessage, { type: 'job', job: { ...job, status: 'exploded' } }).ok, false);
    assert.equal(parseMessage(HostMessage, { type: 'results', rows: [], reset: true, complete: true }).ok, true);
  });

  it('reduces a result to the row the table shows', () => {
    const row = toResultRow({
      interview: 4,
      agent_index: 1,
      agent_name: null,
      scenario_index: 2,
      model: 'test',
      iteration: 0,
      question: 'q',
      status: 'answered',
      answer: ['a', 'b'],
      cost_usd: 0.001,
      cached: false,
      latency_ms: 12,
      error: null,
    });
    assert.equal(row.agent, 'agent 2');
    assert.equal(row.answer, 'a, b');
    assert.equal(row.value, null);
    assert.equal(toResultRow({ ...base(), answer: 4.5 }).value, 4.5);
    assert.equal(toResultRow({ ...base(), answer: { x: 1 } }).answer, '{"x":1}');
    assert.equal(toResultRow(base()).sample, undefined, 'a survey row carries no eval fields');
  });

  it("keeps an eval result's input, target, output and verdicts side by side", () => {
    const row = toResultRow({ ...evalResult(0), raw: 'It is 13.' });
    assert.deepEqual(row.sample, {
      sample: 's1',
      epoch: 2,
      input: 'What is 7 + 5?',
      target: ['12'],
      output: 'It is 13.',
      scores: { match: { value: 0, answer: '13', explanation: 'read 13, wanted 12' } },
    });
    assert.equal(parseMessage(HostMessage, { type: 'results', rows: [row], reset: true, complete: true }).ok, true);
  });

  it('filters samples to the wrong or failed ones; a failed sample is never counted as wrong', () => {
    const right = toResultRow(evalResult(1));
    const wrong = toResultRow(evalResult(0));
    const failed = toResultRow({ ...evalResult(0), status: 'failed', scores: null, error: 'HTTP 500' });
    const unscored = toResultRow({ ...evalResult(0), scores: { match: { value: null, answer: null, explanation: 'no number' } } });
    assert.deepEqual([right, wrong, failed, unscored].map(sampleVerdict), ['right', 'wrong', 'failed', 'failed']);
    const rows = [right, wrong, failed, unscored, toResultRow(base())];
    assert.deepEqual(filterSamples(rows, 'wrong-or-failed'), [wrong, failed, unscored]);
    assert.deepEqual(filterSamples(rows, 'wrong'), [wrong]);
    assert.deepEqual(filterSamples(rows, 'failed'), [failed, unscored]);
    assert.equal(filterSamples(rows, 'all').length, 4, 'survey rows are not samples');
  });
});

function evalResult(value: number) {
  return {
    ...base(),
    question: 's1',
    iteration: 1,
    raw: '12',
    sample_id: 's1',
    epoch: 2,
    input: 'What is 7 + 5?',
    target: ['12'],
    scores: { match: { value, answer: value ? '12' : '13', explanation: value ? 'read 12' : 'read 13, wanted 12' } },
  };
}

function base() {
  return {
    interview: 0,
    agent_index: 0,
    agent_name: 'a',
    scenario_index: 0,
    model: 'test',
    iteration: 0,
    question: 'q',
    status: 'answered',
    answer: null as unknown,
    cost_usd: null,
    cached: true,
    latency_ms: 0,
    error: null,
  };
}
