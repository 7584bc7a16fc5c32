// The mock provider's configuration (CLI flags or a JSON file), validated at the boundary.
import { z } from 'zod';

export const ENFORCEMENT_MODES = ['bucket', 'window-1s', 'window-10s', 'window-60s'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

export const LimitsConfig = z.strictObject({
  requests_per_minute: z.number().positive().optional(),
  tokens_per_minute: z.number().positive().optional(),
  input_tokens_per_minute: z.number().positive().optional(),
  output_tokens_per_minute: z.number().positive().optional(),
});
export type LimitsConfig = z.infer<typeof LimitsConfig>;

export const MockConfig = z.strictObject({
  port: z.int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  seed: z.int().default(1),
  limits: LimitsConfig.default({ requests_per_minute: 600, tokens_per_minute: 60_000 }),
  mode: z.enum(ENFORCEMENT_MODES).default('bucket'),
  /** Send no rate-limit headers (nor retry-after): a provider that says nothing but 429. */
  strip_headers: z.boolean().default(false),
  /** 429 bodies name no limit, use or wait (as some gateways answer): with `strip_headers`, a provider that says nothing. */
  quiet_rate_limits: z.boolean().default(false),
  /** A client we do not control on the same key takes this share of every limit. */
  other_tenant_share: z.number().min(0).max(0.95).default(0),
  /** Limits scaled by `scale` from `at_s` seconds after start (e.g. halved mid-run). */
  limit_changes: z.array(z.strictObject({ at_s: z.number().nonnegative(), scale: z.number().positive() })).default([]),
  /** Rejected calls are charged their estimate too, as some providers do (Azure charges at admission). */
  charge_rejected: z.boolean().default(false),
  latency: z
    .strictObject({
      ttft_ms: z.number().nonnegative().default(400),
      per_token_ms: z.number().nonnegative().default(15),
      /** Share of calls that are slow, and how slow (a Pareto tail, capped). */
      tail_probability: z.number().min(0).max(1).default(0.05),
      tail_cap: z.number().min(1).default(10),
    })
    .prefault({}),
  /** Replies use this share of max_tokens, drawn uniformly from the range. */
  output_share: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.3, 0.8]),
  faults: z
    .strictObject({
      server_error: z.number().min(0).max(1).default(0),
      overloaded: z.number().min(0).max(1).default(0),
      timeout: z.number().min(0).max(1).default(0),
      malformed: z.number().min(0).max(1).default(0),
      /** How long a "timeout" hangs before the connection is dropped. */
      timeout_ms: z.number().positive().default(30_000),
    })
    .prefault({}),
});
export type MockConfig = z.infer<typeof MockConfig>;
export type MockConfigInput = z.input<typeof MockConfig>;

export function mockConfig(input: MockConfigInput = {}): MockConfig {
  return MockConfig.parse(input);
}
