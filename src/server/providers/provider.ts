// One interface for every model provider. Providers never retry: the scheduler owns retries.
import type { Question } from '../../spec';

export interface CallRequest {
  service: string;
  model: string;
  parameters: Readonly<Record<string, unknown>>;
  system: string;
  user: string;
  iteration: number;
  /** The question being asked: the built-in test model answers it in its type's format. */
  question: Question;
  /** 0 on the first try; the scheduler counts retries. */
  attempt: number;
  signal: AbortSignal;
}

export interface CallReply {
  text: string;
  input_tokens: number;
  output_tokens: number;
  model_version: string | null;
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
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface Provider {
  /** The service name used in model ids, e.g. `test` or `openai`. */
  readonly service: string;
  call(request: CallRequest): Promise<CallReply>;
}
