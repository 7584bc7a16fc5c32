// Which kind of job a file is, decided here and nowhere else: from its name, where the file is loaded. A submission
// carries the kind from then on; a server infers it with `fileKind` only for clients that send none.
import { basename } from 'node:path';

export type FileKind = 'survey' | 'eval';

const FORMAT_FILE = /\.(survey|eval)\.(ya?ml|json)$/i;

/** `*.survey.{yaml,yml,json}` or `*.eval.{…}`, or null for any other file (cheap: no parsing). */
export function formatFileKind(name: string): FileKind | null {
  const match = FORMAT_FILE.exec(basename(name));
  return match ? (match[1]!.toLowerCase() as FileKind) : null;
}

/** The kind of a file that is read as a job: an eval by its name; anything else is read as a survey. */
export function fileKind(name: string): FileKind {
  return formatFileKind(name) ?? 'survey';
}

export function isSurveyFileName(name: string): boolean {
  return formatFileKind(name) === 'survey';
}
