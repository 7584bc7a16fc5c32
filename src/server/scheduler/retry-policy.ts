// How long to wait before trying a failed call again, and when to stop trying.
import type { ProviderError } from '../providers/provider';

export interface RetryPolicy {
  /** Tries of a call that fails with transient or overload errors. */
  maxAttempts: number;
  /**
   * How long a call keeps meeting rate limits before it fails, counted from its first 429 or from the lane's latest
   * admitted call, whichever is later: while the provider admits calls, a rate limit says "wait", never "broken".
   */
  rateLimitPatienceMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  rateLimitPatienceMs: 10 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Capped exponential backoff with full jitter; a provider's retry-after wins when it gives one. */
export function retryDelayMs(error: ProviderError, attempt: number, policy: RetryPolicy, random: () => number): number {
  if (error.retryAfterMs !== null) return error.retryAfterMs + random() * Math.min(1000, error.retryAfterMs * 0.1 + 50);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
