// How many calls a lane runs at once. Little's law: calls in flight = rate × latency, so the cap follows the rate
// the lane allows times the latency we measure (with headroom for the tail) — a slow provider still reaches its
// limit, and a provider we cannot see is not flooded. With known limits the cap also lets a full bucket's burst
// out at once: a full provider bucket wastes its refill. Before any rate is known the cap starts small and grows
// by one per success (doubling per round trip, like TCP's slow start) until the first 429; a lane also waits for
// its first reply before letting a full bucket out. A burst of 429s starts the slow start again from conservative
// mode's window: leaving that mode, the lane gets back to a full bucket's burst one round trip at a time (without it,
// a lane went from 8 calls out to 122 in one step, into the 429s it had just left).

const HEADROOM = 2;
const SLOW_START = 8;

export class ConcurrencyCap {
  private latencyMs: number | null = null;
  private slowStart = SLOW_START;

  constructor(private readonly ceiling: number) {}

  observeLatency(ms: number): void {
    this.latencyMs = this.latencyMs === null ? ms : this.latencyMs * 0.9 + ms * 0.1;
  }

  get latency(): number | null {
    return this.latencyMs;
  }

  /** The provider admitted a call (its headers or its reply came back): one more may be out (twice as many a round trip). */
  onAdmitted(): void {
    this.slowStart = Math.min(this.ceiling, this.slowStart + 1);
  }

  /**
   * A burst of 429s: the provider took less than the calls out. The slow start begins again from `from` calls, so
   * the lane finds its way back one round trip at a time rather than with a whole bucket's burst.
   */
  restart(from: number): void {
    this.slowStart = Math.max(1, Math.min(this.slowStart, from));
  }

  /**
   * `callsPerMs`: what the lane's rate allows, or null while unknown; `burstCalls`: calls a full bucket admits
   * at once (0 when the rate is only AIMD's guess).
   */
  cap(callsPerMs: number | null, burstCalls: number): number {
    // Until a first reply, even configured limits are not let out at once: the provider may enforce them in
    // windows, share them with others, or not have them at all, and its first replies say which (one round trip).
    if (callsPerMs === null || this.latencyMs === null) return Math.min(this.ceiling, this.slowStart);
    // Nor after it all at once: a provider may also limit calls at once, and a whole bucket's burst would find out
    // with hundreds of calls turned away. The slow start keeps doubling each round trip until the burst fits.
    return Math.min(this.ceiling, this.slowStart, Math.max(littlesLawCap(callsPerMs, this.latencyMs), Math.ceil(burstCalls)));
  }
}

/** Calls in flight that keep a lane at `callsPerMs` when each takes `latencyMs`, with headroom for the tail. */
export function littlesLawCap(callsPerMs: number, latencyMs: number): number {
  return Math.max(4, Math.ceil(callsPerMs * latencyMs * HEADROOM) + 2);
}
