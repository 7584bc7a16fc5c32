// Reading an eval file and the dataset file it names, for submission (the same rules as a survey's scenario files).
import { isMap, parseDocument } from 'yaml';
import { excessiveFlowNesting } from '../depth';
import { withinEntryBudget } from '../entries';
import { MAX_ENTRIES, MAX_SOURCE_BYTES } from '../limits';
import { loadSpecFiles, type LoadedSurvey } from '../load';
import type { SourceFile } from '../parse';

/** The dataset file an eval names (`dataset: x.csv` or `dataset: { file: x.csv }`). Best effort: never throws. */
export function evalReferencedFiles(source: SourceFile): string[] {
  try {
    if (!parseable(source.text)) return [];
    const doc = parseDocument(source.text, { prettyErrors: false, logLevel: 'error' });
    if (!isMap(doc.contents)) return [];
    const dataset: unknown = doc.getIn(['dataset']);
    return datasetFiles(typeof dataset === 'string' ? dataset : doc.getIn(['dataset', 'file']));
  } catch {
    return [];
  }
}

/** The dataset file an eval's `dataset:` (a name) or `dataset.file` value names, if any. */
export function datasetFiles(file: unknown): string[] {
  return typeof file === 'string' && /\.(csv|jsonl)$/i.test(file.trim()) ? [file.trim()] : [];
}

export type LoadedEval = LoadedSurvey;

/** Reads an eval file and its dataset file; parseEval reports a missing or oversized dataset where it is named. */
export function loadEvalFiles(evalPath: string, named: (source: SourceFile) => string[] = evalReferencedFiles): LoadedEval {
  return loadSpecFiles(evalPath, named, 'eval');
}

/** Whether the file is worth parsing for the files it names: within the size, nesting and entry limits. */
function parseable(text: string): boolean {
  return text.length <= MAX_SOURCE_BYTES && excessiveFlowNesting(text) < 0 && withinEntryBudget(text, MAX_ENTRIES);
}
