// Skip and stop rules: `skip_if` and `stop_if` are CEL expressions (Common Expression Language, https://cel.dev),
// a small, side-effect-free language: no loops, no I/O, no access to JavaScript objects, so a rule cannot run code.
//
//   skip_if: "drinks.answer == 'No'"                    # skip this question
//   stop_if: "how_often.answer == 'rarely'"             # after this question is answered: end the interview
//   skip_if: "'tea' in habits.answer && scenario.price > 3.5 || agent.age < 18"
//
// Names a rule may use: `<question>.answer` and `<question>.comment` of earlier questions (stop_if: also this one),
// `scenario.<key>`, and `agent.<trait>` / `agent.name`. EDSL's style `{{ q1.answer }} == 'No'` is accepted: the
// braces are dropped. Numbers compare as numbers (3 == 3.0). A question that was skipped or got no valid answer has
// answer null. Only a result of exactly `true` counts; a rule that fails while evaluating (e.g. `q.answer > 3` when
// q has no answer, or a value of an unexpected type) counts as false: the question is asked, the interview goes on.
// Names, syntax and the kind of result are checked when the survey is parsed.
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { suggestion } from './issues';
import { MAX_RULE_LENGTH } from './limits';
import { IDENTIFIER, RESERVED_NAMES } from './question-types';

export type RuleKind = 'skip_if' | 'stop_if';

/** What a rule reads, as the evaluation context: questions by name, `scenario` and `agent`. */
export type RuleContext = Record<string, unknown>;

export interface CompiledRule {
  readonly source: string;
  /** The questions the rule reads (only these are put in its context). */
  readonly questions: readonly string[];
  /** True only when the rule evaluates to exactly true; errors count as false. */
  evaluate(context: RuleContext): boolean;
}

export interface RuleProblem {
  /** Offset in the rule text (-1: the whole rule). */
  offset: number;
  length: number;
  message: string;
}

export type RuleCompilation = { ok: true; rule: CompiledRule } | { ok: false; problems: RuleProblem[] };

const EDSL_BRACES = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
const QUESTION_FIELDS = ['answer', 'comment'];

/** The rule language's view of one survey: its question names, in order (index = question index). Build once per survey. */
export class RuleEnvironment {
  private readonly environment: Environment;
  private readonly position = new Map<string, number>();

  constructor(readonly questionNames: readonly string[]) {
    questionNames.forEach((name, index) => {
      if (IDENTIFIER.test(name) && !RESERVED_NAMES.has(name) && !this.position.has(name)) this.position.set(name, index);
    });
    this.environment = new Environment({
      unlistedVariablesAreDyn: false,
      homogeneousAggregateLiterals: false,
      limits: { maxAstNodes: 500, maxDepth: 32, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 },
    });
    this.environment.registerVariable('scenario', 'dyn').registerVariable('agent', 'dyn');
    for (const name of this.position.keys()) this.environment.registerVariable(name, 'dyn');
  }

  /** Compiles the `kind` rule of the question at `questionIndex`, checking the names it uses. */
  compile(text: string, kind: RuleKind, questionIndex: number): RuleCompilation {
    if (text.trim() === '') return fail(-1, 0, `${kind} is empty; write a condition or remove ${kind}`);
    if (text.length > MAX_RULE_LENGTH) {
      return fail(-1, 0, `${kind} is ${text.length} characters; the limit is ${MAX_RULE_LENGTH}`);
    }
    // Same-length replacement keeps error offsets pointing into the text as written.
    const source = text.replace(EDSL_BRACES, (match, name: string) => `  ${name}`.padEnd(match.length, ' '));
    let expression: ReturnType<Environment['parse']>;
    try {
      expression = this.environment.parse(source);
    } catch (error) {
      const { offset, length, summary } = describeError(error);
      return fail(offset, length, `${kind} is not a valid condition: ${summary}`);
    }

    const problems: RuleProblem[] = [];
    const questions = new Set<string>();
    walk(expression.ast, (node) => {
      if (node.op === 'id') {
        const name = node.args;
        const at = this.position.get(name);
        if (at === undefined) return;
        questions.add(name);
        const allowed = kind === 'skip_if' ? at < questionIndex : at <= questionIndex;
        if (!allowed) {
          const when =
            at === questionIndex
              ? 'is decided before this question is asked, so it cannot use its own answer; use stop_if for that'
              : `may only use earlier questions, and "${name}" comes later`;
          problems.push({ offset: node.start, length: name.length, message: `${kind} ${when}` });
        }
      } else if (node.op === '.' || node.op === '.?') {
        const [target, field] = node.args;
        if (target.op === 'id' && this.position.has(target.args) && !QUESTION_FIELDS.includes(field)) {
          problems.push({
            offset: node.start,
            length: node.end - node.start,
            message: `${kind} uses ${target.args}.${field}, but a question has only .answer and .comment.${suggestion(field, QUESTION_FIELDS)}`,
          });
        }
      }
    });
    if (problems.length > 0) return { ok: false, problems };

    const check = expression.check();
    if (!check.valid) {
      const { offset, length, summary } = describeError(check.error);
      const unknown = /^Unknown variable: (\S+)/.exec(summary);
      const message = unknown
        ? `${kind} uses "${unknown[1]}", which is not a question, "scenario" or "agent".${suggestion(unknown[1] ?? '', [...this.position.keys(), 'scenario', 'agent'])}`
        : `${kind} is not a valid condition: ${summary}`;
      return fail(offset, length, message);
    }
    if (check.type !== 'bool' && check.type !== 'dyn') {
      return fail(-1, 0, `${kind} must be a true/false condition, but it gives a value of type ${check.type}; compare it, e.g. "q1.answer == 'Yes'"`);
    }

    const evaluateExpression = expression;
    return {
      ok: true,
      rule: {
        source: text,
        questions: [...questions],
        evaluate(context: RuleContext): boolean {
          try {
            return evaluateExpression(context) === true;
          } catch {
            return false;
          }
        },
      },
    };
  }
}

function fail(offset: number, length: number, message: string): RuleCompilation {
  return { ok: false, problems: [{ offset, length, message }] };
}

function describeError(error: unknown): { offset: number; length: number; summary: string } {
  const details = (error ?? {}) as { summary?: unknown; message?: unknown; range?: { start: number; end: number } };
  const summary = typeof details.summary === 'string' ? details.summary : (String(details.message ?? 'invalid').split('\n')[0] ?? '');
  const range = details.range;
  return range ? { offset: range.start, length: Math.max(1, range.end - range.start), summary } : { offset: -1, length: 0, summary };
}

function walk(node: ASTNode, visit: (node: ASTNode) => void): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
    } else if (typeof current === 'object' && current !== null && 'op' in current) {
      visit(current as ASTNode);
      const args: unknown = (current as unknown as { args: unknown }).args;
      if (typeof args === 'object' && args !== null) stack.push(args);
    }
  }
}
