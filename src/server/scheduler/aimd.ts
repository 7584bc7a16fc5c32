// Rate learning for a provider that says nothing but 429: additive increase, multiplicative decrease on the rate
// (tokens per ms), with one decrease per 429 episode. An episode lasts a fixed debounce from its first 429 — a
// retry-after does not stretch it (Inspect's adaptive concurrency froze under steady 429s because it did).
//
// The first 429 gives the first estimate: what the provider admitted over the last minute (or since we started,
// if sooner) — high rather than low, since a decrease is quick and an increase slow. Later decreases go to the
// lower of β × rate and the goodput of the last minute, so one episode fixes a rate far too high; a minute, not
// the time since the last episode, because a provider with fixed windows serves nothing between a window's 429
// and its end, and that lull is not its rate.
//
// How deep a decrease goes follows how many of the latest calls were turned away (as DCTCP does with marks): over a
// bucket's limit most calls meet 429s and the rate drops by the full step, but under fixed windows a rate well
// within the limit still meets a rare 429 when two large calls share a window, and halving for each kept a quiet
// provider with 1 s windows at half its limit.

import { TokenBucket } from './bucket';

export interface AimdOptions {
  /** Multiplicative decrease per episode, at its deepest (when most of the latest calls were turned away). */
  decrease: number;
  /** How many of the latest calls' outcomes set the depth of a decrease. */
  outcomes: number;
  /** Additive increase per second, as a share of the rate set at the last decrease. */
  increasePerSecond: number;
  /** Shortest time between two decreases. */
  debounceMs: number;
  /** A decrease never cuts below this share of the rate in one step. */
  floorShare: number;
}

export const DEFAULT_AIMD: AimdOptions = { decrease: 0.8, outcomes: 20, increasePerSecond: 0.01, debounceMs: 2000, floorShare: 0.3 };

const WINDOW_MS = 60_000;
/** Calls are summed into bins this long: a fast lane admits thousands a second, and a minute of them each is memory. */
const BIN_MS = 100;

/** What was admitted (or served) over the latest minute, in bins of BIN_MS. */
class RecentSums {
  private readonly bins: { at: number; cost: number }[] = [];

  add(at: number, cost: number): void {
    const start = Math.floor(at / BIN_MS) * BIN_MS;
    const last = this.bins[this.bins.length - 1];
    if (last && last.at === start) last.cost += cost;
    else this.bins.push({ at: start, cost });
    while (this.bins.length > 0 && this.bins[0]!.at < at - WINDOW_MS) this.bins.shift();
  }

  /** The sum of the bins that start at or after `from`. */
  since(from: number): number {
    let sum = 0;
    for (let i = this.bins.length - 1; i >= 0 && this.bins[i]!.at >= from; i--) sum += this.bins[i]!.cost;
    return sum;
  }
}

export class AimdRate {
  /** Tokens per ms at the last decrease; null until the first 429. */
  private base: number | null = null;
  private episodeAt = -Infinity;
  private readonly admitted = new RecentSums();
  private readonly served = new RecentSums();
  /** The latest calls' outcomes: true for a 429. */
  private readonly outcomes: boolean[] = [];
  private started: number | null = null;
  episodes = 0;
  private largestCall = 1;
  private blind: TokenBucket | null = null;

  constructor(private readonly options: AimdOptions = DEFAULT_AIMD) {}

  /** Tokens per ms now (growing since the last decrease), or null while unknown. */
  rate(now: number): number | null {
    if (this.base === null) return null;
    const seconds = Math.max(0, now - this.episodeAt) / 1000;
    return this.base * (1 + this.options.increasePerSecond * seconds);
  }

  onAdmitted(now: number, cost: number): void {
    this.started ??= now;
    this.largestCall = Math.max(this.largestCall, cost);
    this.admitted.add(now, cost);
  }

  onSuccess(cost: number, now: number): void {
    this.note(false);
    this.served.add(now, cost);
  }

  /** A 429: returns true when it starts a new episode (and the rate was lowered). */
  onRateLimited(now: number, debounceMs = this.options.debounceMs): boolean {
    this.note(true);
    if (now - this.episodeAt < debounceMs) return false;
    const current = this.rate(now);
    if (current === null) {
      const since = Math.max(1000, Math.min(WINDOW_MS, now - (this.started ?? now)));
      const recent = this.admitted.since(-Infinity);
      this.base = Math.max(recent / since, 1e-6);
    } else {
      const since = Math.min(WINDOW_MS, now - (this.started ?? now));
      const measured = since >= debounceMs ? this.served.since(now - since) / since : Infinity;
      // 1 − the share of the latest calls turned away, but no deeper than the full step.
      const decrease = Math.max(this.options.decrease, 1 - this.outcomes.filter(Boolean).length / this.outcomes.length);
      this.base = Math.max(current * this.options.floorShare, Math.min(current * decrease, measured));
    }
    this.episodeAt = now;
    this.episodes++;
    return true;
  }

  private note(rejected: boolean): void {
    this.outcomes.push(rejected);
    if (this.outcomes.length > this.options.outcomes) this.outcomes.shift();
  }

  /**
   * The bucket a lane with no other limits admits calls by: this rate, about a second of burst — enough for the
   * largest call seen, small enough not to flood a provider we cannot see. Null before the first 429; with `now`
   * null, as it was last brought up to date.
   */
  bucket(now: number | null): TokenBucket | null {
    if (now === null) return this.blind;
    const rate = this.rate(now);
    if (rate === null) return null;
    const capacity = Math.max(this.largestCall, rate * 1000);
    if (!this.blind) this.blind = new TokenBucket(capacity, rate, now, 0);
    else this.blind.reconfigure(capacity, rate, now);
    return this.blind;
  }
}
