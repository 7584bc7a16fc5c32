// One interface for every model provider. Providers never retry: the scheduler owns retries.
import type { AnswerFormat, Question } from '../../format';

export interface CallRequest {
  service: string;
  model: string;
  parameters: Readonly<Record<string, unknown>>;
  system: string;
  user: string;
  iteration: number;
  /** The survey question being asked: the built-in test model answers it in its type's format. Absent for evals. */
  question?: Question | undefined;
  /** For eval calls: the kind of answer expected (a letter, an open answer, a grade), for the test model. */
  answer_format?: AnswerFormat | undefined;
  /** 0 on the first try; the scheduler counts retries. */
  attempt: number;
  signal: AbortSignal;
  /** Images shown with the user prompt, in order; only providers with the `images` capability receive any. */
  images?: readonly ImageInput[] | undefined;
  /** Told the reply's rate-limit headers as soon as they arrive (a streamed reply's come with its first token). */
  onLimits?: ((limits: RateLimitSnapshot | null) => void) | undefined;
}

/** An image as the provider receives it: bytes in base64, with their media type. */
export interface ImageInput {
  media_type: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  data: string;
}

export interface CallReply {
  text: string;
  input_tokens: number;
  output_tokens: number;
  model_version: string | null;
  /** What the provider's rate-limit headers said about this lane, when it sent any. */
  limits?: RateLimitSnapshot | undefined;
}

/** One limited dimension as a provider reports it. `resetMs`: until the bucket is full again (OpenAI) or resets. */
export interface LimitReading {
  limit?: number | undefined;
  remaining?: number | undefined;
  resetMs?: number | undefined;
  /**
   * What the provider counted as used, when it says that instead of what remains (a 429 message's "Used 29937"):
   * the limit's share for the period we measure it over, less this, is what remains.
   */
  used?: number | undefined;
  /** What the turned-away call asked for (a 429 message's "Requested 385"). */
  requested?: number | undefined;
  /** A 429's message named this limit as the one reached, whatever the headers beside it said. */
  named?: boolean | undefined;
}

/** Rate-limit headers normalized across providers; absent dimensions were not reported. */
export interface RateLimitSnapshot {
  requests?: LimitReading | undefined;
  tokens?: LimitReading | undefined;
  input_tokens?: LimitReading | undefined;
  output_tokens?: LimitReading | undefined;
}

/**
 * How a failed call should be treated:
 * - rate_limited: wait (retry-after or the limit's reset) and try again; the limit may be lower than we thought.
 * - overloaded / transient: back off and try again; the limit is not to blame.
 * - fatal: do not retry (bad key, no quota, request too large, bad request); the message is the provider's reason.
 */
export type ProviderErrorKind = 'rate_limited' | 'overloaded' | 'transient' | 'fatal';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
    /** Rate-limit headers on the failed reply, else the limit its 429 message names, when there was either. */
    readonly limits: RateLimitSnapshot | null = null,
    /** `retryAfterMs` is a hint from the 429's message ("try again in 644ms"), not a retry-after header. */
    readonly retryAfterHinted = false,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** log P(expected | prompt) and friends, for log-probability scorers (Aleph Alpha's /evaluate). */
export interface EvaluateRequest {
  model: string;
  prompt: string;
  expected: string;
  signal: AbortSignal;
}
export interface EvaluateReply {
  log_probability: number;
  log_perplexity_per_character: number | null;
  correct_greedy: boolean | null;
  input_tokens: number;
}

export interface EmbedRequest {
  model: string;
  text: string;
  signal: AbortSignal;
  /** Which layer to read (negative counts from the last; default -1) and how to pool its token vectors (default mean). */
  layer?: number | undefined;
  pooling?: 'mean' | 'max' | 'last_token' | 'abs_max' | undefined;
}
export interface EmbedReply {
  embedding: number[];
  input_tokens: number;
}

export interface Provider {
  /** The service name used in model ids, e.g. `test` or `openai`. */
  readonly service: string;
  call(request: CallRequest): Promise<CallReply>;
  /** Only providers that can score a given completion (capability `log-probs`). */
  evaluate?(request: EvaluateRequest): Promise<EvaluateReply>;
  /** Only providers that embed text (capability `embeddings`). */
  embed?(request: EmbedRequest): Promise<EmbedReply>;
}
