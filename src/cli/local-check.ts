// Reads and checks a survey file on this machine before anything is sent, so mistakes show with their line and column.
import { toSubmission } from '../client';
import type { JobSubmission, SpecIssue } from '../protocol';
import { formatIssue, isEvalFileName, loadEvalFiles, loadSurveyFiles, parseEval, parseSurvey, type LoadedSurvey } from '../spec';
import { UsageError } from './failure';

export type LocalCheck = { ok: true; submission: JobSubmission } | { ok: false; issues: string[] };

export function checkSurveyFile(path: string, opts: { fresh?: boolean } = {}): LocalCheck {
  let loaded: LoadedSurvey;
  try {
    loaded = isEvalFileName(path) ? loadEvalFiles(path) : loadSurveyFiles(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${readReason(error)} — check the path`, { cause: error });
  }
  // `*.eval.{yaml,yml,json}` is an eval; anything else is read as a survey.
  const parsed = isEvalFileName(path) ? parseEval(loaded.source, loaded.readFile) : parseSurvey(loaded.source, loaded.readFile);
  if (!parsed.ok) return { ok: false, issues: parsed.issues.map((issue) => formatIssue(issue)) };
  return { ok: true, submission: toSubmission(loaded, opts) };
}

/** One issue reported by the server, in the same form as local ones. */
export function formatSpecIssue(issue: SpecIssue): string {
  return formatIssue(issue);
}

function readReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
