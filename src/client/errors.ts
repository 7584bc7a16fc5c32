// Typed errors of the client. Each message says what happened and what to do; none ever contains the API key.
import type { Problem, SpecIssue } from '../api';

export class FieldworkError extends Error {
  /** HTTP status of the reply that caused this error, if there was one. */
  readonly status: number | undefined;
  /** The server's problem+json body, if it sent one. */
  readonly problem: Problem | undefined;

  constructor(message: string, options: { status?: number; problem?: Problem; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.problem = options.problem;
  }
}

/** 401/403: the key is missing, wrong or revoked. */
export class AuthError extends FieldworkError {}

/** 404: the job (or route) does not exist, or belongs to another user. */
export class NotFoundError extends FieldworkError {}

/** 400/413/422: the request (usually the survey) is invalid; `issues` point into the submitted files. */
export class ValidationError extends FieldworkError {
  readonly issues: SpecIssue[];
  constructor(message: string, options: { status?: number; problem?: Problem; issues?: SpecIssue[] } = {}) {
    super(message, options);
    this.issues = options.issues ?? [];
  }
}

/** 409: the job is in a state that does not allow this (e.g. retrying a running job). */
export class ConflictError extends FieldworkError {}

/** 429: the server asks us to slow down. */
export class RateLimitedError extends FieldworkError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { status?: number; problem?: Problem; retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** 5xx: the server failed. */
export class ServerError extends FieldworkError {}

/** The server could not be reached: refused, reset, DNS failure. */
export class ConnectionError extends FieldworkError {}

/** The call took longer than its timeout. */
export class TimeoutError extends FieldworkError {}

/** The server's reply does not match the /v1 wire schema. */
export class ProtocolError extends FieldworkError {}

/** Replaces every occurrence of `secret` in `text`; used on every message built from outside input. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('***');
}
