// A provider's fixed window on one dimension: its whole quota comes back at the window's end, not a little every
// millisecond. Pacing such a provider like a continuous bucket wastes most of each window's start and meets 429s
// near its end; this bucket spends the quota as soon as the window opens and then waits for the next one.
//
// The quota is what the window leaves for us (the provider's allowance less what other clients of the key take):
// `remaining` at a call's admission plus what we had charged in that window by then. Refunds of finished calls
// come back into the window they finish in, as providers credit them.
//
// What is left of the window is what we charged it from our estimates, until the provider says better: a streamed
// reply's headers come with its first token, inside the window, and say what remained after it exactly. From
// them the margin our prompt estimates carry comes back before the window's last calls go.
import type { Bucket } from './bucket';
import type { WindowClock } from './window-clock';

/** Where a window bucket stood when a call was admitted. */
export interface WindowMark {
  end: number;
  used: number;
  /** Sent before the window's end to read again, with no room by our count. */
  probe?: boolean;
  /** The call's place among the window's admissions, when the bucket admitted it. */
  slot?: WindowSlot;
}

/** One call admitted in the current window: what we charged it, and what the provider said remained after it. */
export interface WindowSlot {
  at: number;
  /** Its place in the order of everything this bucket saw (calls sent, refunds seen). */
  seq: number;
  cost: number;
  remaining?: number;
}

/**
 * A refund seen this soon after a call went out may have reached the provider before that call did: at least this,
 * or twice the clock's margin (which widens as calls are seen to take longer to reach the provider).
 */
const REFUND_GUARD_MS = 25;
/** Calls sent this close together may reach the provider in either order. */
const REORDER_MS = 250;
/** How many of a window's latest readings are weighed. */
const CANDIDATES = 16;
/**
 * A lane that would wait longer than this for the window's end, with nothing out, sends one call to read again
 * first, halfway from the latest word from the provider to the end. A window that comes back only at its end refuses
 * it; a provider whose room comes back sooner (a sliding counter's weight fading, a "full again" reset taken for a
 * window's end) admits it, and its reading names another end: the model is wrong. A model refused like that in
 * TESTS windows has passed, and costs no more 429s. A provider that sends no readings cannot say which end a call
 * counted in: no calls go to read again there.
 */
const PROBE_AFTER_MS = 4_000;
const TESTS = 2;

export class WindowBucket implements Bucket {
  /** What is left of the window by our own charges, estimates and refunds. */
  private current: number;
  /** Our charges in the current window, net of refunds. */
  private used: number;
  /** The end of the window `current` and `used` count. */
  private end: number;
  /** The window whose readings set `quota` last (none yet: the quota is a first guess). */
  private quotaEnd = -Infinity;
  /** The calls admitted in the current window, in the order they went, and the refunds seen in it. */
  private slots: WindowSlot[] = [];
  private refunds: { at: number; seq: number; amount: number }[] = [];
  private seq = 0;
  /** What the readings say is left (null: to be worked out again; -Infinity: they say nothing). */
  private said: number | null = null;
  /** A 429 said the window was spent without saying how: no reading before it counts this window. */
  private spent = false;
  /**
   * Whether a window has been seen to come back whole at its end. Until then a new window lets out only one call
   * and waits for its reading: a sliding window looks like a fixed one until its first end, where
   * only the oldest calls leave it, and a whole window's burst there would meet a wall of 429s.
   */
  private confirmed = false;
  private awaiting = false;
  /** An unconfirmed window's one call has not gone yet. */
  private probeOpen = false;
  /** A reading from the first new window said it did not come back whole. */
  contradicted = false;
  /** A call sent before the window's end to read again was admitted, and its reading named another end. */
  cameBackEarly = false;
  /** Whether the provider's readings can say which window a call counted in (false: it speaks only in 429s). */
  private readable = true;
  /** Windows whose call sent to read again was refused: the model passed the test. */
  private passed = 0;
  /** This window's calls sent to read again before its end, and whether one is out. */
  private probes = 0;
  private probeOut = false;
  /** Calls sent to read again that a provider without readings admitted. */
  private heldMore = 0;
  /** The latest word from the provider about this window (a reading, a refund), or call sent: probes count from it. */
  private heardAt = -Infinity;

  /** A provider that sends no headers cannot show a window whole: its 429s, not a reading, must say otherwise. */
  unchecked(): void {
    this.readable = false;
    this.confirmed = true;
    if (this.probeOpen) {
      this.probeOpen = false;
      this.awaiting = false;
      this.current = this.quota - this.used;
    }
  }

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
    if (this.probeOpen) return this.quota;
    return Math.max(this.current, Math.min(this.quota, this.readings()));
  }

  /** Whether the provider has said, inside this window, what remained after one of our calls. */
  read(now: number): boolean {
    this.roll(now);
    return this.readings() > -Infinity;
  }

  /**
   * 0 when the window has room; else the time until the next one opens (above the quota: a whole window), or until a
   * call may go to read again when the lane has nothing out (`idle`).
   */
  waitFor(amount: number, now: number, idle = false): number {
    this.roll(now);
    const next = this.end + this.clock.marginMs;
    // Between the end and the margin after it a call could land in either window: wait it out.
    if (now >= this.end) return Math.max(1, next - now);
    const needed = Math.min(amount, this.quota) - this.level(now);
    if (needed <= 1e-6 * Math.max(1, this.quota)) return 0;
    if (idle && this.confirmed && !this.probeOut && this.probes === 0 && this.passed < TESTS && next - now > PROBE_AFTER_MS) {
      const probeAt = this.heardAt + (next - this.heardAt) / 2;
      if (next - probeAt > PROBE_AFTER_MS / 2) return Math.max(0, probeAt - now);
    }
    return Math.max(1, next - now);
  }

  take(amount: number, now: number): void {
    this.roll(now);
    if (this.probeOpen) {
      this.probeOpen = false;
      this.current = amount;
    }
    this.current -= amount;
    this.used += amount;
  }

  /** Charges a call admitted now; its mark keeps its place among the window's calls. */
  admit(amount: number, now: number): WindowMark {
    this.roll(now);
    const probe = this.confirmed && now < this.end && this.level(now) + 1e-6 * Math.max(1, this.quota) < Math.min(amount, this.quota);
    if (probe) {
      this.probes++;
      this.probeOut = true;
    }
    this.heardAt = Math.max(this.heardAt, now);
    this.take(amount, now);
    const slot: WindowSlot = { at: now, seq: this.seq++, cost: amount };
    this.slots.push(slot);
    this.said = null;
    return probe ? { end: this.end, used: this.used, slot, probe } : { end: this.end, used: this.used, slot };
  }

  /** The call sent to read again was turned away: the window is as we thought. */
  probeRefused(now: number): void {
    this.roll(now);
    this.probeOut = false;
    this.heardAt = now;
    this.passed++;
  }

  /**
   * A provider that speaks only in 429s admitted the call sent to read again, with no room left by the model: the
   * window holds more than the model thought (true: the model is contradicted). With readings, the reading says how much.
   */
  probeAdmitted(mark: WindowMark | undefined): boolean {
    if (!mark?.probe) return false;
    this.probeOut = false;
    if (this.readable) return false;
    // Once may be the model's quota a little short (it holds at least what went into it); twice, the model is wrong.
    if (++this.heldMore >= TESTS) return true;
    if (this.clock.same(mark.end, this.end)) this.setQuota(Math.max(this.quota, this.used));
    return false;
  }

  /** A call admitted with `mark` is back, however it ended: a call sent to read again holds the next one no longer. */
  settled(mark: WindowMark | undefined): void {
    if (mark?.probe) this.probeOut = false;
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
    this.heardAt = now;
    const sameWindow = mark !== undefined && this.clock.same(mark.end, this.end);
    if (sameWindow && mark.slot) mark.slot.cost -= correction;
    if (refund !== 0) this.refunds.push({ at: now, seq: this.seq++, amount: refund });
    this.said = null;
    this.adjust(refund + (sameWindow ? correction : 0), now);
  }

  clamp(most: number, now: number): void {
    this.roll(now);
    this.current = Math.min(this.current, most);
    this.spent = true;
    this.said = null;
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
    this.heardAt = now;
    if (mark?.probe) {
      this.probeOut = false;
      // Admitted before the end we expected room at, and counted in a window that ends elsewhere: room came back sooner.
      if (!this.clock.same(end, mark.end) && end > mark.end) this.cameBackEarly = true;
    }
    if (this.awaiting && mark && this.clock.same(end, this.end) && this.clock.same(mark.end, this.end)) {
      this.awaiting = false;
      // Whole again: what it says is left and what we had charged in it add up to (nearly) the last quota.
      if (remaining + mark.used >= 0.8 * this.quota) {
        this.confirmed = true;
        this.current = this.quota - this.used;
      } else {
        this.contradicted = true;
      }
    }
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
    if (!this.clock.same(end, this.end)) return;
    this.current = Math.min(this.current, remaining - chargedSince);
    if (mark?.slot && this.slots.includes(mark.slot)) {
      mark.slot.remaining = remaining;
      this.said = null;
    }
  }

  /**
   * What the provider's readings of this window say is left. A reading counts the calls that went well before it,
   * and those that went about together with it that read higher (the provider admitted them first); the calls it
   * may not have counted are charged as we estimated them, and the refunds seen since it are added. The reading that
   * leaves the least to our estimates says it (the provider's latest, usually with nothing left to estimate).
   */
  private readings(): number {
    if (this.said !== null) return this.said;
    const guard = this.guardMs();
    let best = { estimated: Infinity, left: -Infinity };
    // The latest readings only, and only the calls sent since a little before each: a window of a fast lane holds
    // thousands of calls, and this runs whenever one goes or comes back.
    for (let r = this.slots.length - 1, seen = 0; r >= 0 && seen < CANDIDATES && !this.spent; r--) {
      const read = this.slots[r]!;
      if (!hasReading(read)) continue;
      seen++;
      let estimated = 0;
      for (let i = this.slots.length - 1; i >= 0 && this.slots[i]!.at >= read.at - REORDER_MS; i--) {
        const slot = this.slots[i]!;
        if (slot !== read && !this.countedIn(slot, read)) estimated += slot.cost;
      }
      let left = read.remaining - estimated;
      // Seen after it went and long enough after: the provider gave it back after admitting this call.
      for (let j = this.refunds.length - 1; j >= 0 && this.refunds[j]!.seq > read.seq; j--) {
        if (this.refunds[j]!.at > read.at + guard) left += this.refunds[j]!.amount;
      }
      if (estimated < best.estimated || (estimated === best.estimated && left < best.left)) best = { estimated, left };
    }
    this.said = best.left;
    return best.left;
  }

  private guardMs(): number {
    return Math.max(REFUND_GUARD_MS, 2 * this.clock.marginMs);
  }

  /** Whether the provider had admitted `slot` when it read `read` out. */
  private countedIn(slot: WindowSlot, read: WindowSlot & { remaining: number }): boolean {
    if (slot.at < read.at - REORDER_MS) return true;
    if (slot.at > read.at + REORDER_MS || slot.remaining === undefined || slot.remaining <= read.remaining) return false;
    // Read higher, so admitted first: by more than the refunds seen after either went out could have raised the later.
    const first = Math.min(slot.seq, read.seq);
    const until = Math.max(slot.at, read.at) + REORDER_MS + this.guardMs();
    let between = 0;
    for (let j = this.refunds.length - 1; j >= 0 && this.refunds[j]!.seq > first; j--) {
      if (this.refunds[j]!.at <= until) between += Math.max(0, this.refunds[j]!.amount);
    }
    return slot.remaining > read.remaining + between;
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
    // A window that ended with no reading from inside it (calls slower than the window) cannot be checked this way:
    // the strikes of 429s are left to catch a wrong model there.
    if (this.awaiting) this.confirmed = true;
    this.current = this.confirmed ? this.quota : 0;
    this.awaiting = !this.confirmed;
    this.probeOpen = !this.confirmed;
    this.used = 0;
    this.slots = [];
    this.refunds = [];
    this.said = null;
    this.spent = false;
    this.probes = 0;
    this.probeOut = false;
  }
}

function hasReading(slot: WindowSlot): slot is WindowSlot & { remaining: number } {
  return slot.remaining !== undefined;
}
