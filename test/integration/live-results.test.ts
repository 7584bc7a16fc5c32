// A running job says what a live view needs: progress counted in calls before any interview is done, and which
// interviews' results were stored, which GET /v1/jobs/{id}/results?interviews=first-last then returns alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressEventData, Problem, type JobEvent } from '../../src/api';
import { LiveResults, type ResultsDelta } from '../../src/extension/panel/live-results';
import { toResultRow } from '../../src/webview/messages';
import { useTestServer } from '../support/test-server';

const local = useTestServer('live');

// Four interviews of three questions; each call takes a second, so an interview takes three.
const SURVEY = [
  'name: Slow',
  'scenarios: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]',
  'models: [{ model: test, latency_ms: 1000 }]',
  'questions:',
  '  - { question_name: a, question_type: free_text, question_text: "A {{ n }}?" }',
  '  - { question_name: b, question_type: free_text, question_text: "B {{ n }}?" }',
  '  - { question_name: c, question_type: free_text, question_text: "C {{ n }}?" }',
].join('\n');

test('progress events count calls before an interview is done and name the interviews whose results were stored', async () => {
  const job = await local.client.submitJob({ source: { name: 'slow.survey.yaml', text: SURVEY }, files: {} });
  const events: JobEvent[] = [];
  for await (const event of local.client.events(job.id)) events.push(event);
  const progress = events.filter((e) => e.type === 'progress').map((e) => ProgressEventData.parse(e.data));
  assert.ok(progress.length > 0);

  const early = progress.find((p) => p.progress.interviews_done === 0 && (p.calls_made ?? 0) > 0);
  assert.ok(
    early,
    `no progress event counted calls before the first interview was done: ${JSON.stringify(progress.map((p) => [p.progress.interviews_done, p.calls_made]))}`,
  );
  assert.equal(early.calls_expected, 12);
  assert.equal(progress.at(-1)!.calls_made, 12);

  // Every interview is named once across the events, and each range's results are exactly its interviews'.
  const named: number[] = [];
  for (const p of progress) {
    for (const [first, last] of p.stored ?? []) {
      const page = await local.client.results(job.id, { interviews: [first, last], limit: 1000 });
      assert.equal(page.results.length, (last - first + 1) * 3);
      assert.ok(page.results.every((r) => r.interview >= first && r.interview <= last));
      for (let i = first; i <= last; i++) named.push(i);
    }
  }
  assert.deepEqual(named.sort(), [0, 1, 2, 3]);
});

test('a range of interviews pages with a cursor, and a backwards range is a 400 that says what to send', async () => {
  const job = await local.client.submitJob({ source: { name: 'slow.survey.yaml', text: SURVEY.replace('latency_ms: 1000', 'latency_ms: 0') }, files: {} });
  for await (const _event of local.client.events(job.id));
  const first = await local.client.results(job.id, { interviews: [1, 2], limit: 4 });
  assert.deepEqual(
    first.results.map((r) => [r.interview, r.question]),
    [
      [1, 'a'],
      [1, 'b'],
      [1, 'c'],
      [2, 'a'],
    ],
  );
  const rest = await local.client.results(job.id, { interviews: [1, 2], limit: 4, cursor: first.next_cursor! });
  assert.deepEqual(
    rest.results.map((r) => [r.interview, r.question]),
    [
      [2, 'b'],
      [2, 'c'],
    ],
  );
  assert.equal(rest.next_cursor, null);

  const response = await fetch(`${local.server.url}/v1/jobs/${job.id}/results?interviews=5-2`, { headers: { authorization: `Bearer ${local.server.apiKey}` } });
  assert.equal(response.status, 400);
  const problem = Problem.parse(await response.json());
  assert.match(problem.detail ?? '', /interviews must be .* first ≤ last/);
});

test("the panel's live results: the rows of each named range once, and a range named again replaces its rows", async () => {
  const job = await local.client.submitJob({ source: { name: 'fast.survey.yaml', text: SURVEY.replace('latency_ms: 1000', 'latency_ms: 5') }, files: {} });
  const deltas: ResultsDelta[] = [];
  const live = new LiveResults({
    fetch: (interviews) => local.client.allResults(job.id, { interviews, pageSize: 2 }),
    toRow: toResultRow,
    send: (delta) => deltas.push(delta),
  });
  for await (const event of local.client.events(job.id)) {
    if (event.type === 'progress') live.stored(ProgressEventData.parse(event.data).stored ?? []);
  }
  await live.drained();
  const key = (r: { interview: number; question: string }): string => `${r.interview}/${r.question}`;
  const all = [];
  for await (const result of local.client.allResults(job.id)) all.push(key(result));
  assert.deepEqual(live.rows.map(key).sort(), all.sort());
  assert.ok(deltas.every((d) => !d.reset));

  live.stored([[1, 2]]);
  await live.drained();
  assert.equal(live.rows.length, 12);
  assert.deepEqual(live.rows.map(key).sort(), all.sort());
  assert.equal(deltas.at(-1)!.reset, true);
  assert.equal(deltas.at(-1)!.rows.length, 12);
});
