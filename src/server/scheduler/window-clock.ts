// Recognises a provider that enforces fixed windows, from its rate-limit headers, and keeps the lane's window
// clock. A window's end is the same instant for every call in it, while `remaining` falls. A continuous bucket's
// "full at" instant moves later by whatever is taken from it (÷ its rate), so an earlier reading with more
// remaining and the same instant means windows, as long as the limit did not change in between (a halved limit
// can line up two instants by chance). Each dimension of a lane has its own clock: a provider may count requests
// over ten seconds and tokens over a minute (one clock fed both once measured a 50 s window, then 500 ms, then 60.8 s).
//
// A window that holds only one call (a 1 s window of a few hundred tokens) never shows `remaining` falling at one
// instant. Its ends still fall on a lattice: a window's length apart, each named by readings with less than a
// window to go and less left than a window's share of the minute's limit. A continuous bucket cannot do both: with
// that little left, it is a whole bucket's refill (a minute, for a per-minute limit) from full. So five ends on a
// lattice, with every reading among them that close to its end and that low, mean windows too. A reading that states
// its limit says as much alone: a continuous bucket's reset is when it is full again, so what remains plus the refill
// until then is its whole limit, and less than half of that means the reset is a window's end.
// That one reading is the first call's, a round trip into the run, where five ends were five windows.
//
// The clock is anchored on the latest end a reading named and extrapolated by the window's length: the shortest
// gap between two ends seen, refined over the whole span of ends (headers round to milliseconds). Before two ends
// are seen, the span from our first call to the first end is a lower bound. A time counts in a window until a
// small margin after its end: the provider's clock runs a request's travel behind ours, so a call sent right at
// the end can still land in the old window. The margin doubles whenever that is seen to happen.
//
// A provider that sends no headers may still say, in a 429's message, what it counted as used of a per-minute limit
// and what the call asked for. Room left of the minute's limit for a call it turned away, or a wait far longer than
// the minute's rate would need (twice, ending together or a whole number of windows apart), means the limit is
// counted over a window. Each such message also bounds the window's length: what was used fitted in it, and what was
// asked for on top did not.
//
// A reading's end is our admission time plus the provider's `reset`, which it counted from when the request reached
// it: early by the request's travel, which can be tens of milliseconds on a loaded machine. Ends closer together
// than half the shortest window we learn are one end seen through different travel times; the largest such spread
// is the clock's skew, within which any two ends are the same instant.

/** Two reset instants this close apart are the same window's end (headers round to milliseconds). */
export const SAME_INSTANT_MS = 20;
/** The shortest window learned: providers count over a second or more. Ends closer than half of it are one end. */
export const MIN_WINDOW_MS = 500;

const MIN_MARGIN_MS = 5;
const MAX_MARGIN_MS = 1000;
/** Readings kept for recognising windows, and ends kept for the length. */
const KEEP = 64;
/** A reading whose remaining and refill until its reset add up to less than the limit ÷ this means windows. */
const FULL_TOO_SOON = 2;
/** Distinct ends on a lattice that mean windows. */
const LATTICE_ENDS = 5;
/**
 * Of the latest DRIFT_OF distinct ends, this many off the lattice by more than DRIFT_SHARE of a window mean the ends
 * are no windows' ends: a sliding window's "oldest entry leaves" instants fall anywhere, a fixed window's within a
 * request's travel of its end.
 */
const DRIFT_OF = 10;
const DRIFT_COUNT = 6;
const DRIFT_SHARE = 0.2;

interface Reading {
  dimension: string;
  at: number;
  remaining: number;
  resetAt: number;
  limit: number;
}

export class WindowClock {
  windowed = false;
  /** The window's length, once two windows' ends were seen. */
  windowMs: number | null = null;
  marginMs = MIN_MARGIN_MS;
  /** The widest spread seen between estimates of one window's end. */
  skewMs = 0;
  private readonly recent: Reading[] = [];
  private readonly ends: number[] = [];
  private anchor: number | null = null;
  private firstAt: number | null = null;
  /** The window's length lies in [shortest, longest): from 429 messages. */
  private shortest = 0;
  private longest = Infinity;
  /** 429 messages whose wait was too long for the minute's rate: their ends. */
  private readonly slowEnds: { at: number; end: number }[] = [];
  /** The latest distinct ends, in the order first seen, for telling drifting ends from a lattice. */
  private readonly fresh: number[] = [];
  /** Per dimension, the latest distinct ends its readings named, each with their longest wait and most left. */
  private readonly lattices = new Map<string, { end: number; wait: number; remaining: number; fullRate: number }[]>();

  /** A call went out at `at`: the first window cannot have started later. */
  sent(at: number): void {
    this.firstAt = Math.min(this.firstAt ?? at, at);
  }

  /**
   * A 429 message: `used` of the per-minute `limit` was counted when `requested` was turned away at `at`, with
   * `end` the time to try again.
   */
  turnedAway(at: number, end: number, limit: number, used: number, requested: number): void {
    this.sent(at);
    const perMs = limit / 60_000;
    // Well clear of rounding: a continuous bucket turns a call away with a hair less than it asked for left.
    const room = limit - used >= 1.5 * requested + 2;
    const slow = !room && end - at > 3 * ((requested - (limit - used)) / perMs) + 1000;
    if (!room && !slow) return;
    // What was used fitted in a window; what was asked for on top did not.
    const shortest = used / perMs;
    const longest = (used + requested) / perMs;
    if (shortest >= this.longest || longest <= this.shortest) {
      // The limit changed: start over from this message.
      this.shortest = shortest;
      this.longest = longest;
    } else {
      this.shortest = Math.max(this.shortest, shortest);
      this.longest = Math.min(this.longest, longest);
    }
    if (room) this.windowed = true;
    else if (!this.windowed) {
      // Two long waits that end together, or whose ends lie a whole number of windows of a possible length apart.
      if (this.slowEnds.some((other) => other.at !== at && this.windowsApart(Math.abs(other.end - end)))) {
        this.windowed = true;
        for (const other of this.slowEnds) this.noteEnd(other.end);
      }
      this.slowEnds.push({ at, end });
      if (this.slowEnds.length > KEEP) this.slowEnds.shift();
    }
    if (this.windowed) this.noteEnd(end);
  }

  private windowsApart(gap: number): boolean {
    if (gap < SAME_INSTANT_MS) return true;
    if (this.shortest <= 0) return false;
    const length = gap / Math.max(1, Math.round(gap / this.shortest));
    return length > this.shortest - SAME_INSTANT_MS && length < this.longest + SAME_INSTANT_MS;
  }

  /**
   * One reading taken at admission time `at`; `fullRate` is the dimension's limit per ms, and `stated` the limit the
   * reading itself gave, if any.
   */
  observe(dimension: string, at: number, remaining: number, resetAt: number, limit: number, fullRate: number, stated?: number): void {
    this.sent(at);
    const reading: Reading = { dimension, at, remaining, resetAt, limit };
    if (!this.windowed) {
      for (const other of this.recent) {
        if (other.dimension !== dimension || other.limit !== limit || Math.abs(other.resetAt - resetAt) >= SAME_INSTANT_MS) continue;
        const [early, late] = other.at <= at ? [other, reading] : [reading, other];
        if (early.remaining - late.remaining > 100 * fullRate) this.windowed = true;
      }
      this.recent.push(reading);
      if (this.recent.length > KEEP) this.recent.shift();
      if (!this.windowed && stated !== undefined && fullTooSoon(at, remaining, resetAt, stated)) this.windowed = true;
      if (!this.windowed && this.onLattice(dimension, at, remaining, resetAt, fullRate)) {
        this.windowed = true;
        for (const point of this.lattices.get(dimension)!) this.noteEnd(point.end);
      }
    }
    this.noteEnd(resetAt);
  }

  /** Whether the latest distinct ends of `dimension`'s readings lie on a lattice, as windows' ends do (see above). */
  private onLattice(dimension: string, at: number, remaining: number, end: number, fullRate: number): boolean {
    let lattice = this.lattices.get(dimension);
    if (!lattice) this.lattices.set(dimension, (lattice = []));
    const wait = end - at;
    const same = lattice.find((point) => Math.abs(point.end - end) < SAME_INSTANT_MS);
    if (same) {
      same.wait = Math.max(same.wait, wait);
      same.remaining = Math.max(same.remaining, remaining);
    } else {
      lattice.push({ end, wait, remaining, fullRate });
      lattice.sort((a, b) => a.end - b.end);
      if (lattice.length > LATTICE_ENDS) lattice.shift();
    }
    if (lattice.length < LATTICE_ENDS) return false;
    let gap = Infinity;
    for (let i = 1; i < lattice.length; i++) gap = Math.min(gap, lattice[i]!.end - lattice[i - 1]!.end);
    if (gap < MIN_WINDOW_MS) return false;
    const first = lattice[0]!.end;
    const span = lattice[lattice.length - 1]!.end - first;
    const length = span / Math.round(span / gap);
    return lattice.every((point) => {
      const off = (point.end - first) / length;
      return Math.abs(off - Math.round(off)) * length < SAME_INSTANT_MS && point.wait <= length + SAME_INSTANT_MS && point.remaining <= length * point.fullRate;
    });
  }

  /**
   * A call sent at `at`, that we counted in the window ending at `ourEnd`, landed in the one ending at `theirEnd`.
   * Sent after that end by our clock and still counted before it: the provider's clock is behind by at least the
   * difference. (A whole window off is a wrong length, which more ends will fix, not a margin.)
   */
  landed(at: number, ourEnd: number, theirEnd: number): void {
    if (ourEnd <= theirEnd + this.toleranceMs() || at < theirEnd || at - theirEnd > this.lengthMs() / 2) return;
    this.marginMs = Math.min(MAX_MARGIN_MS, this.lengthMs() / 10, Math.max(this.marginMs * 2, 2 * (at - theirEnd)));
  }

  /** The length to plan with: learned, else the lower bound from the first window. */
  lengthMs(): number {
    if (this.windowMs !== null) return this.windowMs;
    if (this.anchor === null || this.firstAt === null) return Math.min(60_000, this.longest);
    return Math.min(this.longest, Math.max(MIN_WINDOW_MS, this.shortest, this.anchor - this.firstAt));
  }

  /**
   * Whether the ends seen lately drift off the lattice the window's length puts them on (see DRIFT_COUNT): the
   * provider counts over a sliding window, which no window clock describes.
   */
  drifting(): boolean {
    if (!this.windowed || this.windowMs === null || this.fresh.length < DRIFT_OF) return false;
    const length = this.windowMs;
    const latest = this.ends[this.ends.length - 1]!;
    const off = this.fresh.filter((end) => {
      const windows = (latest - end) / length;
      return Math.abs(windows - Math.round(windows)) > DRIFT_SHARE;
    }).length;
    return off >= DRIFT_COUNT;
  }

  /** Whether two readings' ends are the same instant: within the skew seen, never a quarter window apart. */
  same(a: number, b: number): boolean {
    return Math.abs(a - b) < this.toleranceMs();
  }

  toleranceMs(): number {
    return Math.min(this.lengthMs() / 4, Math.max(SAME_INSTANT_MS, 1.5 * this.skewMs));
  }

  /** The end of the window `now` counts in (it turns over a margin after each end). */
  endAt(now: number): number {
    const anchor = this.anchor ?? now + 1;
    const length = this.lengthMs();
    const t = now - this.marginMs;
    if (t < anchor) return anchor - length * Math.max(0, Math.ceil((anchor - t) / length - 1));
    return anchor + (Math.floor((t - anchor) / length) + 1) * length;
  }

  private noteEnd(end: number): void {
    this.anchor = Math.max(this.anchor ?? end, end);
    if (!this.windowed) return;
    // Every estimate is early by its request's travel, never late: the latest of one end's estimates is the best.
    const apart = Math.max(MIN_WINDOW_MS, this.shortest) / 2;
    const seen = this.ends.findIndex((other) => Math.abs(other - end) < apart);
    if (seen >= 0) {
      const other = this.ends[seen]!;
      this.skewMs = Math.max(this.skewMs, Math.abs(other - end));
      if (end <= other) return;
      this.ends[seen] = end;
    } else {
      this.ends.push(end);
      this.ends.sort((a, b) => a - b);
      if (this.ends.length > KEEP) this.ends.shift();
      this.fresh.push(end);
      if (this.fresh.length > DRIFT_OF) this.fresh.shift();
    }
    let gap = Infinity;
    for (let i = 1; i < this.ends.length; i++) gap = Math.min(gap, this.ends[i]! - this.ends[i - 1]!);
    if (gap === Infinity) return;
    const span = this.ends[this.ends.length - 1]! - this.ends[0]!;
    let count = Math.max(1, Math.round(span / gap));
    // Ends seen only every other window look like windows twice as long: the messages' bounds say otherwise.
    if (span / count >= this.longest) count = Math.ceil(span / this.longest);
    this.windowMs = Math.max(MIN_WINDOW_MS, span / count);
  }
}

/**
 * Whether a reading says its bucket is full again far sooner than a continuous bucket of the `stated` per-minute
 * limit could be: what remains plus what refills until `resetAt` is under half the limit. A continuous
 * bucket's reset is when it is full, so the two add up to its limit. Half leaves room for rounding: Anthropic
 * rounds what remains to thousands and its reset to seconds, which moves the sum by at most 1,000 tokens and a
 * second's refill, under half of any limit above 2,100 a minute.
 */
export function fullTooSoon(at: number, remaining: number, resetAt: number, stated: number): boolean {
  return stated > 0 && remaining + ((resetAt - at) * stated) / 60_000 < stated / FULL_TOO_SOON;
}
