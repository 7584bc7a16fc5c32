// A survey or eval file by its kind: the one place the two formats' loaders and parsers are told apart.
import type { SpecDocument } from './document';
import type { EvalTask } from './eval/schema';
import { datasetFiles, loadEvalFiles } from './eval/load';
import { parseEval, readEvalDocument } from './eval/parse';
import { fileKind, type FileKind } from './file-kind';
import type { ParseResult } from './issues';
import { loadSurveyFiles, scenarioFiles, scenarioImages, type LoadedSurvey } from './load';
import { parseSurvey, readSurveyDocument, type FileReader, type ParseOptions, type SourceFile } from './parse';
import type { Survey } from './schema';

/** A file read from disk with the files it names, and its kind, decided once here. */
export interface LoadedFile extends LoadedSurvey {
  kind: FileKind;
}

export type ParsedFile = { kind: 'survey'; result: ParseResult<Survey> } | { kind: 'eval'; result: ParseResult<EvalTask> };

const LOADERS: Record<FileKind, (path: string) => LoadedSurvey> = { survey: (path) => loadSurveyFiles(path), eval: (path) => loadEvalFiles(path) };

/** Reads a survey or eval file and the data files it names (see loadSurveyFiles); throws when it cannot be read. */
export function loadFormatFile(path: string): LoadedFile {
  const kind = fileKind(path);
  return { kind, ...LOADERS[kind](path) };
}

/** Parses a file of a known kind; `options.maxQuestions` applies to surveys, `options.document` to both. */
export function parseFormatFile(kind: FileKind, source: SourceFile, readFile: FileReader, options: ParseOptions = {}): ParsedFile {
  return kind === 'survey'
    ? { kind, result: parseSurvey(source, readFile, options) }
    : { kind, result: parseEval(source, readFile, { document: options.document }) };
}

/**
 * Reads a file, the files it names, and parses it, with one read of its document: the files it names are taken from
 * the same document the parser checks. Throws when the file cannot be read, as loadFormatFile does.
 */
export function checkFormatFile(path: string, options: Pick<ParseOptions, 'maxQuestions'> = {}): { loaded: LoadedFile; parsed: ParsedFile } {
  const kind = fileKind(path);
  let document: SpecDocument | undefined;
  /** The document's data, read the first time it is asked for; null when the file's document has problems. */
  const data = (source: SourceFile): Record<string, unknown> | null => {
    try {
      document ??= kind === 'survey' ? readSurveyDocument(source, options) : readEvalDocument(source);
    } catch {
      return null; // the parser reads it again and reports why it cannot be read
    }
    return document.ok ? document.data : null;
  };
  const loaded: LoadedFile =
    kind === 'survey'
      ? {
          kind,
          ...loadSurveyFiles(path, {
            files: (source) => scenarioFiles(data(source)?.scenarios),
            images: (source, files) => scenarioImages(data(source)?.scenarios, files),
          }),
        }
      : { kind, ...loadEvalFiles(path, (source) => datasetFiles(datasetFile(data(source)?.dataset))) };
  return { loaded, parsed: parseFormatFile(kind, loaded.source, loaded.readFile, { ...options, document }) };
}

function datasetFile(dataset: unknown): unknown {
  return typeof dataset === 'object' && dataset !== null && !Array.isArray(dataset) ? (dataset as Record<string, unknown>).file : dataset;
}
