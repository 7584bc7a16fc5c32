// Survey and eval files: which is which, parsing a document's text, and the submission for a file on disk.
// Shared by CodeLens, diagnostics and commands; no vscode import.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { toSubmission } from '../client';
import type { JobSubmission } from '../api';
import { loadFormatFile, parseFormatFile, resolveInsideFolder, MAX_SCENARIO_FILE_BYTES, type SpecIssue } from '../format';
import { specKind, type SpecKind } from './file-kind';

export { specKind, type SpecKind };

/** The problems of a spec file's (possibly unsaved) text; files it names are read from beside it on disk. */
export function specIssues(kind: SpecKind, path: string, text: string): SpecIssue[] {
  const source = { name: basename(path), text };
  const readFile = (relative: string): string | undefined => {
    try {
      // A path or link that leads out of the folder throws OutsideFolderError: the parser says so at its line.
      const file = resolveInsideFolder(dirname(path), relative);
      if (statSync(file).size > MAX_SCENARIO_FILE_BYTES) throw new Error(`${relative} is too large`);
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const parsed = parseFormatFile(kind, source, readFile).result;
  return parsed.ok ? [] : parsed.issues;
}

/** What to send to the server for the spec file at `path` (saved first by the caller). */
export function submissionFor(path: string): JobSubmission {
  const kind = specKind(path);
  if (kind === null) throw new Error(`${basename(path)} is not a survey or eval file (*.survey.yaml, *.eval.yaml, …)`);
  return toSubmission(loadFormatFile(path));
}
