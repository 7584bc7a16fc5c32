// Models as a survey names them → ModelSpec. "test" is the built-in offline model; others are "service/model"
// (split at the first slash: "openai/gpt-4o-mini", "ollama/llama3.1:8b"). The object form adds parameters, which
// pass to the service as written (temperature, max_tokens, top_p, seed; latency_ms and failure_rate for `test`).
import { z } from 'zod';
import { didYouMean } from './issues';
import { KNOWN_MODEL_PARAMETERS, ModelEntry, type ModelSpec } from './schema';

const OTHER_COMMON_PARAMETERS = ['top_k', 'frequency_penalty', 'presence_penalty', 'stop', 'reasoning_effort', 'max_completion_tokens', 'logprobs'];
const PARAMETER_NAMES = [...Object.keys(KNOWN_MODEL_PARAMETERS), ...OTHER_COMMON_PARAMETERS];

const GUESSED_SERVICES: [RegExp, string][] = [
  [/^(gpt-|o\d|chatgpt|text-embedding)/i, 'openai'],
  [/^claude/i, 'anthropic'],
  [/^(luminous|pharia)/i, 'aleph-alpha'],
  [/^(llama|mistral|qwen|gemma|phi|deepseek)/i, 'ollama'],
];

export type ModelProblem = { path: (string | number)[]; message: string };

export function modelSpec(entry: z.output<typeof ModelEntry>): { ok: true; model: ModelSpec } | { ok: false; problem: ModelProblem } {
  const written = typeof entry === 'string' ? entry : entry.model;
  const where = typeof entry === 'string' ? [] : ['model'];
  const split = splitModel(written.trim());
  if ('message' in split) return { ok: false, problem: { path: where, message: split.message } };
  if (typeof entry === 'string') return { ok: true, model: { label: written.trim(), ...split, parameters: {} } };

  const { model: _model, name, ...parameters } = entry;
  for (const key of Object.keys(parameters)) {
    const close = key.length >= 6 && !PARAMETER_NAMES.includes(key) ? didYouMean(key, PARAMETER_NAMES) : null;
    if (close) {
      return {
        ok: false,
        problem: { path: [key], message: `unknown parameter "${key}". Did you mean "${close}"? (Other parameters pass to the service as written.)` },
      };
    }
  }
  return { ok: true, model: { label: name ?? written.trim(), ...split, parameters } };
}

function splitModel(written: string): { service: string; model: string } | { message: string } {
  if (written === 'test') return { service: 'test', model: 'test' };
  const slash = written.indexOf('/');
  if (slash > 0 && slash < written.length - 1 && !/\s/.test(written)) {
    return { service: written.slice(0, slash), model: written.slice(slash + 1) };
  }
  const guess = GUESSED_SERVICES.find(([pattern]) => pattern.test(written))?.[1];
  const example = guess ? `"${guess}/${written}"` : '"openai/gpt-4o-mini"';
  return { message: `a model is named with its service: write "service/model", e.g. ${example} (or "test" for the offline model)` };
}
