// The heavy half of the extension: the spec parser, the HTTP client (undici) and the zod schemas. Bundled apart into
// dist/extension-core.js and loaded by `core()` the first time a feature needs it, so loading the extension is cheap.
export { AuthError, compareRuns, ConnectionError, FieldworkClient, TimeoutError, ValidationError } from '../client';
export { applyJobEvent, isEdslSourceName, isFinished, JobStatus, ProgressEventData } from '../api';
export { HostMessage, PanelMessage, parseMessage, toResultRow } from '../webview/messages';
export { previewPrompts } from './commands/preview';
export { questionsOf } from './panel/questions';
export { specIssues, submissionFor } from './format-files';
