// RFC 9457 problem details: every error the API answers, and the one place errors become statuses.
import { isStoreUnavailable } from '../store/unavailable';
import { PROBLEM_TYPES, wholeMegabytes, type Problem, type SpecIssue } from '../../api';
import { JobError } from '../jobs/job-manager';
import { InvalidCursorError } from '../store/store';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A request the API refuses; thrown by request parsing, answered by the app's error handler. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Omit<Problem, 'instance'>,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}

export const invalidRequest = (detail: string): ProblemError =>
  new ProblemError({ type: PROBLEM_TYPES.invalidRequest, title: 'Invalid request', status: 400, detail });

export const tooLarge = (maxBytes: number): ProblemError =>
  new ProblemError({
    type: PROBLEM_TYPES.tooLarge,
    title: 'Request body too large',
    status: 413,
    detail: `The request body is larger than this server accepts (${wholeMegabytes(maxBytes)}, ${maxBytes.toLocaleString('en-US')} bytes). Send fewer or smaller inline files, or start the server with a larger --max-body-mb (now ${Math.round(maxBytes / (1024 * 1024))}).`,
  });

export const notFound = (detail: string): ProblemError => new ProblemError({ type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail });

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

const JOB_ERROR_PROBLEMS: Record<JobError['kind'], { type: string; title: string; status: number }> = {
  not_found: { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404 },
  invalid_spec: { type: PROBLEM_TYPES.invalidSpec, title: 'Invalid spec', status: 422 },
  invalid_request: { type: PROBLEM_TYPES.invalidRequest, title: 'Invalid request', status: 400 },
  too_large: { type: PROBLEM_TYPES.tooLarge, title: 'Too large', status: 413 },
  conflict: { type: PROBLEM_TYPES.conflict, title: 'Conflict', status: 409 },
  busy: { type: PROBLEM_TYPES.rateLimited, title: 'Too many requests', status: 429 },
};

/** When a busy server asks the client to try again (seconds). */
const BUSY_RETRY_AFTER_S = '2';

/** The problem an error thrown while handling a request becomes, or null for an unexpected one (a 500). */
export function problemFor(error: unknown): { problem: Omit<Problem, 'instance'>; headers: Record<string, string> } | null {
  if (error instanceof ProblemError) return { problem: error.problem, headers: error.headers };
  if (error instanceof JobError) {
    const problem: Omit<Problem, 'instance'> = { ...JOB_ERROR_PROBLEMS[error.kind], detail: error.message };
    if (error.kind === 'invalid_spec') problem.issues = error.issues.map(wireIssue);
    return { problem, headers: error.kind === 'busy' ? { 'retry-after': BUSY_RETRY_AFTER_S } : {} };
  }
  if (error instanceof InvalidCursorError) return { problem: invalidRequest(error.message).problem, headers: {} };
  if (isStoreUnavailable(error)) {
    const detail = "The server's database cannot be reached just now (it may be restarting); try again in a few seconds.";
    return { problem: { type: PROBLEM_TYPES.unavailable, title: 'Service unavailable', status: 503, detail }, headers: { 'retry-after': '5' } };
  }
  return null;
}

export const internalProblem = (): Omit<Problem, 'instance'> => ({
  type: PROBLEM_TYPES.internal,
  title: 'Internal server error',
  status: 500,
  detail: 'The server failed to handle this request. The details are in the server log.',
});

/** Only the wire fields of a spec issue, whatever else the spec module attaches. */
function wireIssue(issue: SpecIssue): SpecIssue {
  const wire: SpecIssue = {
    file: issue.file,
    line: issue.line,
    column: issue.column,
    path: issue.path,
    message: issue.message,
  };
  if (issue.end_line !== undefined) wire.end_line = issue.end_line;
  if (issue.end_column !== undefined) wire.end_column = issue.end_column;
  return wire;
}
