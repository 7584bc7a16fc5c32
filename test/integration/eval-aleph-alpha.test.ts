// Log-probability and embedding scorers through the real server, against a local server that speaks Aleph Alpha's
// /complete, /evaluate and /embed: the requests it gets, the scores and metrics that follow, the estimate's count of
// those calls against what the job did, and the eval's CSV export with its columns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FieldworkClient } from '../../src/client';
import { EVAL_RESULT_COLUMNS, RESULT_COLUMNS, type Result } from '../../src/api';
import { startServer, type RunningServer } from '../../src/server/server';
import { parseServicesConfig } from '../../src/server/services/config';
import { send, startProviderServer, type ProviderServer } from './providers/provider-server';
import { waitForJob } from '../support/jobs';

const TOKEN = 'aa-wire-token-6666';
const EVAL = [
  'name: Capitals by likelihood',
  'dataset:',
  '  - { id: fr, input: "The capital of France is", target: " Paris" }',
  '  - { id: de, input: "The capital of Germany is", target: " Berlin" }',
  'prompt: { template: "{{ input }}" }',
  'models: [aa/luminous-base]',
  'epochs: 2',
  'scorers:',
  '  - { type: log_probability, name: logp }',
  '  - { type: embedding, name: similar, model: aa/luminous-base, threshold: 0.9 }',
].join('\n');
const submission = { source: { name: 'capitals.eval.yaml', text: EVAL }, files: {} };

/** A tiny embedding space: Paris and Berlin are apart, anything else sits between. */
function vector(text: string): number[] {
  if (text.includes('Paris')) return [1, 0, 0];
  if (text.includes('Berlin')) return [0, 1, 0];
  return [0.5, 0.5, 0.7];
}

describe("evals: log-probability and embedding scorers over Aleph Alpha's wire format", () => {
  let wire: ProviderServer;
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;

  before(async () => {
    wire = await startProviderServer();
    wire.reply((request, res) => {
      if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { error: 'Invalid token', code: 'UNAUTHENTICATED' });
      const body = request.body!;
      if (request.path === '/complete') {
        const completion = String(body.prompt).includes('France') ? ' Paris' : ' Munich';
        return send(res, 200, {
          model_version: '2022-04',
          completions: [{ completion, finish_reason: 'maximum_tokens' }],
          num_tokens_prompt_total: 6,
          num_tokens_generated: 2,
        });
      }
      if (request.path === '/evaluate') {
        const france = String(body.prompt).includes('France');
        return send(res, 200, {
          model_version: '2022-04',
          result: {
            log_probability: france ? -0.5 : -2,
            log_perplexity: 1,
            log_perplexity_per_token: 0.5,
            log_perplexity_per_character: 0.1,
            correct_greedy: france,
            token_count: 2,
            character_count: 6,
            completion: String(body.completion_expected),
          },
          num_tokens_prompt_total: 8,
        });
      }
      if (request.path === '/embed') {
        return send(res, 200, {
          model_version: '2022-04',
          embeddings: { 'layer_-1': { mean: vector(String(body.prompt)) } },
          tokens: null,
          num_tokens_prompt_total: 3,
        });
      }
      return send(res, 404, { error: 'not found' });
    });
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-eval-aa-'));
    const config = parseServicesConfig(
      'services.yaml',
      [
        'services:',
        '  - name: aa',
        '    provider: aleph-alpha',
        `    base_url: ${wire.url}`,
        '    api_key_env: AA_WIRE_TOKEN',
        '    models: [luminous-base]',
        '    prices: { luminous-base: { input_per_mtok: 10, output_per_mtok: 20 } }',
        '    readiness: false',
      ].join('\n'),
    );
    assert.ok(config.ok, JSON.stringify(!config.ok && config.issues));
    server = await startServer({ dataDir, port: 0, services: config.config, env: { AA_WIRE_TOKEN: TOKEN } });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await client.close();
    await server.close();
    await wire.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores each output by /evaluate and /embed, as the wire format asks; the estimate counts those calls', async () => {
    const estimate = await client.estimate(submission);
    assert.equal(estimate.models.length, 1, 'evaluate and embed calls are on the row of the model they call');
    const row = estimate.models[0]!;
    // Per interview (2 samples × 2 epochs): 1 completion + 1 evaluate + 2 embeds (output, target).
    assert.equal(row.calls, 4 * 4);
    // The second epoch's evaluate and target embed are answered by the cache.
    assert.equal(row.cached_calls, 4);
    assert.ok(estimate.notes.some((note) => /Log-probability \(evaluate\) and embedding calls/.test(note)));

    const job = await waitForJob(client, (await client.submitJob(submission)).id);
    assert.equal(job.status, 'completed', job.error ?? '');

    const evaluate = wire.requests.filter((r) => r.path === '/evaluate');
    assert.deepEqual(
      evaluate.map((r) => r.body).sort((a, b) => String(a!.prompt).localeCompare(String(b!.prompt))),
      [
        { model: 'luminous-base', prompt: 'The capital of France is', completion_expected: ' Paris' },
        { model: 'luminous-base', prompt: 'The capital of Germany is', completion_expected: ' Berlin' },
      ],
      'one evaluate per sample: the second epoch shares it',
    );
    const embeds = wire.requests.filter((r) => r.path === '/embed').map((r) => r.body!);
    for (const body of embeds) {
      assert.deepEqual(Object.keys(body).sort(), ['layers', 'model', 'pooling', 'prompt']);
      assert.deepEqual([body.model, body.layers, body.pooling], ['luminous-base', [-1], ['mean']]);
    }
    assert.deepEqual(new Set(embeds.map((b) => b.prompt)), new Set([' Paris', ' Munich', ' Berlin']));

    const results: Result[] = [];
    for await (const result of client.allResults(job.id)) results.push(result);
    assert.equal(results.length, 4);
    for (const result of results) {
      const france = result.sample_id === 'fr';
      assert.equal(result.scores!['logp']!.value, france ? -0.5 : -2);
      assert.match(result.scores!['logp']!.explanation!, /log P = /);
      assert.equal(result.scores!['similar']!.value, france ? 1 : 0);
    }
    const metric = (scorer: string) => job.metrics!.find((m) => m.scorer === scorer)!;
    assert.equal(metric('logp').value, -1.25);
    assert.equal(metric('similar').value, 0.5);

    // Actual per model: every call the job made, billed or from the cache, against the estimate.
    const [actual] = job.cost_by_model ?? [];
    assert.ok(actual);
    assert.equal(actual.model, 'aa/luminous-base');
    assert.equal(actual.calls, row.calls);
    assert.ok(actual.cached_calls >= row.cached_calls, `${actual.cached_calls} cached`);
    assert.equal(actual.calls - actual.cached_calls, wire.requests.length);
  });

  it('exports the eval as CSV with the sample columns and one column per scorer', async () => {
    const [job] = (await client.listJobs({})).jobs;
    const response = await fetch(`${server.url}/v1/jobs/${job!.id}/results?format=csv`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    assert.equal(response.status, 200);
    const lines = (await response.text()).trimEnd().split('\r\n');
    assert.deepEqual(lines[0]!.split(','), [...RESULT_COLUMNS, ...EVAL_RESULT_COLUMNS, 'score.logp', 'score.similar', 'scores']);
    assert.equal(lines.length, 5);
    const france = lines.find((line) => line.includes(',fr,'))!;
    assert.match(france, /,fr,1,The capital of France is,"\["" Paris""\]", Paris,-0\.5,1,"\{""logp"":/);
  });
});
