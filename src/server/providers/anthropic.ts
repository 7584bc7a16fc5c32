// Anthropic messages: POST {base}/messages with `x-api-key` and `anthropic-version`; the system prompt is a field,
// `max_tokens` is required, images are content blocks before the text.
import { z } from 'zod';
import { ProviderError, type CallReply, type CallRequest, type Provider } from './provider';
import { anthropicLimits } from './rate-limit-headers';
import { errorDetails, failure, Wire, type Endpoint } from './wire';

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

export class AnthropicProvider implements Provider {
  readonly service: string;
  private readonly wire: Wire;

  constructor(private readonly options: Endpoint & { version?: string }) {
    this.service = options.service;
    this.wire = new Wire(options);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const headers: Record<string, string> = { 'anthropic-version': this.options.version ?? ANTHROPIC_VERSION };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    const reply = await this.wire.send('POST', '/messages', messagesBody(request), headers, request.signal);
    const limits = anthropicLimits(reply.headers) ?? null;
    if (reply.status < 200 || reply.status >= 300) {
      throw failure({ wire: this.wire, status: reply.status, headers: reply.headers, ...errorDetails(reply), limits });
    }
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
