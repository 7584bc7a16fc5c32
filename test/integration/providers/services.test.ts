// A real job server configured with an OpenAI-compatible service that points at a local server speaking OpenAI's
// wire format and counting tokens as OpenAI does: estimate vs. actual, /v1/models, reruns from the cache, bad keys.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getEncoding } from 'js-tiktoken';
import { FieldworkClient, ValidationError } from '../../../src/client';
import { startServer, type RunningServer } from '../../../src/server/server';
import { parseServicesConfig } from '../../../src/server/services/config';
import { send, startProviderServer, type ProviderServer } from './provider-server';
import { waitForJob } from '../../support/jobs';

const KEY = 'sk-wire-test-key-5555';
const encoding = getEncoding('o200k_base');
/** OpenAI's count of a chat request (cookbook): 3 per message + role + content, + 3 for the reply. */
const promptTokens = (messages: { role: string; content: string }[]) =>
  3 + messages.reduce((sum, m) => sum + 3 + encoding.encode(m.role).length + encoding.encode(m.content).length, 0);

const SURVEY = [
  'name: Colours',
  'agents: [{ traits: { age: 30 } }, { traits: { age: 61, city: Lisbon } }]',
  'scenarios: [{ thing: sea }, { thing: forest }, { thing: desert }, { thing: sky }]',
  'models: [{ model: wire/gpt-4o-mini, max_tokens: 60 }]',
  'questions:',
  '  - { question_name: colour, question_type: multiple_choice, question_text: "Which colour fits the {{ thing }} best?", question_options: [Blue, Green, Yellow] }',
  '  - { question_name: calm, question_type: linear_scale, question_text: "How calm does the {{ thing }} make you feel?", question_options: [1, 2, 3, 4, 5] }',
].join('\n');
const submission = (text = SURVEY) => ({ source: { name: 'colours.survey.yaml', text }, files: {} });

describe('services: a job through an OpenAI-compatible service', () => {
  let wire: ProviderServer;
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;
  const logs: string[] = [];

  before(async () => {
    wire = await startProviderServer();
    wire.reply((request, res) => {
      if (request.headers.authorization !== `Bearer ${KEY}`) {
        return send(res, 401, { error: { message: 'Incorrect API key provided: sk-wr***5555.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      const messages = request.body!.messages as { role: string; content: string }[];
      const user = messages.at(-1)!.content;
      const text = user.includes('Blue') ? 'Blue\nThe colour of open water and sky.' : '4\nIt feels quiet and wide.';
      send(
        res,
        200,
        {
          id: 'chatcmpl-x',
          object: 'chat.completion',
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: promptTokens(messages), completion_tokens: encoding.encode(text).length },
        },
        { 'x-ratelimit-limit-requests': '5000', 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-reset-requests': '12ms' },
      );
    });
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-services-'));
    const config = parseServicesConfig(
      'services.yaml',
      [
        'services:',
        '  - name: wire',
        '    provider: openai',
        `    base_url: ${wire.url}/v1`,
        '    api_key_env: WIRE_KEY',
        '    models: [gpt-4o-mini]',
        '    prices: { gpt-4o-mini: { input_per_mtok: 0.15, output_per_mtok: 0.6 } }',
        '    prices_as_of: "2025-08-07"',
        '    limits: { gpt-4o-mini: { requests_per_minute: 6000, tokens_per_minute: 2000000 } }',
        '    readiness: false',
        '  - name: nokey',
        '    provider: openai',
        `    base_url: ${wire.url}/v1`,
        '    api_key_env: FIELDWORK_TEST_UNSET_KEY',
        '    readiness: false',
        '  - name: badkey',
        '    provider: openai',
        `    base_url: ${wire.url}/v1`,
        '    api_key_env: BAD_KEY',
        '    readiness: false',
      ].join('\n'),
    );
    assert.ok(config.ok, JSON.stringify(!config.ok && config.issues));
    server = await startServer({
      dataDir,
      port: 0,
      services: config.config,
      env: { WIRE_KEY: KEY, BAD_KEY: 'sk-wrong-key-0000' },
      log: (line) => logs.push(line),
    });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await client.close();
    await server.close();
    await wire.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /v1/models lists the configured model with its price, limits and source', async () => {
    const models = await client.models();
    const entry = models.find((m) => m.id === 'wire/gpt-4o-mini');
    assert.ok(entry, JSON.stringify(models.map((m) => m.id)));
    assert.equal(entry.provider, 'openai');
    assert.deepEqual(entry.price, { input_per_mtok: 0.15, output_per_mtok: 0.6, as_of: '2025-08-07', source: "set in the server's config (service wire)" });
    assert.equal(entry.limits?.requests_per_minute, 6000);
    assert.ok(models.some((m) => m.id === 'test'));
    assert.equal(models.find((m) => m.service === 'nokey')?.ready, false);
  });

  it('actual input tokens match the estimate within its stated accuracy, output inside its range; a rerun is all cache hits at $0', async () => {
    const estimate = await client.estimate(submission());
    const model = estimate.models[0]!;
    assert.equal(model.calls, 16);
    assert.equal(model.cached_calls, 0);
    assert.match(model.token_source, /o200k_base/);
    assert.equal(model.input_tokens_accuracy, 0.02);
    assert.equal(model.price_source, "set in the server's config (service wire), as of 2025-08-07");

    const job = await waitForJob(client, (await client.submitJob(submission())).id);
    assert.equal(job.status, 'completed', job.error ?? '');
    let input = 0;
    let output = 0;
    for await (const result of client.allResults(job.id)) {
      input += result.input_tokens;
      output += result.output_tokens;
      assert.equal(result.cached, false);
    }
    assert.equal(job.cost.input_tokens, input);
    assert.ok(Math.abs(input - model.input_tokens) <= model.input_tokens * model.input_tokens_accuracy!, `actual ${input} vs estimate ${model.input_tokens}`);
    assert.ok(output >= model.output_tokens.low && output <= model.output_tokens.high, `actual ${output} outside ${JSON.stringify(model.output_tokens)}`);
    const expectedUsd = (input * 0.15 + output * 0.6) / 1e6;
    assert.ok(Math.abs(job.cost.usd - expectedUsd) < 1e-12);
    assert.ok(model.usd && job.cost.usd >= model.usd.low && job.cost.usd <= model.usd.high);
    assert.equal(wire.requests.length, 16);

    const again = await client.estimate(submission());
    assert.equal(again.models[0]!.cached_calls, 16);
    assert.deepEqual(again.total.usd, { low: 0, expected: 0, high: 0 });
    const rerun = await waitForJob(client, (await client.submitJob(submission())).id);
    assert.equal(rerun.progress.calls_cached, rerun.progress.calls_done);
    assert.equal(rerun.cost.usd, 0);
    assert.equal(wire.requests.length, 16, 'no call reached the provider');
  });

  it("a service without its key refuses the job before it starts; a bad key fails it fast with the provider's reason", async () => {
    await assert.rejects(client.submitJob(submission(SURVEY.replace('wire/gpt-4o-mini', 'nokey/gpt-4o-mini'))), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /FIELDWORK_TEST_UNSET_KEY/);
      return true;
    });
    const before = wire.requests.length;
    const job = await waitForJob(client, (await client.submitJob(submission(SURVEY.replace('wire/gpt-4o-mini', 'badkey/gpt-4o-mini')))).id);
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /Incorrect API key/);
    // Fatal: never retried. Interviews already in flight may each have made their one call.
    assert.ok(wire.requests.length - before <= 8, `${wire.requests.length - before} calls`);
    const events = await client.eventPage(job.id, { after: 0, limit: 1000 });
    assert.ok(!events.events.some((e) => e.type === 'retried'), 'a refused key is not retried');
    for (const text of [JSON.stringify(job), JSON.stringify(events), logs.join('\n')]) {
      assert.ok(!text.includes(KEY) && !text.includes('sk-wrong-key-0000'), 'keys never appear in jobs, events or logs');
    }
  });
});

describe('services config', () => {
  it('reports problems with line and column, and refuses keys in the file', () => {
    const result = parseServicesConfig('services.yaml', ['services:', '  - name: local', '    provider: openia', '    api_key: sk-123'].join('\n'));
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.issues[0]!.line, 4);
    assert.equal(result.issues[0]!.column, 5);
    assert.match(result.issues[0]!.message, /keys are never written in this file/);
    const typo = parseServicesConfig('services.yaml', ['services:', '  - name: local', '    provider: openia'].join('\n'));
    assert.ok(!typo.ok);
    assert.equal(typo.issues[0]!.line, 3);
    assert.match(typo.issues[0]!.message, /provider/);
    const header = parseServicesConfig(
      'services.yaml',
      ['services:', '  - name: x', '    provider: openai', '    headers: { Authorization: Bearer sk-1 }'].join('\n'),
    );
    assert.ok(!header.ok);
    assert.match(header.issues[0]!.message, /api_key_env/);
  });
});
