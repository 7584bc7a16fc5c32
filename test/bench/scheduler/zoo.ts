// The zoo: providers that count their limits in other ways than the mock's default shapes (presets.ts), each with
// a workload sized so its limits bind for a few simulated minutes. Real mode runs the same provider with time
// compressed (windows, latency and limit changes shorter, rates higher) and fewer calls, so a run takes seconds.
import { mockConfig, type MockConfig, type MockConfigInput } from '../../../src/mock-provider/config';
import { LEAST_PER_WINDOW, presetConfig, randomProviderConfig, type PresetName } from '../../../src/mock-provider/presets';
import { seededRandom } from '../../../src/random/seeded-random';
import type { Flavor } from '../../../src/mock-provider/wire';
import type { Scale, Scenario, SimCall } from './scenarios';
import { tightBoundMs } from './tight-bound';

export const ZOO_PRESETS = ['zoo-openai', 'zoo-anthropic', 'zoo-azure', 'zoo-sliding-gateway'] as const;
export type ZooName = (typeof ZOO_PRESETS)[number] | `zoo-random-${number}`;
/** The random family's members: provider seeds 1–20. */
export const ZOO_RANDOM = 20;
export const ZOO_SCENARIOS: readonly ZooName[] = [...ZOO_PRESETS, ...Array.from({ length: ZOO_RANDOM }, (_, i) => `zoo-random-${i + 1}` as const)];
/**
 * Providers 21–40 of the random family (`--scenarios zoo-held-out`): kept out of the tuning on the first twenty, to
 * show what the scheduler does on shapes nobody tuned it to. Some were traced since (docs/scheduler.md says which);
 * providers from 61 on have not been.
 */
export const ZOO_HELD_OUT: readonly ZooName[] = Array.from({ length: ZOO_RANDOM }, (_, i) => `zoo-random-${ZOO_RANDOM + i + 1}` as const);

export function isZoo(name: string): name is ZooName {
  return (ZOO_PRESETS as readonly string[]).includes(name) || /^zoo-random-[1-9]\d*$/.test(name);
}

/** Prompt tokens are drawn from 150–449, as in the other scenarios; replies use 30–80% of max_tokens. */
const MEAN_PROMPT = 299.5;
const MEAN_OUTPUT_SHARE = 0.55;
/** Minutes of each binding limit's rate the work takes: about three minutes of simulated time once the burst is spent. */
const MINUTES_OF_WORK = 3.5;
/** A workload whose tight bound falls outside this span is resized to the middle of it. */
const SPAN_MS: [number, number] = [90_000, 270_000];
const LEAST_CALLS = 400;
const MOST_CALLS = 1200;

/** `scale`: the simulated size (latency 1) or a real-mode one, whose latency factor also compresses time. */
export function zooScenario(name: ZooName, seed: number, scale: Scale): Scenario {
  const random = name.startsWith('zoo-random-');
  const base: MockConfigInput = random ? randomProviderConfig(Number(name.slice('zoo-random-'.length))) : presetConfig(name.slice('zoo-'.length) as PresetName);
  const gateway = name === 'zoo-sliding-gateway';
  const maxTokens = gateway ? 150 : 200;
  let provider = mockConfig({
    ...base,
    seed,
    latency: { ttft_ms: 400, per_token_ms: 15, tail_probability: 0.05, tail_cap: 10 },
    output_share: [0.3, 0.8],
  });
  const l = provider.limits;
  const flavor: Flavor =
    name === 'zoo-anthropic' || l.input_tokens_per_minute !== undefined || l.output_tokens_per_minute !== undefined ? 'anthropic' : 'openai';
  const full = gateway ? 900 : callsFor(name, provider, maxTokens, flavor);
  const count = scale.latency === 1 ? full : scale.calls;
  if (scale.latency !== 1) provider = compressed(provider, count / full, 1 / scale.latency);
  return setup(name, provider, workload(seed, count, maxTokens), flavor);
}

/** Prompts and estimates drawn as the other scenarios draw them, one user. */
function workload(seed: number, count: number, maxTokens: number): SimCall[] {
  const draw = seededRandom(seed * 7919 + 17);
  const calls: SimCall[] = [];
  for (let i = 0; i < count; i++) {
    const inputTokens = 150 + Math.floor(draw() * 300);
    calls.push({ user: 'ana', jobId: 'job-ana', inputTokens, estimatedInput: Math.round(inputTokens * (0.95 + draw() * 0.07)), maxTokens });
  }
  return calls;
}

function setup(name: ZooName, provider: MockConfig, calls: SimCall[], flavor: Flavor): Scenario {
  const l = provider.limits;
  return {
    name,
    provider,
    known: {
      requestsPerMinute: l.requests_per_minute,
      tokensPerMinute: l.tokens_per_minute,
      inputTokensPerMinute: l.input_tokens_per_minute,
      outputTokensPerMinute: l.output_tokens_per_minute,
    },
    weights: { ana: 1 },
    calls,
    stripHeaders: false,
    flavor,
  };
}

/**
 * Enough calls that the most binding limit takes about MINUTES_OF_WORK of its rate (what is left to us of it); if the
 * provider's own rules (small windows that hold few calls) make that far shorter or longer, as many as make the tight
 * bound of seed 1's workload about three minutes. Depends on the provider only, not the workload's seed.
 */
function callsFor(name: ZooName, provider: MockConfig, maxTokens: number, flavor: Flavor): number {
  let calls = sized.get(name);
  if (calls === undefined) sized.set(name, (calls = size(name, provider, maxTokens, flavor)));
  return calls;
}

const sized = new Map<ZooName, number>();

function size(name: ZooName, provider: MockConfig, maxTokens: number, flavor: Flavor): number {
  const first = byRate(provider, maxTokens);
  const tight = tightBoundMs(setup(name, provider, workload(1, first, maxTokens), flavor));
  if (tight >= SPAN_MS[0] && tight <= SPAN_MS[1]) return first;
  const middle = (SPAN_MS[0] + SPAN_MS[1]) / 2;
  return Math.max(LEAST_CALLS, Math.min(MOST_CALLS, Math.round((first * middle) / Math.max(tight, 1))));
}

function byRate(provider: MockConfig, maxTokens: number): number {
  const share = 1 - provider.other_tenant_share;
  const perCall = {
    requests_per_minute: 1,
    tokens_per_minute: MEAN_PROMPT + maxTokens * MEAN_OUTPUT_SHARE,
    input_tokens_per_minute: MEAN_PROMPT,
    output_tokens_per_minute: maxTokens * MEAN_OUTPUT_SHARE,
  };
  let calls = Infinity;
  for (const [key, cost] of Object.entries(perCall) as [keyof typeof perCall, number][]) {
    const limit = provider.limits[key];
    if (limit !== undefined) calls = Math.min(calls, (MINUTES_OF_WORK * limit * share) / cost);
  }
  return Math.max(LEAST_CALLS, Math.min(MOST_CALLS, Math.round(calls)));
}

/**
 * The same provider for `share` of the calls, `speed` times faster: windows, latency and limit changes shorter,
 * per-minute limits higher by `speed` and lower by `share` (a window holds `share` of its calls), concurrency lower
 * by `share` (rate × latency).
 */
function compressed(provider: MockConfig, share: number, speed: number): MockConfig {
  // Fewer calls in the same shape of time means a smaller quota per window: still never less than the largest call
  // (a call larger than a window fits only into an empty one, and the run becomes one call per window).
  const limits = Object.fromEntries(
    Object.entries(provider.limits).map(([key, value]) => {
      if (value === undefined) return [key, undefined];
      const windowS = provider.enforcement[key.replace(/_per_minute$/, '') as keyof MockConfig['enforcement']]?.window_s;
      const least = windowS === undefined ? 0 : (LEAST_PER_WINDOW[key as keyof typeof LEAST_PER_WINDOW] * 60 * speed) / windowS;
      return [key, Math.max(value * share * speed, least)];
    }),
  );
  const enforcement = Object.fromEntries(
    Object.entries(provider.enforcement).map(([key, rule]) => [key, rule && { ...rule, window_s: rule.window_s / speed }]),
  );
  return mockConfig({
    ...provider,
    limits,
    enforcement,
    limit_changes: provider.limit_changes.map((change) => ({ ...change, at_s: change.at_s / speed })),
    latency: { ...provider.latency, ttft_ms: provider.latency.ttft_ms / speed, per_token_ms: provider.latency.per_token_ms / speed },
    ...(provider.concurrency ? { concurrency: { ...provider.concurrency, max: Math.max(2, Math.round(provider.concurrency.max * share)) } } : {}),
  });
}
