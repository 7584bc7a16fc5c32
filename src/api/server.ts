// Health, models and errors on the /v1 API.
import { z } from 'zod';
import { ServerLimits } from './limits';

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  user: z.string(),
  jobs_running: z.number().int().nonnegative(),
  /** What this server refuses; absent from servers older than the field. */
  limits: ServerLimits.optional(),
});
export type Health = z.infer<typeof Health>;

export const ModelInfo = z.object({
  /** `service/model` (`service/*`: any model name the service accepts), or `test`. */
  id: z.string(),
  service: z.string(),
  provider: z.string(),
  model: z.string().optional(),
  price: z.object({ input_per_mtok: z.number(), output_per_mtok: z.number(), as_of: z.string(), source: z.string().optional() }).nullable(),
  /** Configured limits per minute (null: not configured; the scheduler learns them). */
  limits: z
    .object({
      requests_per_minute: z.number().nullable(),
      tokens_per_minute: z.number().nullable(),
      input_tokens_per_minute: z.number().nullable(),
      output_tokens_per_minute: z.number().nullable(),
    })
    .nullable()
    .optional(),
  /** e.g. images, log-probs, embeddings, offline. */
  capabilities: z.array(z.string()),
  /** False while the service is starting (or has no key). */
  ready: z.boolean().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ModelList = z.object({ models: z.array(ModelInfo) });
export type ModelList = z.infer<typeof ModelList>;

/** A problem in a submitted file, with its place in that file. */
export const SpecIssue = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  end_line: z.number().int().positive().optional(),
  end_column: z.number().int().positive().optional(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type SpecIssue = z.infer<typeof SpecIssue>;

/** RFC 9457 problem details. */
export const Problem = z.object({
  type: z.string().default('about:blank'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  issues: z.array(SpecIssue).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_TYPES = {
  unauthorized: 'https://fieldwork.dev/problems/unauthorized',
  notFound: 'https://fieldwork.dev/problems/not-found',
  invalidSpec: 'https://fieldwork.dev/problems/invalid-spec',
  invalidRequest: 'https://fieldwork.dev/problems/invalid-request',
  tooLarge: 'https://fieldwork.dev/problems/too-large',
  conflict: 'https://fieldwork.dev/problems/conflict',
  rateLimited: 'https://fieldwork.dev/problems/rate-limited',
  unavailable: 'https://fieldwork.dev/problems/unavailable',
  internal: 'https://fieldwork.dev/problems/internal',
} as const;
