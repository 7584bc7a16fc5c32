// A discrete-event clock for the simulation: time jumps to the next timer, and every promise chain settles
// (a macrotask turn) before the next timer fires, so virtual time is exact however deep the chains are.
import type { Clock } from '../../../src/server/scheduler/clock';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  cancelled: boolean;
}

/** Far more timers than any run that gets anywhere sets (a full run sets tens of thousands). */
const MAX_TIMERS = 5_000_000;

export class EventClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly heap: Timer[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // A wait of NaN would never come due and stall the run with no word of why.
      if (Number.isNaN(ms)) return reject(new Error('sleep(NaN): a strategy computed no wait'));
      const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve, cancelled: false };
      this.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          timer.cancelled = true;
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Runs timers until `work` settles; throws if it is stuck with nothing left to wait for. */
  async run<T>(work: Promise<T>, limitMs = 24 * 3_600_000): Promise<T> {
    let done = false;
    let timers = 0;
    let result: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
    work.then(
      (value) => ((result = { ok: true, value }), (done = true)),
      (error: unknown) => ((result = { ok: false, error }), (done = true)),
    );
    while (!done) {
      await turn();
      if (done) break;
      const next = this.pop();
      if (!next) {
        await turn();
        if (done) break;
        throw new Error(`simulation stuck at ${(this.time / 1000).toFixed(1)} s: nothing left to wait for`);
      }
      if (next.at > limitMs) throw new Error('simulation ran past its time limit');
      // A strategy that waits a millisecond at a time for what never comes would burn minutes before the time limit.
      if (++timers > MAX_TIMERS) throw new Error(`simulation spun: ${MAX_TIMERS} timers by ${(this.time / 1000).toFixed(1)} s`);
      this.time = Math.max(this.time, next.at);
      if (!next.cancelled) next.resolve();
    }
    const settled = result as unknown as { ok: true; value: T } | { ok: false; error: unknown };
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
