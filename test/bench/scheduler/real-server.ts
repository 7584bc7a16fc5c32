// Real mode, our strategies: the job server (startServer) with an OpenAI-compatible service at the HTTP mock
// provider; each user submits one survey job with their own API key, and the server's scheduler does the rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldworkClient } from '../../../src/client';
import { isFinished, type Job } from '../../../src/api';
import { startServer } from '../../../src/server/server';
import { padText } from './real-client';
import type { Scenario, SimCall } from './scenarios';

export interface Progress {
  user: string;
  at: number;
  /** Tokens the user's job was billed so far. */
  tokens: number;
  done: boolean;
}

/** One survey per user: a free-text question whose text is a scenario value padded to the call's prompt size. */
function surveyText(user: string, calls: readonly SimCall[], overheadTokens: number): string {
  const scenarios = calls.map((call, i) => JSON.stringify({ pad: padText(Math.max(8, call.inputTokens - overheadTokens), `${user}-${i}`) }));
  return [
    `name: bench-${user}`,
    `scenarios: [${scenarios.join(', ')}]`,
    `models: [{ model: mock/model, max_tokens: ${calls[0]?.maxTokens ?? 200} }]`,
    'questions:',
    '  - { question_name: q, question_type: free_text, question_text: "{{ pad }}" }',
  ].join('\n');
}

export async function runServerStrategy(
  setup: Scenario,
  mockUrl: string,
  configured: boolean,
  overheadTokens: number,
  deadlineMs: number,
): Promise<{ started: number; progress: Progress[]; failed: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  const known = setup.known;
  const limits = configured
    ? {
        '*': {
          requests_per_minute: known.requestsPerMinute,
          tokens_per_minute: known.tokensPerMinute,
          input_tokens_per_minute: known.inputTokensPerMinute,
          output_tokens_per_minute: known.outputTokensPerMinute,
        },
      }
    : undefined;
  const provider = setup.flavor === 'anthropic' ? 'anthropic' : 'openai';
  const server = await startServer({
    dataDir,
    port: 0,
    env: { MOCK_KEY: 'sk-bench-server' },
    services: { services: [{ name: 'mock', provider, base_url: `${mockUrl}/v1`, api_key_env: 'MOCK_KEY', readiness: false, ...(limits ? { limits } : {}) }] },
    // The server's own retry policy: a call it gives up on fails, and is counted, while the job goes on.
    userWeight: (user) => setup.weights[user] ?? 1,
  });
  const progress: Progress[] = [];
  const clients: FieldworkClient[] = [];
  try {
    const users = Object.keys(setup.weights);
    const texts = users.map((user) =>
      surveyText(
        user,
        setup.calls.filter((call) => call.user === user),
        overheadTokens,
      ),
    );
    const keys = await Promise.all(users.map(async (user) => (await server.store.createApiKey(user)).key));
    const started = performance.now();
    const jobs = await Promise.all(
      users.map((user, i) => {
        const client = new FieldworkClient({ baseUrl: server.url, apiKey: keys[i]! });
        clients.push(client);
        return client.submitJob({ source: { name: `${user}.survey.yaml`, text: texts[i]! }, files: {} });
      }),
    );
    // Poll every job: billed tokens over time give the fairness while users contend.
    const finished = new Set<string>();
    let failed = 0;
    while (finished.size < jobs.length) {
      if (performance.now() - started > deadlineMs) throw new Error(`real run over ${deadlineMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await Promise.all(jobs.map((job, i) => clients[i]!.getJob(job.id)));
      const at = performance.now();
      now.forEach((job: Job, i) => {
        if (finished.has(job.id)) return;
        if (isFinished(job.status)) {
          // A job whose calls failed is still a run: only a job that failed for another reason is not.
          const callsFailed = job.status === 'partially_failed' || (job.status === 'failed' && job.progress.calls_failed > 0);
          if (job.status !== 'completed' && !callsFailed) throw new Error(`job ${job.id} ${job.status}: ${job.error ?? ''}`);
          failed += job.progress.calls_failed;
          finished.add(job.id);
        }
        progress.push({ user: users[i]!, at, tokens: job.cost.input_tokens + job.cost.output_tokens, done: isFinished(job.status) });
      });
    }
    return { started, progress, failed };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
