// The OpenAI-compatible provider against a local server that speaks chat completions as OpenAI does.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { OpenAiProvider } from '../../../src/server/providers/openai';
import type { CallRequest } from '../../../src/server/providers/provider';
import type { Question } from '../../../src/format';
import { callFailure, replyWith, startProviderServer, type ProviderServer } from './provider-server';

const KEY = 'sk-test-0123456789abcdef';
const question = { question_name: 'q', question_type: 'free_text', question_text: 'Hi?' } as unknown as Question;

function call(overrides: Partial<CallRequest> = {}): CallRequest {
  return {
    service: 'openai',
    model: 'gpt-4o-mini',
    parameters: { temperature: 0.5, max_tokens: 50, seed: 7, latency_ms: 3 },
    system: 'You are a tester.',
    user: 'How are you?',
    iteration: 0,
    question,
    attempt: 0,
    signal: AbortSignal.timeout(10_000),
    ...overrides,
  };
}

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Fine, thanks.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 },
};

const rateHeaders = {
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-tokens': '199900',
  'x-ratelimit-reset-tokens': '30ms',
};

const failureOf = (provider: OpenAiProvider, request = call()) => callFailure(provider, request);

describe('OpenAI-compatible provider (wire)', () => {
  let server: ProviderServer;
  let provider: OpenAiProvider;

  before(async () => {
    server = await startProviderServer();
    provider = new OpenAiProvider({
      service: 'openai',
      baseUrl: `${server.url}/v1`,
      apiKey: KEY,
      headers: { 'OpenAI-Organization': 'org-abc', 'OpenAI-Project': 'proj_xyz' },
      timeoutMs: 5000,
    });
  });
  after(async () => {
    await provider.close();
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('sends a chat completion request field by field and reads text, usage, model version and limits', async () => {
    server.reply(replyWith(200, completion, rateHeaders));
    const reply = await provider.call(call());
    const [request] = server.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/v1/chat/completions');
    assert.equal(request!.headers.authorization, `Bearer ${KEY}`);
    assert.equal(request!.headers['openai-organization'], 'org-abc');
    assert.equal(request!.headers['openai-project'], 'proj_xyz');
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.deepEqual(request!.body, {
      model: 'gpt-4o-mini',
      temperature: 0.5,
      max_tokens: 50,
      seed: 7,
      messages: [
        { role: 'system', content: 'You are a tester.' },
        { role: 'user', content: 'How are you?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.deepEqual(reply, {
      text: 'Fine, thanks.',
      input_tokens: 21,
      output_tokens: 4,
      model_version: 'gpt-4o-mini-2024-07-18',
      limits: { requests: { limit: 500, remaining: 499, resetMs: 120 }, tokens: { limit: 200000, remaining: 199900, resetMs: 30 } },
    });
  });

  it('sends max_completion_tokens to reasoning models, images as data URIs, and no system message when there is none', async () => {
    server.reply(replyWith(200, completion));
    await provider.call(call({ model: 'o4-mini', system: '', images: [{ media_type: 'image/png', data: 'iVBORw0KGgo=' }] }));
    const body = server.requests[0]!.body!;
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.max_completion_tokens, 50);
    assert.deepEqual(body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'How are you?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
    ]);
  });

  it("uses Azure's api-key header when configured so", async () => {
    const azure = new OpenAiProvider({ service: 'azure', baseUrl: `${server.url}/openai/v1`, apiKey: KEY, headers: {}, timeoutMs: 5000, auth: 'api-key' });
    server.reply(replyWith(200, completion));
    await azure.call(call());
    assert.equal(server.requests[0]!.headers['api-key'], KEY);
    assert.equal(server.requests[0]!.headers.authorization, undefined);
    await azure.close();
  });

  it('429 rate limit → rate_limited, waiting as retry-after-ms, retry-after or the message says', async () => {
    const body = {
      error: {
        message: 'Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.',
        type: 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
    server.reply(replyWith(429, body, rateHeaders));
    const error = await failureOf(provider);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 644);
    assert.equal(error.limits?.tokens?.remaining, 199900);
    server.reply(replyWith(429, body, { 'retry-after-ms': '1500', 'retry-after': '2' }));
    assert.equal((await failureOf(provider)).retryAfterMs, 1500);
    server.reply(replyWith(429, body, { 'retry-after': '3' }));
    assert.equal((await failureOf(provider)).retryAfterMs, 3000);
  });

  it('429 insufficient_quota, a daily quota, or "Request too large" → fatal with the reason', async () => {
    server.reply(
      replyWith(429, {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      }),
    );
    let error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.match(error.message, /exceeded your current quota/);
    server.reply(
      replyWith(
        429,
        {
          error: { message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 86400 seconds.', code: '429' },
        },
        { 'retry-after': '86400' },
      ),
    );
    error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.match(error.message, /quota that resets in 24 h/);
    server.reply(
      replyWith(429, {
        error: {
          message: 'Request too large for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 30000, Requested 45000.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      }),
    );
    error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.match(error.message, /Request too large/);
  });

  it("400 context length, 401, 403, 404 → fatal with the provider's reason", async () => {
    server.reply(
      replyWith(400, {
        error: {
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      }),
    );
    let error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.match(error.message, /maximum context length/);
    server.reply(
      replyWith(401, {
        error: {
          message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      }),
    );
    error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.equal(error.status, 401);
    assert.match(error.message, /Incorrect API key provided: \*\*\*/);
    assert.ok(!error.message.includes(KEY), 'the key never appears in an error');
    server.reply(
      replyWith(403, { error: { message: 'Project proj_xyz does not have access to model gpt-4o', type: 'invalid_request_error', code: 'model_not_found' } }),
    );
    assert.equal((await failureOf(provider)).kind, 'fatal');
    server.reply(
      replyWith(404, {
        error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
      }),
    );
    error = await failureOf(provider);
    assert.equal(error.kind, 'fatal');
    assert.match(error.message, /gpt-9/);
  });

  it('503 → overloaded; 500, 502, an HTML gateway page → transient', async () => {
    server.reply(replyWith(503, { error: { message: 'The engine is currently overloaded, please try again later', type: 'server_error' } }));
    assert.equal((await failureOf(provider)).kind, 'overloaded');
    server.reply(replyWith(500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }));
    assert.equal((await failureOf(provider)).kind, 'transient');
    server.reply(replyWith(502, '<html><body>502 Bad Gateway</body></html>'));
    const error = await failureOf(provider);
    assert.equal(error.kind, 'transient');
    assert.match(error.message, /502 Bad Gateway/);
  });

  it("a connection reset or refused → transient; an abort is the caller's reason", async () => {
    server.reply((_req, res) => res.socket?.destroy());
    assert.equal((await failureOf(provider)).kind, 'transient');
    const nowhere = new OpenAiProvider({ service: 'openai', baseUrl: 'http://127.0.0.1:1/v1', apiKey: KEY, headers: {}, timeoutMs: 2000 });
    const refused = await failureOf(nowhere);
    assert.equal(refused.kind, 'transient');
    assert.ok(!refused.message.includes(KEY));
    await nowhere.close();
    server.reply(() => {}); // never answers
    const controller = new AbortController();
    const pending = provider.call(call({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await assert.rejects(pending, /cancelled by test/);
  });
});
