// The only file I/O of the spec: reading a survey file and the scenario and image files it names, for submission.
// Images travel as `base64:<bytes>` in the same text-only `files` map (the server never opens a request's paths).
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { excessiveFlowNesting } from './depth';
import { BASE64_FILE_PREFIX, imagePaths, isInsideFolder, MAX_IMAGE_BYTES } from './images';
import { MAX_SCENARIO_FILE_BYTES, MAX_SOURCE_BYTES, megabytes } from './limits';
import type { FileReader, SourceFile } from './parse';
import { scenariosFromFile } from './scenarios-file';

const SURVEY_FILE = /\.survey\.(ya?ml|json)$/i;

export function isSurveyFileName(name: string): boolean {
  return SURVEY_FILE.test(basename(name));
}

/** Relative paths of the scenario files the survey names. Best effort: never throws. */
export function referencedFiles(source: SourceFile): string[] {
  try {
    if (source.text.length > MAX_SOURCE_BYTES || excessiveFlowNesting(source.text) >= 0) return [];
    const doc = parseDocument(source.text, { prettyErrors: false });
    if (!isMap(doc.contents)) return [];
    const scenarios: unknown = doc.get('scenarios');
    return typeof scenarios === 'string' && /\.(csv|jsonl)$/i.test(scenarios.trim()) ? [scenarios.trim()] : [];
  } catch {
    return [];
  }
}

/** Relative paths of the images the survey's scenarios name, inline or in a JSONL file already read. Best effort. */
export function referencedImages(source: SourceFile, files: Readonly<Record<string, string>>): string[] {
  try {
    if (source.text.length > MAX_SOURCE_BYTES || excessiveFlowNesting(source.text) >= 0) return [];
    const doc = parseDocument(source.text, { prettyErrors: false });
    if (!isMap(doc.contents)) return [];
    const scenarios: unknown = doc.toJS({ maxAliasCount: 100 })?.scenarios;
    if (Array.isArray(scenarios)) return imagePaths(scenarios.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null));
    if (typeof scenarios !== 'string' || !/\.jsonl$/i.test(scenarios.trim())) return [];
    const text = files[scenarios.trim()];
    const loaded = text === undefined ? null : scenariosFromFile(scenarios.trim(), text);
    return loaded?.ok ? imagePaths(loaded.scenarios) : [];
  } catch {
    return [];
  }
}

export interface LoadedSurvey {
  source: SourceFile;
  /** Scenario and image files by the relative path the survey uses; missing or oversized files are absent. */
  files: Record<string, string>;
  /** Reads from `files`, and says why a file is absent when it is too large (pass it to parseSurvey). */
  readFile: FileReader;
}

/**
 * Reads a survey file (source.name is its basename) and the scenario files it names, relative to it.
 * Throws when the survey file itself cannot be read. Scenario files that are missing, outside the survey's folder
 * or larger than the limit are left out; parseSurvey then reports them at the `scenarios:` line.
 */
export function loadSurveyFiles(surveyPath: string): LoadedSurvey {
  const loaded = loadSpecFiles(surveyPath, referencedFiles, 'survey');
  const tooLarge = new Map<string, number>();
  for (const relative of referencedImages(loaded.source, loaded.files)) {
    if (!isInsideFolder(relative) || Object.hasOwn(loaded.files, relative)) continue;
    const path = join(dirname(surveyPath), relative);
    try {
      const size = statSync(path).size;
      if (size > MAX_IMAGE_BYTES) tooLarge.set(relative, size);
      else loaded.files[relative] = BASE64_FILE_PREFIX + readFileSync(path).toString('base64');
    } catch {
      // missing or unreadable: parseSurvey reports it where the scenario names it
    }
  }
  if (tooLarge.size === 0) return loaded;
  const readFile: FileReader = (relative) => {
    const size = tooLarge.get(relative);
    if (size !== undefined) throw new Error(`it is ${megabytes(size)}; images are limited to ${megabytes(MAX_IMAGE_BYTES)}. Make it smaller (providers scale images down anyway)`);
    return loaded.readFile(relative);
  };
  return { ...loaded, readFile };
}

/** The same for any spec file: `referenced` names the data files it uses (an eval's dataset). */
export function loadSpecFiles(surveyPath: string, referenced: (source: SourceFile) => string[], noun: string): LoadedSurvey {
  const size = statSync(surveyPath).size;
  if (size > 4 * MAX_SOURCE_BYTES) {
    throw new Error(`${basename(surveyPath)} is ${megabytes(size)}; ${noun} files are limited to ${megabytes(MAX_SOURCE_BYTES)}`);
  }
  const source: SourceFile = { name: basename(surveyPath), text: readFileSync(surveyPath, 'utf8') };
  const files: Record<string, string> = {};
  const oversized = new Map<string, number>();
  for (const relative of referenced(source)) {
    if (isAbsolute(relative) || normalize(relative).split(/[\\/]/).includes('..')) continue;
    const path = join(dirname(surveyPath), relative);
    try {
      const fileSize = statSync(path).size;
      if (fileSize > MAX_SCENARIO_FILE_BYTES) oversized.set(relative, fileSize);
      else files[relative] = readText(path, fileSize);
    } catch {
      // missing or unreadable: parseSurvey reports it where the survey names it
    }
  }
  const readFile: FileReader = (relative) => {
    const tooLarge = oversized.get(relative);
    if (tooLarge !== undefined) {
      throw new Error(`it is ${megabytes(tooLarge)}; ${noun === 'survey' ? 'scenario' : 'data'} files are limited to ${megabytes(MAX_SCENARIO_FILE_BYTES)}. Split it into several ${noun}s`);
    }
    return Object.hasOwn(files, relative) ? files[relative] : undefined;
  };
  return { source, files, readFile };
}

function readText(path: string, size: number): string {
  const buffer = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < size) {
      const count = readSync(fd, buffer, read, size - read, read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
