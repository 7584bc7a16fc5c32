// What the server's main thread and its spec workers say to each other. Both sides are this program, and the
// values are structured-cloned, so these are plain types rather than schemas; the request body was checked with
// zod before it got here.
import type { EvalTask, FileKind, PromptImage, SpecIssue, Survey, TemplatePlaces } from '../../format';

export interface SpecTask {
  /** Decided where the file was loaded (inferred from its name for older clients). */
  kind: FileKind;
  source: { name: string; text: string };
  files: Record<string, string>;
  /** The server's limit on questions per survey. */
  maxQuestions: number;
}

export type SpecReply =
  | { ok: false; issues: SpecIssue[]; message: string | null }
  | { ok: true; kind: 'survey'; survey: Survey; places: TemplatePlaces | null; images: [string, PromptImage][] }
  | { ok: true; kind: 'eval'; task: EvalTask };

export interface TaskMessage {
  id: number;
  task: SpecTask;
}

export interface ReplyMessage {
  id: number;
  reply: SpecReply;
}
