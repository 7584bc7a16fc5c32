// A service that is still starting (404/503, connection refused) is polled; its jobs wait and say so, then run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FieldworkClient } from '../../../src/client';
import { waitForJob } from '../../support/jobs';
import { startServer, type RunningServer } from '../../../src/server/server';
import { send, startProviderServer, type ProviderServer } from './provider-server';

const SURVEY = ['models: [local/llama3.1]', 'questions:', '  - { question_name: q, question_type: yes_no, question_text: "Ready?" }'].join('\n');

describe('readiness', () => {
  let wire: ProviderServer;
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;
  let probes = 0;
  /** The service stays "not found" until the job is in, so the job must wait however fast the server starts. */
  let submitted = false;
  let afterSubmit = 0;

  before(async () => {
    wire = await startProviderServer();
    wire.reply((request, res) => {
      if (request.method === 'GET' && request.path === '/v1/models') {
        probes++;
        // Starting up: "not found" (at least twice, and until the job is in), then "unavailable", then up.
        if (probes <= 2 || !submitted) return send(res, 404, 'Not Found');
        if (++afterSubmit === 1) return send(res, 503, { error: { message: 'model is loading' } });
        return send(res, 200, { object: 'list', data: [{ id: 'llama3.1', object: 'model' }] });
      }
      send(res, 200, {
        model: 'llama3.1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Yes' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 40, completion_tokens: 1 },
      });
    });
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-ready-'));
    server = await startServer({
      dataDir,
      port: 0,
      env: {},
      services: { services: [{ name: 'local', provider: 'openai', base_url: `${wire.url}/v1`, readiness: { path: '/models', timeout_s: 60 } }] },
    });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await client.close();
    await server.close();
    await wire.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a job waits for a starting service, logs that it waits, and completes once it answers', async () => {
    const accepted = await client.submitJob({ source: { name: 'r.survey.yaml', text: SURVEY }, files: {} });
    submitted = true;
    const job = await waitForJob(client, accepted.id);
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.ok(probes >= 4);
    const { events } = await client.eventPage(job.id, { after: 0, limit: 1000 });
    assert.ok(
      events.some((e) => /waiting for service local to be ready/.test(e.message)),
      events.map((e) => e.message).join('\n'),
    );
    const chat = wire.requests.filter((r) => r.method === 'POST');
    assert.equal(chat.length, 1, 'no call was sent before the service was ready');
  });
});
