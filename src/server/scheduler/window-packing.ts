// Packing a fixed window: which queued call goes next, and when, so a window's quota is spent before its end and its
// refunds are not lost. The scheduler admits what this picks.
import type { TicketCosts } from './dimensions';
import type { FairEntry } from './fair-queue';
import type { Lane } from './lane';
import type { CallTicket } from './scheduler';

/** How far into a job's queue a window with room left looks for a call that fits. */
const FIT_DEPTH = 64;
/** How long before a window's end (beyond the clock's margin) the call that fills it goes. */
const FILL_LEAD_MS = 20;
/** A call expected back within this many latencies before the window's end is not held: its own refund comes in time. */
const BACK_IN_WINDOW_LATENCIES = 3;

/** A queued call as the packing sees it. */
export interface Packable extends FairEntry {
  ticket: CallTicket;
  /** How much larger than its estimate the provider found it, when it turned it away before. */
  inflation: number;
}

export type Packing<W> = { kind: 'none' } | { kind: 'deferred'; wakeInMs: number } | { kind: 'admit'; entry: W; costs: TicketCosts };

/**
 * Fixed windows: a provider gives back what a finished call did not use only in the window the call finishes in,
 * and what a window has left at its end is lost. So the call that would fill a window is held until just before
 * its end, when the refunds of the calls in flight have come in, and then the one or two calls that fill what is
 * left best go. While a window has room for more, its job's calls go in order, or the largest that fits when the
 * next one does not (the order of a job's calls is free). Returns 'none' when no call fits now.
 */
export function planWindowPacking<W extends Packable>(lane: Lane<W>, now: number): Packing<W> {
  const window = lane.windowPlan.currentWindow(now);
  if (window === null) return { kind: 'none' };
  const candidates = lane.queue.nextJob(FIT_DEPTH).map((entry) => ({ entry, costs: lane.costsOf(entry.ticket, entry.inflation) }));
  const fitting = candidates.filter((candidate) => lane.wait(candidate.costs, now).ms === 0);
  if (fitting.length === 0) return { kind: 'none' };
  const largest = fitting.reduce((best, candidate) => (candidate.costs.tokens > best.costs.tokens ? candidate : best));
  const holdUntil = window.end - FILL_LEAD_MS - 2 * lane.windowMarginMs;
  let chosen = fitting[0] === candidates[0] ? fitting[0]! : largest;
  if (now < holdUntil) {
    // Planned only while refunds may still come in, the calls would not be back well within the window themselves
    // (then their own refunds make room for more), and calls will be left for the next window anyway (else holding
    // only delays the end of the run).
    const backInWindow = lane.latencyMs !== null && now + BACK_IN_WINDOW_LATENCIES * lane.latencyMs < window.end;
    const leftOver = () =>
      lane.queue.size > candidates.length ||
      !lane.windowPlan.couldTakeAll(
        candidates.map((candidate) => candidate.costs),
        now,
      );
    if (!backInWindow && lane.inflight > 0 && leftOver()) {
      const canGo = candidates.map((candidate) => fitting.includes(candidate));
      const pick = lane.windowPlan.planWindow(
        candidates.map((candidate) => candidate.costs),
        canGo,
        holdUntil,
        now,
      );
      if (pick < 0) return { kind: 'deferred', wakeInMs: holdUntil - now };
      chosen = candidates[pick]!;
    }
  } else {
    // With readings from inside the window, the last calls alone carry its margin: they are charged the largest ratio.
    const last = !lane.windowPlan.readInWindow(now)
      ? fitting
      : candidates
          .map((candidate) => ({ entry: candidate.entry, costs: lane.costsOf(candidate.entry.ticket, candidate.entry.inflation, true) }))
          .filter((candidate) => lane.wait(candidate.costs, now).ms === 0);
    if (last.length === 0) {
      // None fits at the largest ratio: the window's end (or a refund before it) decides.
      return { kind: 'deferred', wakeInMs: window.end + lane.windowMarginMs - now };
    }
    chosen = bestFill(lane, last, now);
  }
  return { kind: 'admit', entry: chosen.entry, costs: chosen.costs };
}

/** The call to send first of the one or two that fill the room left best. */
function bestFill<W extends Packable, C extends { costs: TicketCosts }>(lane: Lane<W>, fitting: C[], now: number): C {
  let best = fitting[0]!;
  let bestTotal = 0;
  for (let i = 0; i < fitting.length; i++) {
    const a = fitting[i]!;
    if (a.costs.tokens > bestTotal) {
      best = a;
      bestTotal = a.costs.tokens;
    }
    for (let j = i + 1; j < fitting.length; j++) {
      const b = fitting[j]!;
      const total = a.costs.tokens + b.costs.tokens;
      if (total > bestTotal && lane.windowPlan.fitsBoth(a.costs, b.costs, now)) {
        best = a.costs.tokens >= b.costs.tokens ? a : b;
        bestTotal = total;
      }
    }
  }
  return best;
}
