// EDSL's remote-inference sequence (edsl/coop/coop.py) against the real server over loopback, with the bad input a
// client can send: a wrong or reused upload token, JSON that is not a Jobs dict, another user's job, a late cancel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import type { Result } from '../../src/api';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const question = (name: string, type: string, text: string, extra: Json = {}) => ({ question_name: name, question_type: type, question_text: text, ...extra });

/** A Jobs dict as EDSL writes it: two agents, two scenarios, the test model, a skip rule (after q0, when yes, go to q2). */
function jobsDict(parameters: Json = {}): Json {
  return {
    survey: {
      questions: [
        question('likes', 'multiple_choice', 'Do you like {{ scenario.food }}?', { question_options: ['yes', 'no'] }),
        question('why_not', 'free_text', 'Why not {{ scenario.food }}?'),
        question('rating', 'linear_scale', 'Rate {{ scenario.food }}', { question_options: [1, 2, 3, 4, 5] }),
      ],
      memory_plan: { survey_question_names: ['likes', 'why_not', 'rating'], data: {} },
      rule_collection: {
        rules: [
          { current_q: 0, expression: 'True', next_q: 1, priority: -1, before_rule: false },
          { current_q: 0, expression: "{{ likes.answer }} == 'yes'", next_q: 2, priority: 0, before_rule: false },
        ],
      },
      question_groups: {},
      edsl_class_name: 'Survey',
    },
    agents: [
      { traits: { age: 30 }, name: 'ann', edsl_class_name: 'Agent' },
      { traits: { age: 60 }, edsl_class_name: 'Agent' },
    ],
    scenarios: [
      { food: 'tea', edsl_class_name: 'Scenario' },
      { food: 'soup', edsl_class_name: 'Scenario' },
    ],
    models: [{ model: 'test', inference_service: 'test', parameters, edsl_class_name: 'LanguageModel' }],
    edsl_class_name: 'Jobs',
  };
}

describe("EDSL's remote inference protocol", () => {
  let dataDir: string;
  let server: RunningServer;
  let mallory: string;

  const api = async (path: string, init: { method?: string; key?: string | null; body?: unknown; raw?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = init.key === undefined ? server.apiKey : init.key;
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    const response = await fetch(path.startsWith('http') ? path : `${server.url}/api/v0/${path}`, {
      method: init.method ?? (init.body === undefined && init.raw === undefined ? 'GET' : 'POST'),
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as Json, headers: response.headers };
  };

  /** Steps 2–4 of survey.run(): announce, upload without a key, say it is uploaded. */
  const start = async (jobs: unknown, announce: Json = {}): Promise<string> => {
    const created = await api('new-remote-inference', { body: { json_string: 'offloaded', status: 'queued', iterations: 1, fresh: false, ...announce } });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const put = await api(created.json['upload_signed_url'], { method: 'PUT', key: null, raw: JSON.stringify(jobs) });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const uploaded = await api('new-remote-inference/uploaded', {
      body: { job_uuid: created.json['job_uuid'], message: 'Job uploaded successfully', nr_questions: 3 },
    });
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.json));
    return uploaded.json['job_uuid'] as string;
  };

  const poll = async (uuid: string): Promise<Json> => {
    for (;;) {
      const job = await api(`remote-inference?job_uuid=${uuid}`);
      assert.equal(job.status, 200, JSON.stringify(job.json));
      if (['completed', 'failed', 'partial_failed', 'cancelled'].includes(job.json['status'])) return job.json;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-edsl-'));
    server = await startServer({ dataDir, port: 0 });
    mallory = (await server.store.createApiKey('mallory')).key;
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('settings need a Fieldwork key; errors are {"detail"} and never start EDSL’s login flow', async () => {
    const none = await api('edsl-settings', { key: 'None' });
    assert.equal(none.status, 401);
    assert.match(none.json['detail'], /EXPECTED_PARROT_API_KEY/);
    const wrong = await api('edsl-settings', { key: 'fw_not_a_key' });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(wrong.json['detail'], /The API key you provided is invalid/);
    const settings = await api('edsl-settings');
    assert.deepEqual(settings.json, { remote_inference: true, remote_caching: true });
    assert.equal(settings.headers.get('x-edsl-version'), null);
    const unknown = await api('no-such-thing');
    assert.equal(unknown.status, 404);
    assert.match(unknown.json['detail'], /no GET \/api\/v0\/no-such-thing/);
  });

  test('the whole sequence: results by object pull and by pages equal what /v1 reports', async () => {
    const created = await api('new-remote-inference', { body: { json_string: 'offloaded', description: 'lunch', iterations: 2 } });
    const url: string = created.json['upload_signed_url'];
    const wrongToken = await api(url.replace(/token=[^&]+/, 'token=guess'), { method: 'PUT', key: null, raw: JSON.stringify(jobsDict()) });
    assert.equal(wrongToken.status, 403);
    assert.match(wrongToken.json['detail'], /token is wrong, was already used, or has expired/);
    assert.equal((await api(url, { method: 'PUT', key: null, raw: JSON.stringify(jobsDict()) })).status, 200);
    const reused = await api(url, { method: 'PUT', key: null, raw: JSON.stringify(jobsDict()) });
    assert.equal(reused.status, 403);
    const uploaded = await api('new-remote-inference/uploaded', { body: { job_uuid: created.json['job_uuid'] } });
    assert.equal(uploaded.json['description'], 'lunch');
    const id: string = uploaded.json['job_uuid'];

    const done = await poll(id);
    assert.equal(done['status'], 'completed');
    assert.equal(done['results_uuid'], id);
    const details = done['latest_job_run_details'];
    assert.deepEqual(details['interview_details'], { total_interviews: 8, completed_interviews: 8, interviews_with_exceptions: 0, exception_summary: [] });
    assert.equal(details['results_available'], true);
    assert.equal(details['cost_usd'], 0);
    assert.deepEqual((await api(`remote-inference?job_uuid=${created.json['job_uuid']}`)).json['job_uuid'], id, 'the announced uuid finds the job too');
    const withJson = await api(`remote-inference?job_uuid=${id}&include_json_string=true`);
    const asRun = JSON.parse(withJson.json['job_json_string']) as Json;
    assert.equal(asRun['edsl_class_name'], 'Jobs');
    assert.deepEqual(
      asRun['survey']['rule_collection']['rules'].filter((rule: Json) => rule['before_rule']),
      [{ current_q: 1, expression: "{{ likes.answer }} == 'yes'", next_q: 2, priority: 0, before_rule: true }],
    );

    const v1 = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const rows: Result[] = [];
    for await (const result of v1.allResults(id)) rows.push(result);
    const expected = new Map<string, unknown>();
    for (const row of rows) expected.set(`${row.interview}/${row.question}`, row.status === 'answered' ? row.answer : null);
    assert.ok(
      rows.some((row) => row.status === 'skipped'),
      'the skip rule skipped why_not somewhere',
    );

    const pull = await api('object/pull', { body: { object_uuid: id } });
    const download = await api(pull.json['signed_url'], { key: null });
    assert.equal(download.status, 200);
    const results = download.json;
    assert.equal(results['edsl_class_name'], 'Results');
    assert.equal(results['data'].length, 8);
    results['data'].forEach((result: Json, interview: number) => {
      for (const name of ['likes', 'why_not', 'rating'])
        assert.deepEqual(result['answer'][name], expected.get(`${interview}/${name}`) ?? null, `${interview}/${name}`);
      assert.match(result['prompt']['likes_user_prompt']['text'], /Do you like (tea|soup)\?/);
      assert.equal(result['model']['inference_service'], 'test');
    });
    const tampered = await api(`${pull.json['signed_url']}x`, { key: null });
    assert.equal(tampered.status, 403);

    const manifest = await api(`remote-inference/job/${id}/results/manifest?page_size=3`);
    assert.deepEqual(
      { ...manifest.json, interview_ids: undefined },
      { job_id: id, status: 'completed', total_interviews: 8, page_size: 3, page_count: 3, interview_ids: undefined },
    );
    const paged: Json[] = [];
    for (let page = 0; page < manifest.json['page_count']; page++) {
      paged.push(...(await api(`remote-inference/job/${id}/results/page?page=${page}&page_size=3`)).json['interviews']);
    }
    assert.equal(paged.length, 8);
    paged.forEach((interview, index) => {
      for (const answer of interview['answers']) assert.deepEqual(answer['answer'], expected.get(`${index}/${answer['question_name']}`) ?? null);
    });

    const late = await api('remote-inference/update-status', { body: { job_uuid: id, status: 'cancelling' } });
    assert.equal(late.status, 409);
    assert.match(late.json['detail'], /already completed/);

    const source = await v1.jobSource(id);
    assert.match(source.name, /^edsl-[0-9a-f-]{36}\.survey\.json$/);
    assert.match(source.text, /"skip_if": "likes.answer == 'yes'"/);
    const foreign = await fetch(`${server.url}/v1/jobs/${id}/source`, { headers: { authorization: `Bearer ${mallory}` } });
    assert.equal(foreign.status, 404);

    const list = await api('remote-inference/list?page=1&page_size=10');
    assert.ok(list.json.some((job: Json) => job['uuid'] === id && job['status'] === 'completed' && job['description'] === 'lunch'));
  });

  test("another user's job is not found by any route", async () => {
    const id = await start(jobsDict());
    await poll(id);
    for (const [path, body] of [
      [`remote-inference?job_uuid=${id}`, undefined],
      ['object/pull', { object_uuid: id }],
      ['remote-inference/update-status', { job_uuid: id, status: 'cancelling' }],
      [`remote-inference/job/${id}/results/manifest`, undefined],
      [`object?uuid=${id}`, undefined],
    ] as const) {
      const answer = await api(path, { key: mallory, body });
      assert.equal(answer.status, 404, path);
      assert.match(answer.json['detail'], new RegExp(id));
    }
    assert.deepEqual((await api('remote-inference/list', { key: mallory })).json, []);
  });

  test('what is not a Jobs dict, or cannot run here, is refused at the upload with the reason', async () => {
    const refusedUpload = async (body: string) => {
      const created = await api('new-remote-inference', { body: { json_string: 'offloaded' } });
      return api(created.json['upload_signed_url'], { method: 'PUT', key: null, raw: body });
    };
    const notJson = await refusedUpload('{ nope');
    assert.equal(notJson.status, 400);
    assert.match(notJson.json['detail'], /not valid JSON/);
    const notJobs = await refusedUpload(JSON.stringify({ hello: 'world' }));
    assert.equal(notJobs.status, 422);
    assert.match(notJobs.json['detail'], /not an EDSL Jobs or Survey object/);
    const matrix = jobsDict();
    matrix['survey']['questions'][2] = question('grid', 'matrix', 'Rate', { question_items: ['a'], question_options: [1, 2] });
    const refused = await refusedUpload(JSON.stringify(matrix));
    assert.equal(refused.status, 422);
    assert.match(refused.json['detail'], /question "grid" is of type matrix, which Fieldwork cannot run/);
    const unknownService = jobsDict();
    unknownService['models'] = [{ model: 'gpt-4o', inference_service: 'openai', parameters: {} }];
    const noService = await refusedUpload(JSON.stringify(unknownService));
    assert.equal(noService.status, 422);
    assert.match(noService.json['detail'], /openai/);
    const early = await api('new-remote-inference/uploaded', { body: { job_uuid: (await api('new-remote-inference', { body: {} })).json['job_uuid'] } });
    assert.equal(early.status, 409);
  });

  test('a running job is cancelled by update-status, and the poll ends cancelled', async () => {
    const id = await start(jobsDict({ latency_ms: 200 }));
    const cancel = await api('remote-inference/update-status', { body: { job_uuid: id, status: 'cancelling' } });
    assert.equal(cancel.status, 200);
    assert.ok(['cancelling', 'cancelled'].includes(cancel.json['status']));
    const done = await poll(id);
    assert.equal(done['status'], 'cancelled');
    assert.equal(done['results_uuid'], null);
    const bad = await api('remote-inference/update-status', { body: { job_uuid: id, status: 'running' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json['detail'], /status must be "cancelling"/);
  });

  test('cost and prices', async () => {
    const cost = await api('remote-inference/cost', { body: { json_string: JSON.stringify(jobsDict()), iterations: 1 } });
    assert.equal(cost.status, 200, JSON.stringify(cost.json));
    assert.deepEqual(cost.json, { cost_in_credits: 0, cost_in_usd: 0 });
    const prices = await api('prices');
    assert.ok(prices.json.some((entry: Json) => entry['service'] === 'test' && entry['model'] === 'test' && entry['token_type'] === 'input'));
  });
});
