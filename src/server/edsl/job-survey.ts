// A stored job's survey, read again from its submission: what EDSL's results and job JSON are built from.
import type { PriceOf } from '../../edsl/results';
import type { ModelInfo } from '../../api';
import { CompiledSurvey, parseSurvey, type ModelSpec, type Survey } from '../../format';
import type { StoredJob } from '../store/store';
import { DetailError } from './detail';

export function storedSurvey(job: StoredJob): Survey {
  if (job.kind !== 'survey') throw new DetailError(409, `Job ${job.id} is an eval; EDSL reads only surveys' results.`);
  const files = job.submission.files;
  const parsed = parseSurvey(job.submission.source, (path) => files[path]);
  if (!parsed.ok) {
    throw new DetailError(
      409,
      `Job ${job.id}'s survey no longer reads on this server (${parsed.issues[0]?.message ?? 'invalid'}); its results are still in /v1/jobs/${job.id}/results.`,
    );
  }
  return parsed.value;
}

export const compiledSurvey = (job: StoredJob): CompiledSurvey => new CompiledSurvey(storedSurvey(job));

/** Prices from the server's model list, by `service/model` (or `test`). */
export function pricesFrom(models: readonly ModelInfo[]): PriceOf {
  const byId = new Map(models.map((model) => [model.id, model.price]));
  return (model) => byId.get(modelId(model)) ?? null;
}

export const modelId = (model: Pick<ModelSpec, 'service' | 'model'>): string => (model.service === 'test' ? 'test' : `${model.service}/${model.model}`);
