// An eval file (YAML or JSON) → a normalized EvalTask, or every problem found, each with its line and column.
// The document checks are the survey's (readSpecDocument); then the zod schema, the dataset (inline or a file,
// with its field mapping), models, scorers (each checked on its own so a typo in one names that one), templates.
import type { z } from 'zod';
import { sortIssues, suggestion, type ParseResult, type SpecIssue } from '../issues';
import { OutsideFolderError, outsideFolderMessage } from '../folder';
import { isInsideFolder } from '../images';
import { modelSpec } from '../models';
import { readSpecDocument, type DocumentKind, type FileReader, type SourceFile, type SpecDocument } from '../document';
import type { Path, SourcePositions } from '../positions';
import { ModelEntry, type ModelSpec } from '../schema';
import { compileTemplate } from '../template';
import { fieldProblems, humanMessage, valueAt } from '../zod-issues';
import { samplesFromEntries, samplesFromFile, shuffleAndLimit, type SamplesResult } from './dataset';
import { DEFAULT_CHOICE_PROMPT, DEFAULT_PROMPT, LETTERS, PROMPT_VARIABLES, RUBRIC_VARIABLES, defaultRubric } from './prompts';
import {
  DatasetSpec,
  EvalFile,
  FieldMapping,
  SCORER_SCHEMAS,
  SCORER_TYPES,
  SHORTHAND_SCORERS,
  type Epochs,
  type EvalTask,
  type Sample,
  type ScorerSpec,
  type ScorerType,
} from './schema';
import { trialRenderEval } from './trial-render';

const EVAL_DOCUMENT: DocumentKind = {
  noun: 'eval',
  largeDataHint: 'Move the samples into a dataset file (CSV or JSONL)',
  emptyExample:
    'an eval file must be a map with at least `dataset:` and `scorers:`, e.g.\ndataset:\n  - { input: "What is 2 + 2?", target: "4" }\nscorers: [exact]',
};

/** Scorers that compare the output with the sample's target, so every sample needs one. */
const NEEDS_TARGET: ReadonlySet<ScorerType> = new Set(['exact', 'includes', 'match', 'pattern', 'choice', 'f1', 'log_probability', 'embedding']);

/** `options.document`: the file's document, when it was read already (readEvalDocument): not read again. */
export function parseEval(source: SourceFile, readFile: FileReader, options: { document?: SpecDocument | undefined } = {}): ParseResult<EvalTask> {
  try {
    const read = options.document ?? readEvalDocument(source);
    if (!read.ok) return read;
    return new EvalChecks(source.name, read.positions, read.data, readFile).run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ file: source.name, line: 1, column: 1, path: [], message: `could not be read: ${reason}` }] };
  }
}

/** An eval file's document checks (size, entries, nesting, syntax): its data with positions, or the first problems. */
export function readEvalDocument(source: SourceFile): SpecDocument {
  return readSpecDocument(source, EVAL_DOCUMENT);
}

class EvalChecks {
  private readonly issues: SpecIssue[] = [];

  constructor(
    private readonly file: string,
    private readonly positions: SourcePositions,
    private readonly data: Record<string, unknown>,
    private readonly readFile: FileReader,
  ) {}

  run(): ParseResult<EvalTask> {
    const parsed = EvalFile.safeParse(this.data, { error: humanMessage });
    if (!parsed.success) {
      // Scorers are checked one by one below, with messages that name the scorer.
      const issues = parsed.error.issues.filter((issue) => !(issue.path[0] === 'scorers' && issue.path.length > 1));
      for (const problem of fieldProblems(issues, this.data, knownEvalKeys)) {
        this.add(problem.path, problem.message, problem.atKey ?? false);
      }
    }
    const samples = this.samples(parsed.success ? parsed.data.dataset : undefined);
    const models = this.models(this.data['models'], ['models']);
    const scorers = this.scorers(samples);
    const prompt = this.prompt(samples);
    if (samples) this.checkTargets(samples, scorers);

    if (!parsed.success || this.issues.length > 0 || !samples || !models || !scorers || !prompt) {
      return { ok: false, issues: sortIssues(this.issues, this.file) };
    }
    const task: EvalTask = {
      name: parsed.data.name ?? evalNameFromFile(this.file),
      description: parsed.data.description ?? null,
      samples,
      prompt,
      models: models.length > 0 ? models : [{ label: 'test', service: 'test', model: 'test', parameters: {} }],
      epochs: epochs(parsed.data.epochs),
      scorers,
      fresh: parsed.data.fresh,
    };
    const written = this.data['prompt'];
    const failed = trialRenderEval(task, typeof written === 'object' && written !== null ? ['prompt', 'template'] : ['prompt']);
    if (failed) return { ok: false, issues: [this.positions.issueWithin(failed.path, failed.offset, 1, failed.message)] };
    return { ok: true, value: task };
  }

  private add(path: Path, message: string, atKey = false): void {
    this.issues.push(this.positions.issue(path, `${this.prefix(path)}${message}`, { atKey }));
  }

  private prefix(path: Path): string {
    const [section, index] = path;
    if (section !== 'scorers' || typeof index !== 'number') return '';
    const item = valueAt(this.data, ['scorers', index]);
    const name = typeof item === 'string' ? item : (valueAt(item, ['name']) ?? valueAt(item, ['type']));
    return `scorer ${typeof name === 'string' && name.length <= 40 ? `"${name}"` : index + 1}: `;
  }

  private samples(validated: z.output<typeof EvalFile>['dataset'] | undefined): Sample[] | null {
    if (validated === undefined) return null;
    let result: SamplesResult;
    let options: { shuffle: boolean; seed: number; limit?: number | undefined } = { shuffle: false, seed: 0 };
    if (Array.isArray(validated)) {
      result = samplesFromEntries(validated, ['dataset']);
    } else if (typeof validated === 'string') {
      const loaded = this.datasetFile(validated, ['dataset'], undefined);
      if (!loaded) return null;
      result = loaded;
    } else {
      const spec: z.output<typeof DatasetSpec> = validated;
      options = { shuffle: spec.shuffle, seed: spec.seed, limit: spec.limit };
      if ((spec.samples === undefined) === (spec.file === undefined)) {
        this.add(['dataset'], 'dataset needs either `samples:` (a list) or `file:` (a .csv or .jsonl file), not both');
        return null;
      }
      if (spec.samples) {
        if (spec.fields) this.add(['dataset', 'fields'], '`fields:` maps the columns of a dataset file; inline samples already name input and target', true);
        result = samplesFromEntries(spec.samples, ['dataset', 'samples']);
      } else {
        const loaded = this.datasetFile(spec.file!, ['dataset', 'file'], spec.fields);
        if (!loaded) return null;
        result = loaded;
      }
    }
    if (!result.ok) {
      this.issues.push(...result.issues);
      for (const problem of result.problems) this.add(problem.path, problem.message);
      return null;
    }
    return shuffleAndLimit(result.samples, options);
  }

  private datasetFile(written: string, path: Path, fields: z.output<typeof FieldMapping> | undefined): SamplesResult | null {
    const relative = written.trim();
    const outside = outsideFolderMessage('dataset file', relative, 'eval');
    if (!isInsideFolder(relative)) {
      this.add(path, outside);
      return null;
    }
    let text: string | undefined;
    try {
      text = this.readFile(relative);
    } catch (error) {
      this.add(
        path,
        error instanceof OutsideFolderError
          ? outside
          : `dataset file "${relative}" could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
    if (text === undefined) {
      this.add(path, `dataset file "${relative}" was not found; the path is relative to this eval file`);
      return null;
    }
    return samplesFromFile(relative, text, fields);
  }

  /** Models as surveys name them; an empty list when `models:` is absent (the caller puts in `test`). */
  private models(written: unknown, at: Path): ModelSpec[] | null {
    if (written === undefined) return [];
    if (!Array.isArray(written)) return null;
    const models: ModelSpec[] = [];
    const labels = new Map<string, number>();
    written.forEach((raw: unknown, index) => {
      const model = this.model(raw, [...at, index]);
      if (!model) return;
      const earlier = labels.get(model.label);
      if (earlier !== undefined) {
        this.add(
          [...at, index],
          `"${model.label}" is already listed as model ${earlier + 1}; add a name to one of them, e.g. { model: ${model.label}, name: ${model.model}-2 }`,
        );
        return;
      }
      labels.set(model.label, index);
      models.push(model);
    });
    return models.length === written.length ? models : null;
  }

  private model(raw: unknown, path: Path): ModelSpec | null {
    const entry = ModelEntry.safeParse(raw);
    if (!entry.success) return null; // reported by the schema
    const result = modelSpec(entry.data);
    if (!result.ok) {
      const [first] = result.problem.path;
      this.add([...path, ...result.problem.path], result.problem.message, first !== undefined && first !== 'model');
      return null;
    }
    return result.model;
  }

  private scorers(samples: Sample[] | null): ScorerSpec[] | null {
    const written = this.data['scorers'];
    if (!Array.isArray(written)) return null;
    const scorers: ScorerSpec[] = [];
    const names = new Map<string, number>();
    written.forEach((raw: unknown, index) => {
      const path: Path = ['scorers', index];
      const scorer = this.scorer(raw, path, samples);
      if (!scorer) return;
      const earlier = names.get(scorer.name);
      if (earlier !== undefined) {
        this.add(path, `the name "${scorer.name}" is already used by scorer ${earlier + 1}; give one of them another \`name:\``);
        return;
      }
      names.set(scorer.name, index);
      scorers.push(scorer);
    });
    return scorers.length === written.length ? scorers : null;
  }

  private scorer(raw: unknown, path: Path, samples: Sample[] | null): ScorerSpec | null {
    const known = `Scorers: ${SCORER_TYPES.join(', ')}.`;
    let entry: unknown = raw;
    if (typeof raw === 'string') {
      if (!(SHORTHAND_SCORERS as readonly string[]).includes(raw)) {
        const needsOptions = (SCORER_TYPES as readonly string[]).includes(raw);
        this.add(
          path,
          needsOptions
            ? `"${raw}" needs options; write it as a map, e.g. { type: ${raw}, ${raw === 'pattern' ? 'regex: "ANSWER: (.*)"' : raw === 'embedding' ? 'model: aleph-alpha/luminous-base' : '…'} }`
            : `unknown scorer "${raw}".${suggestion(raw, SCORER_TYPES)} ${known}`,
        );
        return null;
      }
      entry = { type: raw };
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      this.add(path, `a scorer is a name (e.g. exact) or a map with \`type:\`. ${known}`);
      return null;
    }
    const type = (entry as Record<string, unknown>)['type'];
    if (typeof type !== 'string' || !(SCORER_TYPES as readonly string[]).includes(type)) {
      this.add(
        type === undefined ? path : [...path, 'type'],
        type === undefined ? `type is missing. ${known}` : `unknown scorer type "${String(type)}".${suggestion(String(type), SCORER_TYPES)} ${known}`,
      );
      return null;
    }
    const schema = SCORER_SCHEMAS[type as ScorerType];
    const parsed = schema.safeParse(entry, { error: humanMessage });
    if (!parsed.success) {
      const keysAt = () => Object.keys(schema.shape);
      for (const problem of fieldProblems(parsed.error.issues, this.data, keysAt, typeof raw === 'string' ? [] : path)) {
        this.add(typeof raw === 'string' ? path : problem.path, problem.message, problem.atKey ?? false);
      }
      return null;
    }
    const value = parsed.data;
    const name = value.name ?? value.type;
    switch (value.type) {
      case 'pattern':
        try {
          new RegExp(value.regex, value.ignore_case ? 'iu' : 'u');
        } catch (error) {
          this.add([...path, 'regex'], `regex is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
          return null;
        }
        return { ...value, name };
      case 'model_graded': {
        const model = value.model === undefined ? null : this.model(value.model, [...path, 'model']);
        if (value.model !== undefined && !model) return null;
        const rubric = value.rubric ?? defaultRubric(value.partial_credit);
        if (!this.checkTemplate(rubric, [...path, 'rubric'], RUBRIC_VARIABLES, samples, 'rubric')) return null;
        return { ...value, name, model, rubric };
      }
      case 'embedding': {
        const model = this.model(value.model, [...path, 'model']);
        return model ? { ...value, name, model } : null;
      }
      default:
        return { ...value, name };
    }
  }

  private prompt(samples: Sample[] | null): EvalTask['prompt'] | null {
    const written = this.data['prompt'];
    const hasChoices = samples?.some((sample) => sample.choices !== null) ?? false;
    const fallback = hasChoices ? DEFAULT_CHOICE_PROMPT : DEFAULT_PROMPT;
    let template = fallback;
    let system = '';
    let path: Path = ['prompt'];
    if (typeof written === 'string') template = written;
    else if (typeof written === 'object' && written !== null) {
      const fields = written as Record<string, unknown>;
      if (typeof fields['template'] === 'string') {
        template = fields['template'];
        path = ['prompt', 'template'];
      }
      if (typeof fields['system'] === 'string') system = fields['system'];
    } else if (written !== undefined) return null; // reported by the schema
    return this.checkTemplate(template, path, PROMPT_VARIABLES, samples, 'prompt') ? { template, system } : null;
  }

  /** The template compiles and names only what a sample has. */
  private checkTemplate(text: string, path: Path, names: readonly string[], samples: Sample[] | null, what: string): boolean {
    const compiled = compileTemplate(text);
    if (!compiled.ok) {
      this.issues.push(this.positions.issueWithin(path, Math.max(0, compiled.offset), 1, `${this.prefix(path)}${what}: ${compiled.message}`));
      return false;
    }
    if (!samples) return true;
    const metadata = new Set(samples.flatMap((sample) => Object.keys(sample.metadata)));
    let ok = true;
    for (const variable of compiled.variables) {
      const root = variable.path[0];
      if (typeof root !== 'string' || names.includes(root) || metadata.has(root)) continue;
      const hint =
        root === 'target'
          ? ' The model must not see the target; scorers compare the output with it.'
          : suggestion(root, [...names, ...metadata]) || ` Usable: ${[...names, ...metadata].join(', ')}.`;
      this.issues.push(this.positions.issueWithin(path, variable.offset, root.length, `${this.prefix(path)}${what}: unknown name "${root}".${hint}`));
      ok = false;
    }
    return ok;
  }

  private checkTargets(samples: Sample[], scorers: ScorerSpec[] | null): void {
    if (!scorers) return;
    const needing = scorers.find((scorer) => NEEDS_TARGET.has(scorer.type));
    const missing = needing ? samples.findIndex((sample) => sample.target.length === 0) : -1;
    if (needing && missing >= 0) {
      this.add(
        ['dataset'],
        `sample "${samples[missing]!.id}" has no target; scorer "${needing.name}" compares the output with it. Add a target to every sample`,
      );
    }
    const choice = scorers.find((scorer) => scorer.type === 'choice');
    if (!choice) return;
    for (const sample of samples) {
      if (!sample.choices) {
        this.add(['dataset'], `sample "${sample.id}" has no choices; scorer "${choice.name}" needs multiple-choice samples`);
        return;
      }
      const letters = LETTERS.slice(0, sample.choices.length);
      const bad = sample.target.find((target) => !letters.includes(target.trim().toUpperCase()) && !sample.choices!.includes(target));
      if (bad !== undefined) {
        this.add(['dataset'], `sample "${sample.id}": target "${bad}" is neither a letter (${letters.join(', ')}) nor one of its choices`);
        return;
      }
    }
  }
}

function epochs(written: z.output<typeof EvalFile>['epochs']): Epochs {
  if (typeof written === 'number') return { count: written, reducer: 'mean', k: written };
  return { count: written.count, reducer: written.reducer, k: Math.min(written.k ?? written.count, written.count) };
}

function knownEvalKeys(path: (string | number)[]): string[] {
  if (path.length === 0) return Object.keys(EvalFile.shape);
  if (path[0] === 'dataset' && path.length === 1) return Object.keys(DatasetSpec.shape);
  if (path[0] === 'dataset' && path[1] === 'fields') return Object.keys(FieldMapping.shape);
  if (path[0] === 'dataset') return ['input', 'target', 'id', 'choices', 'metadata'];
  if (path[0] === 'prompt') return ['template', 'system'];
  if (path[0] === 'epochs') return ['count', 'reducer', 'k'];
  return [];
}

function evalNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.eval\.(ya?ml|json)$/i, '').replace(/\.(ya?ml|json)$/i, '') || base;
}
