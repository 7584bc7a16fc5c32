// The job service: accepts jobs, runs them, keeps their log, and resumes them after a restart.
import { isFinished, type Estimate, type Job, type JobEvent, type JobStatus, type JobSubmission, type MetricsReport, type ModelInfo } from '../../api';
import { JobError, type JobManager } from './job-manager';
import type { JobStatusFields, NewEvent, StoredJob } from '../store/store';
import type { SchedulerNotice } from '../scheduler/scheduler';
import { CallPath } from '../runner/call-path';
import { JobRun, type InterviewPlan, type RunOutcome } from '../runner/job-run';
import { FinishedMetrics } from './finished-metrics';
import { acceptSubmission, renderProblem, SubmissionCompiler } from './compile-submission';
import { CompiledJobs } from './compiled-jobs';
import { JOB_KINDS, type CompiledJob } from './kinds';
import type { ResultCsv } from '../http/csv';
import { newJobId } from './ids';
import { userScope, type CacheScopeOf } from '../cache-scope';
import { JobEvents } from './job-events';
import { JobProgress } from './job-progress';
import { jobEnd } from './job-end';
import { whileUnavailable } from '../store/unavailable';

export type { CoreOptions, ServiceCatalog } from './job-service-options';
import type { CoreOptions } from './job-service-options';

/** How long a job waits to be compiled again when the spec pool was full. */
const BUSY_RETRY_MS = 1000;

export class JobService implements JobManager {
  private readonly runs = new Map<string, JobRun>();
  /** Settles when a run has ended and its job's status is written. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly waiting: string[] = [];
  private readonly progressNotes: JobProgress;
  /** The jobs' logs and their live followers, scheduler notices included. */
  private readonly events: JobEvents;
  private readonly callPath: CallPath;
  private readonly finishedMetrics: FinishedMetrics;
  private readonly compiler: SubmissionCompiler;
  private readonly compiled = new CompiledJobs();
  /** Jobs being compiled before they run: they count against maxRunningJobs like running ones. */
  private readonly starting = new Map<string, Promise<void>>();
  private closing = false;
  /** Jobs cancelled while they waited to start: a start already under way drops them. */
  private readonly cancelled = new Set<string>();
  private readonly scopeOf: CacheScopeOf;

  constructor(private readonly options: CoreOptions) {
    this.scopeOf = options.cacheScope ?? userScope;
    // Replicas hear every stored event from the database, in order (replicas/event-feed.ts), their own included.
    this.events = new JobEvents(options.store, options.log, { viaFeed: options.replica !== undefined });
    const catalog = options.catalog;
    this.compiler = new SubmissionCompiler({
      specs: options.specs,
      providers: options.providers,
      refusal: catalog ? (model, needsImages) => catalog.refusal(model, needsImages) : null,
      maxInterviews: options.maxInterviews,
      maxQuestions: options.maxQuestions,
    });
    this.progressNotes = new JobProgress(options.store, this.events, options.log);
    const called = (jobId: string): void => this.progressNotes.called(jobId);
    this.callPath = new CallPath(options.store, options.scheduler, options.providers, options.pricing, this.scopeOf, called);
    this.finishedMetrics = new FinishedMetrics(options.store);
  }

  /** Picks up jobs a previous process left queued, running or cancelling. */
  async resume(): Promise<void> {
    for (const job of await this.options.store.unfinishedJobs()) await this.take(job, { resumed: 'Server restarted', cancelled: 'the server restarted' });
  }

  /** Runs a job this process now answers for: left by a previous process, or claimed by this replica. */
  async take(job: StoredJob, why: { resumed: string; cancelled: string }): Promise<void> {
    if (job.status === 'cancelling') {
      await this.setStatus(job.id, 'cancelled', { finished: true }, { type: 'cancelled', message: `Cancelled (${why.cancelled} while cancelling).` });
      return;
    }
    if (job.status === 'running') {
      await this.events.emit({ job_id: job.id, type: 'resumed', message: `${why.resumed}: resuming from the stored results.` });
    }
    this.queue(job.id);
  }

  /** Stops a run here: `cancel` ends its job as cancelled, `stop` leaves it to resume (another replica took it over). */
  halt(jobId: string, reason: 'cancel' | 'stop'): void {
    this.runs.get(jobId)?.halt(reason);
  }

  /** Whether the job is waiting, starting, running or settling in this process. */
  isActive(jobId: string): boolean {
    return this.waiting.includes(jobId) || this.starting.has(jobId) || this.runs.has(jobId) || this.settling.has(jobId);
  }

  /** How many more jobs this process would run now. */
  freeSlots(): number {
    return this.closing ? 0 : Math.max(0, this.options.maxRunningJobs - this.runs.size - this.starting.size - this.waiting.length);
  }

  /** An event stored by any replica, read back in order, for this process's live followers. */
  deliver(event: JobEvent): void {
    this.events.deliver(event);
  }

  /** Whether anyone here follows the job live. */
  isFollowed(jobId: string): boolean {
    return this.events.isFollowed(jobId);
  }

  async submit(owner: string, submission: JobSubmission, idempotencyKey: string | null): Promise<{ job: Job; created: boolean }> {
    const existing = () => (idempotencyKey ? this.options.store.findJobByIdempotencyKey(owner, idempotencyKey) : null);
    const before = await existing();
    if (before) return { job: toWire(before), created: false };
    const accepted = acceptSubmission(submission);
    const compiled = await this.compiler.compile(accepted);
    // The same key may have been submitted again while this one was being checked.
    const meanwhile = await existing();
    if (meanwhile) return { job: toWire(meanwhile), created: false };
    const id = newJobId();
    const stored = await this.options.store.insertJob({
      id,
      kind: compiled.kind,
      name: compiled.name,
      source_name: accepted.source.name,
      owner,
      models: compiled.models,
      interviews_total: compiled.interviewCount,
      submission: accepted,
      idempotency_key: idempotencyKey,
    });
    await this.events.emit({ job_id: id, type: 'queued', message: compiled.queuedMessage(), data: { interviews_total: compiled.interviewCount } });
    this.compiled.keep(id, compiled);
    this.enqueue(id);
    return { job: toWire((await this.options.store.getJob(id)) ?? stored), created: true };
  }

  async estimate(owner: string, submission: JobSubmission): Promise<Estimate> {
    // Counted in the owner's own cache: another user's calls are neither shown as cached nor reused.
    const scope = this.scopeOf(owner);
    const accepted = acceptSubmission(submission);
    const compiled = await this.compiler.compile(accepted);
    try {
      return await compiled.estimate({ store: this.options.store, pricing: this.options.pricing, fresh: accepted.fresh ?? compiled.fresh, scope });
    } catch (error) {
      // A template that runs into a render limit with some interview's data is a problem with the file.
      throw renderProblem(error);
    }
  }

  async get(owner: string, id: string): Promise<Job> {
    const job = await this.owned(owner, id);
    const costs = await this.options.store.costByModel(id);
    // Older jobs have no rows: the field stays absent rather than claiming they cost nothing.
    const wire = costs.length > 0 ? { ...toWire(job), cost_by_model: costs } : toWire(job);
    if (!JOB_KINDS[job.kind].scored || !isFinished(job.status)) return wire;
    return { ...wire, metrics: await this.finishedMetrics.get(job, () => this.compiledNow(job)) };
  }

  /** A scored job's metrics so far (a survey has none). */
  async metrics(owner: string, id: string): Promise<MetricsReport> {
    const job = await this.owned(owner, id);
    if (!JOB_KINDS[job.kind].scored) return { metrics: [] };
    return { metrics: await this.finishedMetrics.live(job, () => this.compiledNow(job)) };
  }

  /** How the job's results are written as CSV: by its kind, with a scored job's own columns. */
  async resultCsv(owner: string, id: string): Promise<ResultCsv> {
    const job = await this.owned(owner, id);
    const kind = JOB_KINDS[job.kind];
    if (!kind.scored) return kind.csv;
    try {
      return this.compiledNow(job).csv();
    } catch {
      return kind.csv; // the stored job no longer validates here (a service went away): export without its own columns
    }
  }

  async cancel(owner: string, id: string): Promise<Job> {
    const job = await this.owned(owner, id);
    if (job.status === 'cancelled' || job.status === 'cancelling') return toWire(job);
    if (isFinished(job.status)) throw new JobError('conflict', `Job ${id} is already ${job.status}; only queued or running jobs can be cancelled.`);
    const run = this.runs.get(id);
    if (run || (await this.options.replica?.runsElsewhere(id))) {
      await this.setStatus(id, 'cancelling', {}, { type: 'cancelling', message: 'Cancelling: stopping calls in flight.' });
      run?.halt('cancel'); // on another replica, the event tells it to stop
    } else {
      const at = this.waiting.indexOf(id);
      if (at >= 0) this.waiting.splice(at, 1);
      if (this.starting.has(id)) this.cancelled.add(id);
      this.compiled.forget(id);
      await this.setStatus(id, 'cancelled', { finished: true }, { type: 'cancelled', message: 'Cancelled before it started: nothing was spent.' });
    }
    return this.get(owner, id);
  }

  async retry(owner: string, id: string): Promise<Job> {
    const job = await this.owned(owner, id);
    if (!['failed', 'partially_failed', 'cancelled'].includes(job.status)) {
      throw new JobError('conflict', `Job ${id} is ${job.status}; only failed, partially failed or cancelled jobs can be retried.`);
    }
    const cleared = await this.options.store.clearFailedInterviews(id);
    const again = (await this.options.store.getJob(id))!;
    const remaining = again.progress.interviews_total - again.progress.interviews_done;
    this.cancelled.delete(id);
    await this.setStatus(
      id,
      'queued',
      { error: null, finished: false },
      {
        type: 'queued',
        message: `Retry: ${remaining.toLocaleString('en-US')} interviews to run (${cleared} failed before); ${again.progress.interviews_done.toLocaleString('en-US')} finished ones are kept.`,
      },
    );
    this.enqueue(id);
    return this.get(owner, id);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    return this.events.subscribe(jobId, listener);
  }

  models(): ModelInfo[] {
    if (this.options.catalog) return this.options.catalog.models();
    return [...this.options.providers.values()].map((provider) => {
      const price = this.options.pricing.price({ service: provider.service, model: provider.service });
      return {
        id: provider.service,
        service: provider.service,
        provider: provider.service,
        price: price ? { input_per_mtok: price.input_per_mtok, output_per_mtok: price.output_per_mtok, as_of: price.as_of ?? 'undated' } : null,
        capabilities: provider.service === 'test' ? ['offline', 'deterministic'] : [],
      };
    });
  }

  async runningCount(): Promise<number> {
    return this.options.replica ? this.options.replica.runningCount() : this.runs.size;
  }

  /** A scheduler notice for a job's log, throttled per kind (src/server/job-events.ts). */
  notice(raw: SchedulerNotice): void {
    this.events.notice(raw);
  }

  /** Stops every run; their jobs stay running in the store and resume on the next start. */
  async close(): Promise<void> {
    this.closing = true;
    for (const run of this.runs.values()) run.halt('stop');
    await Promise.allSettled([...this.starting.values(), ...this.settling.values()]);
  }

  /** The job as compiled at submit, or compiled again on this thread (for reading a finished job's metrics). */
  private compiledNow(job: StoredJob): CompiledJob {
    return this.compiled.get(job.id) ?? this.compiler.compileInline({ ...job.submission, kind: job.kind });
  }

  private async owned(owner: string, id: string): Promise<StoredJob> {
    const job = await this.options.store.getJob(id);
    if (!job || job.owner !== owner) throw new JobError('not_found', `No job ${id} for this API key's user.`);
    return job;
  }

  /** A job to run: here at once, or, as one of several replicas, by whichever claims it. */
  private enqueue(id: string): void {
    if (this.options.replica) this.options.replica.offer(id);
    else this.queue(id);
  }

  private queue(id: string): void {
    if (this.closing || this.waiting.includes(id) || this.runs.has(id) || this.starting.has(id)) return;
    this.waiting.push(id);
    queueMicrotask(() => this.startWaiting());
  }

  private startWaiting(): void {
    while (!this.closing && this.runs.size + this.starting.size < this.options.maxRunningJobs && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const starting = this.start(id)
        .catch((error: unknown) => this.options.log(`could not start job ${id}: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.cancelled.delete(id);
          this.starting.delete(id);
          this.startWaiting();
        });
      this.starting.set(id, starting);
    }
  }

  /** Compiles a queued (or resumed) job in the spec pool, then runs it unless it was cancelled meanwhile. */
  private async start(id: string): Promise<void> {
    const job = await this.options.store.getJob(id);
    if (!job || isFinished(job.status)) return;
    let plan: InterviewPlan;
    let lanes: string[];
    try {
      const compiled = this.compiled.get(job.id) ?? (await this.compiler.compile({ ...job.submission, kind: job.kind }));
      this.compiled.keep(job.id, compiled);
      plan = compiled.plan();
      lanes = compiled.lanes();
    } catch (error) {
      if (this.closing) return;
      if (error instanceof JobError && error.kind === 'busy') {
        // The pool is full of other files: this job waits its turn again rather than fail.
        setTimeout(() => this.queue(job.id), BUSY_RETRY_MS).unref();
        return;
      }
      await this.finishWith(job.id, 'failed', `The stored job no longer validates: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // One replica owns each provider's lanes: a job whose lanes another replica owns goes to that one.
    if (this.options.replica && !(await this.options.replica.admit(job.id, lanes))) return;
    const current = await this.options.store.getJob(job.id);
    if (this.closing || !current || isFinished(current.status) || this.cancelled.has(current.id)) return;
    const resumed = current.status === 'running';
    await this.setStatus(current.id, 'running', { started: !resumed }, resumed ? undefined : { type: 'started', message: 'Started.' });
    if (this.cancelled.has(current.id)) {
      // Cancelled while its start was being written: the cancel's status stands, whichever write landed last.
      await this.options.store.setJobStatus(current.id, 'cancelled', { finished: true });
      return;
    }
    await this.progressNotes.start(current.id, current.progress.interviews_total * plan.callsPerInterview, current.progress.calls_done);
    const run = new JobRun(current, plan, this.options.store, this.callPath, {
      concurrency: this.options.interviewsInFlight,
      batchSize: 500,
      onStored: (interviews) => this.progressNotes.stored(current.id, interviews),
    });
    this.runs.set(current.id, run);
    const settled = run
      .run()
      .then(
        (outcome) => this.settleOnceStored(current.id, outcome),
        (error: unknown) =>
          this.settleOnceStored(current.id, { kind: 'fatal', message: `internal error: ${error instanceof Error ? error.message : String(error)}` }),
      )
      .catch((error: unknown) =>
        this.options.log(
          `job ${current.id} ended, but its end could not be stored (it resumes at the next start): ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => this.settling.delete(current.id));
    this.settling.set(current.id, settled);
  }

  /** Settles the run, waiting out a database that is restarting. */
  private settleOnceStored(id: string, outcome: RunOutcome): Promise<void> {
    return whileUnavailable(() => this.settle(id, outcome), {
      stopped: () => this.closing,
      onWait: (error, attempt) => {
        if (attempt === 1) this.options.log(`job ${id}: the database is unreachable (${error.message}); its end is stored once it is back`);
      },
    });
  }

  private async settle(id: string, outcome: RunOutcome): Promise<void> {
    this.runs.delete(id);
    this.compiled.forget(id);
    // A replica that lost the job's lease writes nothing more of it: the replica holding it now ends it.
    if (outcome.kind === 'stopped' || (this.options.replica && !(await this.options.replica.stillHolds(id)))) {
      this.progressNotes.forget(id);
      return;
    }
    await this.progressNotes.finish(id);
    const end = jobEnd(outcome, (await this.options.store.getJob(id))!);
    await this.finishWith(id, end.status, end.error, end.message);
    this.startWaiting();
  }

  private finishWith(id: string, status: 'completed' | 'partially_failed' | 'failed' | 'cancelled', error: string | null, message?: string): Promise<void> {
    const type = status === 'completed' ? 'completed' : status === 'cancelled' ? 'cancelled' : 'failed';
    return this.setStatus(id, status, { error, finished: true }, { type, message: message ?? `Failed: ${error}`, data: { status } });
  }

  /** A status and its event, stored in one transaction, then handed to the job's live followers. */
  private setStatus(id: string, status: JobStatus, fields: JobStatusFields, event?: Omit<NewEvent, 'job_id'>): Promise<void> {
    return this.events.setStatus(id, status, fields, event);
  }
}

function toWire(job: StoredJob): Job {
  const { submission: _submission, idempotency_key: _key, ...wire } = job;
  return wire;
}
