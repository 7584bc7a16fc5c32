// One limited dimension's meter, in each of the ways providers and gateways count: a continuous bucket, fixed
// windows, an exact log of admitted calls over a sliding window, and the two-counter sliding-window estimate.
// `advance` moves a meter to the present; `fits` and `waitFrom` only look (at the present or a later instant, as
// if nothing else happened until then), so the limiter can say exactly when a turned-away call would fit.
import type { LimitKind, ResetForm } from './config';

export interface MeterContext {
  /** When the provider started: fixed windows are aligned to it. */
  start: number;
  windowMs: number;
  /** The other tenant's share of every limit. */
  share: number;
  /** The per-minute limit in force at an instant. */
  limit(now: number): number;
}

export interface Meter {
  readonly kind: LimitKind;
  advance(now: number): void;
  /** Whether a call of `cost` would be admitted at `at` (not before the last `advance`), nothing else happening. */
  fits(cost: number, at: number): boolean;
  /** How long after `at` a call of `cost` fits, nothing else happening and the limit in force at `at` staying. */
  waitFrom(cost: number, at: number): number;
  charge(cost: number, now: number, id: number): void;
  /** A finished call gives back `amount` of what admission `id` was charged. */
  refund(amount: number, now: number, id: number): void;
  /** What the provider counts as used of the window's allowance, the other tenant's part included. */
  used(now: number): number;
  /** What is left of the window's allowance. */
  remaining(now: number): number;
  /** What a reset header says, in ms from `now`; undefined when the form is `none`. */
  resetMs(now: number, form: ResetForm): number | undefined;
}

export function meter(kind: LimitKind, context: MeterContext): Meter {
  switch (kind) {
    case 'bucket':
      return new BucketMeter(context);
    case 'fixed':
      return new FixedMeter(context);
    case 'sliding-log':
      return new SlidingLogMeter(context);
    case 'sliding-counter':
      return new SlidingCounterMeter(context);
  }
}

/** The window's allowance: per-minute limit × window / minute. */
function allowance(context: MeterContext, now: number): number {
  return (context.limit(now) * context.windowMs) / 60_000;
}

/** A continuous token bucket holding a window's allowance (a minute's by default), refilled at the per-minute rate. */
class BucketMeter implements Meter {
  readonly kind = 'bucket';
  private level: number;
  private at: number;

  constructor(private readonly context: MeterContext) {
    this.level = this.capacity(context.start);
    this.at = context.start;
  }

  advance(now: number): void {
    this.level = this.levelAt(now);
    this.at = now;
  }

  fits(cost: number, at: number): boolean {
    // A call larger than the whole bucket gets in only when the bucket is full, not never.
    return this.levelAt(at) >= Math.min(cost, this.capacity(at) * (1 - this.context.share));
  }

  waitFrom(cost: number, at: number): number {
    if (this.fits(cost, at)) return 0;
    const target = Math.min(cost, this.capacity(at) * (1 - this.context.share));
    return (target - this.levelAt(at)) / (this.rate(at) * (1 - this.context.share));
  }

  charge(cost: number, now: number): void {
    this.advance(now);
    this.level += -cost;
  }

  refund(amount: number, now: number): void {
    this.advance(now);
    this.level = Math.min(this.capacity(now), this.level + amount);
  }

  used(now: number): number {
    return this.capacity(now) - this.levelAt(now);
  }

  remaining(now: number): number {
    return Math.max(0, this.levelAt(now));
  }

  resetMs(now: number, form: ResetForm): number | undefined {
    return form === 'none' ? undefined : (this.capacity(now) - this.remaining(now)) / this.rate(now);
  }

  /** The other tenant drains its share of the refill continuously, so we see the rest. */
  private levelAt(now: number): number {
    if (now === this.at) return this.level;
    return Math.min(this.capacity(now), this.level + (now - this.at) * this.rate(now) * (1 - this.context.share));
  }

  private capacity(now: number): number {
    return this.context.windowMs === 60_000 ? this.context.limit(now) : allowance(this.context, now);
  }

  private rate(now: number): number {
    return this.context.limit(now) / 60_000;
  }
}

/** Fixed windows aligned to the start: each window's allowance, the other tenant taking its share as it opens. */
class FixedMeter implements Meter {
  readonly kind = 'fixed';
  private level = 0;
  private window = -1;

  constructor(private readonly context: MeterContext) {}

  advance(now: number): void {
    const window = this.index(now);
    if (window === this.window) return;
    this.window = window;
    this.level = this.floor(now);
  }

  fits(cost: number, at: number): boolean {
    const level = this.levelAt(at);
    const limit = allowance(this.context, at);
    const floor = this.floor(at);
    // A call larger than the window's allowance gets in only as the first of a window.
    return level + cost <= limit || (level <= floor && cost > limit - floor);
  }

  waitFrom(cost: number, at: number): number {
    return this.fits(cost, at) ? 0 : this.end(at) - at;
  }

  charge(cost: number, now: number): void {
    this.advance(now);
    this.level += cost;
  }

  refund(amount: number, now: number): void {
    // A refund comes back in the window the call finishes in, whichever it was charged in.
    this.advance(now);
    this.level = Math.max(this.floor(now), this.level - amount);
  }

  used(now: number): number {
    return this.levelAt(now);
  }

  remaining(now: number): number {
    return Math.max(0, allowance(this.context, now) - this.levelAt(now));
  }

  resetMs(now: number, form: ResetForm): number | undefined {
    return form === 'none' ? undefined : this.end(now) - now;
  }

  private levelAt(now: number): number {
    return this.index(now) === this.window ? this.level : this.floor(now);
  }

  private floor(now: number): number {
    return allowance(this.context, now) * this.context.share;
  }

  private index(now: number): number {
    return Math.floor((now - this.context.start) / this.context.windowMs);
  }

  private end(now: number): number {
    return this.context.start + (this.index(now) + 1) * this.context.windowMs;
  }
}

interface Entry {
  id: number;
  at: number;
  charge: number;
}

/**
 * An exact log: every admitted call counts its charge until `window` after its admission. The other tenant uses its
 * share steadily, so it always holds that share of the window's allowance.
 */
class SlidingLogMeter implements Meter {
  readonly kind = 'sliding-log';
  /** Counted entries, oldest first, from `head` on. */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byId = new Map<number, Entry>();
  private sum = 0;

  constructor(private readonly context: MeterContext) {}

  advance(now: number): void {
    while (this.head < this.entries.length && this.gone(this.entries[this.head]!, now)) {
      const entry = this.entries[this.head++]!;
      this.sum -= entry.charge;
      this.byId.delete(entry.id);
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.entries.length) this.sum = 0;
  }

  fits(cost: number, at: number): boolean {
    const used = this.ownAt(at);
    const limit = allowance(this.context, at);
    const tenant = limit * this.context.share;
    return used + tenant + cost <= limit || (used <= 0 && cost > limit - tenant);
  }

  waitFrom(cost: number, at: number): number {
    if (this.fits(cost, at)) return 0;
    const limit = allowance(this.context, at);
    const tenant = limit * this.context.share;
    const counted = this.counted(at);
    // Too large for any window: it waits for the log to empty.
    if (cost > limit - tenant) return this.leaves(counted.at(-1)!) - at;
    let excess = this.ownAt(at) + tenant + cost - limit;
    for (const entry of counted) {
      excess -= entry.charge;
      if (excess <= 0) return this.leaves(entry) - at;
    }
    return this.leaves(counted.at(-1)!) - at;
  }

  charge(cost: number, now: number, id: number): void {
    this.advance(now);
    const entry = { id, at: now, charge: cost };
    this.entries.push(entry);
    if (id >= 0) this.byId.set(id, entry);
    this.sum += cost;
  }

  refund(amount: number, now: number, id: number): void {
    this.advance(now);
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    const back = Math.min(amount, entry.charge);
    entry.charge -= back;
    this.sum -= back;
  }

  used(now: number): number {
    return this.ownAt(now) + allowance(this.context, now) * this.context.share;
  }

  remaining(now: number): number {
    return Math.max(0, allowance(this.context, now) - this.used(now));
  }

  resetMs(now: number, form: ResetForm): number | undefined {
    if (form === 'none') return undefined;
    const counted = this.counted(now);
    const entry = form === 'full' ? counted.at(-1) : counted.find((e) => e.charge > 0);
    return entry ? Math.max(0, this.leaves(entry) - now) : 0;
  }

  private gone(entry: Entry, now: number): boolean {
    return this.leaves(entry) <= now;
  }

  private leaves(entry: Entry): number {
    return entry.at + this.context.windowMs;
  }

  /** Entries still counted at `now`, oldest first. */
  private counted(now: number): Entry[] {
    let from = this.head;
    while (from < this.entries.length && this.gone(this.entries[from]!, now)) from++;
    return this.entries.slice(from);
  }

  private ownAt(now: number): number {
    let used = this.sum;
    for (let i = this.head; i < this.entries.length && this.gone(this.entries[i]!, now); i++) used -= this.entries[i]!.charge;
    return this.head === this.entries.length ? 0 : used;
  }
}

/**
 * The two-counter estimate: fixed windows aligned to the start count their calls, and the meter reads the previous
 * window's count times the share of it a sliding window would still overlap, plus the current window's count. The
 * other tenant's steady use adds its share of the allowance.
 */
class SlidingCounterMeter implements Meter {
  readonly kind = 'sliding-counter';
  private window = 0;
  private current = 0;
  private previous = 0;
  /** The window each admission was counted in, for its refund. */
  private readonly windowOf = new Map<number, number>();

  constructor(private readonly context: MeterContext) {}

  advance(now: number): void {
    const bins = this.binsAt(now);
    if (bins.window === this.window) return;
    this.window = bins.window;
    this.current = bins.current;
    this.previous = bins.previous;
    for (const [id, window] of this.windowOf) if (window < this.window - 1) this.windowOf.delete(id);
  }

  fits(cost: number, at: number): boolean {
    const own = this.ownAt(at);
    const limit = allowance(this.context, at);
    const tenant = limit * this.context.share;
    return own + tenant + cost <= limit || (own <= 0 && cost > limit - tenant);
  }

  waitFrom(cost: number, at: number): number {
    if (this.fits(cost, at)) return 0;
    const { window, current, previous } = this.binsAt(at);
    const windowMs = this.context.windowMs;
    const startOf = (index: number) => this.context.start + index * windowMs;
    const limit = allowance(this.context, at);
    const room = limit - limit * this.context.share - cost;
    if (room < 0) return (current > 0 ? startOf(window + 2) : startOf(window + 1)) - at;
    // Within this window the previous count fades; if this window's count alone is too much, in the next one it fades.
    if (current <= room) return startOf(window) + (1 - (room - current) / previous) * windowMs - at;
    return startOf(window + 1) + (1 - room / current) * windowMs - at;
  }

  charge(cost: number, now: number, id: number): void {
    this.advance(now);
    this.current += cost;
    if (id >= 0) this.windowOf.set(id, this.window);
  }

  refund(amount: number, now: number, id: number): void {
    this.advance(now);
    const window = this.windowOf.get(id);
    this.windowOf.delete(id);
    if (window === this.window) this.current = Math.max(0, this.current - amount);
    else if (window === this.window - 1) this.previous = Math.max(0, this.previous - amount);
  }

  used(now: number): number {
    return this.ownAt(now) + allowance(this.context, now) * this.context.share;
  }

  remaining(now: number): number {
    return Math.max(0, allowance(this.context, now) - this.used(now));
  }

  resetMs(now: number, form: ResetForm): number | undefined {
    if (form === 'none') return undefined;
    const { window, current, previous } = this.binsAt(now);
    const startOf = (index: number) => this.context.start + index * this.context.windowMs;
    if (form === 'window-end') return startOf(window + 1) - now;
    return current > 0 ? startOf(window + 2) - now : previous > 0 ? startOf(window + 1) - now : 0;
  }

  private binsAt(now: number): { window: number; current: number; previous: number; overlap: number } {
    const offset = now - this.context.start;
    const window = Math.floor(offset / this.context.windowMs);
    const overlap = 1 - (offset - window * this.context.windowMs) / this.context.windowMs;
    if (window === this.window) return { window, current: this.current, previous: this.previous, overlap };
    if (window === this.window + 1) return { window, current: 0, previous: this.current, overlap };
    return { window, current: 0, previous: 0, overlap };
  }

  private ownAt(now: number): number {
    const { current, previous, overlap } = this.binsAt(now);
    return previous * overlap + current;
  }
}
