// A survey or eval file by its kind: the one place the two formats' loaders and parsers are told apart.
import type { EvalTask } from './eval/schema';
import { loadEvalFiles } from './eval/load';
import { parseEval } from './eval/parse';
import { fileKind, type FileKind } from './file-kind';
import type { ParseResult } from './issues';
import { loadSurveyFiles, type LoadedSurvey } from './load';
import { parseSurvey, type FileReader, type ParseOptions, type SourceFile } from './parse';
import type { Survey } from './schema';

/** A file read from disk with the files it names, and its kind, decided once here. */
export interface LoadedFile extends LoadedSurvey {
  kind: FileKind;
}

export type ParsedFile = { kind: 'survey'; result: ParseResult<Survey> } | { kind: 'eval'; result: ParseResult<EvalTask> };

const LOADERS: Record<FileKind, (path: string) => LoadedSurvey> = { survey: loadSurveyFiles, eval: loadEvalFiles };

/** Reads a survey or eval file and the data files it names (see loadSurveyFiles); throws when it cannot be read. */
export function loadFormatFile(path: string): LoadedFile {
  const kind = fileKind(path);
  return { kind, ...LOADERS[kind](path) };
}

/** Parses a file of a known kind; `options.maxQuestions` applies to surveys. */
export function parseFormatFile(kind: FileKind, source: SourceFile, readFile: FileReader, options: ParseOptions = {}): ParsedFile {
  return kind === 'survey' ? { kind, result: parseSurvey(source, readFile, options) } : { kind, result: parseEval(source, readFile) };
}
