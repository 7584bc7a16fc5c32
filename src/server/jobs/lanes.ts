// The lanes (`service/model`, as the scheduler names them) a job's calls go out on: its models', and for an eval the
// graders' and embedders' of its scorers.
import type { CompiledEval, CompiledSurvey } from '../../format';

interface ModelOfService {
  service: string;
  model: string;
}

const lane = (model: ModelOfService): string => `${model.service}/${model.model}`;

export function surveyLanes(compiled: CompiledSurvey): string[] {
  return [...new Set(compiled.survey.models.map(lane))];
}

export function evalLanes(compiled: CompiledEval): string[] {
  const lanes = new Set(compiled.task.models.map(lane));
  for (const scorer of compiled.task.scorers) {
    const model = (scorer as { model?: unknown }).model;
    if (isModelOfService(model)) lanes.add(lane(model));
  }
  return [...lanes];
}

function isModelOfService(value: unknown): value is ModelOfService {
  return (
    typeof value === 'object' && value !== null && typeof (value as ModelOfService).service === 'string' && typeof (value as ModelOfService).model === 'string'
  );
}
