import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBLEM_TYPES, Problem, RESULT_COLUMNS, Result, ResultPage } from '../../../src/api';
import type { FinishedInterview, NewResult } from '../../../src/server/store/store';
import { postJson, startTestServer, submission, type TestServer } from './harness';

const result = (interview: number, question: string, answer: unknown, overrides: Partial<NewResult> = {}): NewResult => ({
  interview,
  agent_index: 0,
  agent_name: 'Ada',
  scenario_index: interview,
  model: 'test/echo',
  iteration: 0,
  question,
  status: 'answered',
  answer,
  comment: null,
  raw: JSON.stringify(answer),
  input_tokens: 12,
  output_tokens: 3,
  cost_usd: 0.5,
  cached: false,
  latency_ms: 7,
  error: null,
  ...overrides,
});

const finished = (interview: number, results: NewResult[]): FinishedInterview => ({
  interview,
  failed: false,
  results,
  calls_cached: 0,
  calls_done: results.length,
  calls_failed: 0,
  usd: 0,
  input_tokens: 0,
  output_tokens: 0,
});

async function jobWithResults(server: TestServer, interviews: FinishedInterview[]): Promise<string> {
  const { id } = (await (await server.request('/v1/jobs', postJson(submission()))).json()) as { id: string };
  await server.store.finishInterviews(id, interviews);
  return id;
}

/** A minimal RFC 4180 reader, enough to check what we write. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      endField();
    } else if (!quoted && char === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += char;
    }
  }
  assert.equal(field, '', 'the last line ends with CRLF');
  return rows;
}

test('JSON results page in interview and question order by cursor', async (t) => {
  const server = await startTestServer(t);
  const jobId = await jobWithResults(server, [
    finished(1, [result(1, 'b', 'x'), result(1, 'a', 'y')]),
    finished(0, [result(0, 'b', 1), result(0, 'a', 2), result(0, 'c', 3)]),
  ]);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const response: Response = await server.request(`/v1/jobs/${jobId}/results?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const page = ResultPage.parse(await response.json());
    assert.ok(page.results.length <= 2);
    seen.push(...page.results.map((r) => `${r.interview}:${r.question}`));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, ['0:b', '0:a', '0:c', '1:b', '1:a']);

  const all = ResultPage.parse(await (await server.request(`/v1/jobs/${jobId}/results`)).json());
  assert.equal(all.results.length, 5);
  assert.equal(all.next_cursor, null);

  for (const query of ['limit=0', 'limit=10001', 'cursor=nonsense', 'format=xml']) {
    const response = await server.request(`/v1/jobs/${jobId}/results?${query}`);
    assert.equal(response.status, 400, query);
    assert.equal(Problem.parse(await response.json()).type, PROBLEM_TYPES.invalidRequest);
  }
});

test('CSV results have the documented header, RFC 4180 quoting, and JSON for answers that are not text', async (t) => {
  const server = await startTestServer(t);
  const answers: unknown[] = ['plain', 'with, comma', 'say "hi"', 'two\nlines', ['a', 'b'], { x: 1 }, 4.5, true, null];
  const jobId = await jobWithResults(server, [
    finished(
      0,
      answers.map((answer, i) =>
        result(0, `q${i}`, answer, i === 8 ? { status: 'failed', error: 'provider said "no", twice', cost_usd: null, cached: true } : {}),
      ),
    ),
  ]);
  const response = await server.request(`/v1/jobs/${jobId}/results?format=csv`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/csv/);
  assert.equal(response.headers.get('content-disposition'), `attachment; filename="${jobId}.csv"`);
  const text = await response.text();
  assert.ok(text.startsWith(`${RESULT_COLUMNS.join(',')}\r\n`));
  assert.ok(text.includes('"say ""hi"""'));

  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, [...RESULT_COLUMNS]);
  const column = (name: (typeof RESULT_COLUMNS)[number]) => RESULT_COLUMNS.indexOf(name);
  assert.deepEqual(
    rows.map((row) => row[column('answer')]),
    ['plain', 'with, comma', 'say "hi"', 'two\nlines', '["a","b"]', '{"x":1}', '4.5', 'true', ''],
  );
  const failed = rows[8]!;
  assert.equal(failed[column('status')], 'failed');
  assert.equal(failed[column('error')], 'provider said "no", twice');
  assert.equal(failed[column('cost_usd')], '');
  assert.equal(failed[column('cached')], 'true');
  assert.equal(rows[0]![column('agent_name')], 'Ada');
  assert.equal(rows[0]![column('comment')], '');
  assert.ok(rows.every((row) => row.length === RESULT_COLUMNS.length));
});

test('the format can come from the Accept header; JSON Lines carry one Result per line', async (t) => {
  const server = await startTestServer(t);
  const jobId = await jobWithResults(server, [finished(0, [result(0, 'q1', 'line\nbreak'), result(0, 'q2', [1, 2])])]);

  const csv = await server.request(`/v1/jobs/${jobId}/results`, { headers: { accept: 'text/csv' } });
  assert.match(csv.headers.get('content-type')!, /^text\/csv/);
  await csv.text();

  const jsonl = await server.request(`/v1/jobs/${jobId}/results`, { headers: { accept: 'application/x-ndjson' } });
  assert.match(jsonl.headers.get('content-type')!, /^application\/x-ndjson/);
  const lines = (await jsonl.text()).split('\n');
  assert.equal(lines.pop(), '', 'every line ends with a newline');
  const results = lines.map((line) => Result.parse(JSON.parse(line)));
  assert.deepEqual(
    results.map((r) => r.answer),
    ['line\nbreak', [1, 2]],
  );

  const queryWins = await server.request(`/v1/jobs/${jobId}/results?format=json`, { headers: { accept: 'text/csv' } });
  assert.equal(ResultPage.parse(await queryWins.json()).results.length, 2);

  const empty = await jobWithResults(server, []);
  assert.equal(await (await server.request(`/v1/jobs/${empty}/results?format=csv`)).text(), `${RESULT_COLUMNS.join(',')}\r\n`);
  assert.equal(await (await server.request(`/v1/jobs/${empty}/results?format=jsonl`)).text(), '');
});

test('a large export streams every row once, in order, and a download cut short does no harm', async (t) => {
  const server = await startTestServer(t);
  const interviews: FinishedInterview[] = [];
  for (let i = 0; i < 6000; i++) interviews.push(finished(i, [result(i, 'q1', `answer ${i}`), result(i, 'q2', i)]));
  const jobId = await jobWithResults(server, interviews);

  const response = await server.request(`/v1/jobs/${jobId}/results?format=jsonl`);
  let count = 0;
  let previous = -1;
  let buffered = '';
  const decoder = new TextDecoder();
  let chunks = 0;
  for await (const chunk of response.body!) {
    chunks++;
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const r = JSON.parse(line) as { interview: number; question: string };
      const position = r.interview * 2 + (r.question === 'q1' ? 0 : 1);
      assert.equal(position, previous + 1);
      previous = position;
      count++;
    }
  }
  assert.equal(count, 12_000);
  assert.ok(chunks > 1, 'sent in more than one chunk');

  const abort = new AbortController();
  const cut = await server.request(`/v1/jobs/${jobId}/results?format=csv`, { signal: abort.signal });
  const reader = cut.body!.getReader();
  await reader.read();
  abort.abort();
  await reader.read().catch(() => {});
  const health = await server.request('/v1/health');
  assert.equal(health.status, 200, 'the server carries on');
  assert.equal((await (await server.request(`/v1/jobs/${jobId}/results?format=csv`)).text()).split('\r\n').length, 12_002);
});
