// A survey file (YAML or JSON) → a normalized Survey, or every problem found, each with its line and column.
// Steps: size and nesting limits → YAML syntax (and JSON's, for .json) → aliases → the zod schema → the checks
// zod cannot make (duplicate names, models, scenario files, templates, rules, memory). All problems are collected.
import { isCollection, isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { compileQuestions, keysOf, type QuestionParts } from './compile-questions';
import { excessiveFlowNesting } from './depth';
import { imageReference, isInsideFolder } from './images';
import { sortIssues, type ParseResult, type SpecIssue } from './issues';
import { jsonSyntaxError } from './json-syntax';
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_SOURCE_BYTES, megabytes } from './limits';
import { modelSpec } from './models';
import { SourcePositions, type Path } from './positions';
import { IDENTIFIER, MemorySetting, Question } from './question-types';
import { scenariosFromFile } from './scenarios-file';
import { ModelEntry, SurveyFile, type Agent, type ModelSpec, type Scenario, type Survey } from './schema';
import { fieldProblems, humanMessage, valueAt } from './zod-issues';

export interface SourceFile {
  /** The file's name as shown in messages (usually its basename). */
  name: string;
  text: string;
}

/** Reads a file named by the survey, relative to it; undefined when there is no such file. */
export type FileReader = (relativePath: string) => string | undefined;

export function parseSurvey(source: SourceFile, readFile: FileReader): ParseResult<Survey> {
  try {
    return parse(source, readFile);
  } catch (error) {
    // Never a stack trace: an unexpected failure is still reported as a problem with the file.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ file: source.name, line: 1, column: 1, path: [], message: `could not be read: ${reason}` }] };
  }
}

function parse(source: SourceFile, readFile: FileReader): ParseResult<Survey> {
  const read = readSpecDocument(source, SURVEY_DOCUMENT);
  if (!read.ok) return read;
  return new SurveyChecks(source.name, read.positions, read.data, readFile).run();
}

/** What the shared document checks say about the kind of file: its noun, and an example of its smallest form. */
export interface DocumentKind {
  noun: string;
  /** Where to move large data, for the "file too large" message. */
  largeDataHint: string;
  /** Shown when the file is not a map. */
  emptyExample: string;
}

const SURVEY_DOCUMENT: DocumentKind = {
  noun: 'survey',
  largeDataHint: 'Move large data into a scenarios file (CSV or JSONL)',
  emptyExample: 'a survey file must be a map with at least `questions:`, e.g.\nquestions:\n  - question_name: q1\n    question_type: free_text\n    question_text: How are you?',
};

export type SpecDocument = { ok: true; data: Record<string, unknown>; positions: SourcePositions } | { ok: false; issues: SpecIssue[] };

/**
 * The checks every spec file gets before its own schema: size and nesting limits → YAML syntax (and JSON's, for
 * .json) → aliases → a map at the top. Returns the data with the positions to report later problems at.
 */
export function readSpecDocument(source: SourceFile, kind: DocumentKind): SpecDocument {
  const { name: file, text } = source;
  const lineCounter = new LineCounter();
  const early = new SourcePositions(file, text, lineCounter);
  const fail = (issues: SpecIssue[]): SpecDocument => ({ ok: false, issues: sortIssues(issues, file) });
  const tooDeepMessage = `nesting is deeper than ${MAX_DEPTH} levels; a ${kind.noun} needs only a few. Flatten it`;

  const bytes = text.length > MAX_SOURCE_BYTES / 4 ? Buffer.byteLength(text) : text.length;
  if (bytes > MAX_SOURCE_BYTES) {
    return fail([
      early.issueAtOffset(0, `the file is ${megabytes(bytes)}; ${kind.noun}s are limited to ${megabytes(MAX_SOURCE_BYTES)}. ${kind.largeDataHint}`),
    ]);
  }
  const tooDeep = excessiveFlowNesting(text);
  if (tooDeep >= 0) {
    lineCounter.addNewLine(0);
    for (let at = text.indexOf('\n'); at >= 0 && at < tooDeep; at = text.indexOf('\n', at + 1)) lineCounter.addNewLine(at + 1);
    return fail([early.issueAtOffset(tooDeep, tooDeepMessage)]);
  }

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positions = new SourcePositions(file, text, lineCounter, doc);
  const syntax = doc.errors.map((error) => positions.issueAtOffset(error.pos[0], syntaxMessage(error.code, error.message, kind.noun)));
  if (/\.json$/i.test(file)) {
    const json = jsonSyntaxError(text);
    if (json) syntax.unshift(positions.issueAtOffset(json.offset, `not valid JSON: ${json.message}`));
  }
  if (syntax.length > 0) return fail(syntax.slice(0, 1).concat(syntax.slice(1).filter((issue) => issue.line !== syntax[0]?.line)));

  const deep = deepestNode(doc);
  if (deep) return fail([positions.issue(deep.path, tooDeepMessage)]);

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
  return { ok: true, data: data as Record<string, unknown>, positions };
}

/** Checks on the document's data, collecting issues; builds the Survey when there are none. */
class SurveyChecks {
  private readonly issues: SpecIssue[] = [];

  constructor(
    private readonly file: string,
    private readonly positions: SourcePositions,
    private readonly data: Record<string, unknown>,
    private readonly readFile: FileReader,
  ) {}

  run(): ParseResult<Survey> {
    const parsed = SurveyFile.safeParse(this.data, { error: humanMessage });
    if (!parsed.success) {
      for (const problem of fieldProblems(parsed.error.issues, this.data)) {
        this.add(problem.path, problem.message, { atKey: problem.atKey ?? false });
      }
    }
    const questions = this.questionParts();
    const scenarios = this.scenarios(parsed.success ? parsed.data.scenarios : undefined);
    if (scenarios) this.checkImages(scenarios);
    const agents = this.agents(parsed.success ? parsed.data.agents : undefined);
    const models = this.models();
    this.checkQuestions(questions, scenarios, agents);

    if (!parsed.success || this.issues.length > 0 || !scenarios || !agents || !models) {
      return { ok: false, issues: sortIssues(this.issues, this.file) };
    }
    const value = parsed.data;
    return {
      ok: true,
      value: {
        name: value.name ?? surveyNameFromFile(this.file),
        description: value.description ?? null,
        questions: value.questions,
        agents,
        scenarios,
        models,
        iterations: value.iterations,
        fresh: value.fresh,
        memory: value.memory,
      },
    };
  }

  private add(path: Path, message: string, options: { atKey?: boolean; offset?: number; length?: number } = {}): void {
    const text = `${this.prefix(path)}${message}`;
    this.issues.push(
      options.offset !== undefined && options.offset >= 0
        ? this.positions.issueWithin(path, options.offset, options.length ?? 1, text)
        : this.positions.issue(path, text, { atKey: options.atKey ?? false }),
    );
  }

  /** `question "q2": `, `model "openai/gpt-4o": `, `agent 2: ` … for issues inside one of those. */
  private prefix(path: Path): string {
    const [section, index] = path;
    if (typeof index !== 'number') return '';
    const item = valueAt(this.data, [section as string, index]);
    const named = (key: string) => {
      const name = valueAt(item, [key]);
      return typeof name === 'string' && name.length <= 80 ? `"${name}"` : `${index + 1}`;
    };
    if (section === 'questions') return `question ${named('question_name')}: `;
    if (section === 'agents') return `agent ${named('name')}: `;
    if (section === 'models') return `model ${typeof item === 'string' ? `"${item}"` : named('name')}: `;
    if (section === 'scenarios') return `scenario ${index + 1}: `;
    return '';
  }

  /** Each question's name, text, rules and memory where they have the right types, even if the rest failed. */
  private questionParts(): (QuestionParts | null)[] {
    const raw = this.data['questions'];
    if (!Array.isArray(raw)) return [];
    const seen = new Map<string, number>();
    return raw.map((question: unknown, index): QuestionParts | null => {
      if (typeof question !== 'object' || question === null) return null;
      const fields = question as Record<string, unknown>;
      const name = fields['question_name'];
      if (typeof name !== 'string' || !IDENTIFIER.test(name)) return null;
      const first = seen.get(name);
      if (first !== undefined) {
        this.add(
          ['questions', index, 'question_name'],
          `question_name "${name}" is already used by question ${first + 1}; question names must be unique, rename one`,
        );
        return null;
      }
      seen.set(name, index);
      const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
      const memory = MemorySetting.safeParse(fields['memory']);
      return {
        question_name: name,
        question_text: text('question_text'),
        skip_if: text('skip_if'),
        stop_if: text('stop_if'),
        memory: memory.success ? memory.data : undefined,
      };
    });
  }

  /** The scenarios, inline or from their file; null when they could not be read. */
  private scenarios(validated: Scenario[] | string | undefined): Scenario[] | null {
    const written = this.data['scenarios'];
    if (written === undefined) return [{}];
    if (typeof written === 'string' && /\.(csv|jsonl)$/i.test(written)) {
      const path = written.trim();
      if (/^([a-z]:)?[\\/]/i.test(path) || path.split(/[\\/]/).includes('..')) {
        this.add(['scenarios'], `scenarios file "${path}" must be inside the survey's folder: use a relative path without ".."`);
        return null;
      }
      let text: string | undefined;
      try {
        text = this.readFile(path);
      } catch (error) {
        this.add(['scenarios'], `scenarios file "${path}" could not be read: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
      if (text === undefined) {
        this.add(['scenarios'], `scenarios file "${path}" was not found; the path is relative to this survey file`);
        return null;
      }
      const loaded = scenariosFromFile(path, text);
      if (!loaded.ok) {
        this.issues.push(...loaded.issues);
        return null;
      }
      return loaded.scenarios;
    }
    return Array.isArray(validated) ? validated : null;
  }

  /** Each image a scenario names must be a readable file beside the survey (inline ones are reported at the value). */
  private checkImages(scenarios: Scenario[]): void {
    const inline = Array.isArray(this.data['scenarios']);
    const checked = new Map<string, string | null>();
    scenarios.forEach((scenario, index) => {
      for (const [key, value] of Object.entries(scenario)) {
        const path = imageReference(value);
        if (path === null) continue;
        if (!checked.has(path)) checked.set(path, this.imageProblem(path));
        const problem = checked.get(path);
        if (!problem) continue;
        if (inline) this.add(['scenarios', index, key, 'image'], problem);
        else this.add(['scenarios'], `scenario ${index + 1}, "${key}": ${problem}`);
      }
    });
  }

  private imageProblem(path: string): string | null {
    if (!isInsideFolder(path)) return `image "${path}" must be inside the survey's folder: use a relative path without ".."`;
    try {
      if (this.readFile(path) === undefined) return `image file "${path}" was not found; the path is relative to this survey file`;
    } catch (error) {
      return `image file "${path}" could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    return null;
  }

  private agents(validated: z.output<typeof SurveyFile>['agents']): Agent[] | null {
    if (this.data['agents'] === undefined) return [{ name: null, traits: {}, instruction: null }];
    if (!validated) return null;
    return validated.map((agent) => ({ name: agent.name ?? null, traits: agent.traits, instruction: agent.instruction ?? null }));
  }

  /** The models; each entry that passed the schema is also checked (service named, labels unique, parameter typos). */
  private models(): ModelSpec[] | null {
    const written = this.data['models'];
    if (written === undefined) return [{ label: 'test', service: 'test', model: 'test', parameters: {} }];
    if (!Array.isArray(written)) return null;
    const models: ModelSpec[] = [];
    const labels = new Map<string, number>();
    written.forEach((raw: unknown, index) => {
      const entry = ModelEntry.safeParse(raw);
      if (!entry.success) return; // reported by the schema
      const result = modelSpec(entry.data);
      if (!result.ok) {
        const [first] = result.problem.path;
        this.add(['models', index, ...result.problem.path], result.problem.message, { atKey: first !== undefined && first !== 'model' });
        return;
      }
      const earlier = labels.get(result.model.label);
      if (earlier !== undefined) {
        this.add(
          ['models', index],
          `"${result.model.label}" is already listed as model ${earlier + 1}; add a name to one of them to tell them apart in results, e.g. { model: ${typeof raw === 'string' ? raw : result.model.label}, name: ${result.model.model}-2 }`,
        );
        return;
      }
      labels.set(result.model.label, index);
      models.push(result.model);
    });
    return models.length === written.length ? models : null;
  }

  private checkQuestions(questions: (QuestionParts | null)[], scenarios: Scenario[] | null, agents: Agent[] | null): void {
    const { problems } = compileQuestions(questions, {
      scenarioKeys: scenarios ? keysOf(scenarios) : null,
      agentKeys: agents ? keysOf(agents.map((agent) => agent.traits)) : null,
      memory: this.data['memory'] === 'all' ? 'all' : 'none',
    });
    for (const problem of problems) {
      this.add(['questions', problem.question, ...problem.path], problem.message, { offset: problem.offset, length: problem.length });
    }
  }
}

function surveyNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.survey\.(ya?ml|json)$/i, '').replace(/\.(ya?ml|json)$/i, '') || base;
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
