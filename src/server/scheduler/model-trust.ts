// Whether a lane's model of a dimension still agrees with the provider, and why not when it does not. A model is
// dropped for the reading bucket (which believes only the provider's readings) when its evidence contradicts it:
// - `remaining` falls faster than we send: between two readings taken close together, the provider's count fell by
//   several times what we charged (a 10 s window's remaining reported per minute falls by six per request);
// - 429s on it where it predicted room: at least three times, and on at least STRIKE_SHARE of the calls sent, within
//   STRIKE_MS (a model that fills windows to the brim meets a rare 429 by design, a wrong one meets many);
// - a window that did not come back whole at its end (the window bucket says so: a sliding window, not a fixed one);
// - windows' ends that drift off the lattice a window's length puts them on (the window clock says so);
// - a call sent to read again before a window's end, with no room by the model, admitted (the window bucket says so).
import type { Dimension } from './dimensions';

/** Two readings this close in admission time are compared for the rate `remaining` falls at. */
const PAIR_MS = 500;
/** Pairs weighed, and how many before the scale says anything. */
const PAIRS = 12;
const MIN_PAIRS = 6;
/** `remaining` falling this many times faster than we send means it counts in other units (or for other clients). */
const SCALE_DROP = 1.8;
/** 429s on a dimension within this span where its model predicted room, how many, and on what share of the calls sent. */
export const STRIKE_MS = 10_000;
const STRIKES = 3;
const STRIKE_SHARE = 0.05;

interface Point {
  at: number;
  remaining: number;
  charged: number;
}

export class ModelTrust {
  /** Dimensions whose model was dropped, with the reason. */
  readonly dropped = new Map<Dimension, string>();
  private readonly last = new Map<Dimension, Point[]>();
  private readonly ratios = new Map<Dimension, { fell: number; sent: number }[]>();
  private readonly strikes = new Map<Dimension, number[]>();
  private readonly readings = new Map<Dimension, number>();
  /** When the first call whose reading taught a dimension's model was admitted. */
  private readonly firstRead = new Map<Dimension, number>();
  /** The least scale 429s on a dimension with room by its `remaining` imply (see refusedWithRoom). */
  private readonly floors = new Map<Dimension, number>();

  /** How many readings a dimension has had. */
  readingsOf(dimension: Dimension): number {
    return this.readings.get(dimension) ?? 0;
  }

  /**
   * A reading: `remaining` (provider units) after a call admitted at `at`, when we had charged `charged` (net) on the
   * dimension. Returns why the model must go, or null.
   */
  reading(dimension: Dimension, at: number, remaining: number, charged: number): string | null {
    this.readings.set(dimension, this.readingsOf(dimension) + 1);
    this.firstRead.set(dimension, Math.min(this.firstRead.get(dimension) ?? at, at));
    let points = this.last.get(dimension);
    if (!points) this.last.set(dimension, (points = []));
    // The closest earlier reading within PAIR_MS.
    let previous: Point | undefined;
    for (const point of points) if (point.at <= at && at - point.at <= PAIR_MS && (!previous || point.at > previous.at)) previous = point;
    points.push({ at, remaining, charged });
    if (points.length > 16) points.shift();
    if (!previous || charged <= previous.charged) return null;
    let pairs = this.ratios.get(dimension);
    if (!pairs) this.ratios.set(dimension, (pairs = []));
    // A pair across a window's end or a refill, where `remaining` rose, says nothing of the rate it falls at.
    if (remaining > previous.remaining) return null;
    pairs.push({ fell: previous.remaining - remaining, sent: charged - previous.charged });
    if (pairs.length > PAIRS) pairs.shift();
    const scale = this.scale(dimension);
    if (scale < SCALE_DROP || this.dropped.has(dimension)) return null;
    return this.drop(dimension, `remaining falls ${scale.toFixed(1)}× as fast as we send (counted in other units, or over a shorter window than it says)`);
  }

  /**
   * Provider units per unit we send, over the latest pairs of readings together (1 until enough are seen): summed,
   * a provider that rounds what remains (Anthropic, to thousands of tokens) averages out.
   */
  scale(dimension: Dimension): number {
    const floor = this.floors.get(dimension) ?? 1;
    const pairs = this.ratios.get(dimension) ?? [];
    if (pairs.length < MIN_PAIRS) return floor;
    const fell = pairs.reduce((sum, pair) => sum + pair.fell, 0);
    const sent = pairs.reduce((sum, pair) => sum + pair.sent, 0);
    return Math.max(floor, fell / sent);
  }

  /**
   * A 429 whose message named `dimension` while its `remaining` (provider units) showed room for the call (`cost`, our
   * units) twice over and more — more than a prompt counted larger than our estimate explains: the provider counts
   * `remaining` in larger units than we send (per minute, over a shorter window), at least remaining ÷ cost of them per
   * unit. Pairs of readings under-measure that when they straddle a window's turnover; each such 429 raises the floor.
   */
  refusedWithRoom(dimension: Dimension, remaining: number, cost: number): boolean {
    if (cost <= 0 || remaining < 2 * cost + 1) return false;
    const floor = remaining / cost;
    if (floor <= (this.floors.get(dimension) ?? 1)) return false;
    this.floors.set(dimension, floor);
    return true;
  }

  /**
   * A 429 on `dimension` where its model predicted room, with `sent` calls sent in the latest STRIKE_MS. Returns why
   * the model must go, or null.
   */
  rejected(dimension: Dimension, sentAt: number, now: number, sent: number): string | null {
    if (this.dropped.has(dimension)) return null;
    // A call sent before any reading taught the model was not the model's prediction (a 429 message teaches too).
    if (!(sentAt > (this.firstRead.get(dimension) ?? Infinity))) return null;
    let times = this.strikes.get(dimension);
    if (!times) this.strikes.set(dimension, (times = []));
    times.push(now);
    while (times.length > 0 && times[0]! < now - STRIKE_MS) times.shift();
    if (times.length < STRIKES || times.length < STRIKE_SHARE * sent) return null;
    return this.drop(dimension, `${times.length} 429s in ${sent} calls within ${STRIKE_MS / 1000} s where the model predicted room`);
  }

  /** A 429 message taught the dimension's model at `at` (providers that send no headers). */
  taught(dimension: Dimension, at: number): void {
    this.firstRead.set(dimension, Math.min(this.firstRead.get(dimension) ?? at, at));
  }

  /** A window that did not come back whole. */
  windowContradicted(dimension: Dimension): string | null {
    if (this.dropped.has(dimension)) return null;
    return this.drop(dimension, 'the window did not come back whole at its end (a sliding window, or another length)');
  }

  /** A call sent to read again before the window's end was admitted, in a window that ends elsewhere. */
  windowCameBackEarly(dimension: Dimension): string | null {
    if (this.dropped.has(dimension)) return null;
    return this.drop(dimension, "room came back before the window's end (a sliding window, or a reset that is no window's end)");
  }

  /** A call sent with no room left by the model, before the window's end, admitted (a provider without readings). */
  windowHeldMore(dimension: Dimension): string | null {
    if (this.dropped.has(dimension)) return null;
    return this.drop(dimension, "a call sent before the window's end, with no room left by the model, was admitted (the window holds more)");
  }

  /** Window ends that do not fall on a lattice. */
  windowDrifting(dimension: Dimension): string | null {
    if (this.dropped.has(dimension)) return null;
    return this.drop(dimension, "the windows' ends drift instead of falling a window's length apart (a sliding window)");
  }

  private drop(dimension: Dimension, reason: string): string {
    this.dropped.set(dimension, reason);
    return reason;
  }
}
