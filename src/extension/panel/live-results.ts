// A job's results as they land: each progress event names the interviews whose results were just stored, and only
// those are fetched. An interview named again (a retry ran it anew) replaces its earlier rows. No vscode import.
import type { Result } from '../../api';
import type { ResultRow } from '../../webview/messages';

/** Rows sent to the panel per message: large enough to be cheap, small enough to keep the panel responsive. */
const BATCH = 5000;

export interface ResultsDelta {
  rows: ResultRow[];
  /** The rows replace everything shown before (else they are appended). */
  reset: boolean;
}

export interface LiveResultsDeps {
  /** The results of interviews first..last, in order. */
  fetch(range: readonly [number, number]): AsyncIterable<Result>;
  toRow(result: Result): ResultRow;
  send(delta: ResultsDelta): void;
}

export class LiveResults {
  readonly rows: ResultRow[] = [];
  private readonly loaded = new Set<number>();
  private queue: [number, number][] = [];
  private pumping: Promise<void> | null = null;

  constructor(private readonly deps: LiveResultsDeps) {}

  /** Interview ranges a progress event named: fetched in the order named, one fetch at a time. */
  stored(ranges: readonly (readonly [number, number])[]): void {
    for (const [first, last] of ranges) this.queue.push([first, last]);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Settles when every range named so far has been fetched and sent. */
  async drained(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const range = this.queue.shift()!;
      await this.fetchRange(range);
    }
  }

  private async fetchRange(range: readonly [number, number]): Promise<void> {
    const fetched: ResultRow[] = [];
    let replacing = false;
    let sent = 0;
    const here = new Set<number>();
    for await (const result of this.deps.fetch(range)) {
      const row = this.deps.toRow(result);
      if (!here.has(row.interview)) {
        if (this.loaded.has(row.interview)) replacing = true;
        here.add(row.interview);
      }
      fetched.push(row);
      // Fresh rows go out in batches as they come; replacing ones wait for the whole range.
      if (!replacing && fetched.length - sent >= BATCH) sent = this.append(fetched, sent);
    }
    if (!replacing) {
      this.append(fetched, sent);
      return;
    }
    const kept = this.rows.filter((row) => !here.has(row.interview));
    this.rows.length = 0;
    for (const row of kept) this.rows.push(row);
    for (const row of fetched) {
      this.rows.push(row);
      this.loaded.add(row.interview);
    }
    this.deps.send({ rows: this.rows.slice(), reset: true });
  }

  /** Sends fetched[from..] as new rows; returns how many of `fetched` are sent. */
  private append(fetched: readonly ResultRow[], from: number): number {
    const rows = fetched.slice(from);
    if (rows.length === 0) return from;
    for (const row of rows) {
      this.rows.push(row);
      this.loaded.add(row.interview);
    }
    this.deps.send({ rows, reset: false });
    return fetched.length;
  }
}
