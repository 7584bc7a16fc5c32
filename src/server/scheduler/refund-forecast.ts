// When the calls in flight will come back, and how much of their max_tokens allowance they will give back: read off
// the latest calls that returned. A call that returns sooner wrote less, so latency and refund are kept in pairs.
import type { RefundOutlook } from './window-plan';

/** How many of the latest returns the forecast reads. */
const SAMPLES = 200;
/** Steps of the grid the calls' refunds are added up on. */
const GRID = 200;

/** A call in flight: when it was admitted, and the output allowance it was charged (what its refund comes out of). */
export interface Outstanding {
  at: number;
  allowance: number;
}

export class RefundForecast {
  private readonly latencies: number[] = [];
  /** The share of its allowance each call gave back, alongside its latency. */
  private readonly shares: number[] = [];
  private next = 0;

  /** Whether any call came back yet: before that, the forecast knows nothing (not that nothing comes back). */
  get known(): boolean {
    return this.latencies.length > 0;
  }

  observe(latencyMs: number, share: number): void {
    const at = this.latencies.length < SAMPLES ? this.latencies.length : this.next;
    this.latencies[at] = latencyMs;
    this.shares[at] = Math.min(1, Math.max(0, share));
    this.next = (at + 1) % SAMPLES;
  }

  /**
   * What `calls` may give back after `now` and by `until`, as chances on a grid: each call's refund is drawn
   * from the latest returns that took longer than its age so far (none in time, when it came back later or never;
   * a call older than every sample gives nothing back in time), and the calls' refunds add up independently.
   */
  outlook(calls: Iterable<Outstanding>, now: number, until: number): RefundOutlook {
    const spread: number[][] = [];
    let most = 0;
    for (const call of calls) {
      if (call.allowance <= 0) continue;
      spread.push(this.refunds(call, now - call.at, until - call.at));
      most += call.allowance;
    }
    if (spread.length === 0) return { step: 1, chances: [1] };
    // The sum's distribution on a grid of at most a few hundred steps.
    const step = Math.max(1, most / GRID);
    let sum = [1];
    for (const refunds of spread) {
      const one: number[] = [];
      for (const refund of refunds) {
        const at = Math.round(refund / step);
        one[at] = (one[at] ?? 0) + 1 / refunds.length;
      }
      const next = new Array<number>(sum.length + one.length - 1).fill(0);
      for (let i = 0; i < sum.length; i++) {
        if (sum[i] === 0) continue;
        for (let j = 0; j < one.length; j++) if (one[j]) next[i + j]! += sum[i]! * one[j]!;
      }
      sum = next;
    }
    return { step, chances: sum };
  }

  /** What one call of `age` may give back by `horizon` (both since its admission): one amount per live sample. */
  private refunds(call: Outstanding, age: number, horizon: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.latencies.length; i++) {
      const latency = this.latencies[i]!;
      if (latency <= age) continue;
      out.push(latency <= horizon ? this.shares[i]! * call.allowance : 0);
    }
    return out.length === 0 ? [0] : out;
  }
}
