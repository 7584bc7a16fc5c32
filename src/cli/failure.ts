// How a command ends: exit codes, and one clear line on stderr for a failure (a stack only with FIELDWORK_DEBUG=1).
import { AuthError, ConnectionError, FieldworkError, NotFoundError, TimeoutError, ValidationError } from '../client';
import type { JobStatus } from '../api';
import type { Cli } from './io';
import { formatSpecIssue } from './local-check';

export const EXIT = {
  ok: 0,
  /** The job failed, partially failed or was cancelled, or does not exist; or an unexpected error. */
  failed: 1,
  /** A bad file or argument. */
  badInput: 2,
  /** The server could not be reached or refused the key. */
  unreachable: 3,
  interrupted: 130,
} as const;

/** A problem with what the user gave us (file, argument), found before any request. */
export class UsageError extends FieldworkError {}

/** The local server cannot run on this Node. */
export class RuntimeUnavailableError extends FieldworkError {}

export function exitCodeForStatus(status: JobStatus): number {
  return status === 'completed' ? EXIT.ok : EXIT.failed;
}

export function exitCodeForError(error: unknown): number {
  if (error instanceof AuthError || error instanceof ConnectionError || error instanceof TimeoutError) return EXIT.unreachable;
  if (error instanceof UsageError || error instanceof ValidationError) return EXIT.badInput;
  // A job that does not exist is not a bad file: 2 would tell a script that the survey needs fixing.
  if (error instanceof NotFoundError) return EXIT.failed;
  if (isAbort(error)) return EXIT.interrupted;
  return EXIT.failed;
}

/** Prints a failure the way a user can act on it; returns the exit code. */
export function reportFailure(cli: Cli, error: unknown): number {
  if (error instanceof ValidationError) {
    for (const issue of error.issues) cli.err(formatSpecIssue(issue));
  }
  if (isAbort(error)) {
    cli.err('fieldwork: interrupted');
  } else if (error instanceof FieldworkError) {
    cli.err(`fieldwork: ${error.message}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    cli.err(`fieldwork: unexpected error: ${message} — run again with FIELDWORK_DEBUG=1 for details, and report it if it persists`);
  }
  if (cli.env.FIELDWORK_DEBUG === '1' && error instanceof Error && error.stack) cli.err(error.stack);
  return exitCodeForError(error);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
