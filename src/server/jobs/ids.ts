import { randomBytes } from 'node:crypto';

/** `job_` + time (sortable) + randomness: unique across servers, ordered by creation. */
export function newJobId(now = Date.now()): string {
  return `job_${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}
