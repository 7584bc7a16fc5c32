// A submission → what the job service runs. The file is parsed and checked in the format pool (off the event loop, within
// memory and time limits); here come the checks only a server can make — its services, its size limits — and the
// compile, which happens question by question as the survey is used. Every refusal is a JobError with words a user
// can act on: a file that exhausts the pool is "too large", never an internal error.
import type { JobSubmission } from '../../api';
import { CompiledSurvey, isEvalFileName, QuestionRenderError, surveyShowsImages, TemplateRenderError, type CompiledEval, type Survey } from '../../format';
import { compileEvalTask, summarize, type EvalCompileOptions } from './eval-job';
import { JobError } from './job-manager';
import type { Provider } from '../providers/provider';
import type { SpecReply, SpecTask } from '../format-pool/messages';
import { SpecPoolError } from '../format-pool/pool';

/** Parses and checks a submission somewhere other than the event loop (the spec pool, or inline in tests). */
export interface SpecChecker {
  check(task: SpecTask): Promise<SpecReply>;
}

/** What the services side says about a model (see ServiceCatalog in jobs.ts). */
export type ModelRefusal = (model: Survey['models'][number], needsImages: boolean) => string | null;

export interface SubmissionCompilerOptions {
  specs: SpecChecker;
  providers: ReadonlyMap<string, Provider>;
  /** Why the server cannot run a model, when it has a services catalog. */
  refusal: ModelRefusal | null;
  maxInterviews: number;
  maxQuestions: number;
}

export type CompiledSubmission = { kind: 'survey'; survey: CompiledSurvey } | { kind: 'eval'; compiled: CompiledEval };

export class SubmissionCompiler {
  constructor(private readonly options: SubmissionCompilerOptions) {}

  async compile(submission: Pick<JobSubmission, 'source' | 'files'>): Promise<CompiledSubmission> {
    const reply = await this.check(submission);
    if (!reply.ok) {
      const noun = isEvalFileName(submission.source.name) ? 'eval' : 'survey';
      throw new JobError('invalid_spec', reply.message ?? summarize(reply.issues, noun), reply.issues);
    }
    if (reply.kind === 'eval') return { kind: 'eval', compiled: compileEvalTask(reply.task, this.evalOptions()) };
    this.checkServices(reply.survey);
    const survey = new CompiledSurvey(reply.survey, new Map(reply.images), reply.places);
    if (survey.interviewCount > this.options.maxInterviews) {
      throw new JobError(
        'too_large',
        `This job has ${survey.interviewCount.toLocaleString('en-US')} interviews; this server accepts at most ${this.options.maxInterviews.toLocaleString('en-US')}. Split it, or start the server with a larger --max-interviews.`,
      );
    }
    return { kind: 'survey', survey };
  }

  async survey(submission: Pick<JobSubmission, 'source' | 'files'>): Promise<CompiledSurvey> {
    const compiled = await this.compile(submission);
    if (compiled.kind !== 'survey') throw new JobError('invalid_request', `${submission.source.name} is an eval, not a survey.`);
    return compiled.survey;
  }

  async eval(submission: Pick<JobSubmission, 'source' | 'files'>): Promise<CompiledEval> {
    const compiled = await this.compile(submission);
    if (compiled.kind !== 'eval') throw new JobError('invalid_request', `${submission.source.name} is a survey, not an eval.`);
    return compiled.compiled;
  }

  evalOptions(): EvalCompileOptions {
    return {
      providers: this.options.providers,
      refusal: (model) => this.options.refusal?.(model, false) ?? null,
      maxInterviews: this.options.maxInterviews,
    };
  }

  private async check(submission: Pick<JobSubmission, 'source' | 'files'>): Promise<SpecReply> {
    const task: SpecTask = { source: submission.source, files: submission.files ?? {}, maxQuestions: this.options.maxQuestions };
    try {
      return await this.options.specs.check(task);
    } catch (error) {
      if (!(error instanceof SpecPoolError)) throw error;
      const name = submission.source.name;
      switch (error.kind) {
        case 'memory':
        case 'timeout':
          throw new JobError(
            'too_large',
            `${name} could not be checked: ${error.message}. Make it smaller — move large data into a scenarios or dataset file (CSV or JSONL), or split it into several files.`,
          );
        case 'busy':
        case 'closed':
          throw new JobError('busy', `The server cannot check ${name} now: ${error.message}. Try again in a few seconds.`);
        default:
          throw error;
      }
    }
  }

  private checkServices(survey: Survey): void {
    const { refusal, providers } = this.options;
    if (refusal) {
      const needsImages = surveyShowsImages(survey);
      for (const model of survey.models) {
        const refused = refusal(model, needsImages);
        if (refused) throw new JobError('invalid_spec', refused);
      }
      return;
    }
    const offered = [...providers.keys()];
    for (const model of survey.models) {
      if (!providers.has(model.service)) {
        throw new JobError(
          'invalid_spec',
          `model "${model.label}": this server has no service "${model.service}" (it offers: ${offered.join(', ')}). Use one of those, or configure the service on the server.`,
        );
      }
    }
  }
}

/**
 * A template that failed to render while estimating or running (a render limit met with one interview's data) as
 * the problem with the file it is, at the template's line and column when known; any other error as it was.
 */
export function renderProblem(error: unknown): unknown {
  if (error instanceof QuestionRenderError) return new JobError('invalid_spec', error.message, error.issue ? [error.issue] : []);
  if (error instanceof TemplateRenderError) return new JobError('invalid_spec', `${error.message}. Make the template's loops shorter.`);
  return error;
}
