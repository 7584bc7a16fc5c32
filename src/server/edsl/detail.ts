// Errors as EDSL's client reads them: any status of 400 or more with a JSON body `{"detail": "..."}`. The words
// "The API key you provided is invalid" would start EDSL's interactive login to Expected Parrot, so they are never used.
import { problemFor } from '../http/problem';

export class DetailError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'DetailError';
  }
}

export function detailResponse(status: number, detail: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ detail }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** The response an error thrown by an /api/v0 route becomes, or null for an unexpected one (logged, then a 500). */
export function detailFor(error: unknown): Response | null {
  if (error instanceof DetailError) return detailResponse(error.status, error.detail);
  const known = problemFor(error);
  if (!known) return null;
  return detailResponse(known.problem.status, known.problem.detail ?? known.problem.title, known.headers);
}

export const internalDetail = (): Response => detailResponse(500, 'The Fieldwork server failed to handle this request. The details are in the server log.');
