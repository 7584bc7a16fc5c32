// How long to wait before trying a failed call again, and when to stop trying.
import type { ProviderError } from '../providers/provider';

export interface RetryPolicy {
  /** Tries of a call that fails with transient or overload errors. */
  maxAttempts: number;
  /** Tries of a call that keeps meeting rate limits (they say "wait", not "broken"). */
  maxRateLimitedAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxRateLimitedAttempts: 30,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Capped exponential backoff with full jitter; a provider's retry-after wins when it gives one. */
export function retryDelayMs(error: ProviderError, attempt: number, policy: RetryPolicy, random: () => number): number {
  if (error.retryAfterMs !== null) return error.retryAfterMs + random() * Math.min(1000, error.retryAfterMs * 0.1 + 50);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
