import type { WindowMark } from './window-bucket';

// A continuous token bucket: `rate` units per millisecond refill up to `capacity`.
// Its limit can be changed (learned from headers) and its level clamped (to what the provider says remains).

/** What a lane asks of a bucket on one dimension: a continuous one, or a provider's fixed windows. */
export interface Bucket {
  readonly capacity: number;
  /** Units per millisecond on average. */
  readonly rate: number;
  level(now: number): number;
  waitFor(amount: number, now: number): number;
  take(amount: number, now: number): void;
  adjust(delta: number, now: number): void;
  clamp(most: number, now: number): void;
  /**
   * A finished (or rejected) call: `refund` is what the provider gives back now, `correction` what our estimate
   * charged beyond the provider's own charge, which belongs where the call was charged (`mark`, for windows).
   */
  giveBack(refund: number, correction: number, mark: WindowMark | undefined, now: number): void;
}

export class TokenBucket implements Bucket {
  private current: number;
  private updatedAt: number;

  constructor(
    private cap: number,
    private ratePerMs: number,
    now: number,
    initialLevel = cap,
  ) {
    this.current = Math.min(cap, initialLevel);
    this.updatedAt = now;
  }

  get capacity(): number {
    return this.cap;
  }

  get rate(): number {
    return this.ratePerMs;
  }

  level(now: number): number {
    this.refill(now);
    return this.current;
  }

  /** Milliseconds until `amount` can be taken (0 = now). Amounts above capacity wait for a full bucket. */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    // A hair short is as good as there: float rounding must not leave a call waiting for 1e-12 ms forever.
    const needed = Math.min(amount, this.cap) - this.current;
    return needed <= 1e-6 * Math.max(1, this.cap) ? 0 : needed / this.ratePerMs;
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.current -= amount;
  }

  /** Returns units charged at admission that turned out unused (or charges more when usage exceeded the estimate). */
  adjust(delta: number, now: number): void {
    this.refill(now);
    this.current = Math.min(this.cap, this.current + delta);
  }

  giveBack(refund: number, correction: number, _mark: WindowMark | undefined, now: number): void {
    this.adjust(refund + correction, now);
  }

  /** Never more than `most` available now: the provider knows what other clients of the key used. */
  clamp(most: number, now: number): void {
    this.refill(now);
    this.current = Math.min(this.current, most);
  }

  /**
   * At least `least` available now (never above capacity), when that is far more than we thought (a quarter of the
   * capacity): a window that turned over. Small differences are our estimates' error, and only lower the level.
   */
  raise(least: number, now: number): void {
    this.refill(now);
    if (least - this.current > this.cap / 4) this.current = Math.min(this.cap, least);
  }

  /** A new limit: what was taken stays taken. */
  reconfigure(capacity: number, ratePerMs: number, now: number): void {
    this.refill(now);
    this.current = Math.min(capacity, this.current);
    this.cap = capacity;
    this.ratePerMs = ratePerMs;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) this.current = Math.min(this.cap, this.current + (now - this.updatedAt) * this.ratePerMs);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
