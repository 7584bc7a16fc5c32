// A model's reply → the answer for the question's type, or the reason it is no answer.
// The answer comes first (one line, or a JSON-ish list or map), an optional comment after it (see answer-text.ts).
// Options match exactly, then ignoring case and surrounding quotes; numbers may be written "42", "42.5", "1,000".
// Structured answers are repaired (single quotes, no brackets, `a: 60, b: 40`) and then validated strictly.
import { looseKey, parseList, parseMap, parseNumber, splitReply, unwrap } from './answer-text';
import type { Question, QuestionOf } from './question-types';

export type ParsedAnswer = { ok: true; answer: unknown; comment: string | null } | { ok: false; reason: string; comment: string | null };

export type AnswerParser = (raw: string) => ParsedAnswer;

type Option = string | number;
type Verdict = { answer: unknown } | { reason: string };

/** The parser for one question, with its option lookups built once. */
export function answerParser(question: Question): AnswerParser {
  if (question.question_type === 'free_text') {
    return (raw) => {
      const answer = raw.trim();
      return answer === '' ? { ok: false, reason: 'the reply is empty', comment: null } : { ok: true, answer, comment: null };
    };
  }
  const structured = STRUCTURED.has(question.question_type);
  const judge = judgeFor(question);
  return (raw) => {
    const { answer, comment } = splitReply(raw, structured);
    if (answer === '') return { ok: false, reason: 'the reply is empty', comment };
    const verdict = judge(answer);
    return 'reason' in verdict ? { ok: false, reason: verdict.reason, comment } : { ok: true, answer: verdict.answer, comment };
  };
}

const STRUCTURED = new Set(['checkbox', 'top_k', 'rank', 'list', 'budget', 'extract']);

function judgeFor(question: Exclude<Question, QuestionOf<'free_text'>>): (text: string) => Verdict {
  switch (question.question_type) {
    case 'multiple_choice':
    case 'yes_no':
    case 'likert_five': {
      const options = new OptionMatcher(question.question_options);
      return (text) => {
        const option = options.match(text);
        return option === undefined ? { reason: options.notAnOption(text) } : { answer: option };
      };
    }
    case 'linear_scale': {
      const options = new OptionMatcher(question.question_options);
      const labels = new OptionMatcher(Object.values(question.option_labels ?? {}));
      const byLabel = new Map(Object.entries(question.option_labels ?? {}).map(([point, label]) => [label, Number(point)]));
      return (text) => {
        const number = parseNumber(text.split(/\s*[:\-–]\s/)[0] ?? text);
        if (number !== null && options.match(String(number)) !== undefined) return { answer: number };
        const label = labels.match(text);
        if (label !== undefined) return { answer: byLabel.get(String(label)) };
        return { reason: `${JSON.stringify(text)} is not on the scale (${question.question_options.join(', ')}); reply with one of those numbers` };
      };
    }
    case 'numerical':
      return (text) => {
        const number = parseNumber(text);
        if (number === null) return { reason: `${JSON.stringify(text)} is not a number` };
        if (question.min_value != null && number < question.min_value) {
          return { reason: `${number} is below the minimum of ${question.min_value}` };
        }
        if (question.max_value != null && number > question.max_value) {
          return { reason: `${number} is above the maximum of ${question.max_value}` };
        }
        return { answer: number };
      };
    case 'checkbox':
    case 'top_k': {
      const options = new OptionMatcher(question.question_options);
      const min = question.min_selections ?? 0;
      const max = question.max_selections ?? question.question_options.length;
      return (text) => {
        const chosen = chooseOptions(text, options);
        if ('reason' in chosen) return chosen;
        const count = chosen.answer.length;
        if (count < min) return { reason: `${count} selected; at least ${min} must be` };
        if (count > max) return { reason: `${count} selected; at most ${max} may be` };
        return chosen;
      };
    }
    case 'rank': {
      const options = new OptionMatcher(question.question_options);
      const count = question.num_selections ?? question.question_options.length;
      return (text) => {
        const chosen = chooseOptions(text, options);
        if ('reason' in chosen) return chosen;
        if (chosen.answer.length !== count) {
          return { reason: `ranked ${chosen.answer.length} options; exactly ${count} are needed` };
        }
        return chosen;
      };
    }
    case 'list': {
      const min = question.min_list_items ?? 0;
      const max = question.max_list_items ?? Infinity;
      return (text) => {
        const list = parseList(text);
        if (!list) return { reason: `expected a list like ["a", "b"], got ${JSON.stringify(text)}` };
        const items = list.items.filter((item) => item !== '');
        if (items.length < min) return { reason: `the list has ${items.length} items; at least ${min} are needed` };
        if (items.length > max) return { reason: `the list has ${items.length} items; at most ${max} are allowed` };
        return { answer: items };
      };
    }
    case 'budget':
      return budgetJudge(question);
    case 'extract': {
      const fields = Object.keys(question.answer_template);
      return (text) => {
        const map = parseMap(text);
        if (!map) return { reason: `expected a JSON object with the fields ${fields.join(', ')}` };
        const answer: Record<string, unknown> = {};
        for (const field of fields) answer[field] = map.has(field) ? map.get(field) : null;
        if (fields.every((field) => answer[field] === null)) {
          return { reason: `none of the fields ${fields.join(', ')} were filled in` };
        }
        return { answer };
      };
    }
  }
}

function budgetJudge(question: QuestionOf<'budget'>): (text: string) => Verdict {
  const options = new OptionMatcher(question.question_options);
  const total = question.budget_sum;
  return (text) => {
    const amounts = new Map<Option, number>();
    const map = parseMap(text);
    if (map) {
      for (const [key, value] of map) {
        const option = options.match(key);
        if (option === undefined) return { reason: options.notAnOption(key) };
        const amount = typeof value === 'number' ? value : parseNumber(String(value));
        if (amount === null) return { reason: `the amount for ${JSON.stringify(String(option))} is not a number` };
        amounts.set(option, (amounts.get(option) ?? 0) + amount);
      }
    } else {
      // EDSL's own form: amounts in option order, e.g. [25, 25, 50].
      const list = parseList(text);
      const numbers = list?.items.map((item) => (typeof item === 'number' ? item : parseNumber(String(item))));
      if (!numbers || numbers.length !== question.question_options.length || numbers.some((n) => n === null)) {
        return { reason: `expected a JSON object mapping each option to an amount, like {"${question.question_options[0]}": ${total}}` };
      }
      question.question_options.forEach((option, index) => amounts.set(option, numbers[index] as number));
    }
    const answer: Record<string, number> = {};
    let sum = 0;
    for (const option of question.question_options) {
      const amount = amounts.get(option) ?? 0;
      if (amount < 0) return { reason: `the amount for ${JSON.stringify(String(option))} is negative (${amount})` };
      answer[String(option)] = amount;
      sum += amount;
    }
    if (Math.abs(sum - total) > 1e-9 * Math.max(1, Math.abs(total))) {
      return { reason: `the amounts add up to ${Math.round(sum * 1e6) / 1e6}, not ${total}` };
    }
    return { answer };
  };
}

/** A list of options from a reply, each matched to the question's options, none twice. */
function chooseOptions(text: string, options: OptionMatcher): { answer: Option[] } | { reason: string } {
  const list = parseList(text);
  if (!list) return { reason: `expected a list of options like ["${options.first}"], got ${JSON.stringify(text)}` };
  const chosen: Option[] = [];
  const items = list.items.map((item) => String(item));
  for (let at = 0; at < items.length;) {
    if ((items[at] as string).trim() === '' && list.bare) {
      at++;
      continue;
    }
    let option: Option | undefined;
    let next = at + 1;
    // Written without quotes, an option with commas in it arrives in pieces: try the longest join first.
    for (let end = list.bare ? Math.min(items.length, at + 8) : at + 1; end > at && option === undefined; end--) {
      option = options.match(items.slice(at, end).join(', '));
      next = end;
    }
    if (option === undefined) return { reason: options.notAnOption(items[at] as string) };
    if (chosen.includes(option)) return { reason: `${JSON.stringify(String(option))} is listed twice` };
    chosen.push(option);
    at = next;
  }
  return { answer: chosen };
}

/** Matches reply text to a question's options: exactly, then ignoring case, quotes and a final period. */
export class OptionMatcher {
  private readonly exact = new Map<string, Option>();
  private readonly loose = new Map<string, Option>();

  constructor(private readonly options: readonly Option[]) {
    for (const option of options) {
      this.exact.set(String(option), option);
      this.loose.set(looseKey(String(option)), option);
    }
  }

  get first(): string {
    return String(this.options[0] ?? '');
  }

  match(text: string): Option | undefined {
    return this.exact.get(text) ?? this.loose.get(looseKey(text)) ?? this.loose.get(looseKey(unwrap(text)));
  }

  notAnOption(text: string): string {
    const shown = this.options.length <= 12 ? this.options.join(', ') : `${this.options.slice(0, 12).join(', ')}, …`;
    return `${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)} is not one of the options (${shown})`;
  }
}
