// How a provider enforces its limits, shared by the HTTP mock and the benchmark's simulation so both agree.
// Every call is charged at admission on each limited dimension (prompt + max_tokens, as providers do) and
// corrected when it finishes. Each dimension has its own meter (meters.ts): a continuous token bucket, fixed
// windows, a sliding log or a sliding two-counter estimate, from `enforcement` or else from `mode` (a bucket
// holding a minute's worth, or fixed windows of 1, 10 or 60 seconds). An uncontrolled "other tenant" takes a share
// of every limit; limits can change mid-run.
import { DEFAULT_RESET, type EnforcementMode, type EnforcementRule, type LimitsConfig, type RemainingUnits, type ResetForm } from './config';
import { meter, type Meter } from './meters';

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
  /** Per dimension, how it is counted; a dimension without a rule follows `mode`. */
  enforcement?: Partial<Record<Dimension, EnforcementRule | undefined>> | undefined;
  other_tenant_share: number;
  limit_changes: readonly { at_s: number; scale: number }[];
  charge_rejected: boolean;
}

export interface DimensionState {
  /** The per-minute limit. */
  limit: number;
  /** In the rule's units: what is left of the window's allowance, or that scaled to a minute. */
  remaining: number;
  /** Absent when the provider sends no reset header. */
  resetMs?: number | undefined;
}
export type LimitState = Partial<Record<Dimension, DimensionState>>;

export type Admission =
  | { admitted: true; id: number; state: LimitState }
  | { admitted: false; dimension: Dimension; limit: number; used: number; requested: number; retryAfterMs: number; state: LimitState };

/** What a call costs at admission: one request, its prompt, and its whole max_tokens allowance. */
export function admissionCosts(inputTokens: number, maxOutputTokens: number): Costs {
  return { requests: 1, tokens: inputTokens + maxOutputTokens, input_tokens: inputTokens, output_tokens: maxOutputTokens };
}

/** The rule `mode` stands for: a bucket holding a minute's worth, or fixed windows, per-window remaining. */
export function modeRule(mode: EnforcementMode): EnforcementRule {
  if (mode === 'bucket') return { kind: 'bucket', window_s: 60, remaining_units: 'per-window', reset: 'full' };
  return { kind: 'fixed', window_s: Number(mode.slice('window-'.length, -1)), remaining_units: 'per-window', reset: 'window-end' };
}

interface Limited {
  meter: Meter;
  windowMs: number;
  units: RemainingUnits;
  reset: ResetForm;
}

export class ProviderLimiter {
  private readonly meters = new Map<Dimension, Limited>();
  private readonly changesAt: number[];
  private nextId = 1;

  constructor(
    private readonly options: LimiterOptions,
    private readonly start: number,
  ) {
    this.changesAt = [...new Set(options.limit_changes.map((change) => start + change.at_s * 1000))].sort((a, b) => a - b);
    for (const dimension of DIMENSIONS) {
      if (options.limits[CONFIG_KEY[dimension]] === undefined) continue;
      const rule = options.enforcement?.[dimension] ?? modeRule(options.mode);
      const windowMs = rule.window_s * 1000;
      const context = { start, windowMs, share: options.other_tenant_share, limit: (now: number) => this.limit(dimension, now) };
      this.meters.set(dimension, { meter: meter(rule.kind, context), windowMs, units: rule.remaining_units, reset: rule.reset ?? DEFAULT_RESET[rule.kind] });
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

  /** Admits the call and charges it, or says which limit turned it away and how long until it would fit. */
  admit(now: number, costs: Costs): Admission {
    this.advance(now);
    for (const [dimension, limited] of this.meters) {
      const cost = costs[dimension];
      if (limited.meter.fits(cost, now)) continue;
      const state = this.state(now);
      if (this.options.charge_rejected) this.charge(costs, now, -1);
      const used = limited.meter.used(now) * (limited.units === 'per-minute' ? 60_000 / limited.windowMs : 1);
      return {
        admitted: false,
        dimension,
        limit: this.limit(dimension, now),
        used: Math.round(used),
        requested: cost,
        retryAfterMs: this.retryAfterMs(now, costs),
        state,
      };
    }
    const id = this.nextId++;
    this.charge(costs, now, id);
    return { admitted: true, id, state: this.state(now) };
  }

  /** A finished call gives back what it was charged beyond what it used; `id` names its admission (logs and counters need it). */
  correct(now: number, charged: Costs, used: Costs, id = -1): void {
    for (const [dimension, limited] of this.meters) limited.meter.refund(charged[dimension] - used[dimension], now, id);
  }

  /**
   * How long from `now` until a call of `costs` fits on every dimension, if nothing else happens meanwhile: a call
   * sent then is admitted. Limit changes on the way are taken into account. A bucket that turns a call away asks
   * for at least a millisecond.
   */
  retryAfterMs(now: number, costs: Costs): number {
    const wait = this.exactWait(now, costs);
    for (const [dimension, limited] of this.meters) if (limited.meter.kind === 'bucket' && !limited.meter.fits(costs[dimension], now)) return Math.max(1, wait);
    return wait;
  }

  /** The earliest instant at or after `now` when a call of `costs` is admitted, nothing else happening meanwhile. */
  earliestAdmission(now: number, costs: Costs): number {
    return now + this.exactWait(now, costs);
  }

  private exactWait(now: number, costs: Costs): number {
    this.advance(now);
    let wait = 0;
    let stalls = 0;
    for (let step = 0; step < 1000; step++) {
      const at = now + wait;
      let longest = 0;
      for (const [dimension, limited] of this.meters) {
        // A meter that turns the call away asks for some wait, however rounding has it.
        if (!limited.meter.fits(costs[dimension], at)) longest = Math.max(longest, limited.meter.waitFrom(costs[dimension], at), Number.MIN_VALUE);
      }
      if (longest === 0) return wait;
      // A limit change before then changes the answer: look again from there.
      const change = this.changesAt.find((instant) => instant > at && instant < at + longest);
      const next = change !== undefined ? change - now : wait + longest;
      // Rounding can leave the instant a hair short of the one the meters named, or not move it: step past it.
      wait = now + next > at ? next : wait + Math.max(Number.EPSILON * Math.abs(at), 1e-9) * 2 ** Math.min(stalls++, 60);
    }
    return wait;
  }

  /** What the rate-limit headers say: the limit, what remains (in the rule's units), and the reset in the rule's form. */
  state(now: number): LimitState {
    this.advance(now);
    const out: LimitState = {};
    for (const [dimension, limited] of this.meters) {
      const remaining = limited.meter.remaining(now);
      out[dimension] = {
        limit: this.limit(dimension, now),
        remaining: limited.units === 'per-minute' ? (remaining * 60_000) / limited.windowMs : remaining,
        resetMs: limited.meter.resetMs(now, limited.reset),
      };
    }
    return out;
  }

  private advance(now: number): void {
    for (const limited of this.meters.values()) limited.meter.advance(now);
  }

  private charge(costs: Costs, now: number, id: number): void {
    for (const [dimension, limited] of this.meters) limited.meter.charge(costs[dimension], now, id);
  }
}
