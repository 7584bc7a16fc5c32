// The built-in offline `test` model: a random baseline that is deterministic per prompt and iteration,
// always answers in the question type's format, reports realistic token counts, and can be slow or flaky on request.
//
// Parameters (in the survey's `models:` entry): latency_ms (mean, default 0), failure_rate (0..1, default 0).
import { sampleEvalReply, sampleReply, type AnswerFormat } from '../../format';
import { seededRandom } from '../../random/seeded-random';
import { ProviderError, type CallReply, type CallRequest, type Provider } from './provider';

const OPEN: AnswerFormat = { kind: 'open', numeric: false };

export class TestModel implements Provider {
  readonly service = 'test';

  constructor(private readonly defaults: { latencyMs?: number; failureRate?: number } = {}) {}

  async call(request: CallRequest): Promise<CallReply> {
    const latencyMs = numberParameter(request.parameters.latency_ms, this.defaults.latencyMs ?? 0);
    const failureRate = numberParameter(request.parameters.failure_rate, this.defaults.failureRate ?? 0);
    // Parameters are part of the seed, so `test` at two temperatures gives two different (but repeatable) samples.
    // Images are accepted and not looked at, but they seed the answer: two pictures behind the same text differ.
    const seed = hashString(`${request.system}\u0000${request.user}\u0000${request.iteration}\u0000${parameterKey(request.parameters)}${imageKey(request)}`);
    if (latencyMs > 0) await sleep(latencyMs * (0.5 + seededRandom(seed ^ 0x5bd1e995)()), request.signal);
    request.signal.throwIfAborted();
    // Failures are drawn afresh on every try (unlike answers), so retries and job retries can succeed.
    if (failureRate > 0 && Math.random() < failureRate) {
      throw new ProviderError('transient', 'test model: injected failure (failure_rate)', null, 500);
    }
    const random = seededRandom(seed);
    // Eval calls carry an answer format instead of a question: a random letter, open answer or grade (chance level).
    const text = request.answer_format || !request.question ? sampleEvalReply(request.answer_format ?? OPEN, random) : sampleReply(request.question, random);
    return {
      text,
      input_tokens: approximateTokens(request.system) + approximateTokens(request.user) + 7,
      output_tokens: Math.max(1, approximateTokens(text)),
      model_version: 'test-1',
    };
  }
}

/** A cheap fingerprint of the call's images: their length and ends (the test model never decodes them). */
function imageKey(request: CallRequest): string {
  return (request.images ?? []).map((image) => `\u0000${image.data.length}:${image.data.slice(0, 512)}:${image.data.slice(-512)}`).join('');
}

/** About four characters per token, as English text runs in common BPE vocabularies. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const parameterKeys = new WeakMap<object, string>();
function parameterKey(parameters: Readonly<Record<string, unknown>>): string {
  let key = parameterKeys.get(parameters);
  if (key === undefined) {
    const { latency_ms: _latency, failure_rate: _failures, ...rest } = parameters;
    key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    parameterKeys.set(parameters, key);
  }
  return key;
}

function numberParameter(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** FNV-1a, 32 bit: fast and well spread for seeding; not for security. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
