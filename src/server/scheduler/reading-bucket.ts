// The model a lane falls back to on a dimension whose other models the provider contradicted (429s where they
// predicted room, `remaining` falling faster than we send, a window that did not come back whole). It believes only
// what the provider says, whatever its way of counting:
// - what is left is the latest reading's `remaining`, in our units (a provider that reports a 10 s window's
//   remaining in per-minute units says six times what a call takes: `scale` is that six), less what we charged
//   since it (net of refunds);
// - it refills only as fast as the readings have shown room coming back (`remaining` + our net charges, rising over
//   a few seconds), never faster than the stated limit, and a 429 on it halves that;
// - when nothing is left and the latest reading's reset has passed, one call goes to read again.
// A provider that counts over a sliding window or a window of its own length is served as fast as its readings
// come back, with no guess about when room returns.
import type { Bucket } from './bucket';
import type { WindowMark } from './window-bucket';

/** How far back readings are kept to measure the refill, and how far apart two must be to measure it. */
const HISTORY_MS = 15_000;
const SLOPE_MS = 2_000;
/** Of the refill the readings show, this share is assumed. */
const REFILL_SHARE = 0.9;
/** Without a reset, how long after a reading nothing left means "read again". */
const NO_RESET_MS = 1_000;
/** A wait this long at most while a call sent to read again is out: its reading wakes the lane sooner. */
const PROBE_WAIT_MS = 250;

interface Level {
  at: number;
  level: number;
}

export class ReadingBucket implements Bucket {
  private room: number;
  private updatedAt: number;
  /** The admission time of the reading that set `room` last. */
  private readAt = -Infinity;
  /** When the latest reading says room comes back (a window's end, the oldest entry leaving, full again). */
  private resetAt: number;
  /** When a call last went to read again, with nothing left. */
  private probedAt = -Infinity;
  private refillPerMs = 0;
  /** The most any reading left: the largest burst the provider has shown it allows. */
  private most: number;
  private readonly levels: Level[] = [];

  constructor(
    /** The stated (or configured) per-minute limit, per ms, in our units: the refill is never faster. */
    private readonly limitPerMs: number,
    /** Provider units per unit we charge (1 when `remaining` counts what we send). */
    readonly scale: number,
    room: number,
    resetAt: number,
    now: number,
    /** A configured per-minute limit: readings may show less room, never more. */
    private readonly ceiling = Infinity,
  ) {
    this.room = Math.min(ceiling, Math.max(0, room));
    this.most = Math.max(1, this.room);
    this.resetAt = resetAt;
    this.updatedAt = now;
  }

  get capacity(): number {
    return this.most;
  }

  get rate(): number {
    return this.limitPerMs;
  }

  level(now: number): number {
    this.refill(now);
    return this.room;
  }

  waitFor(amount: number, now: number): number {
    this.refill(now);
    if (this.room + 1e-6 >= Math.min(amount, this.most)) return 0;
    if (now < this.resetAt) {
      const byRefill = this.refillPerMs > 0 ? (Math.min(amount, this.most) - this.room) / this.refillPerMs : Infinity;
      return Math.max(1, Math.min(byRefill, this.resetAt - now + 1));
    }
    // The reset has passed and no reading since says what came back: one call goes to find out.
    return this.probedAt >= this.resetAt ? PROBE_WAIT_MS : 0;
  }

  take(amount: number, now: number): void {
    this.refill(now);
    if (this.room + 1e-6 < amount) this.probedAt = now;
    this.room -= amount;
  }

  adjust(delta: number, now: number): void {
    this.refill(now);
    this.room = Math.min(this.most, this.room + delta);
  }

  giveBack(refund: number, correction: number, _mark: WindowMark | undefined, now: number): void {
    this.adjust(refund + correction, now);
  }

  clamp(most: number, now: number): void {
    this.refill(now);
    this.room = Math.min(this.room, most);
  }

  /**
   * A reading taken when a call was admitted at `at`: `remaining` in the provider's units, the reset (if said) in ms
   * from `at`; `chargedSince` is what we charged since (net of refunds), `netCharged` everything we charged until then.
   */
  read(at: number, remaining: number, resetMs: number | undefined, chargedSince: number, netCharged: number, now: number): void {
    this.refill(now);
    const left = Math.min(this.ceiling, remaining / this.scale);
    this.most = Math.max(this.most, left);
    const resetAt = at + (resetMs ?? NO_RESET_MS);
    if (at >= this.readAt) {
      this.readAt = at;
      this.room = left - chargedSince;
      this.resetAt = resetAt;
    } else {
      // An older reading can only say there is less.
      this.room = Math.min(this.room, left - chargedSince);
    }
    this.learnRefill(at, left + netCharged);
  }

  /** A 429 on this dimension: nothing is left until `until`, and the refill we assumed was too fast. */
  rejected(until: number, now: number): void {
    this.refill(now);
    this.room = Math.min(this.room, 0);
    this.resetAt = Math.max(this.resetAt, until);
    this.refillPerMs /= 2;
  }

  private learnRefill(at: number, level: number): void {
    this.levels.push({ at, level });
    this.levels.sort((a, b) => a.at - b.at);
    while (this.levels.length > 0 && this.levels[0]!.at < at - HISTORY_MS) this.levels.shift();
    const first = this.levels[0]!;
    const last = this.levels[this.levels.length - 1]!;
    if (last.at - first.at < SLOPE_MS) return;
    const slope = (last.level - first.level) / (last.at - first.at);
    this.refillPerMs = Math.min(this.limitPerMs, Math.max(0, slope * REFILL_SHARE));
  }

  private refill(now: number): void {
    if (now > this.updatedAt && this.room < this.most) this.room = Math.min(this.most, this.room + (now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
