// The kinds of job by name: what the job service dispatches through.
import type { JobKind } from '../../../api';
import type { SpecReply } from '../../format-pool/messages';
import { compileEval } from './eval-job';
import type { CompiledJob, ServerLimits } from './job-kind';
import { compileSurvey, SURVEY_CSV } from './survey-job';
import { evalCsv, type ResultCsv } from '../../http/csv';

export type { CompiledJob, CostContext, ModelRefusal, ServerLimits } from './job-kind';

/** A file the format pool has checked, of either kind. */
export type CheckedFile = Extract<SpecReply, { ok: true }>;

/** A kind before any file: how a checked file of it is compiled, and whether its jobs are scored. */
interface JobKindContract<K extends JobKind> {
  compile(checked: Extract<CheckedFile, { kind: K }>, limits: ServerLimits): CompiledJob;
  /** Only scored jobs have metrics and CSV columns of their own, read from the compiled job; others need no compile for them. */
  readonly scored: boolean;
  /** The CSV of any job of the kind; a scored job's own (CompiledJob.csv) adds its columns. */
  readonly csv: ResultCsv;
}

export const JOB_KINDS: { [K in JobKind]: JobKindContract<K> } = {
  survey: { compile: compileSurvey, scored: false, csv: SURVEY_CSV },
  eval: { compile: (checked, limits) => compileEval(checked.task, limits), scored: true, csv: evalCsv([]) },
};

/** A checked file → its compiled job, by the file's kind. */
export function compileChecked(checked: CheckedFile, limits: ServerLimits): CompiledJob {
  return (JOB_KINDS[checked.kind].compile as (checked: CheckedFile, limits: ServerLimits) => CompiledJob)(checked, limits);
}
