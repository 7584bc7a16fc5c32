// Models between EDSL's `{model, inference_service, parameters}` and Fieldwork's "service/model" with parameters.
// The service keeps EDSL's name (openai, anthropic, …): the server that runs the job says whether it offers it.
import type { ModelSpec } from '../format';
import { EXPORTED_EDSL_VERSION, type EdslModel } from './objects';

/** EDSL's defaults that ask nothing of a service: left out rather than sent to one that may not take them. */
function isDefaultParameter(key: string, value: unknown, parameters: Record<string, unknown>): boolean {
  if (value === null) return true;
  if (key === 'logprobs') return value === false;
  if (key === 'top_logprobs') return parameters['logprobs'] !== true;
  if (key === 'frequency_penalty' || key === 'presence_penalty') return value === 0;
  return false;
}

export function importModels(models: readonly EdslModel[], reasons: string[], notes: string[]): (string | Record<string, unknown>)[] {
  const labels = new Map<string, number>();
  return models.map((edsl, index) => {
    const service = edsl.inference_service ?? (edsl.model === 'test' ? 'test' : undefined);
    if (service === undefined) {
      reasons.push(`model ${index} ("${edsl.model}") names no inference_service; EDSL writes one, e.g. "openai".`);
      return { model: edsl.model };
    }
    const written = service === 'test' ? 'test' : `${service}/${edsl.model}`;
    const entry: Record<string, unknown> = { model: written };
    for (const [key, value] of Object.entries(edsl.parameters)) {
      if (isDefaultParameter(key, value, edsl.parameters)) continue;
      if (service === 'test' && key === 'canned_response') {
        notes.push(`model ${index} (test): canned_response is not used; Fieldwork's test model gives its own deterministic answers.`);
        continue;
      }
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') entry[key] = value;
      else
        reasons.push(
          `model ${index} ("${written}") has parameter "${key}" = ${JSON.stringify(value)}; Fieldwork passes only numbers, text and true/false to a service.`,
        );
    }
    const seen = (labels.get(written) ?? 0) + 1;
    labels.set(written, seen);
    if (seen > 1) entry['name'] = `${written}#${seen}`;
    return Object.keys(entry).length === 1 ? written : entry;
  });
}

/** A Fieldwork model as EDSL's LanguageModel.to_dict(). */
export function exportModel(model: ModelSpec): Record<string, unknown> {
  return {
    model: model.model,
    parameters: model.parameters,
    inference_service: model.service,
    edsl_version: EXPORTED_EDSL_VERSION,
    edsl_class_name: 'LanguageModel',
  };
}
