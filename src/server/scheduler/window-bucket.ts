// A provider's fixed window on one dimension: its whole quota comes back at the window's end, not a little every
// millisecond. Pacing such a provider like a continuous bucket wastes most of each window's start and meets 429s
// near its end; this bucket spends the quota as soon as the window opens and then waits for the next one.
//
// The quota is what the window leaves for us (the provider's allowance less what other clients of the key take):
// `remaining` at a call's admission plus what we had charged in that window by then. Refunds of finished calls
// come back into the window they finish in, as providers credit them.
import type { Bucket } from './bucket';
import type { WindowClock } from './window-learning';

/** Where a window bucket stood when a call was admitted. */
export interface WindowMark {
  end: number;
  used: number;
}

export class WindowBucket implements Bucket {
  private current: number;
  /** Our charges in the current window, net of refunds. */
  private used: number;
  /** The end of the window `current` and `used` count. */
  private end: number;
  /** The window whose readings set `quota` last (none yet: the quota is a first guess). */
  private quotaEnd = -Infinity;

  constructor(
    private quota: number,
    private readonly clock: WindowClock,
    level: number,
    now: number,
  ) {
    this.current = Math.min(quota, level);
    this.used = Math.max(0, quota - this.current);
    this.end = clock.endAt(now);
  }

  get capacity(): number {
    return this.quota;
  }

  get rate(): number {
    return this.quota / this.clock.lengthMs();
  }

  /** The current window's end and our charges in it: kept with each admission. */
  mark(now: number): WindowMark {
    this.roll(now);
    return { end: this.end, used: this.used };
  }

  level(now: number): number {
    this.roll(now);
    return this.current;
  }

  /** 0 when the window has room; else the time until the next one opens (above the quota: a whole window). */
  waitFor(amount: number, now: number): number {
    this.roll(now);
    const next = this.end + this.clock.marginMs;
    // Between the end and the margin after it a call could land in either window: wait it out.
    if (now >= this.end) return Math.max(1, next - now);
    const needed = Math.min(amount, this.quota) - this.current;
    return needed <= 1e-6 * Math.max(1, this.quota) ? 0 : Math.max(1, next - now);
  }

  take(amount: number, now: number): void {
    this.roll(now);
    this.current -= amount;
    this.used += amount;
  }

  /** A refund (or an overrun) lands in the window it happens in; the provider never credits below zero use. */
  adjust(delta: number, now: number): void {
    this.roll(now);
    const used = Math.max(0, this.used - delta);
    this.current = Math.min(this.quota, this.current + (this.used - used));
    this.used = used;
  }

  /** What our estimate overcharged stays with the window it was charged in; a spent window keeps it. */
  giveBack(refund: number, correction: number, mark: WindowMark | undefined, now: number): void {
    this.roll(now);
    this.adjust(refund + (mark && this.clock.same(mark.end, this.end) ? correction : 0), now);
  }

  clamp(most: number, now: number): void {
    this.roll(now);
    this.current = Math.min(this.current, most);
  }

  /** A lower ceiling on the quota (a configured limit, or the provider's own per-minute limit over the window). */
  limitQuota(most: number, now: number): void {
    this.roll(now);
    if (most < this.quota) this.setQuota(most);
  }

  /**
   * A reading from the provider (after the clock saw it): its window ends at `end`, and `remaining` was left when
   * the call was admitted. `mark` is where this bucket stood then, `chargedSince` our net charges since.
   */
  observe(end: number, remaining: number, mark: WindowMark | null, chargedSince: number, ceiling: number, now: number): void {
    this.roll(now);
    if (mark && this.clock.same(mark.end, end)) {
      // The quota follows the latest window we have a reading of: other clients' use changes from window to window.
      const sample = Math.min(ceiling, remaining + mark.used);
      if (end > this.quotaEnd + this.clock.toleranceMs()) {
        this.quotaEnd = end;
        this.setQuota(sample);
      } else if (sample > this.quota) {
        this.setQuota(sample);
      }
    }
    // Only a reading of the window we are in says what is left of it; older ones are spent.
    if (this.clock.same(end, this.end)) this.current = Math.min(this.current, remaining - chargedSince);
  }

  private setQuota(quota: number): void {
    this.current += quota - this.quota;
    this.quota = quota;
  }

  private roll(now: number): void {
    const end = this.clock.endAt(now);
    if (this.clock.same(end, this.end)) {
      this.end = Math.max(this.end, end);
      return;
    }
    // The clock learned a shorter window than it assumed: we moved on too early, and are still in this one.
    if (end < this.end) {
      this.end = end;
      return;
    }
    this.end = end;
    this.current = this.quota;
    this.used = 0;
  }
}
