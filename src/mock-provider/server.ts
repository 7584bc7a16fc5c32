// `fieldwork mock-provider`: OpenAI-compatible chat completions and Anthropic messages on loopback, enforcing
// rate limits the way providers do (see engine.ts), with GET /_mock/stats for what it admitted and rejected.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { mockConfig, type MockConfig, type MockConfigInput } from './config';
import { countTokens, MockEngine, type MockOutcome } from './engine';
import { streamReply, type Flavor } from './wire';

const Content = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]);
const Message = z.looseObject({ role: z.string(), content: Content });
const ChatRequest = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().optional(),
  messages: z.array(Message).min(1),
  max_tokens: z.int().positive().optional(),
  max_completion_tokens: z.int().positive().optional(),
});
const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().optional(),
  system: z.union([z.string(), z.array(z.looseObject({ text: z.string().optional() }))]).optional(),
  messages: z.array(Message).min(1),
  max_tokens: z.int().positive(),
});

/** What a chat request leaves out of max_tokens: the model's default reply allowance. */
const DEFAULT_MAX_TOKENS = 1024;

export interface RunningMock {
  url: string;
  engine: MockEngine;
  close(): Promise<void>;
}

export async function startMockProvider(input: MockConfigInput | MockConfig = {}): Promise<RunningMock> {
  const config = mockConfig(input);
  const engine = new MockEngine(config, performance.now());
  const pending = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      run();
    }, ms);
    pending.add(timer);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, {}, { error: { message: String(error) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/_mock/stats') return send(res, 200, {}, { ...engine.stats.toJSON(), config });
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return send(res, 200, {}, { object: 'list', data: [{ id: 'mock', object: 'model', owned_by: 'fieldwork' }] });
    }
    const flavor: Flavor | null =
      req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')
        ? 'openai'
        : req.method === 'POST' && (path === '/v1/messages' || path === '/messages')
          ? 'anthropic'
          : null;
    if (!flavor) return send(res, 404, {}, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, {}, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
    }
    const call = flavor === 'openai' ? chatCall(json) : messagesCall(json);
    if ('error' in call) return send(res, 400, {}, { error: { message: call.error, type: 'invalid_request_error' } });
    const key = keyLabel(req);
    const { stream, ...asked } = call;
    const outcome = engine.handle(performance.now(), Date.now(), { flavor, key, ...asked });
    deliver(res, outcome, stream ? flavor : null);
  }

  /** `stream`: the flavor of events a streamed reply is sent as (errors are never streamed). */
  function deliver(res: ServerResponse, outcome: MockOutcome, stream: Flavor | null): void {
    if (outcome.kind === 'hang') {
      later(outcome.afterMs, () => res.socket?.destroy());
      return;
    }
    if (stream && outcome.status === 200) {
      // Headers and the first token together; the rest (and the provider's correction) when the reply is done.
      const events = streamReply(stream, outcome.raw === undefined ? outcome.body : null);
      later(outcome.headersAfterMs ?? 0, () => {
        if (res.destroyed) return;
        res.writeHead(200, { ...outcome.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).write(events.first);
        later(outcome.afterMs - (outcome.headersAfterMs ?? 0), () => {
          outcome.finish?.(performance.now());
          if (!res.destroyed) res.end(events.rest);
        });
      });
      return;
    }
    later(outcome.afterMs, () => {
      outcome.finish?.(performance.now());
      if (outcome.raw !== undefined) {
        res.writeHead(outcome.status, { ...outcome.headers, 'content-type': 'application/json' }).end(outcome.raw);
      } else {
        send(res, outcome.status, outcome.headers, outcome.body);
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    engine,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface AskedCall {
  model: string;
  inputTokens: number;
  maxTokens: number;
  stream: boolean;
}

function chatCall(json: unknown): AskedCall | { error: string } {
  const parsed = ChatRequest.safeParse(json);
  if (!parsed.success) return { error: `not a chat completion request: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const body = parsed.data;
  return {
    model: body.model,
    inputTokens: countTokens(body.messages.map((message) => textOf(message.content))),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    stream: body.stream === true,
  };
}

function messagesCall(json: unknown): AskedCall | { error: string } {
  const parsed = MessagesRequest.safeParse(json);
  if (!parsed.success) return { error: `not a messages request: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const body = parsed.data;
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((block) => block.text ?? '').join('');
  return {
    model: body.model,
    inputTokens: countTokens([system, ...body.messages.map((message) => textOf(message.content))]),
    maxTokens: body.max_tokens,
    stream: body.stream === true,
  };
}

function textOf(content: z.infer<typeof Content>): string {
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');
}

function keyLabel(req: IncomingMessage): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const key = bearer ?? (req.headers['x-api-key'] as string | undefined) ?? (req.headers['api-key'] as string | undefined);
  // Only a tail of the key: stats are for people to read, keys are not.
  return key ? `…${key.slice(-4)}` : 'anonymous';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}
