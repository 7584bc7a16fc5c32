// Recognises a provider that enforces fixed windows, from its rate-limit headers, and keeps the lane's window
// clock. A window's end is the same instant for every call in it, while `remaining` falls. A continuous bucket's
// "full at" instant moves later by whatever is taken from it (÷ its rate), so an earlier reading with more
// remaining and the same instant means windows, as long as the limit did not change in between (a halved limit
// can line up two instants by chance). One clock serves all of a lane's dimensions: a provider turns its windows
// over together, and two clocks drifting apart would hold each other's calls back.
//
// The clock is anchored on the latest end a reading named and extrapolated by the window's length: the shortest
// gap between two ends seen, refined over the whole span of ends (headers round to milliseconds). Before two ends
// are seen, the span from our first call to the first end is a lower bound. A time counts in a window until a
// small margin after its end: the provider's clock runs a request's travel behind ours, so a call sent right at
// the end can still land in the old window. The margin doubles whenever that is seen to happen.

/** Two reset instants this close apart are the same window's end (headers round to milliseconds). */
export const SAME_INSTANT_MS = 20;

const MIN_MARGIN_MS = 5;
const MAX_MARGIN_MS = 1000;
/** Readings kept for recognising windows, and ends kept for the length. */
const KEEP = 64;

interface Reading {
  dimension: string;
  at: number;
  remaining: number;
  resetAt: number;
  limit: number;
}

export class WindowClock {
  windowed = false;
  /** The window's length, once two windows' ends were seen. */
  windowMs: number | null = null;
  marginMs = MIN_MARGIN_MS;
  private readonly recent: Reading[] = [];
  private readonly ends: number[] = [];
  private anchor: number | null = null;
  private firstAt: number | null = null;

  /** One reading taken at admission time `at`; `fullRate` is the dimension's limit per ms. */
  observe(dimension: string, at: number, remaining: number, resetAt: number, limit: number, fullRate: number): void {
    this.firstAt = Math.min(this.firstAt ?? at, at);
    const reading: Reading = { dimension, at, remaining, resetAt, limit };
    if (!this.windowed) {
      for (const other of this.recent) {
        if (other.dimension !== dimension || other.limit !== limit || Math.abs(other.resetAt - resetAt) >= SAME_INSTANT_MS) continue;
        const [early, late] = other.at <= at ? [other, reading] : [reading, other];
        if (early.remaining - late.remaining > 100 * fullRate) this.windowed = true;
      }
      this.recent.push(reading);
      if (this.recent.length > KEEP) this.recent.shift();
    }
    this.noteEnd(resetAt);
  }

  /**
   * A call sent at `at`, that we counted in the window ending at `ourEnd`, landed in the one ending at `theirEnd`.
   * Sent after that end by our clock and still counted before it: the provider's clock is behind by at least the
   * difference. (A whole window off is a wrong length, which more ends will fix, not a margin.)
   */
  landed(at: number, ourEnd: number, theirEnd: number): void {
    if (ourEnd <= theirEnd + SAME_INSTANT_MS || at < theirEnd || at - theirEnd > this.lengthMs() / 2) return;
    this.marginMs = Math.min(MAX_MARGIN_MS, this.lengthMs() / 10, Math.max(this.marginMs * 2, 2 * (at - theirEnd)));
  }

  /** The length to plan with: learned, else the lower bound from the first window. */
  lengthMs(): number {
    if (this.windowMs !== null) return this.windowMs;
    if (this.anchor === null || this.firstAt === null) return 60_000;
    return Math.max(SAME_INSTANT_MS * 5, this.anchor - this.firstAt);
  }

  /** The end of the window `now` counts in (it turns over a margin after each end). */
  endAt(now: number): number {
    const anchor = this.anchor ?? now + 1;
    const length = this.lengthMs();
    const t = now - this.marginMs;
    if (t < anchor) return anchor - length * Math.max(0, Math.ceil((anchor - t) / length - 1));
    return anchor + (Math.floor((t - anchor) / length) + 1) * length;
  }

  private noteEnd(end: number): void {
    this.anchor = Math.max(this.anchor ?? end, end);
    if (!this.windowed || this.ends.some((seen) => Math.abs(seen - end) < SAME_INSTANT_MS)) return;
    this.ends.push(end);
    this.ends.sort((a, b) => a - b);
    if (this.ends.length > KEEP) this.ends.shift();
    let gap = Infinity;
    for (let i = 1; i < this.ends.length; i++) gap = Math.min(gap, this.ends[i]! - this.ends[i - 1]!);
    if (gap === Infinity) return;
    const span = this.ends[this.ends.length - 1]! - this.ends[0]!;
    this.windowMs = span / Math.max(1, Math.round(span / gap));
  }
}
