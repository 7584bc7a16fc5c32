// Real mode, the peers' strategies: they are client-side strategies, so they drive the HTTP mock provider directly
// through the same OpenAI or Anthropic provider code the server uses (undici, the real header and error parsing).
import { seededRandom } from '../../../src/random/seeded-random';
import { AnthropicProvider } from '../../../src/server/providers/anthropic';
import { OpenAiProvider } from '../../../src/server/providers/openai';
import { realClock } from '../../../src/server/scheduler/clock';
import type { Scenario } from './scenarios';
import { strategy, type StrategyName } from './strategies';

export interface Finish {
  user: string;
  at: number;
  tokens: number;
}

/** A prompt the mock counts as `tokens` (it counts ceil(chars / 4) + 7 per request); `tag` keeps prompts distinct. */
export function padText(tokens: number, tag: string): string {
  const chars = Math.max(4, (tokens - 7) * 4);
  return `${tag} ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27))}`.slice(0, chars);
}

export async function runClientStrategy(
  name: StrategyName,
  setup: Scenario,
  mockUrl: string,
  seed: number,
): Promise<{ started: number; finished: Finish[]; failed: number }> {
  const endpoint = { service: 'mock', baseUrl: `${mockUrl}/v1`, apiKey: 'sk-bench-client', headers: {}, timeoutMs: 120_000 };
  const provider = setup.flavor === 'anthropic' ? new AnthropicProvider(endpoint) : new OpenAiProvider(endpoint);
  const never = new AbortController().signal;
  const finished: Finish[] = [];
  let failed = 0;
  const started = performance.now();
  try {
    await strategy(name)({
      clock: realClock,
      calls: setup.calls,
      known: setup.known,
      weights: setup.weights,
      random: seededRandom(seed * 31 + 5),
      call: (call) =>
        provider.call({
          service: 'mock',
          model: 'model',
          parameters: { max_tokens: call.maxTokens },
          system: '',
          user: padText(call.inputTokens, `${call.user}-${setup.calls.indexOf(call)}`),
          iteration: 0,
          attempt: 0,
          signal: never,
        }),
      done: (call, reply) => finished.push({ user: call.user, at: performance.now(), tokens: reply.input_tokens + reply.output_tokens }),
      failed: () => failed++,
    });
  } finally {
    await provider.close();
  }
  return { started, finished, failed };
}
