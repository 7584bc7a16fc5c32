// The checks every spec file (survey or eval) gets before its own schema: size, a scan of what it holds (nesting,
// entries, questions), YAML syntax (and JSON's, for .json), aliases, and a map at the top. The scans run before the
// YAML parser because the parser is what a hostile file would exhaust: they are linear and keep nothing.
import { isCollection, isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { excessiveFlowNesting } from './depth';
import { scanEntries } from './entries';
import { sortIssues, type SpecIssue } from './issues';
import { jsonSyntaxError } from './json-syntax';
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_ENTRIES, MAX_QUOTED_LENGTH, MAX_SOURCE_BYTES, megabytes } from './limits';
import { SourcePositions, type Path } from './positions';

export interface SourceFile {
  /** The file's name as shown in messages (usually its basename). */
  name: string;
  text: string;
}

/** Reads a file named by the survey, relative to it; undefined when there is no such file. */
export type FileReader = (relativePath: string) => string | undefined;

/** What the shared document checks say about the kind of file: its noun, and an example of its smallest form. */
export interface DocumentKind {
  noun: string;
  /** Where to move large data, for the "file too large" message. */
  largeDataHint: string;
  /** Shown when the file is not a map. */
  emptyExample: string;
  /** Most questions the file may hold (surveys); checked by the scan, before parsing. */
  maxQuestions?: number;
}

export type SpecDocument = { ok: true; data: Record<string, unknown>; positions: SourcePositions } | { ok: false; issues: SpecIssue[] };

/** Returns the data with the positions to report later problems at, or the first problems found. */
export function readSpecDocument(source: SourceFile, kind: DocumentKind): SpecDocument {
  const { name: file, text } = source;
  const lineCounter = new LineCounter();
  const early = new SourcePositions(file, text, lineCounter);
  const fail = (issues: SpecIssue[]): SpecDocument => ({ ok: false, issues: sortIssues(issues, file) });
  // Before the parser has run, the line counter knows no lines: count them up to the offset to report.
  const failAt = (offset: number, message: string): SpecDocument => {
    lineCounter.addNewLine(0);
    for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) lineCounter.addNewLine(at + 1);
    return fail([early.issueAtOffset(offset, message)]);
  };
  const tooDeepMessage = `nesting is deeper than ${MAX_DEPTH} levels; a ${kind.noun} needs only a few. Flatten it`;

  const bytes = text.length > MAX_SOURCE_BYTES / 4 ? Buffer.byteLength(text) : text.length;
  if (bytes > MAX_SOURCE_BYTES) {
    return fail([
      early.issueAtOffset(0, `the file is ${megabytes(bytes)}; ${kind.noun}s are limited to ${megabytes(MAX_SOURCE_BYTES)}. ${kind.largeDataHint}`),
    ]);
  }
  const tooDeep = excessiveFlowNesting(text);
  if (tooDeep >= 0) return failAt(tooDeep, tooDeepMessage);
  const maxQuestions = kind.maxQuestions ?? Infinity;
  const scan = scanEntries(text, { maxEntries: MAX_ENTRIES, maxQuestions, maxString: MAX_QUOTED_LENGTH });
  if (scan.questionsOverAt >= 0) {
    const count = scanEntries(text, { maxEntries: Infinity, maxQuestions: Infinity }).questionNames;
    return failAt(scan.questionsOverAt, tooManyQuestions(maxQuestions, count));
  }
  if (scan.stringOverAt >= 0 && (scan.entriesOverAt < 0 || scan.stringOverAt < scan.entriesOverAt)) {
    return failAt(
      scan.stringOverAt,
      `this quoted text is ${scan.longString.toLocaleString('en-US')} characters; a ${kind.noun} file may hold at most ${MAX_QUOTED_LENGTH.toLocaleString('en-US')} in one text. ${kind.largeDataHint}`,
    );
  }
  if (scan.entriesOverAt >= 0) {
    return failAt(
      scan.entriesOverAt,
      `the file holds more than ${MAX_ENTRIES.toLocaleString('en-US')} keys and list items; a ${kind.noun} needs far fewer. ${kind.largeDataHint}`,
    );
  }

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const positions = new SourcePositions(file, text, lineCounter, doc);
  const syntax = doc.errors.map((error) => positions.issueAtOffset(error.pos[0], syntaxMessage(error.code, error.message, kind.noun)));
  if (/\.json$/i.test(file)) {
    const json = jsonSyntaxError(text);
    if (json) syntax.unshift(positions.issueAtOffset(json.offset, `not valid JSON: ${json.message}`));
  }
  if (syntax.length > 0) return fail(syntax.slice(0, 1).concat(syntax.slice(1).filter((issue) => issue.line !== syntax[0]?.line)));

  const deep = deepestNode(doc);
  if (deep) return fail([positions.issue(deep.path, tooDeepMessage)]);
  const collectionKey = firstCollectionKey(doc);
  if (collectionKey !== null)
    return fail([positions.issueAtOffset(collectionKey, 'a key here is a list or a map; keys are plain names (write `name: value`)')]);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const alias = firstAlias(doc);
    const message = /alias/i.test(reason)
      ? `too many YAML aliases (*name): expanding them would exceed the limit of ${MAX_ALIAS_COUNT} (this is how "billion laughs" attacks work). Write the values out, or use fewer aliases`
      : `could not be read: ${reason}`;
    return fail([positions.issueAtOffset(alias ?? 0, message)]);
  }
  if (!isMap(doc.contents) || typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail([positions.issueAtOffset(0, kind.emptyExample)]);
  }
  const questions = (data as Record<string, unknown>)['questions'];
  if (Array.isArray(questions) && questions.length > maxQuestions) {
    return fail([positions.issue(['questions', maxQuestions], tooManyQuestions(maxQuestions, questions.length))]);
  }
  return { ok: true, data: data as Record<string, unknown>, positions };
}

/** Where the first key that is itself a list or a map starts (YAML allows it; a survey's keys are names), else null. */
function firstCollectionKey(doc: Document): number | null {
  let at: number | null = null;
  visit(doc, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        at = pair.key.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

/** Said at the first question past the limit. */
export function tooManyQuestions(max: number, count: number): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return `question ${n(max + 1)} is one too many: a survey may have at most ${n(max)} questions, and this one has ${n(count)}. Split it into several surveys (a server sets its limit with FIELDWORK_MAX_QUESTIONS)`;
}

function syntaxMessage(code: string, message: string, noun: string): string {
  const first = message.split('\n')[0] ?? message;
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML syntax: tabs are not allowed for indentation; use spaces';
    case 'DUPLICATE_KEY':
      return 'YAML syntax: this key appears twice in the same map; remove or rename one';
    case 'RESOURCE_EXHAUSTION':
      return `nesting is deeper than ${MAX_DEPTH} levels; a ${noun} needs only a few. Flatten it`;
    default:
      return `YAML syntax: ${first}`;
  }
}

/** The path of the first node nested deeper than MAX_DEPTH, if any. */
function deepestNode(doc: Document.Parsed): { path: Path } | null {
  const stack: { node: unknown; path: Path }[] = [{ node: doc.contents, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: Path };
    if (!isCollection(node)) continue;
    if (path.length >= MAX_DEPTH) return { path };
    node.items.forEach((item: unknown, index: number) => {
      if (isMap(node)) {
        const pair = item as { key: unknown; value: unknown };
        const key = (pair.key as { value?: unknown } | null)?.value;
        stack.push({ node: pair.value, path: [...path, typeof key === 'number' ? key : String(key)] });
      } else {
        stack.push({ node: item, path: [...path, index] });
      }
    });
  }
  return null;
}

/** Where the first alias (`*name`) is, as a character offset. */
function firstAlias(doc: Document.Parsed): number | null {
  let found: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      found = node.range?.[0] ?? null;
      return visit.BREAK;
    },
  });
  return found;
}
