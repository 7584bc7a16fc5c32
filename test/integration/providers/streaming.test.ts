// Streamed replies: the rate-limit headers reach the scheduler with the first token, and the reply is put together
// from its events. Against the mock provider (both APIs' event formats) and a scripted server for broken streams.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startMockProvider, type RunningMock } from '../../../src/mock-provider/server';
import { AnthropicProvider } from '../../../src/server/providers/anthropic';
import { OpenAiProvider } from '../../../src/server/providers/openai';
import type { CallRequest, Provider, RateLimitSnapshot } from '../../../src/server/providers/provider';
import { callFailure, startProviderServer, type ProviderServer } from './provider-server';

function call(overrides: Partial<CallRequest> = {}): CallRequest {
  return {
    service: 'mock',
    model: 'mock-1',
    parameters: { max_tokens: 100 },
    system: 'You are a tester.',
    user: 'How are you?',
    iteration: 0,
    attempt: 0,
    signal: AbortSignal.timeout(10_000),
    ...overrides,
  };
}

const failureOf = (provider: Provider, request = call()) => callFailure(provider, request);

/** A reply as server-sent events, written at once. */
const events = (text: string) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-ratelimit-remaining-tokens': '900', 'x-ratelimit-limit-tokens': '1000' });
  res.end(text);
};
const data = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;

describe('streamed replies from the mock provider', () => {
  let mock: RunningMock;
  let broken: RunningMock;

  before(async () => {
    // Every reply takes 150 ms to its first token and then 2 ms a token: the headers come well before the end.
    const latency = { ttft_ms: 150, per_token_ms: 2, tail_probability: 0 };
    mock = await startMockProvider({ limits: { requests_per_minute: 600, tokens_per_minute: 60_000 }, latency, output_share: [1, 1] });
    broken = await startMockProvider({ latency, faults: { malformed: 1 } });
  });
  after(async () => {
    await mock.close();
    await broken.close();
  });

  for (const flavor of ['openai', 'anthropic'] as const) {
    const provider = (url: string) =>
      flavor === 'openai'
        ? new OpenAiProvider({ service: 'mock', baseUrl: `${url}/v1`, apiKey: 'sk-mock-1234', headers: {}, timeoutMs: 5000 })
        : new AnthropicProvider({ service: 'mock', baseUrl: `${url}/v1`, apiKey: 'sk-mock-1234', headers: {}, timeoutMs: 5000 });

    it(`${flavor}: the limits arrive with the first token; text and usage come from the events`, async () => {
      const client = provider(mock.url);
      const usedBefore = mock.engine.stats.tokens_used;
      let early: { finished: boolean; limits: RateLimitSnapshot | null } | null = null;
      // 100 tokens at 2 ms each come after the first token: the provider finishes (and counts) the reply 200 ms after
      // it sent the headers. Told of the limits before it finished, they came with the first token, not the last.
      const reply = await client.call(call({ onLimits: (limits) => (early = { finished: mock.engine.stats.tokens_used !== usedBefore, limits }) }));
      await client.close();
      assert.ok(early, 'the limits were told before the reply');
      const told = early as { finished: boolean; limits: RateLimitSnapshot | null };
      assert.equal(told.finished, false, 'the limits were read before the provider finished the reply');
      assert.equal(told.limits?.tokens?.limit, 60_000);
      assert.ok((told.limits?.tokens?.remaining ?? Infinity) < 60_000);
      assert.equal(reply.output_tokens, 100);
      assert.ok(reply.input_tokens > 0);
      assert.equal(mock.engine.stats.tokens_used - usedBefore, reply.input_tokens + reply.output_tokens, 'the usage read is what the provider counted');
      assert.ok(reply.text.length > 0);
      assert.equal(reply.model_version, 'mock-1');
    });

    it(`${flavor}: a stream that breaks off inside an event is a transient failure`, async () => {
      const client = provider(broken.url);
      const error = await failureOf(client);
      await client.close();
      assert.equal(error.kind, 'transient');
      assert.match(error.message, /not JSON|ended before/);
    });
  }
});

describe('broken streams', () => {
  let server: ProviderServer;
  let openai: OpenAiProvider;
  let anthropic: AnthropicProvider;

  before(async () => {
    server = await startProviderServer();
    openai = new OpenAiProvider({ service: 'openai', baseUrl: `${server.url}/v1`, apiKey: 'sk-test-0123456789', headers: {}, timeoutMs: 5000 });
    anthropic = new AnthropicProvider({ service: 'anthropic', baseUrl: `${server.url}/v1`, apiKey: 'sk-test-0123456789', headers: {}, timeoutMs: 5000 });
  });
  after(async () => {
    await openai.close();
    await anthropic.close();
    await server.close();
  });

  it('openai: an error chunk after the headers is transient, with the provider’s words and never the key', async () => {
    server.reply(
      events(data({ choices: [{ delta: { content: 'Fi' } }] }) + data({ error: { message: 'server_error for sk-test-0123456789', type: 'server_error' } })),
    );
    const error = await failureOf(openai);
    assert.equal(error.kind, 'transient');
    assert.match(error.message, /stream broke off: server_error/);
    assert.doesNotMatch(error.message, /sk-test-0123456789/);
  });

  it('openai: a stream without [DONE] is transient; a refusal alone is fatal', async () => {
    server.reply(events(data({ choices: [{ delta: { content: 'Fine' } }] })));
    assert.match((await failureOf(openai)).message, /ended before \[DONE\]/);
    server.reply(events(data({ choices: [{ delta: { refusal: 'I cannot help with that.' } }] }) + 'data: [DONE]\n\n'));
    const refused = await failureOf(openai);
    assert.equal(refused.kind, 'fatal');
    assert.match(refused.message, /refused: I cannot help/);
  });

  it('openai: deltas are joined and usage is read from the last chunk', async () => {
    server.reply(
      events(
        data({ model: 'gpt-x', choices: [{ delta: { role: 'assistant', content: '' } }] }) +
          data({ choices: [{ delta: { content: 'Fine, ' } }] }) +
          data({ choices: [{ delta: { content: 'thanks.' }, finish_reason: 'stop' }] }) +
          data({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }) +
          'data: [DONE]\n\n',
      ),
    );
    const reply = await openai.call(call());
    assert.deepEqual({ ...reply, limits: undefined }, { text: 'Fine, thanks.', input_tokens: 12, output_tokens: 3, model_version: 'gpt-x', limits: undefined });
    assert.equal(reply.limits?.tokens?.remaining, 900);
  });

  it('anthropic: an overloaded error event after the headers backs off as overload; no message_stop is transient', async () => {
    const start = `event: message_start\n${data({ type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 9, output_tokens: 1 } } })}`;
    server.reply(events(start + `event: error\n${data({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}`));
    const overloaded = await failureOf(anthropic);
    assert.equal(overloaded.kind, 'overloaded');
    assert.match(overloaded.message, /Overloaded/);
    server.reply(events(start + `event: content_block_delta\n${data({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })}`));
    assert.match((await failureOf(anthropic)).message, /ended before message_stop/);
  });

  it('a server that answers a streamed request with plain JSON is read as before; `stream: false` asks for none', async () => {
    const plain = new OpenAiProvider({ service: 'local', baseUrl: `${server.url}/v1`, apiKey: null, headers: {}, timeoutMs: 5000, stream: false });
    const completion = { model: 'local', choices: [{ message: { content: 'Plain.' } }], usage: { prompt_tokens: 5, completion_tokens: 1 } };
    server.reply((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion));
    });
    server.requests.length = 0;
    assert.equal((await openai.call(call())).text, 'Plain.');
    assert.equal((await plain.call(call())).text, 'Plain.');
    await plain.close();
    assert.equal(server.requests[0]!.body!.stream, true);
    assert.equal(server.requests[1]!.body!.stream, undefined);
  });
});
