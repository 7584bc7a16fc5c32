// OpenAI-compatible chat completions: OpenAI, Azure OpenAI's v1 endpoint, vLLM, Ollama (/v1), llama.cpp's server…
// POST {base}/chat/completions with a bearer key (or Azure's `api-key`), organization/project headers from config.
import { z } from 'zod';
import { ProviderError, type CallReply, type CallRequest, type ImageInput, type Provider } from './provider';
import { openAiLimits } from './rate-limit-headers';
import { errorDetails, failure, Wire, type Endpoint } from './wire';

/** Our own parameters (the test model's) never reach a provider. */
export const LOCAL_PARAMETERS = new Set(['latency_ms', 'failure_rate']);

const ChatCompletion = z.object({
  model: z.string().optional(),
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }), finish_reason: z.string().nullable().optional() }))
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).nullish(),
});

export interface OpenAiOptions extends Endpoint {
  /** `bearer` (OpenAI and most hosts) or `api-key` (Azure's header). */
  auth?: 'bearer' | 'api-key';
}

export class OpenAiProvider implements Provider {
  readonly service: string;
  private readonly wire: Wire;

  constructor(private readonly options: OpenAiOptions) {
    this.service = options.service;
    this.wire = new Wire(options);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const reply = await this.wire.send('POST', '/chat/completions', chatBody(request), this.authHeaders(), request.signal);
    const limits = openAiLimits(reply.headers) ?? null;
    if (reply.status < 200 || reply.status >= 300) {
      throw failure({ wire: this.wire, status: reply.status, headers: reply.headers, ...errorDetails(reply), limits });
    }
    const parsed = ChatCompletion.safeParse(reply.json);
    if (!parsed.success) {
      throw new ProviderError('transient', `${this.service}: the reply is not a chat completion: ${this.wire.redact(reply.text.slice(0, 200))}`, null, reply.status);
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
  return [
    { type: 'text', text },
    ...images.map((image) => ({ type: 'image_url', image_url: { url: `data:${image.media_type};base64,${image.data}` } })),
  ];
}
