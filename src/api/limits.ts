// Limits the server and its clients share: one definition, so a client can refuse what the server would refuse
// before it uploads anything. A server reports the limits it actually enforces in GET /v1/health.
import { z } from 'zod';

/** Largest request body a server accepts unless started with `--max-body-mb`. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export const ServerLimits = z.object({
  /** Largest request body, in bytes: a submission's survey and the files it carries, as JSON. */
  max_body_bytes: z.number().int().positive(),
  /** Most questions per survey. */
  max_questions: z.number().int().positive(),
  /** Most interviews per job. */
  max_interviews: z.number().int().positive(),
});
export type ServerLimits = z.infer<typeof ServerLimits>;

/** `64 MB`, as limits are stated to users (the option takes whole MB). */
export const wholeMegabytes = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
