// Anthropic messages and Aleph Alpha complete/evaluate/embed against local servers that speak their wire formats.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AlephAlphaProvider } from '../../../src/server/providers/aleph-alpha';
import { AnthropicProvider } from '../../../src/server/providers/anthropic';
import { ProviderError, type CallRequest, type Provider } from '../../../src/server/providers/provider';
import type { Question } from '../../../src/format';
import { callFailure, replyWith, startProviderServer, type ProviderServer } from './provider-server';

const KEY = 'secret-key-abcdef123456';
const question = { question_name: 'q', question_type: 'free_text', question_text: 'Hi?' } as unknown as Question;
const call = (overrides: Partial<CallRequest> = {}): CallRequest => ({
  service: 's',
  model: 'm',
  parameters: {},
  system: 'You are a tester.',
  user: 'How are you?',
  iteration: 0,
  question,
  attempt: 0,
  signal: AbortSignal.timeout(10_000),
  ...overrides,
});

async function kindOf(provider: Provider, request: CallRequest): Promise<ProviderError> {
  const error = await callFailure(provider, request);
  assert.ok(!error.message.includes(KEY), 'the key never appears in an error');
  return error;
}

describe('Anthropic messages (wire)', () => {
  let server: ProviderServer;
  let provider: AnthropicProvider;
  before(async () => {
    server = await startProviderServer();
    provider = new AnthropicProvider({ service: 'anthropic', baseUrl: `${server.url}/v1`, apiKey: KEY, headers: {}, timeoutMs: 5000 });
  });
  after(async () => {
    await provider.close();
    await server.close();
  });
  beforeEach(() => void (server.requests.length = 0));

  it('sends x-api-key, anthropic-version, system, max_tokens; reads text blocks, usage, model and limits', async () => {
    server.reply(
      replyWith(
        200,
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-20250514',
          content: [
            { type: 'text', text: 'Fine' },
            { type: 'text', text: ', thanks.' },
          ],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 18, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': new Date(Date.now() + 60_000).toISOString(),
          'anthropic-ratelimit-input-tokens-limit': '40000',
          'anthropic-ratelimit-input-tokens-remaining': '39000',
        },
      ),
    );
    const reply = await provider.call(
      call({
        model: 'claude-sonnet-4-20250514',
        parameters: { temperature: 0.2, seed: 3, stop: 'END', latency_ms: 5 },
        images: [{ media_type: 'image/jpeg', data: '/9j/4AAQ' }],
      }),
    );
    const request = server.requests[0]!;
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.headers['x-api-key'], KEY);
    assert.equal(request.headers['anthropic-version'], '2023-06-01');
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual(request.body, {
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      temperature: 0.2,
      stop_sequences: ['END'],
      system: 'You are a tester.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
            { type: 'text', text: 'How are you?' },
          ],
        },
      ],
      stream: true,
    });
    assert.equal(reply.text, 'Fine, thanks.');
    assert.equal(reply.input_tokens, 18);
    assert.equal(reply.output_tokens, 5);
    assert.equal(reply.model_version, 'claude-sonnet-4-20250514');
    assert.equal(reply.limits?.requests?.remaining, 49);
    assert.ok((reply.limits?.requests?.resetMs ?? 0) > 50_000);
    assert.equal(reply.limits?.input_tokens?.limit, 40000);
  });

  it('maps every error class', async () => {
    const error = (type: string, message: string) => ({ type: 'error', error: { type, message } });
    server.reply(replyWith(429, error('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), { 'retry-after': '7' }));
    let failure = await kindOf(provider, call());
    assert.equal(failure.kind, 'rate_limited');
    assert.equal(failure.retryAfterMs, 7000);
    server.reply(replyWith(529, error('overloaded_error', 'Overloaded')));
    assert.equal((await kindOf(provider, call())).kind, 'overloaded');
    server.reply(replyWith(500, error('api_error', 'Internal server error')));
    assert.equal((await kindOf(provider, call())).kind, 'transient');
    server.reply(replyWith(401, error('authentication_error', 'invalid x-api-key')));
    failure = await kindOf(provider, call());
    assert.equal(failure.kind, 'fatal');
    assert.match(failure.message, /invalid x-api-key/);
    server.reply(replyWith(400, error('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum')));
    failure = await kindOf(provider, call());
    assert.equal(failure.kind, 'fatal');
    assert.match(failure.message, /too large/);
    server.reply(replyWith(413, error('request_too_large', 'Request exceeds the maximum allowed number of bytes.')));
    assert.equal((await kindOf(provider, call())).kind, 'fatal');
    server.reply(replyWith(403, error('permission_error', 'Your API key does not have permission to use the specified resource.')));
    assert.equal((await kindOf(provider, call())).kind, 'fatal');
  });
});

describe('Aleph Alpha (wire)', () => {
  let server: ProviderServer;
  let provider: AlephAlphaProvider;
  before(async () => {
    server = await startProviderServer();
    provider = new AlephAlphaProvider({ service: 'aleph-alpha', baseUrl: server.url, apiKey: KEY, headers: {}, timeoutMs: 5000 });
  });
  after(async () => {
    await provider.close();
    await server.close();
  });
  beforeEach(() => void (server.requests.length = 0));

  it('/complete with every sampling parameter, a bearer token and a multimodal prompt', async () => {
    server.reply(
      replyWith(200, {
        model_version: '2022-04',
        completions: [{ completion: ' Fine, thanks.', finish_reason: 'maximum_tokens' }],
        num_tokens_prompt_total: 12,
        num_tokens_generated: 4,
      }),
    );
    const parameters = {
      max_tokens: 20,
      temperature: 0.3,
      top_k: 5,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      best_of: 2,
      n: 1,
      logit_bias: { '42': 1.5 },
      log_probs: 3,
      stop: ['\n\n'],
      tokens: true,
      disable_optimizations: true,
      hosting: 'aleph-alpha',
      latency_ms: 9,
    };
    const reply = await provider.call(call({ model: 'luminous-base', parameters, images: [{ media_type: 'image/png', data: 'iVBORw0KGgo=' }] }));
    const request = server.requests[0]!;
    assert.equal(request.path, '/complete');
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(request.body, {
      model: 'luminous-base',
      prompt: [
        { type: 'image', data: 'iVBORw0KGgo=' },
        { type: 'text', data: 'You are a tester.\n\nHow are you?' },
      ],
      maximum_tokens: 20,
      temperature: 0.3,
      top_k: 5,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      best_of: 2,
      n: 1,
      logit_bias: { '42': 1.5 },
      log_probs: 3,
      stop_sequences: ['\n\n'],
      tokens: true,
      disable_optimizations: true,
      hosting: 'aleph-alpha',
    });
    assert.deepEqual(reply, { text: ' Fine, thanks.', input_tokens: 12, output_tokens: 4, model_version: '2022-04' });
  });

  it('/evaluate and /embed', async () => {
    server.reply(
      replyWith(200, {
        model_version: '2022-04',
        result: {
          log_probability: -1.25,
          log_perplexity: 1.25,
          log_perplexity_per_token: 0.62,
          log_perplexity_per_character: 0.2,
          correct_greedy: true,
          token_count: 2,
          character_count: 6,
          completion: ' Paris',
        },
        num_tokens_prompt_total: 9,
      }),
      replyWith(200, { model_version: '2022-04', embeddings: { 'layer_-1': { mean: [0.1, -0.2, 0.3] } }, tokens: null, num_tokens_prompt_total: 4 }),
    );
    const evaluation = await provider.evaluate({
      model: 'luminous-base',
      prompt: 'The capital of France is',
      expected: ' Paris',
      signal: AbortSignal.timeout(5000),
    });
    assert.deepEqual(server.requests[0]!.body, { model: 'luminous-base', prompt: 'The capital of France is', completion_expected: ' Paris' });
    assert.deepEqual(evaluation, { log_probability: -1.25, log_perplexity_per_character: 0.2, correct_greedy: true, input_tokens: 9 });
    const embedding = await provider.embed({ model: 'luminous-base', text: 'Hello', signal: AbortSignal.timeout(5000) });
    assert.equal(server.requests[1]!.path, '/embed');
    assert.deepEqual(server.requests[1]!.body, { model: 'luminous-base', prompt: 'Hello', layers: [-1], pooling: ['mean'] });
    assert.deepEqual(embedding, { embedding: [0.1, -0.2, 0.3], input_tokens: 4 });
  });

  it('maps 429, 503 busy, 402 quota, 401 bad token, 400 and 500', async () => {
    server.reply(replyWith(429, { error: 'Too many requests', code: 'TOO_MANY_REQUESTS' }));
    assert.equal((await kindOf(provider, call())).kind, 'rate_limited');
    server.reply(replyWith(503, { error: 'Sorry we had a problem and could not handle your request. System busy.', code: 'BUSY' }));
    assert.equal((await kindOf(provider, call())).kind, 'overloaded');
    server.reply(replyWith(402, { error: 'Your credits are exhausted.', code: 'CREDITS_EXHAUSTED' }));
    let failure = await kindOf(provider, call());
    assert.equal(failure.kind, 'fatal');
    assert.match(failure.message, /credits are exhausted/);
    server.reply(replyWith(401, { error: 'Invalid token', code: 'UNAUTHENTICATED' }));
    failure = await kindOf(provider, call());
    assert.equal(failure.kind, 'fatal');
    assert.match(failure.message, /Invalid token/);
    server.reply(replyWith(400, { error: 'maximum_tokens must be positive', code: 'INVALID_INPUT' }));
    assert.equal((await kindOf(provider, call())).kind, 'fatal');
    server.reply(replyWith(500, { error: 'internal', code: 'INTERNAL' }));
    assert.equal((await kindOf(provider, call())).kind, 'transient');
  });
});
