// Runs one job: walks its interviews lazily, keeps a bounded number in flight, and writes each finished
// interview with its results in one transaction. A restart resumes from what is stored.
import { QuestionRenderError, TemplateRenderError, type InterviewRef } from '../../format';
import type { FinishedInterview, StoredJob, Store } from '../store/store';
import type { CallPath } from './call-path';
import { whileUnavailable } from '../store/unavailable';
import { FatalCallError, type InterviewContext } from './interview';

/** What a job runs, whatever its kind: its interviews in order, and how to run one (a survey's or an eval's). */
export interface InterviewPlan {
  /** The file's own `fresh:`; the submission's overrides it. */
  fresh: boolean;
  interviews(): Iterator<InterviewRef>;
  /** About how many calls one interview makes, for progress counted in calls. */
  callsPerInterview: number;
  runInterview(ref: InterviewRef, context: InterviewContext): Promise<FinishedInterview>;
}

export type RunOutcome = { kind: 'finished' } | { kind: 'cancelled' } | { kind: 'stopped' } | { kind: 'fatal'; message: string };

export interface JobRunOptions {
  /** Interviews in flight at once for this job. */
  concurrency: number;
  /** Written in one transaction when this many interviews are waiting. */
  batchSize: number;
  /** After each write, with the indexes of the interviews just written. */
  onStored: (interviews: number[]) => void;
}

const YIELD_EVERY_MS = 15;

export class JobRun {
  private readonly controller = new AbortController();
  private stopReason: 'cancel' | 'stop' | null = null;
  private fatal: string | null = null;
  private buffer: FinishedInterview[] = [];
  private flushScheduled = false;
  /** Batches are written one after another, in order; the run ends once the last is stored. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: StoredJob,
    private readonly plan: InterviewPlan,
    private readonly store: Store,
    private readonly callPath: CallPath,
    private readonly options: JobRunOptions,
  ) {}

  /** Stops the run: `cancel` ends the job as cancelled; `stop` (server shutdown) leaves it to resume later. */
  halt(reason: 'cancel' | 'stop'): void {
    this.stopReason ??= reason;
    this.controller.abort(new Error(reason === 'cancel' ? 'job cancelled' : 'server stopping'));
  }

  async run(): Promise<RunOutcome> {
    const done = await whileUnavailable(() => this.store.finishedInterviews(this.job.id), { stopped: () => this.stopReason !== null });
    const interviews = this.plan.interviews();
    const context: InterviewContext = {
      jobId: this.job.id,
      user: this.job.owner,
      fresh: this.job.submission.fresh ?? this.plan.fresh,
      signal: this.controller.signal,
      callPath: this.callPath,
    };
    await new Promise<void>((resolve) => {
      let active = 0;
      let exhausted = false;
      let lastYield = performance.now();
      let yielding = false;
      const resume = (): void => {
        yielding = false;
        lastYield = performance.now();
        launch();
      };
      const launch = (): void => {
        // While yielding, finished interviews start no new ones: the microtask queue must drain so that
        // the event loop reaches I/O (HTTP replies, event streams) before more work is launched.
        if (yielding) return;
        while (!exhausted && active < this.options.concurrency && !this.controller.signal.aborted) {
          // Zero-latency providers finish in microtasks: yield now and then so HTTP and writes get their turn.
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            yielding = true;
            setImmediate(resume);
            return;
          }
          const next = interviews.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          const ref: InterviewRef = next.value;
          if (done.has(ref.index)) continue;
          active++;
          this.plan
            .runInterview(ref, context)
            .then(
              (finished) => this.finish(finished),
              (error: unknown) => this.fail(error),
            )
            .finally(() => {
              active--;
              if (active === 0 && (exhausted || this.controller.signal.aborted)) resolve();
              else launch();
            });
        }
        if (active === 0 && (exhausted || this.controller.signal.aborted)) resolve();
      };
      launch();
    });
    this.flush();
    await this.writing;
    if (this.fatal !== null) return { kind: 'fatal', message: this.fatal };
    if (this.stopReason === 'cancel') return { kind: 'cancelled' };
    if (this.stopReason === 'stop') return { kind: 'stopped' };
    return { kind: 'finished' };
  }

  private finish(interview: FinishedInterview): void {
    this.buffer.push(interview);
    if (this.buffer.length >= this.options.batchSize) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private fail(error: unknown): void {
    if (error instanceof FatalCallError) {
      this.fatal ??= error.message;
      this.controller.abort(error);
      return;
    }
    if (error instanceof QuestionRenderError || error instanceof TemplateRenderError) {
      // A template that meets a render limit with this interview's data: a problem with the file, said where it
      // is. It would fail again on retry, so the job stops here rather than spend on the other interviews.
      this.fatal ??=
        error instanceof QuestionRenderError
          ? `${error.message}; fix the survey and run it again`
          : `${error.message}; fix the eval's template and run it again`;
      this.controller.abort(error);
      return;
    }
    if (this.controller.signal.aborted) return; // dropped: runs again on resume or retry
    // Our own bug, not the provider's: stop the job with the reason rather than fail every interview quietly.
    this.fatal ??= `internal error: ${error instanceof Error ? error.message : String(error)}`;
    this.controller.abort(error);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing
      // A database restarting is waited out: the batch is written once it is back.
      .then(() => whileUnavailable(() => this.store.finishInterviews(this.job.id, batch), { stopped: () => this.stopReason !== null }))
      .then(
        () => this.options.onStored(batch.map((finished) => finished.interview)),
        (error: unknown) => {
          // Results that cannot be stored stop the job: its interviews run again when it is resumed or retried.
          this.fatal ??= `could not store results: ${error instanceof Error ? error.message : String(error)}`;
          this.controller.abort(error);
        },
      );
  }
}
