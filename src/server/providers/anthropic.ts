// Anthropic messages: POST {base}/messages with `x-api-key` and `anthropic-version`; the system prompt is a field,
// `max_tokens` is required, images are content blocks before the text.
import { z } from 'zod';
import { ProviderError, type CallReply, type CallRequest, type Provider, type RateLimitSnapshot } from './provider';
import { anthropicLimits, type HeaderBag } from './rate-limit-headers';
import { errorDetails, failure, Wire, type Endpoint, type StreamEvent } from './wire';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires max_tokens; this is what a survey that sets none gets. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

/** The request fields the Messages API accepts from a model's parameters; it refuses unknown fields. */
const PASSED = ['temperature', 'top_p', 'top_k', 'stop_sequences', 'thinking', 'metadata', 'service_tier'];

const Message = z.object({
  model: z.string().optional(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
  stop_reason: z.string().nullable().optional(),
  usage: z.object({ input_tokens: z.number().int().nonnegative(), output_tokens: z.number().int().nonnegative() }).loose(),
});

/** One server-sent event of a streamed message (the ones that matter here; others are read and let pass). */
const StreamData = z
  .object({
    type: z.string(),
    message: z
      .object({ model: z.string().optional(), usage: z.object({ input_tokens: z.number().int().nonnegative() }).loose() })
      .loose()
      .optional(),
    delta: z.object({ type: z.string().optional(), text: z.string().optional() }).loose().optional(),
    usage: z.object({ output_tokens: z.number().int().nonnegative() }).loose().optional(),
    error: z.object({ type: z.string().optional(), message: z.string().optional() }).loose().optional(),
  })
  .loose();

export interface AnthropicOptions extends Endpoint {
  version?: string;
  /** Stream replies (the default): the rate-limit headers then come with the first token, not the last. */
  stream?: boolean;
}

export class AnthropicProvider implements Provider {
  readonly service: string;
  private readonly wire: Wire;

  constructor(private readonly options: AnthropicOptions) {
    this.service = options.service;
    this.wire = new Wire(options);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const headers: Record<string, string> = { 'anthropic-version': this.options.version ?? ANTHROPIC_VERSION };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    const stream = this.options.stream ?? true;
    const body = stream ? { ...messagesBody(request), stream: true } : messagesBody(request);
    const onHeaders = request.onLimits ? (replyHeaders: HeaderBag) => request.onLimits!(anthropicLimits(replyHeaders) ?? null) : undefined;
    const reply = await this.wire.send('POST', '/messages', body, headers, request.signal, { stream, ...(onHeaders ? { onHeaders } : {}) });
    const limits = anthropicLimits(reply.headers) ?? null;
    if (reply.status < 200 || reply.status >= 300) {
      throw failure({ wire: this.wire, status: reply.status, headers: reply.headers, ...errorDetails(reply), limits });
    }
    if (reply.events) return this.fromStream(reply.events, reply.status, limits);
    const parsed = Message.safeParse(reply.json);
    if (!parsed.success) {
      throw new ProviderError('transient', `${this.service}: the reply is not a message: ${this.wire.redact(reply.text.slice(0, 200))}`, null, reply.status);
    }
    const text = parsed.data.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    return {
      text,
      input_tokens: parsed.data.usage.input_tokens,
      output_tokens: parsed.data.usage.output_tokens,
      model_version: parsed.data.model ?? null,
      limits: limits ?? undefined,
    };
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  /** A streamed message put together: text from its deltas, input tokens from its start, output tokens from its end. */
  private fromStream(events: readonly StreamEvent[], status: number, limits: RateLimitSnapshot | null): CallReply {
    let text = '';
    let model: string | null = null;
    let input = 0;
    let output = 0;
    let stopped = false;
    for (const event of events) {
      const data = this.wire.eventData(event, StreamData, 'a message event', status);
      const { type } = data;
      if (type === 'error') {
        // Overload can come mid-stream, after a 200: back off as for a 529.
        const kind = data.error?.type === 'overloaded_error' ? 'overloaded' : 'transient';
        throw new ProviderError(
          kind,
          `${this.service}: the stream broke off: ${this.wire.redact(data.error?.message ?? event.data.slice(0, 200))}`,
          null,
          status,
        );
      }
      if (type === 'message_start' && data.message) {
        model = data.message.model ?? null;
        input = data.message.usage.input_tokens;
      } else if (type === 'content_block_delta' && data.delta?.type === 'text_delta') {
        text += data.delta.text ?? '';
      } else if (type === 'message_delta' && data.usage) {
        output = data.usage.output_tokens;
      } else if (type === 'message_stop') {
        stopped = true;
      }
    }
    if (!stopped) throw new ProviderError('transient', `${this.service}: the stream ended before message_stop`, null, status);
    return { text, input_tokens: input, output_tokens: output, model_version: model, limits: limits ?? undefined };
  }
}

export function messagesBody(request: CallRequest): Record<string, unknown> {
  const p = request.parameters;
  const body: Record<string, unknown> = { model: request.model, max_tokens: typeof p.max_tokens === 'number' ? p.max_tokens : DEFAULT_ANTHROPIC_MAX_TOKENS };
  for (const key of PASSED) if (p[key] !== undefined) body[key] = p[key];
  if (p.stop !== undefined && body.stop_sequences === undefined) body.stop_sequences = Array.isArray(p.stop) ? p.stop : [p.stop];
  if (request.system !== '') body.system = request.system;
  const images = request.images ?? [];
  body.messages = [
    {
      role: 'user',
      content:
        images.length === 0
          ? request.user
          : [
              ...images.map((image) => ({ type: 'image', source: { type: 'base64', media_type: image.media_type, data: image.data } })),
              { type: 'text', text: request.user },
            ],
    },
  ];
  return body;
}
