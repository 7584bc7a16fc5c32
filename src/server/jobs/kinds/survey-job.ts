// A survey as a kind of job (job-kind.ts): agents × scenarios × models × iterations interviews, each walking the
// questions; no metrics; the result columns of the API as its CSV.
import type { Estimate, Metric } from '../../../api';
import { CompiledSurvey, surveyShowsImages, type Survey } from '../../../format';
import { estimateJob } from '../../cost/estimate';
import { CSV_HEADER, csvRow, type ResultCsv } from '../../http/csv';
import { runInterview } from '../../runner/interview';
import type { InterviewPlan } from '../../runner/job-run';
import type { SpecReply } from '../../format-pool/messages';
import { JobError } from '../job-manager';
import { noServiceMessage, type CompiledJob, type CostContext, type ServerLimits } from './job-kind';
import { surveyLanes } from '../lanes';

export const SURVEY_CSV: ResultCsv = { header: CSV_HEADER, row: csvRow };

export class SurveyJob implements CompiledJob {
  readonly kind = 'survey';

  constructor(readonly survey: CompiledSurvey) {}

  get name(): string {
    return this.survey.survey.name;
  }

  get models(): string[] {
    return this.survey.survey.models.map((m) => m.label);
  }

  get interviewCount(): number {
    return this.survey.interviewCount;
  }

  get fresh(): boolean {
    return this.survey.survey.fresh;
  }

  queuedMessage(): string {
    return `Queued: ${this.interviewCount.toLocaleString('en-US')} interviews × ${this.survey.survey.questions.length} questions on ${this.models.join(', ')}.`;
  }

  estimate(cost: CostContext): Promise<Estimate> {
    return estimateJob(this.survey, cost.store, cost.pricing, cost.fresh, cost.scope);
  }

  lanes(): string[] {
    return surveyLanes(this.survey);
  }

  plan(): InterviewPlan {
    const survey = this.survey;
    return {
      fresh: survey.survey.fresh,
      interviews: () => survey.interviews(0),
      callsPerInterview: survey.survey.questions.length,
      runInterview: (ref, context) => runInterview(survey, ref, context),
    };
  }

  async metrics(): Promise<Metric[]> {
    return [];
  }

  csv(): ResultCsv {
    return SURVEY_CSV;
  }
}

/** A survey the format pool has checked → ready to run, with the checks only a server can make. */
export function compileSurvey(reply: Extract<SpecReply, { kind: 'survey' }>, limits: ServerLimits): SurveyJob {
  checkServices(reply.survey, limits);
  const survey = new CompiledSurvey(reply.survey, new Map(reply.images), reply.places);
  if (survey.interviewCount > limits.maxInterviews) {
    throw new JobError(
      'too_large',
      `This job has ${survey.interviewCount.toLocaleString('en-US')} interviews; this server accepts at most ${limits.maxInterviews.toLocaleString('en-US')}. Split it, or start the server with a larger --max-interviews.`,
    );
  }
  return new SurveyJob(survey);
}

function checkServices(survey: Survey, { refusal, providers }: ServerLimits): void {
  if (refusal) {
    const needsImages = surveyShowsImages(survey);
    for (const model of survey.models) {
      const refused = refusal(model, needsImages);
      if (refused) throw new JobError('invalid_spec', refused);
    }
    return;
  }
  for (const model of survey.models) {
    if (!providers.has(model.service)) throw new JobError('invalid_spec', noServiceMessage('model', model, providers));
  }
}
