// Live progress of a job on stderr: a bar at a terminal, occasional plain lines in a pipe, nothing with --quiet.
import { MultiBar, type SingleBar } from 'cli-progress';
import { z } from 'zod';
import { EventType, JobCost, JobProgress, type Job, type JobEvent } from '../api';
import { count, usd } from './format';
import { isInteractive, type Cli } from './io';

/** The data of a `progress` event, when the server sends it. */
const ProgressData = z.object({ progress: JobProgress, cost: JobCost, calls_per_second: z.number().optional() });

/** Events worth a line of their own: all but the routine ones the bar shows (a new kind of event gets a line). */
const NOTEWORTHY: ReadonlySet<EventType> = new Set(EventType.exclude(['queued', 'started', 'progress']).options);

const PLAIN_EVERY_MS = 5_000;
/** interview_failed can come once per interview: show a few, then count. */
const MAX_FAILED_NOTES = 5;

export interface ProgressView {
  event(event: JobEvent): void;
  /** A line that must be seen (e.g. "cancelling…"), even with --quiet. */
  note(line: string): void;
  stop(): void;
}

export function progressView(cli: Cli, job: Job, opts: { quiet: boolean }): ProgressView {
  const startedAt = Date.now();
  let progress = job.progress;
  let cost = job.cost;
  let rate: number | undefined;
  let failedNotes = 0;
  let lastPlain = 0;

  const live = !opts.quiet && isInteractive(cli.stderr);
  let multibar: MultiBar | undefined;
  let bar: SingleBar | undefined;
  if (live) {
    multibar = new MultiBar({
      stream: cli.stderr,
      format: ' {bar} {value}/{total} interviews | {rate} calls/s | {cost}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    });
    bar = multibar.create(Math.max(progress.interviews_total, 1), 0, payload());
  }

  function payload(): { rate: string; cost: string } {
    const calls = progress.calls_done; // cached calls are part of it
    // The server's rate is over its last interval; before it has one, the average since the start.
    const perSecond = rate !== undefined && rate > 0 ? rate : calls / Math.max((Date.now() - startedAt) / 1000, 0.001);
    return { rate: perSecond.toFixed(1), cost: usd(cost.usd) };
  }

  function line(text: string): void {
    if (multibar) multibar.log(`${text}\n`);
    else cli.err(text);
  }

  return {
    event(event) {
      const data = event.type === 'progress' ? ProgressData.safeParse(event.data) : undefined;
      if (data?.success) {
        progress = data.data.progress;
        cost = data.data.cost;
        rate = data.data.calls_per_second;
        const finished = progress.interviews_done + progress.interviews_failed;
        if (bar) {
          bar.setTotal(Math.max(progress.interviews_total, 1));
          bar.update(finished, payload());
        } else if (!opts.quiet && Date.now() - lastPlain >= PLAIN_EVERY_MS) {
          lastPlain = Date.now();
          cli.err(`${count(finished)}/${count(progress.interviews_total)} interviews, ${payload().rate} calls/s, ${usd(cost.usd)}`);
        }
        return;
      }
      if (opts.quiet || !NOTEWORTHY.has(event.type)) return;
      if (event.type === 'interview_failed' && ++failedNotes > MAX_FAILED_NOTES) {
        if (failedNotes === MAX_FAILED_NOTES + 1) line('(more interviews failed; see `fieldwork jobs logs`)');
        return;
      }
      line(`${event.type}: ${event.message}`);
    },
    note(text) {
      line(text);
    },
    stop() {
      if (!multibar) return;
      // A last redraw flushes notes still buffered for the next frame; then the bar is cleared.
      multibar.update();
      multibar.stop();
      multibar = undefined;
      bar = undefined;
    },
  };
}
