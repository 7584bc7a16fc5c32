// How a provider enforces its limits, shared by the HTTP mock and the benchmark's simulation so both agree.
// Every call is charged at admission on each limited dimension (prompt + max_tokens, as providers do) and
// corrected when it finishes. Enforcement is a continuous token bucket (a minute's worth of capacity) or fixed
// windows of 1, 10 or 60 seconds. An uncontrolled "other tenant" takes a share of every limit; limits can
// change mid-run.
import type { EnforcementMode, LimitsConfig } from './config';

export const DIMENSIONS = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Costs = Record<Dimension, number>;

const CONFIG_KEY: Record<Dimension, keyof LimitsConfig> = {
  requests: 'requests_per_minute',
  tokens: 'tokens_per_minute',
  input_tokens: 'input_tokens_per_minute',
  output_tokens: 'output_tokens_per_minute',
};

export interface LimiterOptions {
  limits: LimitsConfig;
  mode: EnforcementMode;
  other_tenant_share: number;
  limit_changes: readonly { at_s: number; scale: number }[];
  charge_rejected: boolean;
}

export interface DimensionState {
  limit: number;
  remaining: number;
  resetMs: number;
}
export type LimitState = Partial<Record<Dimension, DimensionState>>;

export type Admission =
  | { admitted: true; state: LimitState }
  | { admitted: false; dimension: Dimension; limit: number; used: number; requested: number; retryAfterMs: number; state: LimitState };

/** What a call costs at admission: one request, its prompt, and its whole max_tokens allowance. */
export function admissionCosts(inputTokens: number, maxOutputTokens: number): Costs {
  return { requests: 1, tokens: inputTokens + maxOutputTokens, input_tokens: inputTokens, output_tokens: maxOutputTokens };
}

interface Meter {
  /** bucket: tokens available; window: tokens used in the window `window`. */
  level: number;
  at: number;
  window: number;
}

export class ProviderLimiter {
  private readonly meters = new Map<Dimension, Meter>();
  private readonly windowMs: number;

  constructor(private readonly options: LimiterOptions, private readonly start: number) {
    this.windowMs = options.mode === 'bucket' ? 0 : Number(options.mode.slice('window-'.length, -1)) * 1000;
    for (const dimension of DIMENSIONS) {
      if (options.limits[CONFIG_KEY[dimension]] === undefined) continue;
      const meter = { level: 0, at: start, window: -1 };
      if (this.windowMs === 0) meter.level = this.capacity(dimension, start);
      this.meters.set(dimension, meter);
    }
  }

  /** Limits per minute in force at `now` (after any configured change). */
  limit(dimension: Dimension, now: number): number {
    const base = this.options.limits[CONFIG_KEY[dimension]] ?? Infinity;
    let scale = 1;
    for (const change of this.options.limit_changes) if (now - this.start >= change.at_s * 1000) scale = change.scale;
    return base * scale;
  }

  limitedDimensions(): Dimension[] {
    return [...this.meters.keys()];
  }

  admit(now: number, costs: Costs): Admission {
    for (const [dimension, meter] of this.meters) {
      this.advance(dimension, meter, now);
      const cost = costs[dimension];
      if (this.fits(dimension, meter, cost, now)) continue;
      const state = this.state(now);
      if (this.options.charge_rejected) this.charge(costs, now);
      return {
        admitted: false,
        dimension,
        limit: this.limit(dimension, now),
        used: Math.round(this.used(dimension, meter, now)),
        requested: cost,
        retryAfterMs: this.waitFor(dimension, meter, cost, now),
        state,
      };
    }
    this.charge(costs, now);
    return { admitted: true, state: this.state(now) };
  }

  /** A finished call gives back what it was charged beyond what it used. */
  correct(now: number, charged: Costs, used: Costs): void {
    for (const [dimension, meter] of this.meters) {
      this.advance(dimension, meter, now);
      const refund = charged[dimension] - used[dimension];
      if (this.windowMs === 0) meter.level = Math.min(this.capacity(dimension, now), meter.level + refund);
      else meter.level = Math.max(this.tenantUse(dimension, now), meter.level - refund);
    }
  }

  /** What the rate-limit headers say: the limit, what remains, and when the meter is full (or resets). */
  state(now: number): LimitState {
    const out: LimitState = {};
    for (const [dimension, meter] of this.meters) {
      this.advance(dimension, meter, now);
      const limit = this.limit(dimension, now);
      if (this.windowMs === 0) {
        const remaining = Math.max(0, meter.level);
        out[dimension] = { limit, remaining, resetMs: (this.capacity(dimension, now) - remaining) / this.ratePerMs(dimension, now) };
      } else {
        out[dimension] = { limit, remaining: Math.max(0, this.allowance(dimension, now) - meter.level), resetMs: this.windowEnd(now) - now };
      }
    }
    return out;
  }

  private charge(costs: Costs, now: number): void {
    for (const [dimension, meter] of this.meters) {
      this.advance(dimension, meter, now);
      meter.level += this.windowMs === 0 ? -costs[dimension] : costs[dimension];
    }
  }

  private fits(dimension: Dimension, meter: Meter, cost: number, now: number): boolean {
    if (this.windowMs === 0) {
      const capacity = this.capacity(dimension, now);
      // A call larger than the whole bucket gets in only when the bucket is full, not never.
      return meter.level >= Math.min(cost, capacity * (1 - this.options.other_tenant_share));
    }
    const allowance = this.allowance(dimension, now);
    const floor = this.tenantUse(dimension, now);
    return meter.level + cost <= allowance || (meter.level <= floor && cost > allowance - floor);
  }

  private waitFor(dimension: Dimension, meter: Meter, cost: number, now: number): number {
    if (this.windowMs !== 0) return this.windowEnd(now) - now;
    const target = Math.min(cost, this.capacity(dimension, now) * (1 - this.options.other_tenant_share));
    return Math.max(1, (target - meter.level) / (this.ratePerMs(dimension, now) * (1 - this.options.other_tenant_share)));
  }

  private used(dimension: Dimension, meter: Meter, now: number): number {
    return this.windowMs === 0 ? this.capacity(dimension, now) - meter.level : meter.level;
  }

  private advance(dimension: Dimension, meter: Meter, now: number): void {
    if (this.windowMs === 0) {
      // The other tenant drains its share continuously, so we see the rest of the refill.
      const refill = (now - meter.at) * this.ratePerMs(dimension, now) * (1 - this.options.other_tenant_share);
      meter.level = Math.min(this.capacity(dimension, now), meter.level + refill);
    } else {
      const window = Math.floor((now - this.start) / this.windowMs);
      if (window !== meter.window) {
        meter.window = window;
        meter.level = this.tenantUse(dimension, now);
      }
    }
    meter.at = now;
  }

  private capacity(dimension: Dimension, now: number): number {
    return this.limit(dimension, now);
  }

  private ratePerMs(dimension: Dimension, now: number): number {
    return this.limit(dimension, now) / 60_000;
  }

  private allowance(dimension: Dimension, now: number): number {
    return (this.limit(dimension, now) * this.windowMs) / 60_000;
  }

  private tenantUse(dimension: Dimension, now: number): number {
    return this.windowMs === 0 ? 0 : this.allowance(dimension, now) * this.options.other_tenant_share;
  }

  private windowEnd(now: number): number {
    return this.start + (Math.floor((now - this.start) / this.windowMs) + 1) * this.windowMs;
  }
}
