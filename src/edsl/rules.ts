// EDSL's rule collection ↔ Fieldwork's skip_if / stop_if. An EDSL rule says: at question `current_q` (before it is
// asked, or after it is answered), when `expression` holds, go to question `next_q`; `next_q` at or past the end
// (or "EndOfSurvey") ends the interview. Jumps only go forward here, so each becomes rules on the questions it passes:
//   after q_i, go to q_j  →  skip_if on q_(i+1) … q_(j-1)      (past the end: stop_if on q_i)
//   before q_i, go to q_j →  skip_if on q_i … q_(j-1)
// EDSL's default rules ("True", next question, priority -1) change nothing and are left out.
import type { Question } from '../format';
import { celToEdsl, edslToCel } from './expressions';
import type { EdslRule } from './objects';

export type RuleTargets = { skip_if: string[]; stop_if: string[] }[];

export type RulesImport = { ok: true; targets: RuleTargets } | { ok: false; reasons: string[] };

export function importRules(rules: readonly EdslRule[], questionNames: readonly string[]): RulesImport {
  const count = questionNames.length;
  const names = new Set(questionNames);
  const targets: RuleTargets = questionNames.map(() => ({ skip_if: [], stop_if: [] }));
  const reasons: string[] = [];
  const jumpsFrom = new Map<string, number>();

  for (const rule of rules) {
    const next = rule.next_q === 'EndOfSurvey' ? count : rule.next_q;
    const at = rule.current_q;
    const isDefault = !rule.before_rule && next === at + 1 && rule.expression.trim() === 'True';
    if (isDefault) continue;
    const where = `the rule ${rule.before_rule ? 'before' : 'after'} question ${at} ("${rule.expression}")`;
    if (at >= count) {
      reasons.push(`${where} names question ${at}, but the survey has ${count} questions.`);
      continue;
    }
    const firstSkipped = rule.before_rule ? at : at + 1;
    if (next < firstSkipped) {
      reasons.push(`${where} goes back to question ${next}; Fieldwork runs each question at most once, so rules may only skip forward.`);
      continue;
    }
    const key = `${at}:${rule.before_rule}`;
    jumpsFrom.set(key, (jumpsFrom.get(key) ?? 0) + 1);
    if (jumpsFrom.get(key) === 2) {
      reasons.push(
        `question ${at} ("${questionNames[at]}") has more than one rule ${rule.before_rule ? 'before' : 'after'} it; EDSL picks one by priority, which Fieldwork's skip and stop rules cannot express. Combine them into one rule.`,
      );
      continue;
    }
    const condition = edslToCel(rule.expression, names);
    if (!rule.before_rule && next >= count) {
      targets[at]!.stop_if.push(condition);
      continue;
    }
    for (let skipped = firstSkipped; skipped < Math.min(next, count); skipped++) targets[skipped]!.skip_if.push(condition);
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, targets };
}

/** One condition from several: any of them. */
export function anyOf(conditions: readonly string[]): string | undefined {
  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return conditions.map((condition) => `(${condition})`).join(' || ');
}

/** Fieldwork's skip and stop rules as EDSL's rule collection, with EDSL's default rule for every question. */
export function exportRules(questions: readonly Question[]): Record<string, unknown> {
  const names = new Set(questions.map((question) => question.question_name));
  const questionIndex = Object.fromEntries(questions.map((question, index) => [question.question_name, index]));
  const rules: Record<string, unknown>[] = questions.map((_, index) => ({
    current_q: index,
    expression: 'True',
    next_q: index + 1,
    priority: -1,
    before_rule: false,
  }));
  questions.forEach((question, index) => {
    if (question.skip_if !== undefined) {
      rules.push({ current_q: index, expression: celToEdsl(question.skip_if, names), next_q: index + 1, priority: 0, before_rule: true });
    }
    if (question.stop_if !== undefined) {
      rules.push({ current_q: index, expression: celToEdsl(question.stop_if, names), next_q: 'EndOfSurvey', priority: 0, before_rule: false });
    }
  });
  return { rules, num_questions: questions.length, question_name_to_index: questionIndex };
}
