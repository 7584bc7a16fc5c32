// A lane's safety, which does not depend on what its models believe. Whatever the buckets say:
// - every 429 pauses the lane at least until its retry-after (or, without one, a backoff that doubles while 429s
//   keep coming), with a little jitter. A wait named only in the 429's message ("try again in 57s") is when that
//   call would fit if nothing came back meanwhile, while the refunds of calls in flight often reopen a window sooner:
//   the lane pauses for it or the backoff, whichever is shorter, so 429s that keep coming still stretch the pause to it;
// - after a 429 the lane never sends faster than it did before it: in any span of GUARD_SPAN_MS, no more calls than
//   went in the span before the 429 (set again by every later 429 episode, raised slowly while calls go through);
// - a burst of 429s (several within a second, or a large share of the latest calls) is a sign the models are wrong:
//   the lane goes conservative — after the pause, two calls out at a time and one more for every call the provider
//   admits (doubling each round trip, as TCP's slow start), until it is back where it was — and says so in the log.
// A 429 says the whole key is spent, not one call: the pause holds every call of the lane, where a naive client
// (ten connections, each waiting what its own 429 said) keeps sending on the other nine.

/** Within this span, this many 429s are a burst. */
const BURST_MS = 1_000;
const BURST_COUNT = 3;
/** Or this share of the latest outcomes. */
const OUTCOMES = 20;
const BURST_SHARE = 0.3;
/** The span the send ceiling counts calls over: a minute, as limits are stated (a window of a minute bursts at its start). */
export const GUARD_SPAN_MS = 60_000;
/** Each second of calls going through raises the ceiling by this share (how fast to go is the models' business). */
const INCREASE_PER_SECOND = 0.05;
/** A backoff when a 429 names no wait: from this, doubling per consecutive 429, capped. */
const BACKOFF_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;
/**
 * Calls admitted without a refusal for too many at once before one more may go out together: at first, and at most
 * (each refusal of one more doubles it).
 */
const CONCURRENCY_PROBE = 50;
const MAX_CONCURRENCY_PROBE = 1_600;
/** Conservative mode's first window, and where it ends when no ceiling says (the naive client's connections). */
const FIRST_WINDOW = 2;
const NAIVE_CONNECTIONS = 10;
/**
 * A refusal with `others` calls out is no limit on calls at once when, within this span, the provider admitted
 * calls sent with clearly more out (a margin for calls that finished while one travelled), or admitted most of the
 * calls sent with as many out: it was a rate limit that said nothing of itself (a quiet 429, or a limit its readings
 * do not show). A limit on calls at once turns away nearly every call sent over it.
 */
const CONCURRENCY_EVIDENCE_MS = 30_000;
/** And at most about this many of the latest admissions: a fast lane admits thousands a second. */
const CONCURRENCY_EVIDENCE_CALLS = 1_000;

/** When a 429 says to try again: a retry-after header, or a hint in its message; null ms when it says nothing. */
export interface RetryAfter {
  ms: number | null;
  hinted: boolean;
}

export interface RateLimitedVerdict {
  /** Until when the lane pauses. */
  until: number;
  /** Words for the job log when the lane changed its mind (null: nothing new to say). */
  words: string | null;
  /** The 429 was part of a burst. */
  burst: boolean;
}

export class RateGuard {
  pausedUntil = 0;
  /** In conservative mode: how many calls may be out at once (null: not conservative). */
  private window: number | null = null;
  private readonly sends: number[] = [];
  private readonly rejections: number[] = [];
  private readonly outcomes: boolean[] = [];
  /** At most this many calls in any GUARD_SPAN_MS (null until the first 429). */
  private ceiling: number | null = null;
  private ceilingAt = 0;
  /** The first send after the latest decrease: a 429 of a call sent before it is the same episode. */
  private episodeFrom = -Infinity;
  private consecutive = 0;
  private firstSentAt = Infinity;
  /** The most calls out at once the provider took (null: no sign of such a limit). */
  private concurrency: number | null = null;
  private admittedSince = 0;
  private probeEvery = CONCURRENCY_PROBE;
  /** Calls admitted within CONCURRENCY_EVIDENCE_MS, as [admitted at, others out when sent]: a sliding maximum. */
  private readonly admittedWith: [number, number][] = [];
  /** Calls admitted (the latest CONCURRENCY_EVIDENCE_CALLS or so) and refused within CONCURRENCY_EVIDENCE_MS, as [when, others out when sent]. */
  private readonly admittedOthers: [number, number][] = [];
  private readonly refusedOthers: [number, number][] = [];

  get conservative(): boolean {
    return this.window !== null;
  }

  /** Calls the guard lets be out at once (Infinity: no bound of its own); a call coming back wakes the lane. */
  inflightCap(): number {
    return Math.min(this.window ?? Infinity, this.concurrency ?? Infinity);
  }

  /**
   * A call sent with `others` calls out was turned away, and nothing it said names a rate: too many at once, unless
   * the provider lately admitted a call sent with clearly more out (then false: the caller treats it as a rate limit).
   * If it was, no more than that go out together from now on (one more after CONCURRENCY_PROBE calls admitted without
   * another such refusal); `words` says so the first time.
   */
  overCapacity(others: number, now: number): { atOnce: boolean; words: string | null } {
    // A call alone was turned away: whatever limit that was, it was not one on calls at once.
    if (others === 0) return { atOnce: false, words: null };
    const most = this.mostAdmittedWith(now);
    if (most !== null && most >= others + Math.max(2, Math.ceil(0.2 * others))) return { atOnce: false, words: null };
    recent(this.refusedOthers, now).push([now, others]);
    const atLeast = (list: [number, number][]) => list.filter(([, out]) => out >= others).length;
    const admitted = atLeast(recent(this.admittedOthers, now));
    if (admitted >= 3 && admitted > 2 * atLeast(this.refusedOthers)) return { atOnce: false, words: null };
    const cap = Math.max(1, others);
    this.admittedSince = 0;
    // One more at once was tried and refused again: try it half as often.
    if (this.concurrency !== null && cap >= this.concurrency - 1) this.probeEvery = Math.min(MAX_CONCURRENCY_PROBE, this.probeEvery * 2);
    if (this.concurrency !== null && this.concurrency <= cap) return { atOnce: true, words: null };
    const first = this.concurrency === null;
    this.concurrency = cap;
    if (!first) return { atOnce: true, words: null };
    return { atOnce: true, words: `turned away with ${others} other calls out, though every limit it reports had room: at most ${cap} calls at once` };
  }

  /** The most calls that were out when a call the provider admitted lately was sent (null: none lately). */
  private mostAdmittedWith(now: number): number | null {
    while (this.admittedWith.length > 0 && this.admittedWith[0]![0] < now - CONCURRENCY_EVIDENCE_MS) this.admittedWith.shift();
    return this.admittedWith[0]?.[1] ?? null;
  }

  /** Calls sent in the latest GUARD_SPAN_MS. */
  recentSends(now: number): number {
    while (this.sends.length > 0 && this.sends[0]! <= now - GUARD_SPAN_MS) this.sends.shift();
    return this.sends.length;
  }

  sent(now: number): void {
    this.firstSentAt = Math.min(this.firstSentAt, now);
    this.sends.push(now);
    while (this.sends.length > 0 && this.sends[0]! <= now - GUARD_SPAN_MS) this.sends.shift();
  }

  /**
   * The provider admitted a call (its reply or its headers came back); `usual` is how many calls the lane would keep
   * out without the guard, and `others` how many other calls were out when it was sent.
   */
  admitted(sentAt: number, now: number, usual: number, others?: number): string | null {
    this.note(false);
    if (others !== undefined) {
      // A sliding maximum: an entry no larger than a later one can never be the maximum again.
      while (this.admittedWith.length > 0 && this.admittedWith[this.admittedWith.length - 1]![1] <= others) this.admittedWith.pop();
      this.admittedWith.push([now, others]);
      const admitted = recent(this.admittedOthers, now);
      admitted.push([now, others]);
      if (admitted.length > 2 * CONCURRENCY_EVIDENCE_CALLS) admitted.splice(0, admitted.length - CONCURRENCY_EVIDENCE_CALLS);
    }
    this.consecutive = 0;
    if (this.concurrency !== null && ++this.admittedSince >= this.probeEvery) {
      this.concurrency++;
      this.admittedSince = 0;
    }
    if (this.ceiling !== null && now > this.ceilingAt) {
      this.ceiling *= 1 + (INCREASE_PER_SECOND * (now - this.ceilingAt)) / 1000;
      this.ceilingAt = now;
      // Far above what the lane sends, the ceiling holds nothing back: gone until the next 429.
      if (this.ceiling > 4 * Math.max(NAIVE_CONNECTIONS, this.recentSends(now))) this.ceiling = null;
    }
    if (this.window === null || sentAt < this.episodeFrom) return null;
    this.window += 1;
    if (this.window < Math.min(usual, this.ceilingWindow())) return null;
    this.window = null;
    return 'the provider admits calls again: leaving conservative mode';
  }

  /**
   * A 429 for a call sent at `sentAt`, with the provider's wait if it gave one; `jitter` in [0, 1).
   */
  rateLimited(sentAt: number, retryAfter: RetryAfter, now: number, jitter: number): RateLimitedVerdict {
    this.note(true);
    this.rejections.push(now);
    while (this.rejections.length > 0 && this.rejections[0]! < now - BURST_MS) this.rejections.shift();
    // The backoff doubles with each episode, not with each call of one burst that comes back turned away.
    const newEpisode = sentAt >= this.episodeFrom;
    const step = newEpisode ? this.consecutive++ : Math.max(0, this.consecutive - 1);
    const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_MS * 2 ** step);
    const wait = retryAfter.ms === null ? backoff : retryAfter.hinted ? Math.min(retryAfter.ms, backoff) : retryAfter.ms;
    this.pausedUntil = Math.max(this.pausedUntil, now + wait + jitter * Math.min(250, 0.1 * wait + 20));
    if (newEpisode) {
      // Never faster than before the 429: as many calls per span as went in the span before it, then less.
      // (At least the naive client's ten a span: a lane that had sent one call must still get on.)
      // A lane younger than the span had its rate over its life so far.
      const span = Math.max(1_000, Math.min(GUARD_SPAN_MS, now - this.firstSentAt));
      this.ceiling = Math.max(NAIVE_CONNECTIONS, (this.recentSends(now) * GUARD_SPAN_MS) / span);
      this.ceilingAt = now;
      this.episodeFrom = now;
    }
    const rejected = this.outcomes.filter(Boolean).length;
    const burst = this.rejections.length >= BURST_COUNT || (this.outcomes.length >= OUTCOMES / 2 && rejected / this.outcomes.length >= BURST_SHARE);
    let words: string | null = null;
    if (burst && this.window === null) {
      this.window = FIRST_WINDOW;
      this.episodeFrom = now;
      words = `${this.rejections.length} 429s within ${BURST_MS / 1000} s (${rejected} of the latest ${this.outcomes.length} calls): conservative mode, honouring retry-after, two calls out at a time, one more with every call the provider admits`;
    } else if (this.window !== null && newEpisode) {
      this.window = FIRST_WINDOW;
    }
    return { until: this.pausedUntil, words, burst };
  }

  /** Milliseconds until the guard lets another call go (0: now). */
  wait(now: number): number {
    const paused = Math.max(0, this.pausedUntil - now);
    if (paused > 0) return paused;
    if (this.ceiling === null) return 0;
    while (this.sends.length > 0 && this.sends[0]! <= now - GUARD_SPAN_MS) this.sends.shift();
    if (this.sends.length < Math.floor(this.ceiling)) return 0;
    return Math.max(1, this.sends[this.sends.length - Math.floor(this.ceiling)]! + GUARD_SPAN_MS - now);
  }

  /** What the ceiling would let out at once; conservative mode ends when its window reaches it. */
  private ceilingWindow(): number {
    return this.ceiling === null ? NAIVE_CONNECTIONS : Math.max(1, Math.floor(this.ceiling));
  }

  private note(rejected: boolean): void {
    this.outcomes.push(rejected);
    if (this.outcomes.length > OUTCOMES) this.outcomes.shift();
  }
}

/** `list` less what is older than CONCURRENCY_EVIDENCE_MS. */
function recent(list: [number, number][], now: number): [number, number][] {
  let old = 0;
  while (old < list.length && list[old]![0] < now - CONCURRENCY_EVIDENCE_MS) old++;
  if (old > 0) list.splice(0, old);
  return list;
}
