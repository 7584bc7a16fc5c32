// A survey or eval file on disk → the submission the server accepts (the files it names travel inline).
import type { JobKind, JobSubmission } from '../api';
import { loadFormatFile } from '../format';

export function submissionFromFile(path: string, opts: { fresh?: boolean } = {}): JobSubmission {
  return toSubmission(loadFormatFile(path), opts);
}

/** Only what goes on the wire: the kind, the source, the files it names, and `fresh` when asked for. */
export function toSubmission(loaded: Pick<JobSubmission, 'source' | 'files'> & { kind: JobKind }, opts: { fresh?: boolean } = {}): JobSubmission {
  return { kind: loaded.kind, source: loaded.source, files: loaded.files ?? {}, ...(opts.fresh ? { fresh: true } : {}) };
}
