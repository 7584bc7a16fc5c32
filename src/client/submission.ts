// A survey or eval file on disk → the submission the server accepts (the files it names travel inline).
import type { JobSubmission } from '../api';
import { isEvalFileName, loadEvalFiles, loadSurveyFiles } from '../format';

export function submissionFromFile(path: string, opts: { fresh?: boolean } = {}): JobSubmission {
  return toSubmission(isEvalFileName(path) ? loadEvalFiles(path) : loadSurveyFiles(path), opts);
}

/** Only what goes on the wire: the source, the files it names, and `fresh` when asked for. */
export function toSubmission(loaded: Pick<JobSubmission, 'source' | 'files'>, opts: { fresh?: boolean } = {}): JobSubmission {
  return { source: loaded.source, files: loaded.files ?? {}, ...(opts.fresh ? { fresh: true } : {}) };
}
