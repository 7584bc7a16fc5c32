// Aleph Alpha: POST /complete (all sampling parameters), /evaluate (log-probability of an expected completion),
// /embed (a layer, pooled). Prompts may be multimodal: a list of image and text items. Bearer token.
import { z } from 'zod';
import {
  ProviderError,
  type CallReply,
  type CallRequest,
  type EmbedReply,
  type EmbedRequest,
  type EvaluateReply,
  type EvaluateRequest,
  type Provider,
} from './provider';
import { errorDetails, failure, Wire, type Endpoint, type WireReply } from './wire';

/** /complete requires maximum_tokens; this is what a survey that sets none gets. */
export const DEFAULT_MAXIMUM_TOKENS = 256;

/** /complete's sampling parameters, passed as written (`max_tokens` and `stop` are translated). */
const COMPLETE_PARAMETERS = [
  'maximum_tokens',
  'minimum_tokens',
  'temperature',
  'top_k',
  'top_p',
  'presence_penalty',
  'frequency_penalty',
  'sequence_penalty',
  'repetition_penalties_include_prompt',
  'use_multiplicative_presence_penalty',
  'best_of',
  'n',
  'logit_bias',
  'log_probs',
  'stop_sequences',
  'tokens',
  'raw_completion',
  'disable_optimizations',
  'completion_bias_inclusion',
  'completion_bias_exclusion',
  'contextual_control_threshold',
  'control_log_additive',
  'echo',
  'hosting',
];

const Completion = z.object({
  model_version: z.string().optional(),
  completions: z.array(z.object({ completion: z.string().nullable().optional(), finish_reason: z.string().nullable().optional() }).loose()).min(1),
  num_tokens_prompt_total: z.number().int().nonnegative().optional(),
  num_tokens_generated: z.number().int().nonnegative().optional(),
});

const Evaluation = z.object({
  result: z
    .object({
      log_probability: z.number(),
      log_perplexity_per_character: z.number().nullable().optional(),
      correct_greedy: z.boolean().nullable().optional(),
    })
    .loose(),
  num_tokens_prompt_total: z.number().int().nonnegative().optional(),
});

const Embedding = z.object({
  embeddings: z.record(z.string(), z.record(z.string(), z.array(z.number()))),
  num_tokens_prompt_total: z.number().int().nonnegative().optional(),
});

type PromptItem = { type: 'text'; data: string } | { type: 'image'; data: string };

export class AlephAlphaProvider implements Provider {
  readonly service: string;
  private readonly wire: Wire;

  constructor(private readonly options: Endpoint) {
    this.service = options.service;
    this.wire = new Wire(options);
  }

  async call(request: CallRequest): Promise<CallReply> {
    const reply = await this.post('/complete', completeBody(request), request.signal);
    const parsed = this.parse(Completion, reply, 'a completion');
    return {
      text: parsed.completions[0]!.completion ?? '',
      input_tokens: parsed.num_tokens_prompt_total ?? 0,
      output_tokens: parsed.num_tokens_generated ?? 0,
      model_version: parsed.model_version ?? null,
    };
  }

  async evaluate(request: EvaluateRequest): Promise<EvaluateReply> {
    const body = { model: request.model, prompt: request.prompt, completion_expected: request.expected };
    const parsed = this.parse(Evaluation, await this.post('/evaluate', body, request.signal), 'an evaluation');
    return {
      log_probability: parsed.result.log_probability,
      log_perplexity_per_character: parsed.result.log_perplexity_per_character ?? null,
      correct_greedy: parsed.result.correct_greedy ?? null,
      input_tokens: parsed.num_tokens_prompt_total ?? 0,
    };
  }

  async embed(request: EmbedRequest): Promise<EmbedReply> {
    const layer = request.layer ?? -1;
    const pooling = request.pooling ?? 'mean';
    const body = { model: request.model, prompt: request.text, layers: [layer], pooling: [pooling] };
    const parsed = this.parse(Embedding, await this.post('/embed', body, request.signal), 'an embedding');
    const layerVectors = parsed.embeddings[`layer_${layer}`] ?? Object.values(parsed.embeddings)[0];
    const embedding = layerVectors?.[pooling];
    if (!embedding) throw new ProviderError('transient', `${this.service}: the reply has no ${pooling} embedding of layer ${layer}`);
    return { embedding, input_tokens: parsed.num_tokens_prompt_total ?? 0 };
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  private async post(path: string, body: unknown, signal: AbortSignal): Promise<WireReply> {
    const headers: Record<string, string> = this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
    const reply = await this.wire.send('POST', path, body, headers, signal);
    if (reply.status < 200 || reply.status >= 300) {
      throw failure({ wire: this.wire, status: reply.status, headers: reply.headers, ...errorDetails(reply), limits: null });
    }
    return reply;
  }

  private parse<T>(schema: z.ZodType<T>, reply: WireReply, what: string): T {
    const parsed = schema.safeParse(reply.json);
    if (!parsed.success) {
      throw new ProviderError('transient', `${this.service}: the reply is not ${what}: ${this.wire.redact(reply.text.slice(0, 200))}`, null, reply.status);
    }
    return parsed.data;
  }
}

/** The system prompt, a blank line, then the user prompt: /complete has no roles. Images come first, as items. */
export function completeBody(request: CallRequest): Record<string, unknown> {
  const p = request.parameters;
  const body: Record<string, unknown> = {};
  for (const key of COMPLETE_PARAMETERS) if (p[key] !== undefined) body[key] = p[key];
  if (body.maximum_tokens === undefined) body.maximum_tokens = typeof p.max_tokens === 'number' ? p.max_tokens : DEFAULT_MAXIMUM_TOKENS;
  if (body.stop_sequences === undefined && p.stop !== undefined) body.stop_sequences = Array.isArray(p.stop) ? p.stop : [p.stop];
  const text = request.system === '' ? request.user : `${request.system}\n\n${request.user}`;
  const images = request.images ?? [];
  const prompt: string | PromptItem[] =
    images.length === 0 ? text : [...images.map((image): PromptItem => ({ type: 'image', data: image.data })), { type: 'text', data: text }];
  return { model: request.model, prompt, ...body };
}
