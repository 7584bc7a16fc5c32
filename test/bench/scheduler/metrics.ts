// The benchmark's columns: the lower bound T*, and Jain's fairness index while users contend.
import { modeRule, type ProviderLimiter, type Dimension } from '../../../src/mock-provider/limiter';
import type { MockConfig } from '../../../src/mock-provider/config';

/**
 * T* = max over dimensions of the time to serve the work beyond the initial burst at the rate in force:
 * burst + ∫₀ᵀ rate(t) dt = work, with the other tenant's share taken out and any limit change applied.
 * With fixed windows the allowance arrives in steps, one window's worth at each window's start, so the same
 * integral is a step function: T* is the start of the first window by which the allowances cover the work. Each
 * dimension is taken as its rule counts it: a bucket (holding its window's worth) as a rate, any windowed kind
 * (fixed, sliding log or counter, which admit at most an allowance per window) as steps.
 */
export function lowerBoundMs(config: MockConfig, limiter: ProviderLimiter, work: Partial<Record<Dimension, number>>): number {
  const share = 1 - config.other_tenant_share;
  let worst = 0;
  for (const dimension of limiter.limitedDimensions()) {
    const rule = config.enforcement[dimension] ?? modeRule(config.mode);
    const bucket = rule.kind === 'bucket';
    const windowMs = rule.window_s * 1000;
    // A bucket starts full (the tenant only takes its share of the refill); a window starts with the tenant's share gone.
    const full = windowMs === 60_000 ? limiter.limit(dimension, 0) : (limiter.limit(dimension, 0) * windowMs) / 60_000;
    const burst = bucket ? full : (limiter.limit(dimension, 0) * windowMs * share) / 60_000;
    let remaining = (work[dimension] ?? 0) - burst;
    if (!bucket && config.limit_changes.length === 0) {
      worst = Math.max(worst, windowMs * Math.max(0, Math.ceil(remaining / burst)));
      continue;
    }
    let t = 0;
    const changes = [...config.limit_changes.map((change) => change.at_s * 1000), Infinity].sort((a, b) => a - b);
    for (const until of changes) {
      if (remaining <= 0) break;
      const rate = (limiter.limit(dimension, t) * share) / 60_000;
      const span = Math.min(until - t, remaining / rate);
      remaining -= span * rate;
      t += span;
    }
    worst = Math.max(worst, t);
  }
  return worst;
}

/** Jain's index of throughput ÷ weight: 1 is perfectly fair, 1/n is one user taking everything. */
export function jain(values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}
