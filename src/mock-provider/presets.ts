// Providers as they count their limits, for the mock: named presets after real ones, and a seeded random family
// that draws a shape per dimension, so a scheduler is tried on shapes nobody tuned it to.
import { LIMIT_KINDS, RESET_FORMS_OF, RETRY_AFTER_FORMS, type EnforcementRuleInput, type LimitsConfig, type MockConfigInput } from './config';
import { seededRandom } from '../random/seeded-random';

export const PRESETS = ['openai', 'anthropic', 'azure', 'sliding-gateway'] as const;
export type PresetName = (typeof PRESETS)[number];

/**
 * - `openai`: continuous buckets holding a minute's worth, `remaining` and a Go-duration reset until full, the wait
 *   only in the 429's message ("Please try again in 1.2s").
 * - `anthropic` (call it on /v1/messages): continuous buckets on requests, input and output tokens, RFC 3339 resets,
 *   token counts rounded down to thousands, `retry-after` in seconds.
 * - `azure`: requests counted in fixed 10 s windows (600 RPM is 100 per 10 s), tokens per fixed minute, `remaining`
 *   in per-minute units, no reset headers, `retry-after-ms` and `retry-after` on a 429.
 * - `sliding-gateway`: an OpenAI-compatible gateway with 900 RPM / 150,000 TPM, requests over any sliding 10 s (150),
 *   tokens over a sliding minute, `remaining` in per-minute units, resets when the oldest counted call leaves its
 *   window, `retry-after-ms` on a 429.
 */
export function presetConfig(name: PresetName): MockConfigInput {
  switch (name) {
    case 'openai': {
      const rule: EnforcementRuleInput = { kind: 'bucket', window_s: 60, remaining_units: 'per-minute', reset: 'full' };
      return { limits: { requests_per_minute: 500, tokens_per_minute: 100_000 }, enforcement: { requests: rule, tokens: rule }, retry_after: 'message' };
    }
    case 'anthropic': {
      const rule: EnforcementRuleInput = { kind: 'bucket', window_s: 60, remaining_units: 'per-minute', reset: 'full' };
      return {
        limits: { requests_per_minute: 1000, input_tokens_per_minute: 80_000, output_tokens_per_minute: 30_000 },
        enforcement: { requests: rule, input_tokens: rule, output_tokens: rule },
        retry_after: 'seconds',
      };
    }
    case 'azure':
      return {
        limits: { requests_per_minute: 600, tokens_per_minute: 100_000 },
        enforcement: {
          requests: { kind: 'fixed', window_s: 10, remaining_units: 'per-minute', reset: 'none' },
          tokens: { kind: 'fixed', window_s: 60, remaining_units: 'per-minute', reset: 'none' },
        },
        retry_after: 'both',
      };
    case 'sliding-gateway':
      return {
        limits: { requests_per_minute: 900, tokens_per_minute: 150_000 },
        enforcement: {
          requests: { kind: 'sliding-log', window_s: 10, remaining_units: 'per-minute', reset: 'oldest' },
          tokens: { kind: 'sliding-log', window_s: 60, remaining_units: 'per-minute', reset: 'oldest' },
        },
        retry_after: 'ms',
      };
  }
}

/** What a window must hold at least, so that any call of up to 450 prompt tokens and 200 max_tokens fits in one. */
export const LEAST_PER_WINDOW: Record<keyof LimitsConfig, number> = {
  requests_per_minute: 2,
  tokens_per_minute: 1000,
  input_tokens_per_minute: 600,
  output_tokens_per_minute: 400,
};

/** Per-minute limits drawn from (log-uniform): enough that a minute's work is hundreds of calls, not thousands. */
const RANGES: Record<keyof LimitsConfig, [number, number]> = {
  requests_per_minute: [200, 1200],
  tokens_per_minute: [60_000, 300_000],
  input_tokens_per_minute: [40_000, 200_000],
  output_tokens_per_minute: [15_000, 80_000],
};

/**
 * A provider drawn at random, the same for the same seed: which dimensions are limited (requests and tokens, or
 * requests, input and output tokens like Anthropic, or tokens alone), and per dimension a kind, a window of 1–60 s,
 * the units of `remaining`, the reset form and the limit; then how a 429 says when to retry, and maybe quiet 429s, a
 * concurrency limit, another tenant (up to 40%) and a limit change. Limited input or output tokens mean an
 * Anthropic-like provider: call it on /v1/messages, whose headers name those dimensions.
 */
export function randomProviderConfig(seed: number): MockConfigInput {
  const random = seededRandom(seed * 104_729 + 7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const shape = random();
  const dimensions: (keyof LimitsConfig)[] =
    shape < 0.65
      ? ['requests_per_minute', 'tokens_per_minute']
      : shape < 0.9
        ? ['requests_per_minute', 'input_tokens_per_minute', 'output_tokens_per_minute']
        : ['tokens_per_minute'];
  const limits: LimitsConfig = {};
  const enforcement: Record<string, EnforcementRuleInput> = {};
  for (const key of dimensions) {
    const kind = pick(LIMIT_KINDS);
    const windowS = kind === 'bucket' && chance(0.5) ? 60 : chance(0.5) ? pick([1, 10, 60]) : 1 + Math.floor(random() * 60);
    const [low, high] = RANGES[key];
    const drawn = Math.round(low * (high / low) ** random());
    limits[key] = Math.max(drawn, Math.ceil((LEAST_PER_WINDOW[key] * 60) / windowS));
    enforcement[key.replace(/_per_minute$/, '')] = {
      kind,
      window_s: windowS,
      remaining_units: pick(['per-window', 'per-minute'] as const),
      reset: pick(RESET_FORMS_OF[kind]),
    };
  }
  const config: MockConfigInput = { seed, limits, enforcement, retry_after: pick(RETRY_AFTER_FORMS), quiet_rate_limits: chance(0.25) };
  if (chance(0.3)) config.concurrency = { max: 8 + Math.floor(random() * 41), status: pick([429, 503] as const) };
  if (chance(0.3)) config.other_tenant_share = Math.round(random() * 40) / 100;
  if (chance(0.3)) config.limit_changes = [{ at_s: 30 + Math.floor(random() * 121), scale: Math.round((0.5 + random()) * 100) / 100 }];
  return config;
}
