// A survey file (YAML or JSON) → a normalized Survey, or every problem found, each with its line and column.
// Steps: the document checks (size, entries, nesting, YAML and JSON syntax, aliases; see document.ts) → the zod
// schema → the checks zod cannot make (duplicate names, models, scenario files, templates, rules, memory) → a trial
// render of each question text. All problems are collected.
import type { z } from 'zod';
import { compileQuestions, keysOf, type QuestionParts } from './compile-questions';
import { readSpecDocument, type DocumentKind, type FileReader, type SourceFile, type SpecDocument } from './document';
import { imageReference, isInsideFolder } from './images';
import { sortIssues, type ParseResult, type SpecIssue } from './issues';
import { DEFAULT_MAX_QUESTIONS } from './limits';
import { OutsideFolderError, outsideFolderMessage } from './folder';
import { modelSpec } from './models';
import type { SourcePositions, Path } from './positions';
import { IDENTIFIER, MemorySetting } from './question-types';
import type { TemplatePlaces } from './render-error';
import { scenariosFromFile } from './scenarios-file';
import { ModelEntry, SurveyFile, type Agent, type ModelSpec, type Scenario, type Survey } from './schema';
import { trialRender } from './trial-render';
import { fieldProblems, humanMessage, valueAt } from './zod-issues';

export { readSpecDocument, type DocumentKind, type FileReader, type SourceFile, type SpecDocument } from './document';

export interface ParseOptions {
  /** Most questions accepted (default DEFAULT_MAX_QUESTIONS); a server passes its own. */
  maxQuestions?: number;
  /** The file's document, when it was read already (readSurveyDocument with the same maxQuestions): not read again. */
  document?: SpecDocument | undefined;
}

export function parseSurvey(source: SourceFile, readFile: FileReader, options: ParseOptions = {}): ParseResult<Survey> {
  return parseSurveyWithPlaces(source, readFile, options).result;
}

/** The same, with where each question text is in the file: a server keeps them to report render failures later. */
export function parseSurveyWithPlaces(
  source: SourceFile,
  readFile: FileReader,
  options: ParseOptions = {},
): { result: ParseResult<Survey>; places: TemplatePlaces | null } {
  try {
    const read = options.document ?? readSurveyDocument(source, options);
    if (!read.ok) return { result: read, places: null };
    const result = new SurveyChecks(source.name, read.positions, read.data, readFile).run();
    if (!result.ok) return { result, places: null };
    const questionText = result.value.questions.map((_, index) => read.positions.valuePlace(['questions', index, 'question_text']));
    return { result, places: { file: source.name, questionText } };
  } catch (error) {
    // Never a stack trace: an unexpected failure is still reported as a problem with the file.
    const reason = error instanceof Error ? error.message : String(error);
    return { result: { ok: false, issues: [{ file: source.name, line: 1, column: 1, path: [], message: `could not be read: ${reason}` }] }, places: null };
  }
}

/** A survey file's document checks (size, entries, nesting, syntax): its data with positions, or the first problems. */
export function readSurveyDocument(source: SourceFile, options: ParseOptions = {}): SpecDocument {
  return readSpecDocument(source, { ...SURVEY_DOCUMENT, maxQuestions: options.maxQuestions ?? DEFAULT_MAX_QUESTIONS });
}

const SURVEY_DOCUMENT: DocumentKind = {
  noun: 'survey',
  largeDataHint: 'Move large data into a scenarios file (CSV or JSONL)',
  emptyExample:
    'a survey file must be a map with at least `questions:`, e.g.\nquestions:\n  - question_name: q1\n    question_type: free_text\n    question_text: How are you?',
};

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
    const survey: Survey = {
      name: value.name ?? surveyNameFromFile(this.file),
      description: value.description ?? null,
      questions: value.questions,
      agents,
      scenarios,
      models,
      iterations: value.iterations,
      fresh: value.fresh,
      memory: value.memory,
    };
    const failed = trialRender(survey);
    if (failed) {
      const issue = this.positions.issueWithin(['questions', failed.question, 'question_text'], failed.offset, 1, failed.message);
      return { ok: false, issues: [issue] };
    }
    return { ok: true, value: survey };
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
      const outside = outsideFolderMessage('scenarios file', path, 'survey');
      if (!isInsideFolder(path)) {
        this.add(['scenarios'], outside);
        return null;
      }
      let text: string | undefined;
      try {
        text = this.readFile(path);
      } catch (error) {
        this.add(
          ['scenarios'],
          error instanceof OutsideFolderError
            ? outside
            : `scenarios file "${path}" could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
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
    if (!isInsideFolder(path)) return outsideFolderMessage('image', path, 'survey');
    try {
      if (this.readFile(path) === undefined) return `image file "${path}" was not found; the path is relative to this survey file`;
    } catch (error) {
      if (error instanceof OutsideFolderError) return outsideFolderMessage('image', path, 'survey');
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
