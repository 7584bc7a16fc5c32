// Reads and checks a survey file on this machine before anything is sent, so mistakes show with their line and column.
import { statSync } from 'node:fs';
import { toSubmission } from '../client';
import type { JobSubmission, SpecIssue } from '../api';
import { checkFormatFile, fileKind, formatIssue, MAX_SOURCE_BYTES, maxQuestionsSetting, type FileKind } from '../format';
import { UsageError } from './failure';

export type LocalCheck = { ok: true; submission: JobSubmission } | { ok: false; issues: string[] };

/** `env`: where FIELDWORK_MAX_QUESTIONS is read (the same limit a server started there would apply). */
export function checkSurveyFile(path: string, opts: { fresh?: boolean; env?: NodeJS.ProcessEnv } = {}): LocalCheck {
  let maxQuestions: number;
  try {
    maxQuestions = maxQuestionsSetting((opts.env ?? process.env).FIELDWORK_MAX_QUESTIONS);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  refuseTooLarge(path, fileKind(path));
  let checked: ReturnType<typeof checkFormatFile>;
  try {
    checked = checkFormatFile(path, { maxQuestions });
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${readReason(error)} — check the path`, { cause: error });
  }
  const { loaded } = checked;
  const parsed = checked.parsed.result;
  if (!parsed.ok) return { ok: false, issues: parsed.issues.map((issue) => formatIssue(issue)) };
  return { ok: true, submission: toSubmission(loaded, opts) };
}

/** One issue reported by the server, in the same form as local ones. */
export function formatSpecIssue(issue: SpecIssue): string {
  return formatIssue(issue);
}

/**
 * A file over the size limit is not a wrong path: say its size, the limit and where the bulk belongs. Whether the
 * file can be read at all is left to the load, which says why not.
 */
function refuseTooLarge(path: string, kind: FileKind): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size <= MAX_SOURCE_BYTES) return;
  const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  const what = TOO_LARGE[kind];
  throw new UsageError(`${path} is ${mb(size)}; ${what.replace('LIMIT', mb(MAX_SOURCE_BYTES))}`);
}

const TOO_LARGE: Record<FileKind, string> = {
  survey: 'survey files are limited to LIMIT. Move the scenarios into a CSV or JSONL file beside it and name it with `scenarios: FILE`',
  eval: 'eval files are limited to LIMIT. Move the samples into a dataset file (CSV or JSONL) beside it and name it with `dataset: { file: FILE }`',
};

function readReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
