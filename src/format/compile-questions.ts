// Compiles what varies per interview in each question — its text template, skip/stop rules and memory — and checks
// the names they use: templates and skip_if may use earlier questions only, stop_if this one and earlier ones.
// Shared by parseSurvey (which turns problems into positioned issues) and CompiledSurvey (which refuses them).
import { suggestion } from './issues';
import type { MemorySetting } from './question-types';
import { RuleEnvironment, type CompiledRule, type RuleKind } from './rules';
import { compileTemplate, type CompiledTemplate, type TemplateVariable } from './template';

/** The fields of a question this step needs; a question that failed validation may still offer them. */
export interface QuestionParts {
  question_name: string;
  question_text?: string | undefined;
  skip_if?: string | undefined;
  stop_if?: string | undefined;
  memory?: MemorySetting | undefined;
}

export interface CompiledParts {
  template: CompiledTemplate;
  /** Questions the template reads, to build its scope. */
  templateQuestions: string[];
  /** Scenario keys the template reads (`{{ key }}` or `{{ scenario.key }}`), in text order: its images are these. */
  scenarioKeys: string[];
  skip: CompiledRule | null;
  stop: CompiledRule | null;
  /** Indexes of the earlier questions whose answers the prompt shows. */
  memory: number[];
}

export interface PartsProblem {
  question: number;
  /** Path inside the question, e.g. ["skip_if"] or ["memory", 1]. */
  path: (string | number)[];
  /** Offset in the field's text, or -1 for the whole field. */
  offset: number;
  length: number;
  message: string;
}

/** Names the survey's data offers; null where unknown (e.g. a scenario file that could not be read). */
export interface KnownNames {
  scenarioKeys: ReadonlySet<string> | null;
  agentKeys: ReadonlySet<string> | null;
  memory: 'none' | 'all';
}

export function compileQuestions(
  questions: readonly (QuestionParts | null)[],
  known: KnownNames,
): { parts: (CompiledParts | null)[]; problems: PartsProblem[] } {
  const compiler = new QuestionCompiler(questions, known);
  const problems: PartsProblem[] = [];
  const parts = questions.map((_, index) => {
    const compiled = compiler.compile(index);
    problems.push(...compiled.problems);
    return compiled.parts;
  });
  return { parts, problems };
}

/**
 * Compiles questions one at a time: what they share (names, the rule environment) is built once, so a caller can
 * compile each question when it is first needed rather than all of them up front.
 */
export class QuestionCompiler {
  private readonly names: string[];
  private readonly position = new Map<string, number>();
  private readonly rules: RuleEnvironment;

  constructor(
    private readonly questions: readonly (QuestionParts | null)[],
    private readonly known: KnownNames,
  ) {
    this.names = questions.map((question) => question?.question_name ?? '');
    this.names.forEach((name, index) => {
      if (name && !this.position.has(name)) this.position.set(name, index);
    });
    this.rules = new RuleEnvironment(this.names);
  }

  /** The question's compiled parts, or null with the problems found. */
  compile(index: number): { parts: CompiledParts | null; problems: PartsProblem[] } {
    const question = this.questions[index];
    const problems: PartsProblem[] = [];
    if (!question) return { parts: null, problems };
    const { names, position, known, rules } = this;
    const problem = (path: (string | number)[], offset: number, length: number, message: string) =>
      problems.push({ question: index, path, offset, length, message });

    let template: CompiledTemplate = { source: '', isFixed: true, render: () => '' };
    const templateQuestions = new Set<string>();
    const scenarioKeys: { key: string; offset: number }[] = [];
    if (typeof question.question_text === 'string') {
      const compiled = compileTemplate(question.question_text);
      if (!compiled.ok) {
        problem(['question_text'], compiled.offset, 1, `question_text is not a valid template: ${compiled.message}`);
      } else {
        template = compiled.template;
        const asScenarioKey = new Set<string>();
        for (const variable of compiled.variables) {
          const root = String(variable.path[0] ?? '');
          const message = checkVariable(variable, index, position, known);
          if (message) problem(['question_text'], variable.offset, root.length, message);
          else if (refersToQuestion(variable, position, known)) templateQuestions.add(root);
          else {
            asScenarioKey.add(root);
            const key = root === 'scenario' ? variable.path[1] : root === 'agent' ? undefined : root;
            if (typeof key === 'string') scenarioKeys.push({ key, offset: variable.offset });
          }
        }
        for (const variable of compiled.variables) {
          const root = String(variable.path[0] ?? '');
          if (templateQuestions.has(root) && asScenarioKey.has(root)) {
            asScenarioKey.delete(root);
            problem(
              ['question_text'],
              variable.offset,
              root.length,
              `question_text uses "${root}" both as the scenario key and as the question; write {{ scenario.${root} }} for the scenario's value`,
            );
          }
        }
      }
    }

    const rule = (kind: RuleKind): CompiledRule | null => {
      const text = question[kind];
      if (typeof text !== 'string') return null;
      const compiled = rules.compile(text, kind, index);
      if (compiled.ok) return compiled.rule;
      for (const found of compiled.problems) problem([kind], found.offset, found.length, found.message);
      return null;
    };
    const skip = rule('skip_if');
    const stop = rule('stop_if');

    const memory: number[] = [];
    const setting = question.memory ?? known.memory;
    if (setting === 'all') for (let earlier = 0; earlier < index; earlier++) memory.push(earlier);
    else if (Array.isArray(setting)) {
      setting.forEach((name, at) => {
        const earlier = position.get(name);
        if (earlier === undefined) {
          problem(['memory', at], -1, 0, `memory names "${name}", which is not a question.${suggestion(name, names.slice(0, index))}`);
        } else if (earlier >= index) {
          problem(['memory', at], -1, 0, `memory may only name earlier questions, and "${name}" ${earlier === index ? 'is this question' : 'comes later'}`);
        } else memory.push(earlier);
      });
    }
    const parts = { template, templateQuestions: [...templateQuestions], scenarioKeys: inTextOrder(scenarioKeys), skip, stop, memory };
    return { problems, parts: problems.length > 0 ? null : parts };
  }
}

const QUESTION_FIELDS = ['answer', 'comment'];

function inTextOrder(keys: { key: string; offset: number }[]): string[] {
  return [...new Set(keys.sort((a, b) => a.offset - b.offset).map(({ key }) => key))];
}

/**
 * Whether a top-level name means a question. A name that is both a scenario key and a question means the question
 * only as `name.answer` / `name.comment`; otherwise it is the scenario's value.
 */
function refersToQuestion(variable: TemplateVariable, position: ReadonlyMap<string, number>, known: KnownNames): boolean {
  const [root, field] = variable.path;
  if (typeof root !== 'string' || !position.has(root)) return false;
  if (!known.scenarioKeys?.has(root)) return true;
  return typeof field === 'string' && QUESTION_FIELDS.includes(field);
}

/** Why a template variable cannot be filled, or null when it can. */
function checkVariable(variable: TemplateVariable, questionIndex: number, position: ReadonlyMap<string, number>, known: KnownNames): string | null {
  const [root, field] = variable.path;
  if (typeof root !== 'string') return null;
  const shown = `{{ ${variable.path.map(String).join('.')} }}`;
  const earlier = position.get(root);
  if (earlier !== undefined && refersToQuestion(variable, position, known)) {
    if (earlier >= questionIndex) {
      return `question_text uses ${shown}, but "${root}" ${earlier === questionIndex ? 'is this question' : 'is asked later'}; a question's text may only use earlier answers`;
    }
    if (field === undefined) return `question_text uses ${shown}; write {{ ${root}.answer }} or {{ ${root}.comment }}`;
    if (typeof field === 'string' && !QUESTION_FIELDS.includes(field)) {
      return `question_text uses ${shown}, but a question has only .answer and .comment.${suggestion(field, QUESTION_FIELDS)}`;
    }
    return null;
  }
  if (root === 'scenario') {
    if (typeof field !== 'string' || !known.scenarioKeys || known.scenarioKeys.has(field)) return null;
    return `question_text uses ${shown}, but no scenario has "${field}".${suggestion(field, known.scenarioKeys)}${listed('Scenario keys', known.scenarioKeys)}`;
  }
  if (root === 'agent') {
    if (typeof field !== 'string' || field === 'name' || !known.agentKeys || known.agentKeys.has(field)) return null;
    return `question_text uses ${shown}, but no agent has the trait "${field}".${suggestion(field, known.agentKeys)}${listed('Traits', known.agentKeys)}`;
  }
  if (!known.scenarioKeys || known.scenarioKeys.has(root)) return null;
  const candidates = [...known.scenarioKeys, ...[...position.keys()].filter((name) => (position.get(name) ?? 0) < questionIndex), 'scenario', 'agent'];
  return `question_text uses ${shown}, which is not a scenario key, an earlier question, "scenario" or "agent".${suggestion(root, candidates)}${listed('Scenario keys', known.scenarioKeys)}`;
}

function listed(what: string, names: ReadonlySet<string>): string {
  if (names.size === 0) return '';
  const shown = [...names].slice(0, 10).join(', ');
  return ` ${what}: ${shown}${names.size > 10 ? ', …' : ''}.`;
}

/** Every key any of the records has. */
export function keysOf(records: readonly Record<string, unknown>[]): Set<string> {
  const keys = new Set<string>();
  for (const record of records) for (const key in record) keys.add(key);
  return keys;
}
