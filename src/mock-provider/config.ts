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

/**
 * How one dimension is counted: a continuous bucket, fixed windows, an exact log of admitted calls over a sliding
 * window, or the two-counter estimate of a sliding window that gateways use (the previous fixed window's count
 * times the share of it still overlapping, plus the current window's count).
 */
export const LIMIT_KINDS = ['bucket', 'fixed', 'sliding-log', 'sliding-counter'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];
/** What `remaining` counts: what is left of the window's allowance, or that scaled to a minute. */
export const REMAINING_UNITS = ['per-window', 'per-minute'] as const;
export type RemainingUnits = (typeof REMAINING_UNITS)[number];
/**
 * What the reset header says: until the meter is full again, until the oldest counted call leaves its window, until
 * the fixed window ends, or nothing (no reset header).
 */
export const RESET_FORMS = ['full', 'oldest', 'window-end', 'none'] as const;
export type ResetForm = (typeof RESET_FORMS)[number];

/** The reset forms that mean something for each kind (a fixed window's end is also when it is full and emptied). */
export const RESET_FORMS_OF: Record<LimitKind, readonly ResetForm[]> = {
  bucket: ['full', 'none'],
  fixed: ['window-end', 'full', 'oldest', 'none'],
  'sliding-log': ['oldest', 'full', 'none'],
  'sliding-counter': ['window-end', 'full', 'none'],
};
export const DEFAULT_RESET: Record<LimitKind, ResetForm> = { bucket: 'full', fixed: 'window-end', 'sliding-log': 'oldest', 'sliding-counter': 'window-end' };

export const EnforcementRule = z
  .strictObject({
    kind: z.enum(LIMIT_KINDS),
    /** The window's length; a bucket holds this long's allowance (a minute's unless told). Allowance = per-minute limit × window_s / 60. */
    window_s: z.number().positive().default(60),
    remaining_units: z.enum(REMAINING_UNITS).default('per-window'),
    /** Unset: the kind's own (a bucket's when it is full, a window's end, a log's oldest entry leaving). */
    reset: z.enum(RESET_FORMS).optional(),
  })
  .refine((rule) => rule.reset === undefined || RESET_FORMS_OF[rule.kind].includes(rule.reset), {
    error:
      'this reset form does not apply to this kind (bucket: full, none; fixed: window-end, full, oldest, none; sliding-log: oldest, full, none; sliding-counter: window-end, full, none)',
  });
export type EnforcementRule = z.infer<typeof EnforcementRule>;
export type EnforcementRuleInput = z.input<typeof EnforcementRule>;

/** How a 429 says when to retry: `retry-after` seconds, Azure's `retry-after-ms`, both, OpenAI's message hint, or not at all. */
export const RETRY_AFTER_FORMS = ['seconds', 'ms', 'both', 'message', 'none'] as const;
export type RetryAfterForm = (typeof RETRY_AFTER_FORMS)[number];

export const MockConfig = z.strictObject({
  port: z.int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  seed: z.int().default(1),
  limits: LimitsConfig.default({ requests_per_minute: 600, tokens_per_minute: 60_000 }),
  mode: z.enum(ENFORCEMENT_MODES).default('bucket'),
  /** Per dimension, how it is counted, overriding `mode` for that dimension. */
  enforcement: z
    .strictObject({
      requests: EnforcementRule.optional(),
      tokens: EnforcementRule.optional(),
      input_tokens: EnforcementRule.optional(),
      output_tokens: EnforcementRule.optional(),
    })
    .default({}),
  /**
   * How a 429 says when to retry. Unset: Anthropic's say `retry-after` in seconds and OpenAI's only in the message,
   * as the real ones do. The value is when the turned-away call would fit, rounded up.
   */
  retry_after: z.enum(RETRY_AFTER_FORMS).optional(),
  /** At most `max` calls in flight per provider; one more is turned away at once with `status` (503: busy). */
  concurrency: z.strictObject({ max: z.int().positive(), status: z.union([z.literal(429), z.literal(503)]).default(429) }).optional(),
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
