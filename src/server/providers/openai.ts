// OpenAI-compatible chat completions: OpenAI, Azure OpenAI's v1 endpoint, vLLM, Ollama (/v1), llama.cpp's server…
// POST {base}/chat/completions with a bearer key (or Azure's `api-key`), organization/project headers from config.
import { z } from 'zod';
import { ProviderError, type CallReply, type CallRequest, type ImageInput, type Provider, type RateLimitSnapshot } from './provider';
import { openAiLimits, type HeaderBag } from './rate-limit-headers';
import { errorDetails, failure, Wire, type Endpoint, type StreamEvent } from './wire';

/** Our own parameters (the test model's) never reach a provider. */
export const LOCAL_PARAMETERS = new Set(['latency_ms', 'failure_rate']);

const ChatCompletion = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).nullish(),
});

/** One chunk of a streamed chat completion; the last carries the usage and no choices. */
const ChatChunk = z.object({
  model: z.string().optional(),
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() }))
    .default([]),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).nullish(),
  error: z
    .object({ message: z.string().optional(), code: z.union([z.string(), z.number()]).nullish(), type: z.string().nullish() })
    .loose()
    .optional(),
});

export interface OpenAiOptions extends Endpoint {
  /** `bearer` (OpenAI and most hosts) or `api-key` (Azure's header). */
  auth?: 'bearer' | 'api-key';
  /** Stream replies (the default): the rate-limit headers then come with the first token, not the last. */
  stream?: boolean;
}

export class OpenAiProvider implements Provider {
  readonly service: string;
  private readonly wire: Wire;

  constructor(private readonly options: OpenAiOptions) {
    this.service = options.service;
    this.wire = new Wire(options);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const stream = this.options.stream ?? true;
    const body = stream ? { ...chatBody(request), stream: true, stream_options: { include_usage: true } } : chatBody(request);
    const onHeaders = request.onLimits ? (headers: HeaderBag) => request.onLimits!(openAiLimits(headers) ?? null) : undefined;
    const reply = await this.wire.send('POST', '/chat/completions', body, this.authHeaders(), request.signal, { stream, ...(onHeaders ? { onHeaders } : {}) });
    const limits = openAiLimits(reply.headers) ?? null;
    if (reply.status < 200 || reply.status >= 300) {
      throw failure({ wire: this.wire, status: reply.status, headers: reply.headers, ...errorDetails(reply), limits });
    }
    if (reply.events) return this.fromStream(reply.events, reply.status, limits);
    const parsed = ChatCompletion.safeParse(reply.json);
    if (!parsed.success) {
      throw new ProviderError(
        'transient',
        `${this.service}: the reply is not a chat completion: ${this.wire.redact(reply.text.slice(0, 200))}`,
        null,
        reply.status,
      );
    }
    const choice = parsed.data.choices[0]!;
    const text = choice.message.content ?? '';
    if (text === '' && choice.message.refusal) {
      throw new ProviderError('fatal', `${this.service}: the model refused: ${choice.message.refusal}`, null, reply.status);
    }
    return {
      text,
      input_tokens: parsed.data.usage?.prompt_tokens ?? 0,
      output_tokens: parsed.data.usage?.completion_tokens ?? 0,
      model_version: parsed.data.model ?? null,
      limits: limits ?? undefined,
    };
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  /** A streamed reply put together: its text from the deltas, its usage from the last chunk. */
  private fromStream(events: readonly StreamEvent[], status: number, limits: RateLimitSnapshot | null): CallReply {
    let text = '';
    let refusal = '';
    let model: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    let done = false;
    for (const event of events) {
      if (event.data === '[DONE]') {
        done = true;
        break;
      }
      const chunk = this.wire.eventData(event, ChatChunk, 'a chat completion chunk', status);
      if (chunk.error) {
        // An error after the headers: the provider broke off; another try may succeed.
        throw new ProviderError(
          'transient',
          `${this.service}: the stream broke off: ${this.wire.redact(chunk.error.message ?? event.data.slice(0, 200))}`,
          null,
          status,
        );
      }
      model ??= chunk.model ?? null;
      const delta = chunk.choices[0]?.delta;
      text += delta?.content ?? '';
      refusal += delta?.refusal ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    if (!done) throw new ProviderError('transient', `${this.service}: the stream ended before [DONE]`, null, status);
    if (text === '' && refusal !== '') throw new ProviderError('fatal', `${this.service}: the model refused: ${refusal}`, null, status);
    return { text, input_tokens: usage?.prompt_tokens ?? 0, output_tokens: usage?.completion_tokens ?? 0, model_version: model, limits: limits ?? undefined };
  }

  private authHeaders(): Record<string, string> {
    const key = this.options.apiKey;
    if (!key) return {}; // local servers (Ollama, vLLM) often need none
    return this.options.auth === 'api-key' ? { 'api-key': key } : { authorization: `Bearer ${key}` };
  }
}

/** Reasoning models take `max_completion_tokens`; `max_tokens` is refused there. */
const REASONING_MODEL = /^(o\d|gpt-5)/i;

export function chatBody(request: CallRequest): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.parameters)) if (!LOCAL_PARAMETERS.has(key)) parameters[key] = value;
  if (REASONING_MODEL.test(request.model) && parameters.max_tokens !== undefined && parameters.max_completion_tokens === undefined) {
    parameters.max_completion_tokens = parameters.max_tokens;
    delete parameters.max_tokens;
  }
  const messages: Record<string, unknown>[] = [];
  if (request.system !== '') messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: userContent(request.user, request.images ?? []) });
  return { ...parameters, model: request.model, messages };
}

function userContent(text: string, images: readonly ImageInput[]): string | Record<string, unknown>[] {
  if (images.length === 0) return text;
  return [{ type: 'text', text }, ...images.map((image) => ({ type: 'image_url', image_url: { url: `data:${image.media_type};base64,${image.data}` } }))];
}
