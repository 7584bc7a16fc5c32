// A submission → what the job service runs. The file is parsed and checked in the format pool (off the event loop, within
// memory and time limits); here come the checks only a server can make — its services, its size limits — made by the
// job's kind (kinds/). Every refusal is a JobError with words a user can act on: a file that exhausts the pool is "too
// large", never an internal error.
import { JobSubmission as JobSubmissionSchema, type JobKind, type JobSubmission } from '../../api';
import { fileKind, QuestionRenderError, TemplateRenderError, type SpecIssue } from '../../format';
import { JobError } from './job-manager';
import type { SpecReply, SpecTask } from '../format-pool/messages';
import { SpecPoolError } from '../format-pool/pool';
import { checkSpec } from '../format-pool/check';
import { compileChecked, type CompiledJob, type ServerLimits } from './kinds';

export type { ModelRefusal } from './kinds';

/** Parses and checks a submission somewhere other than the event loop (the spec pool, or inline in tests). */
export interface SpecChecker {
  check(task: SpecTask): Promise<SpecReply>;
}

export interface SubmissionCompilerOptions extends ServerLimits {
  specs: SpecChecker;
  maxQuestions: number;
}

/** A submission as the server keeps it: checked, with defaults, and with its kind. */
export type AcceptedSubmission = ReturnType<typeof JobSubmissionSchema.parse> & { kind: JobKind };

/** What a compile needs of a submission (a stored job's, or one just accepted). */
export type CompilableSubmission = Pick<JobSubmission, 'source' | 'files'> & { kind: JobKind };

/**
 * The boundary where a submission is accepted: checked by its schema, and its kind is the one the client sent —
 * or, for an older client that sends none, the one its file's name says.
 */
export function acceptSubmission(submission: JobSubmission): AcceptedSubmission {
  const accepted = JobSubmissionSchema.parse(submission);
  return { ...accepted, kind: accepted.kind ?? fileKind(accepted.source.name) };
}

export class SubmissionCompiler {
  constructor(private readonly options: SubmissionCompilerOptions) {}

  /** Checks the file in the format pool, then compiles it by its kind. */
  async compile(submission: CompilableSubmission): Promise<CompiledJob> {
    return this.compiled(submission, await this.check(submission));
  }

  /** The same on this thread: for reading a finished job's metrics or CSV columns, where the pool's queue does not belong. */
  compileInline(submission: CompilableSubmission): CompiledJob {
    return this.compiled(submission, checkSpec(this.task(submission)));
  }

  private compiled(submission: CompilableSubmission, reply: SpecReply): CompiledJob {
    if (!reply.ok) throw new JobError('invalid_spec', reply.message ?? summarize(reply.issues, submission.kind), reply.issues);
    return compileChecked(reply, this.options);
  }

  private task(submission: CompilableSubmission): SpecTask {
    return { kind: submission.kind, source: submission.source, files: submission.files ?? {}, maxQuestions: this.options.maxQuestions };
  }

  private async check(submission: CompilableSubmission): Promise<SpecReply> {
    try {
      return await this.options.specs.check(this.task(submission));
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
}

export function summarize(issues: SpecIssue[], noun: string): string {
  const first = issues[0];
  if (!first) return `The ${noun} is not valid.`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  return `${first.file}:${first.line}:${first.column} ${first.message}${more}`;
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
