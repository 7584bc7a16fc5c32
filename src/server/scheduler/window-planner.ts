// What the scheduler asks of a lane when it packs a fixed window: where the current window stands, which call to send
// before its last calls go, and whether calls still fit. It keeps the lane's calls in flight and what the latest calls
// back gave back, from which the refunds still to come in the window are forecast.
import type { AdmissionMark } from './header-learning';
import type { Bucket } from './bucket';
import { costOn, type Dimension, type TicketCosts } from './dimensions';
import { RefundForecast } from './refund-forecast';
import { WindowBucket, type WindowMark } from './window-bucket';
import { planWindow } from './window-plan';

export class WindowPlanner {
  /** The calls in flight, as admitted, and what the latest calls back gave back and when. */
  readonly outstanding = new Set<AdmissionMark>();
  readonly returns = new RefundForecast();

  constructor(
    private readonly buckets: ReadonlyMap<Dimension, Bucket>,
    private readonly averageCost: Readonly<Record<Dimension, number>>,
    private readonly inflightCharged: Readonly<Record<Dimension, number>>,
  ) {}

  /**
   * For a lane whose provider enforces fixed windows: when the current window ends, and the least we have charged
   * in it on any windowed dimension (else null).
   */
  currentWindow(now: number): WindowMark | null {
    let window: WindowMark | null = null;
    for (const bucket of this.buckets.values()) {
      if (!(bucket instanceof WindowBucket)) continue;
      const mark = bucket.mark(now);
      window = window ? { end: Math.min(window.end, mark.end), used: Math.min(window.used, mark.used) } : mark;
    }
    return window;
  }

  /**
   * For a lane whose provider enforces fixed windows, before the window's last calls go at `fillAt`: which of `calls`
   * (in queue order) to send now, or -1 to hold them all till then. Planned on the windowed dimension with room for
   * the fewest calls; only calls that `canGo` (the buckets have room for them now) are sent.
   */
  planWindow(calls: readonly TicketCosts[], canGo: readonly boolean[], fillAt: number, now: number): number {
    let plan: { dimension: Dimension; bucket: WindowBucket; room: number } | null = null;
    for (const [dimension, bucket] of this.buckets) {
      if (!(bucket instanceof WindowBucket) || this.averageCost[dimension] <= 0) continue;
      const room = bucket.level(now) / this.averageCost[dimension];
      if (!plan || room < plan.room) plan = { dimension, bucket, room };
    }
    if (!plan) return -1;
    const { dimension, bucket } = plan;
    // A call gives back the part of its max_tokens it did not write, on the dimensions that charged it.
    const refunded = dimension === 'tokens' || dimension === 'output_tokens';
    const inFlight = [...this.outstanding].map((mark) => ({ at: mark.at, allowance: refunded && mark.costs ? costOn('output_tokens', mark.costs) : 0 }));
    const refunds = this.returns.outlook(inFlight, now, fillAt);
    return planWindow(
      bucket.level(now),
      bucket.mark(now).used,
      refunds,
      calls.map((call) => costOn(dimension, call)),
      canGo,
      this.returns.known,
    );
  }

  /** Whether a windowed dimension has a reading from inside the current window (a streamed reply's headers). */
  readInWindow(now: number): boolean {
    for (const bucket of this.buckets.values()) if (bucket instanceof WindowBucket && bucket.read(now)) return true;
    return false;
  }

  /** Whether the buckets have room now for `first` and `then` together. */
  fitsBoth(first: TicketCosts, then: TicketCosts, now: number): boolean {
    for (const [dimension, bucket] of this.buckets) {
      if (bucket.level(now) + 1e-6 < costOn(dimension, first) + costOn(dimension, then)) return false;
    }
    return true;
  }

  /**
   * Whether the current window could still take all of `calls`: they fit what is left of it and all that the calls
   * in flight could give back.
   */
  couldTakeAll(calls: readonly TicketCosts[], now: number): boolean {
    for (const [dimension, bucket] of this.buckets) {
      const total = calls.reduce((sum, call) => sum + costOn(dimension, call), 0);
      if (total > bucket.level(now) + this.inflightCharged[dimension]) return false;
    }
    return true;
  }
}
