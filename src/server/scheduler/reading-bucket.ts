// The model a lane falls back to on a dimension whose other models the provider contradicted (429s where they
// predicted room, `remaining` falling faster than we send, a window that did not come back whole). It believes only
// what the provider says, whatever its way of counting:
// - what is left is the latest reading's `remaining`, in our units (a provider that reports a 10 s window's
//   remaining in per-minute units says six times what a call takes: `scale` is that six), less what we charged
//   since it (net of refunds);
// - it assumes no refill between readings: with calls out, their readings say what came back;
// - with nothing left and nothing out, one call goes to read again: at the latest reading's reset, or sooner — when
//   the stated rate would have brought back a call's worth — while such early calls are admitted. A provider whose
//   room comes back continuously admits them; one that counts over a sliding window turns the first away, and from
//   then on the lane waits for the reset (when the oldest call leaves the window).
// A provider that counts over a sliding window or a window of its own length is served as fast as its readings
// come back, with no guess about when room returns.
import type { LimitReading } from '../providers/provider';
import type { Bucket } from './bucket';
import { fromMessage } from './header-learning';
import type { WindowMark } from './window-bucket';

/** A wait this long at most while a call sent to read again is out: its reading wakes the lane sooner. */
const PROBE_WAIT_MS = 250;
/** Without a reset, how long after a reading nothing left means "read again". */
const NO_RESET_MS = 1_000;
/**
 * A call sent to read again goes this long after the reset, at first: at the instant itself the oldest call may still
 * count, and the provider's clock runs a request's travel behind ours. Each such call turned away doubles it.
 */
const RESET_MARGIN_MS = 5;
const MAX_RESET_MARGIN_MS = 1_000;
/** What is kept of the room held back after a 429 with every admitted call's reading. */
const SHORTFALL_KEPT = 0.95;

export class ReadingBucket implements Bucket {
  /**
   * The bucket that replaces a dropped model, from the reading that dropped it (if any) of a call admitted `at`: what
   * it says is left in our units, less what we charged since; nothing left until its reset or `until`.
   */
  static after(
    reading: LimitReading | undefined,
    o: { at: number; chargedSince: number; until: number; now: number; perMinute: number; scale: number; ceiling: number | undefined },
  ): ReadingBucket {
    const room = reading?.remaining !== undefined && !fromMessage(reading) ? reading.remaining / o.scale - o.chargedSince : 0;
    const resetAt = Math.max(o.until, reading?.resetMs !== undefined ? o.at + reading.resetMs : o.now);
    return new ReadingBucket(o.perMinute / 60_000, o.scale, room, resetAt, o.now, o.ceiling);
  }

  private room: number;
  /** The admission time of the reading that set `room` last. */
  private readAt = -Infinity;
  /** When the latest reading says room comes back (a window's end, the oldest entry leaving, full again). */
  private resetAt: number;
  /** When a call last went to read again with nothing left, and whether it went before the reset. */
  private probedAt = -Infinity;
  private probeEarly = false;
  /** Whether a call sent to read again before the reset is admitted (null: not tried yet). */
  private earlyWorks: boolean | null = null;
  /** The most any reading left: the largest burst the provider has shown it allows. */
  private most: number;
  private marginMs = RESET_MARGIN_MS;
  /**
   * Room kept back, in our units: by how much the latest 429s on this dimension found a call short where this bucket
   * saw room (readings that lag a window shorter than a call's round trip, refunds the provider does not make), less a
   * share with every reading of an admitted call.
   */
  private shortfall = 0;

  constructor(
    /** The stated (or configured) per-minute limit, per ms, in our units. */
    private readonly limitPerMs: number,
    /** Provider units per unit we charge (1 when `remaining` counts what we send); raised by `rescale`. */
    public scale: number,
    room: number,
    resetAt: number,
    _now: number,
    /** A configured per-minute limit: readings may show less room, never more. */
    private readonly ceiling = Infinity,
  ) {
    this.room = Math.min(ceiling, Math.max(0, room));
    this.most = Math.max(1, this.room);
    this.resetAt = resetAt;
  }

  get capacity(): number {
    return this.most;
  }

  get rate(): number {
    return this.limitPerMs;
  }

  level(_now: number): number {
    return this.room;
  }

  waitFor(amount: number, now: number): number {
    const needed = Math.min(amount + this.shortfall, this.most);
    if (this.room + 1e-6 >= needed) return 0;
    // A call sent to read again is out: its reading (or its 429) decides.
    if (this.probedAt > this.readAt) return PROBE_WAIT_MS;
    let next = this.resetAt + this.marginMs;
    if (this.earlyWorks !== false && this.limitPerMs > 0) next = Math.min(next, Math.max(this.readAt, this.probedAt) + (needed - this.room) / this.limitPerMs);
    return Math.max(0, next - now);
  }

  take(amount: number, now: number): void {
    if (this.room + 1e-6 < amount) {
      this.probedAt = now;
      this.probeEarly = now < this.resetAt;
    }
    this.room -= amount;
  }

  adjust(delta: number, _now: number): void {
    this.room = Math.min(this.most, this.room + delta);
  }

  giveBack(refund: number, correction: number, _mark: WindowMark | undefined, now: number): void {
    this.adjust(refund + correction, now);
  }

  clamp(most: number, _now: number): void {
    this.room = Math.min(this.room, most);
  }

  /**
   * A reading taken when a call was admitted at `at`: `remaining` in the provider's units, the reset (if said) in ms
   * from `at`; `chargedSince` is what we charged since (net of refunds); `admitted` is false for a 429's headers.
   */
  read(at: number, remaining: number, resetMs: number | undefined, chargedSince: number, admitted = true): void {
    const left = Math.min(this.ceiling, remaining / this.scale);
    this.most = Math.max(this.most, left);
    if (admitted) this.shortfall *= SHORTFALL_KEPT;
    // The call sent early to read again: admitted, early calls work here; turned away, they never will.
    if (at === this.probedAt && this.probeEarly && this.earlyWorks !== false) this.earlyWorks = admitted;
    if (at >= this.readAt) {
      this.readAt = at;
      this.room = left - chargedSince;
      this.resetAt = at + (resetMs ?? NO_RESET_MS);
    } else {
      // An older reading can only say there is less.
      this.room = Math.min(this.room, left - chargedSince);
    }
  }

  /**
   * The call admitted at `at` is back, however it ended: a call sent to read again that brought no reading (an error,
   * a 429 for something else) no longer holds the next one back.
   */
  settled(at: number): void {
    if (at === this.probedAt && this.readAt < at) this.readAt = at;
  }

  /** The provider turned out to count in larger units than `scale` said: what is left and the most, in ours, shrink. */
  rescale(scale: number): void {
    if (scale <= this.scale) return;
    const shrink = this.scale / scale;
    this.room = this.room > 0 ? this.room * shrink : this.room;
    this.most = Math.max(1, this.most * shrink);
    this.scale = scale;
  }

  /**
   * A 429 on this dimension: nothing is left until `until`; a call sent early to read again was too early. `short`:
   * what the call lacked by the 429's own reading (our units), kept back from now on.
   */
  rejected(until: number, _now: number, short = 0): void {
    if (this.probedAt < this.readAt || !this.probeEarly) this.shortfall = Math.min(this.most / 2, Math.max(this.shortfall, short));
    this.room = Math.min(this.room, 0);
    this.resetAt = Math.max(this.resetAt, until);
    if (this.probedAt >= this.readAt) {
      if (this.probeEarly) this.earlyWorks = false;
      else this.marginMs = Math.min(MAX_RESET_MARGIN_MS, this.marginMs * 2);
      this.readAt = this.probedAt;
    }
  }
}
