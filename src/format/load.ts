// The only file I/O of the spec: reading a survey file and the scenario and image files it names, for submission.
// Images travel as `base64:<bytes>` in the same text-only `files` map (the server never opens a request's paths).
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { excessiveFlowNesting } from './depth';
import { OutsideFolderError } from './folder';
import { BASE64_FILE_PREFIX, imagePaths, isInsideFolder, MAX_IMAGE_BYTES } from './images';
import { withinEntryBudget } from './entries';
import { MAX_ENTRIES, MAX_SCENARIO_FILE_BYTES, MAX_SOURCE_BYTES, megabytes } from './limits';
import type { FileReader, SourceFile } from './parse';
import { scenariosFromFile } from './scenarios-file';

/** Relative paths of the scenario files the survey names. Best effort: never throws. */
export function referencedFiles(source: SourceFile): string[] {
  try {
    if (!parseable(source.text)) return [];
    const doc = parseDocument(source.text, { prettyErrors: false, logLevel: 'error' });
    // A file that does not parse names no images; its errors are reported where it is checked.
    if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
    return scenarioFiles(doc.get('scenarios'));
  } catch {
    return [];
  }
}

/** The scenario file a survey's `scenarios:` value names, if any. */
export function scenarioFiles(scenarios: unknown): string[] {
  return typeof scenarios === 'string' && /\.(csv|jsonl)$/i.test(scenarios.trim()) ? [scenarios.trim()] : [];
}

/** Relative paths of the images the survey's scenarios name, inline or in a JSONL file already read. Best effort. */
export function referencedImages(source: SourceFile, files: Readonly<Record<string, string>>): string[] {
  try {
    if (!parseable(source.text)) return [];
    const doc = parseDocument(source.text, { prettyErrors: false, logLevel: 'error' });
    // A file that does not parse names no images; its errors are reported where it is checked.
    if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
    return scenarioImages(doc.toJS({ maxAliasCount: 100 })?.scenarios, files);
  } catch {
    return [];
  }
}

/** The images a survey's `scenarios:` value names, inline or in a JSONL file already read. Best effort: never throws. */
export function scenarioImages(scenarios: unknown, files: Readonly<Record<string, string>>): string[] {
  try {
    if (Array.isArray(scenarios)) return imagePaths(scenarios.filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null));
    if (typeof scenarios !== 'string' || !/\.jsonl$/i.test(scenarios.trim())) return [];
    const text = files[scenarios.trim()];
    const loaded = text === undefined ? null : scenariosFromFile(scenarios.trim(), text);
    return loaded?.ok ? imagePaths(loaded.scenarios) : [];
  } catch {
    return [];
  }
}

/** How a survey's loader finds the files it names (best effort, never throwing); by default each reads the source. */
export interface NamedFiles {
  files(source: SourceFile): string[];
  images(source: SourceFile, files: Readonly<Record<string, string>>): string[];
}

const READ_FROM_SOURCE: NamedFiles = { files: referencedFiles, images: referencedImages };

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
export function loadSurveyFiles(surveyPath: string, named: NamedFiles = READ_FROM_SOURCE): LoadedSurvey {
  const loaded = loadSpecFiles(surveyPath, named.files, 'survey');
  const tooLarge = new Map<string, number>();
  const outside = new Set<string>();
  for (const relative of named.images(loaded.source, loaded.files)) {
    if (!isInsideFolder(relative) || Object.hasOwn(loaded.files, relative)) continue;
    try {
      const path = resolveInsideFolder(dirname(surveyPath), relative);
      const size = statSync(path).size;
      if (size > MAX_IMAGE_BYTES) tooLarge.set(relative, size);
      else loaded.files[relative] = BASE64_FILE_PREFIX + readFileSync(path).toString('base64');
    } catch (error) {
      // missing or unreadable: parseSurvey reports it where the scenario names it
      if (error instanceof OutsideFolderError) outside.add(relative);
    }
  }
  if (tooLarge.size === 0 && outside.size === 0) return loaded;
  const readFile: FileReader = (relative) => {
    if (outside.has(relative)) throw new OutsideFolderError(relative);
    const size = tooLarge.get(relative);
    if (size !== undefined)
      throw new Error(`it is ${megabytes(size)}; images are limited to ${megabytes(MAX_IMAGE_BYTES)}. Make it smaller (providers scale images down anyway)`);
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
  const outside = new Set<string>();
  for (const relative of referenced(source)) {
    if (!isInsideFolder(relative)) continue;
    try {
      const path = resolveInsideFolder(dirname(surveyPath), relative);
      const fileSize = statSync(path).size;
      if (fileSize > MAX_SCENARIO_FILE_BYTES) oversized.set(relative, fileSize);
      else files[relative] = readText(path, fileSize);
    } catch (error) {
      // missing or unreadable: parseSurvey reports it where the survey names it
      if (error instanceof OutsideFolderError) outside.add(relative);
    }
  }
  const readFile: FileReader = (relative) => {
    if (outside.has(relative)) throw new OutsideFolderError(relative);
    const tooLarge = oversized.get(relative);
    if (tooLarge !== undefined) {
      throw new Error(
        `it is ${megabytes(tooLarge)}; ${noun === 'survey' ? 'scenario' : 'data'} files are limited to ${megabytes(MAX_SCENARIO_FILE_BYTES)}. Split it into several ${noun}s`,
      );
    }
    return Object.hasOwn(files, relative) ? files[relative] : undefined;
  };
  return { source, files, readFile };
}

/**
 * The real path of a file the spec names, relative to its folder. Throws OutsideFolderError when the path, or a
 * link on the way, leads outside the folder's real path, and the file system's error when there is no such file.
 */
export function resolveInsideFolder(folder: string, relative: string): string {
  if (!isInsideFolder(relative)) throw new OutsideFolderError(relative);
  const root = realpathSync(folder);
  const real = realpathSync(join(folder, relative));
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) throw new OutsideFolderError(relative);
  return real;
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

/** Whether the file is worth parsing for the files it names: within the size, nesting and entry limits. */
function parseable(text: string): boolean {
  return text.length <= MAX_SOURCE_BYTES && excessiveFlowNesting(text) < 0 && withinEntryBudget(text, MAX_ENTRIES);
}
