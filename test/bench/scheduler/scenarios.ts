// The benchmark's scenarios: one provider configuration and one workload each, scaled by `scale` (1 = full
// simulated size; the real-time mode uses smaller limits and faster latency so a run takes under a minute).
import { mockConfig, type EnforcementMode, type MockConfig } from '../../../src/mock-provider/config';
import { seededRandom } from '../../../src/random/seeded-random';
import type { Flavor } from '../../../src/mock-provider/wire';
import type { LaneLimits } from '../../../src/server/scheduler/scheduler';
import { isZoo, ZOO_SCENARIOS, zooScenario, type ZooName } from './zoo';

export interface SimCall {
  user: string;
  jobId: string;
  /** Prompt tokens as the provider counts them. */
  inputTokens: number;
  /** Our estimate (chars/4): a little off. */
  estimatedInput: number;
  maxTokens: number;
}

export interface Scenario {
  name: string;
  provider: MockConfig;
  /** What the key's limits are said to be (for `fieldwork-configured` and `cookbook`). */
  known: LaneLimits;
  weights: Record<string, number>;
  calls: SimCall[];
  /** Providers in this scenario send no rate-limit headers. */
  stripHeaders: boolean;
  /** Which API the calls go to: OpenAI's chat completions or Anthropic's messages (its headers name input and output tokens). */
  flavor: Flavor;
}

/** The default set: the mock's own shapes. */
export const SCENARIOS = ['single', 'unknown-limits', 'three-users', 'other-tenant', 'limit-drop', 'window-1s', 'window-10s', 'window-60s'] as const;
export type ScenarioName = (typeof SCENARIOS)[number] | ZooName;
export const ALL_SCENARIOS: readonly ScenarioName[] = [...SCENARIOS, ...ZOO_SCENARIOS];

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name) || isZoo(name);
}

export interface Scale {
  calls: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Latency multiplier. */
  latency: number;
}

export const SIMULATED_SCALE: Scale = { calls: 1200, requestsPerMinute: 600, tokensPerMinute: 60_000, latency: 1 };

export function scenario(name: ScenarioName, seed: number, scale: Scale = SIMULATED_SCALE): Scenario {
  if (isZoo(name)) return zooScenario(name, seed, scale);
  const random = seededRandom(seed * 7919 + 17);
  const users = name === 'three-users' ? ['ana', 'ben', 'cai'] : ['ana'];
  const weights: Record<string, number> = name === 'three-users' ? { ana: 1, ben: 1, cai: 2 } : { ana: 1 };
  const calls: SimCall[] = [];
  for (let i = 0; i < scale.calls; i++) {
    const user = users[i % users.length]!;
    const inputTokens = 150 + Math.floor(random() * 300);
    calls.push({ user, jobId: `job-${user}`, inputTokens, estimatedInput: Math.round(inputTokens * (0.95 + random() * 0.07)), maxTokens: 200 });
  }
  const mode: EnforcementMode = name.startsWith('window-') ? (name as EnforcementMode) : 'bucket';
  const limits = { requests_per_minute: scale.requestsPerMinute, tokens_per_minute: scale.tokensPerMinute };
  // The halving comes about a third of the way into an ideal run.
  const work = calls.reduce((sum, call) => sum + call.inputTokens + call.maxTokens * 0.55, 0);
  const dropAt = (work - scale.tokensPerMinute) / (scale.tokensPerMinute / 60) / 3;
  const provider = mockConfig({
    seed,
    limits,
    mode,
    other_tenant_share: name === 'other-tenant' ? 0.3 : 0,
    limit_changes: name === 'limit-drop' ? [{ at_s: Math.round(dropAt), scale: 0.5 }] : [],
    strip_headers: name === 'unknown-limits',
    latency: { ttft_ms: 400 * scale.latency, per_token_ms: 15 * scale.latency, tail_probability: 0.05, tail_cap: 10 },
    output_share: [0.3, 0.8],
  });
  return {
    name,
    provider,
    known: { requestsPerMinute: limits.requests_per_minute, tokensPerMinute: limits.tokens_per_minute },
    weights,
    calls,
    stripHeaders: name === 'unknown-limits',
    flavor: 'openai',
  };
}
