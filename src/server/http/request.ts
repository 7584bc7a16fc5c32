// Reading what a request sends: a size-limited JSON body checked against a protocol schema, and query numbers.
import type { z } from 'zod';
import { invalidRequest, tooLarge } from './problem';

/** The body as JSON, refusing more than maxBytes whether or not the client declared a Content-Length. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw invalidRequest('The request has no body; send JSON.');

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Parses with a protocol schema; a failure is a 400 naming each field that is wrong. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`);
  throw invalidRequest(`The ${what} is not valid: ${problems.join('; ')}.`);
}

/** An integer query parameter in [min, max], or the fallback when absent. */
export function integerParam(value: string | undefined, name: string, range: { min: number; max: number; fallback: number }): number {
  if (value === undefined || value === '') return range.fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < range.min || number > range.max) {
    throw invalidRequest(`${name} must be a whole number from ${range.min} to ${range.max}; got "${value}".`);
  }
  return number;
}

/** A number of seconds in [0, max]; larger values are held to max, since waiting less is always allowed. */
export function secondsParam(value: string | undefined, name: string, max: number): number {
  if (value === undefined || value === '') return 0;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw invalidRequest(`${name} must be a number of seconds from 0 to ${max}; got "${value}".`);
  }
  return Math.min(seconds, max);
}
