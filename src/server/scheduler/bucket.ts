// A continuous token bucket: `rate` units per millisecond refill up to `capacity`.
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    private capacity: number,
    private ratePerMs: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Milliseconds until `amount` can be taken (0 = now). Amounts above capacity wait for a full bucket. */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    const needed = Math.min(amount, this.capacity) - this.level;
    return needed <= 0 ? 0 : needed / this.ratePerMs;
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  /** Returns units charged at admission that turned out unused (or charges more when usage exceeded the estimate). */
  adjust(delta: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + delta);
  }

  private refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.ratePerMs);
    this.updatedAt = now;
  }
}
