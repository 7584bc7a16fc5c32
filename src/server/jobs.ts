// The server's core: accepts jobs, runs them, keeps their log, and resumes them after a restart.
import { CompiledSurvey, imageFiles, parseSurvey, surveyShowsImages, type SpecIssue, type Survey } from '../spec';
import type { Estimate, Job, JobEvent, JobSubmission, ModelInfo } from '../protocol';
import { JobSubmission as JobSubmissionSchema, isFinished } from '../protocol';
import { JobError, type JobManager } from './job-manager';
import type { NewEvent, Store, StoredJob } from './store/store';
import type { Provider } from './providers/provider';
import type { Pricing } from './pricing';
import type { Scheduler, SchedulerNotice } from './scheduler/scheduler';
import { CallPath } from './runner/call-path';
import { JobRun, type RunOutcome } from './runner/job-run';
import { estimateJob } from './estimate';
import { isEvalFileName, type CompiledEval } from '../spec';
import type { MetricsReport } from '../protocol';
import { ScoringCalls } from './runner/call-path';
import type { InterviewPlan } from './runner/job-run';
import { evalPlan, surveyPlan } from './runner/plans';
import { compileEvalSubmission, evalQueuedMessage, FinishedMetrics } from './eval-job';
import { estimateEval } from './estimate-eval';
import { newJobId } from './ids';

export interface CoreOptions {
  store: Store;
  providers: ReadonlyMap<string, Provider>;
  pricing: Pricing;
  scheduler: Scheduler;
  /** What the server's services offer (models, prices, capabilities) and refuse; without it, every provider's service is offered. */
  catalog?: ServiceCatalog;
  /** Largest job accepted, in interviews. */
  maxInterviews: number;
  /** Jobs running at once; more wait as queued. */
  maxRunningJobs: number;
  /** Interviews in flight per job. */
  interviewsInFlight: number;
  log: (line: string) => void;
}

/** The services side of the core (src/server/services): the /v1/models list and why a model cannot run. */
export interface ServiceCatalog {
  models(): ModelInfo[];
  refusal(model: Survey['models'][number], needsImages: boolean): string | null;
}

const PROGRESS_EVERY_MS = 500;
const NOTICE_EVERY_MS = 2000;

export class CoreJobManager implements JobManager {
  private readonly runs = new Map<string, JobRun>();
  /** Settles when a run has ended and its job's status is written. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly waiting: string[] = [];
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private readonly progressState = new Map<string, { at: number; calls: number }>();
  private readonly notices = new Map<string, { at: number; suppressed: number; last: SchedulerNotice }>();
  private readonly callPath: CallPath;
  private readonly scoringCalls: ScoringCalls;
  private readonly finishedMetrics: FinishedMetrics;
  private closing = false;

  constructor(private readonly options: CoreOptions) {
    this.callPath = new CallPath(options.store, options.scheduler, options.providers, options.pricing);
    this.scoringCalls = new ScoringCalls(options.store, options.scheduler, options.providers, options.pricing);
    this.finishedMetrics = new FinishedMetrics(options.store);
  }

  /** Picks up jobs a previous process left queued, running or cancelling. */
  resume(): void {
    for (const job of this.options.store.unfinishedJobs()) {
      if (job.status === 'cancelling') {
        this.options.store.setJobStatus(job.id, 'cancelled', { finished: true });
        this.emit({ job_id: job.id, type: 'cancelled', message: 'Cancelled (the server restarted while cancelling).' });
        continue;
      }
      if (job.status === 'running') {
        this.emit({ job_id: job.id, type: 'resumed', message: 'Server restarted: resuming from the stored results.' });
      }
      this.enqueue(job.id);
    }
  }

  submit(owner: string, submission: JobSubmission, idempotencyKey: string | null): { job: Job; created: boolean } {
    if (idempotencyKey) {
      const existing = this.options.store.findJobByIdempotencyKey(owner, idempotencyKey);
      if (existing) return { job: toWire(existing), created: false };
    }
    const accepted = JobSubmissionSchema.parse(submission);
    if (isEvalFileName(accepted.source.name)) return this.submitEval(owner, accepted, idempotencyKey);
    const survey = this.compile(accepted);
    const id = newJobId();
    const stored = this.options.store.insertJob({
      id,
      kind: 'survey',
      name: survey.survey.name,
      source_name: accepted.source.name,
      owner,
      models: survey.survey.models.map((m) => m.label),
      interviews_total: survey.interviewCount,
      submission: accepted,
      idempotency_key: idempotencyKey,
    });
    this.emit({
      job_id: id,
      type: 'queued',
      message: `Queued: ${survey.interviewCount.toLocaleString('en-US')} interviews × ${survey.survey.questions.length} questions on ${stored.models.join(', ')}.`,
      data: { interviews_total: survey.interviewCount },
    });
    this.enqueue(id);
    return { job: toWire(this.options.store.getJob(id) ?? stored), created: true };
  }

  estimate(_owner: string, submission: JobSubmission): Estimate {
    const accepted = JobSubmissionSchema.parse(submission);
    if (isEvalFileName(accepted.source.name)) {
      const compiled = this.compileEval(accepted);
      return estimateEval(compiled, this.options.store, this.options.pricing, accepted.fresh ?? compiled.task.fresh);
    }
    const survey = this.compile(accepted);
    return estimateJob(survey, this.options.store, this.options.pricing, accepted.fresh ?? survey.survey.fresh);
  }

  get(owner: string, id: string): Job {
    const job = this.owned(owner, id);
    const costs = this.options.store.costByModel(id);
    // Older jobs have no rows: the field stays absent rather than claiming they cost nothing.
    const wire = costs.length > 0 ? { ...toWire(job), cost_by_model: costs } : toWire(job);
    if (job.kind !== 'eval' || !isFinished(job.status)) return wire;
    return { ...wire, metrics: this.finishedMetrics.get(job, () => this.compileEval(job.submission)) };
  }

  /** An eval job's metrics so far (a survey has none). */
  metrics(owner: string, id: string): MetricsReport {
    const job = this.owned(owner, id);
    if (job.kind !== 'eval') return { metrics: [] };
    return { metrics: this.finishedMetrics.live(job, () => this.compileEval(job.submission)) };
  }

  scorerNames(owner: string, id: string): string[] {
    const job = this.owned(owner, id);
    if (job.kind !== 'eval') return [];
    try {
      return this.compileEval(job.submission).task.scorers.map((scorer) => scorer.name);
    } catch {
      return []; // the stored eval no longer validates here (a service went away): export without score columns
    }
  }

  cancel(owner: string, id: string): Job {
    const job = this.owned(owner, id);
    if (job.status === 'cancelled' || job.status === 'cancelling') return toWire(job);
    if (isFinished(job.status)) throw new JobError('conflict', `Job ${id} is already ${job.status}; only queued or running jobs can be cancelled.`);
    const run = this.runs.get(id);
    if (run) {
      this.options.store.setJobStatus(id, 'cancelling');
      this.emit({ job_id: id, type: 'cancelling', message: 'Cancelling: stopping calls in flight.' });
      run.halt('cancel');
    } else {
      const at = this.waiting.indexOf(id);
      if (at >= 0) this.waiting.splice(at, 1);
      this.options.store.setJobStatus(id, 'cancelled', { finished: true });
      this.emit({ job_id: id, type: 'cancelled', message: 'Cancelled before it started: nothing was spent.' });
    }
    return this.get(owner, id);
  }

  retry(owner: string, id: string): Job {
    const job = this.owned(owner, id);
    if (!['failed', 'partially_failed', 'cancelled'].includes(job.status)) {
      throw new JobError('conflict', `Job ${id} is ${job.status}; only failed, partially failed or cancelled jobs can be retried.`);
    }
    const cleared = this.options.store.clearFailedInterviews(id);
    const again = this.options.store.getJob(id)!;
    const remaining = again.progress.interviews_total - again.progress.interviews_done;
    this.options.store.setJobStatus(id, 'queued', { error: null, finished: false });
    this.emit({
      job_id: id,
      type: 'queued',
      message: `Retry: ${remaining.toLocaleString('en-US')} interviews to run (${cleared} failed before); ${again.progress.interviews_done.toLocaleString('en-US')} finished ones are kept.`,
    });
    this.enqueue(id);
    return this.get(owner, id);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }

  models(): ModelInfo[] {
    if (this.options.catalog) return this.options.catalog.models();
    return [...this.options.providers.values()].map((provider) => {
      const price = this.options.pricing.price({ service: provider.service, model: provider.service });
      return {
        id: provider.service,
        service: provider.service,
        provider: provider.service,
        price: price ? { input_per_mtok: price.input_per_mtok, output_per_mtok: price.output_per_mtok, as_of: price.as_of } : null,
        capabilities: provider.service === 'test' ? ['offline', 'deterministic'] : [],
      };
    });
  }

  runningCount(): number {
    return this.runs.size;
  }

  /**
   * A scheduler notice for a job's log, at most one per kind every few seconds with a count of the rest. What a lane
   * came to believe about its limits is rare and always said, as a rate-limit line.
   */
  notice(notice: SchedulerNotice): void {
    if (notice.type === 'limits') {
      this.emit({ job_id: notice.jobId, type: 'rate_limited', message: notice.message, data: { lane: notice.lane } });
      return;
    }
    const key = `${notice.jobId}\u0000${notice.type}`;
    const now = Date.now();
    const state = this.notices.get(key);
    if (state && now - state.at < NOTICE_EVERY_MS) {
      state.suppressed++;
      state.last = notice;
      return;
    }
    const more = state && state.suppressed > 0 ? ` (and ${state.suppressed} more since the last note)` : '';
    this.notices.set(key, { at: now, suppressed: 0, last: notice });
    this.emit({ job_id: notice.jobId, type: notice.type, message: notice.message + more, data: { lane: notice.lane } });
  }

  /** Stops every run; their jobs stay running in the store and resume on the next start. */
  async close(): Promise<void> {
    this.closing = true;
    for (const run of this.runs.values()) run.halt('stop');
    await Promise.allSettled([...this.settling.values()]);
  }

  private compile(submission: ReturnType<typeof JobSubmissionSchema.parse>): CompiledSurvey {
    const { files } = submission;
    const parsed = parseSurvey(submission.source, (name) => (Object.hasOwn(files, name) ? files[name] : undefined));
    if (!parsed.ok) throw new JobError('invalid_spec', summarize(parsed.issues), parsed.issues);
    this.checkServices(parsed.value);
    const images = imageFiles(parsed.value.scenarios, files);
    if (!images.ok) throw new JobError('invalid_spec', images.message);
    const survey = new CompiledSurvey(parsed.value, images.images);
    if (survey.interviewCount > this.options.maxInterviews) {
      throw new JobError(
        'too_large',
        `This job has ${survey.interviewCount.toLocaleString('en-US')} interviews; this server accepts at most ${this.options.maxInterviews.toLocaleString('en-US')}. Split it, or start the server with a larger --max-interviews.`,
      );
    }
    return survey;
  }

  private checkServices(survey: Survey): void {
    if (this.options.catalog) {
      const needsImages = surveyShowsImages(survey);
      for (const model of survey.models) {
        const refusal = this.options.catalog.refusal(model, needsImages);
        if (refusal) throw new JobError('invalid_spec', refusal);
      }
      return;
    }
    const offered = [...this.options.providers.keys()];
    for (const model of survey.models) {
      if (!this.options.providers.has(model.service)) {
        throw new JobError(
          'invalid_spec',
          `model "${model.label}": this server has no service "${model.service}" (it offers: ${offered.join(', ')}). Use one of those, or configure the service on the server.`,
        );
      }
    }
  }

  private submitEval(owner: string, accepted: StoredJob['submission'], idempotencyKey: string | null): { job: Job; created: boolean } {
    const compiled = this.compileEval(accepted);
    const id = newJobId();
    const stored = this.options.store.insertJob({
      id,
      kind: 'eval',
      name: compiled.task.name,
      source_name: accepted.source.name,
      owner,
      models: compiled.task.models.map((m) => m.label),
      interviews_total: compiled.interviewCount,
      submission: accepted,
      idempotency_key: idempotencyKey,
    });
    this.emit({ job_id: id, type: 'queued', message: evalQueuedMessage(compiled), data: { interviews_total: compiled.interviewCount } });
    this.enqueue(id);
    return { job: toWire(this.options.store.getJob(id) ?? stored), created: true };
  }

  private compileEval(submission: StoredJob['submission']): CompiledEval {
    return compileEvalSubmission(submission, {
      providers: this.options.providers,
      refusal: (model) => this.options.catalog?.refusal(model, false) ?? null,
      maxInterviews: this.options.maxInterviews,
    });
  }

  private owned(owner: string, id: string): StoredJob {
    const job = this.options.store.getJob(id);
    if (!job || job.owner !== owner) throw new JobError('not_found', `No job ${id} for this API key's user.`);
    return job;
  }

  private enqueue(id: string): void {
    if (this.closing || this.waiting.includes(id) || this.runs.has(id)) return;
    this.waiting.push(id);
    queueMicrotask(() => this.startWaiting());
  }

  private startWaiting(): void {
    while (!this.closing && this.runs.size < this.options.maxRunningJobs && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const job = this.options.store.getJob(id);
      if (!job || isFinished(job.status)) continue;
      this.start(job);
    }
  }

  private start(job: StoredJob): void {
    let plan: InterviewPlan;
    try {
      plan = job.kind === 'eval' ? evalPlan(this.compileEval(job.submission), this.scoringCalls) : surveyPlan(this.compile(job.submission));
    } catch (error) {
      this.finishWith(job.id, 'failed', `The stored job no longer validates: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const resumed = job.status === 'running';
    this.options.store.setJobStatus(job.id, 'running', { started: !resumed });
    if (!resumed) this.emit({ job_id: job.id, type: 'started', message: 'Started.' });
    this.progressState.set(job.id, { at: Date.now(), calls: job.progress.calls_done });
    const run = new JobRun(job, plan, this.options.store, this.callPath, {
      concurrency: this.options.interviewsInFlight,
      batchSize: 500,
      onProgress: () => this.progress(job.id, false),
    });
    this.runs.set(job.id, run);
    const settled = run
      .run()
      .then(
        (outcome) => this.settle(job.id, outcome),
        (error: unknown) => this.settle(job.id, { kind: 'fatal', message: `internal error: ${error instanceof Error ? error.message : String(error)}` }),
      )
      .finally(() => this.settling.delete(job.id));
    this.settling.set(job.id, settled);
  }

  private settle(id: string, outcome: RunOutcome): void {
    this.runs.delete(id);
    this.progressState.delete(id);
    if (outcome.kind === 'stopped') return;
    this.progress(id, true);
    const job = this.options.store.getJob(id)!;
    const p = job.progress;
    const summary = `${p.interviews_done.toLocaleString('en-US')} of ${p.interviews_total.toLocaleString('en-US')} interviews done, ${p.interviews_failed} failed; ${p.calls_done.toLocaleString('en-US')} calls (${p.calls_cached.toLocaleString('en-US')} cached); $${job.cost.usd.toFixed(4)}.`;
    if (outcome.kind === 'cancelled') this.finishWith(id, 'cancelled', null, `Cancelled: ${summary}`);
    else if (outcome.kind === 'fatal') this.finishWith(id, 'failed', outcome.message, `Failed: ${outcome.message}. ${summary}`);
    else if (p.interviews_failed === 0) this.finishWith(id, 'completed', null, `Completed: ${summary}`);
    else if (p.interviews_done > 0) this.finishWith(id, 'partially_failed', `${p.interviews_failed} interviews failed`, `Partially failed: ${summary}`);
    else this.finishWith(id, 'failed', 'every interview failed', `Failed: ${summary}`);
    this.startWaiting();
  }

  private finishWith(id: string, status: 'completed' | 'partially_failed' | 'failed' | 'cancelled', error: string | null, message?: string): void {
    this.options.store.setJobStatus(id, status, { error, finished: true });
    const type = status === 'completed' ? 'completed' : status === 'cancelled' ? 'cancelled' : 'failed';
    this.emit({ job_id: id, type, message: message ?? `Failed: ${error}`, data: { status } });
  }

  private progress(id: string, force: boolean): void {
    const state = this.progressState.get(id);
    const now = Date.now();
    if (!force && state && now - state.at < PROGRESS_EVERY_MS) return;
    const job = this.options.store.getJob(id);
    if (!job) return;
    const seconds = state ? (now - state.at) / 1000 : 0;
    const callsPerSecond = state && seconds > 0 ? (job.progress.calls_done - state.calls) / seconds : 0;
    if (state) this.progressState.set(id, { at: now, calls: job.progress.calls_done });
    const p = job.progress;
    this.emit({
      job_id: id,
      type: 'progress',
      message: `${p.interviews_done + p.interviews_failed} / ${p.interviews_total} interviews, ${Math.round(callsPerSecond)} calls/s, $${job.cost.usd.toFixed(4)}`,
      data: { progress: p, cost: job.cost, calls_per_second: Math.round(callsPerSecond * 10) / 10 },
    });
  }

  private emit(event: NewEvent): void {
    const stored = this.options.store.appendEvent(event);
    const set = this.listeners.get(event.job_id);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(stored);
      } catch (error) {
        this.options.log(`event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function toWire(job: StoredJob): Job {
  const { submission: _submission, idempotency_key: _key, ...wire } = job;
  return wire;
}

function summarize(issues: SpecIssue[]): string {
  const first = issues[0];
  if (!first) return 'The survey is not valid.';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  return `${first.file}:${first.line}:${first.column} ${first.message}${more}`;
}
