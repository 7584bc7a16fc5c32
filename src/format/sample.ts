// Replies of the built-in offline `test` model: valid for the question's type, spread over the options the way
// real data is (each question gets its own lopsided preference, so charts show shape, not a flat line).
import type { Question } from './question-types';

const COMMENTS = [
  'This is a simulated answer from the offline test model.',
  'Simulated: chosen by the test model, not a real respondent.',
  'Test model reply; run with a real model for real answers.',
];
const WORDS = ['price', 'taste', 'convenience', 'habit', 'health', 'friends', 'brand', 'quality', 'mood', 'routine'];
const SENTENCES = [
  'I would say it depends on the day, but mostly yes.',
  'Honestly, I have not thought about it much.',
  'It matters to me more than most people expect.',
  'I prefer to keep things simple.',
  'That is a hard one; I see both sides.',
];

export function sampleReply(question: Question, random: () => number): string {
  const answer = sampleAnswer(question, random);
  if (question.question_type === 'free_text' || !question.include_comment) return answer;
  return `${answer}\n${pick(COMMENTS, random)}`;
}

function sampleAnswer(question: Question, random: () => number): string {
  switch (question.question_type) {
    case 'free_text':
      return pick(SENTENCES, random);
    case 'multiple_choice':
    case 'yes_no':
    case 'likert_five':
      return String(weightedPick(question.question_options, question.question_name, random));
    case 'linear_scale':
      return String(weightedPick(question.question_options, question.question_name, random));
    case 'numerical': {
      const low = question.min_value ?? (question.max_value != null ? Math.min(0, question.max_value) : 0);
      const high = question.max_value ?? low + 100;
      const bell = (random() + random() + random()) / 3;
      const value = low + bell * (high - low);
      const whole = Number.isInteger(low) && Number.isInteger(high);
      return String(whole ? Math.min(high, Math.max(low, Math.round(value))) : Math.min(high, Math.max(low, value)));
    }
    case 'checkbox':
    case 'top_k': {
      const count = question.question_options.length;
      const max = question.max_selections ?? count;
      const min = question.min_selections ?? Math.min(1, max);
      const chosen = weightedShuffle(question.question_options, question.question_name, random).slice(
        0,
        min + Math.floor(random() * (Math.max(min, max) - min + 1)),
      );
      return JSON.stringify(chosen);
    }
    case 'rank':
      return JSON.stringify(
        weightedShuffle(question.question_options, question.question_name, random).slice(0, question.num_selections ?? question.question_options.length),
      );
    case 'list': {
      const max = question.max_list_items ?? Math.max(question.min_list_items ?? 1, 4);
      const min = question.min_list_items ?? Math.min(1, max);
      const count = min + Math.floor(random() * (Math.max(min, max) - min + 1));
      return JSON.stringify(Array.from({ length: count }, (_, index) => `${pick(WORDS, random)} ${index + 1}`));
    }
    case 'budget':
      return JSON.stringify(splitBudget(question.question_options, question.budget_sum, question.question_name, random));
    case 'extract':
      return JSON.stringify(Object.fromEntries(Object.entries(question.answer_template).map(([field, example]) => [field, example ?? 'example'])));
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
}

/** A preference per question: weights from a hash of its name, so each question has its own shape. */
function weightsFor(count: number, name: string): number[] {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return Array.from({ length: count }, (_, index) => {
    hash = Math.imul(hash ^ (index + 1), 16777619);
    return 0.2 + ((hash >>> 0) % 1000) / 250;
  });
}

function weightedPick<T>(items: readonly T[], name: string, random: () => number): T {
  const weights = weightsFor(items.length, name);
  let remaining = random() * weights.reduce((sum, weight) => sum + weight, 0);
  for (let index = 0; index < items.length; index++) {
    remaining -= weights[index] as number;
    if (remaining < 0) return items[index] as T;
  }
  return items[items.length - 1] as T;
}

/** Items in a random order that favours the preferred ones first. */
function weightedShuffle<T>(items: readonly T[], name: string, random: () => number): T[] {
  const weights = weightsFor(items.length, name);
  return items
    .map((item, index) => ({ item, key: Math.pow(random(), 1 / (weights[index] as number)) }))
    .sort((a, b) => b.key - a.key)
    .map(({ item }) => item);
}

function splitBudget(options: readonly (string | number)[], total: number, name: string, random: () => number) {
  const weights = weightsFor(options.length, name).map((weight) => weight * (0.25 + random()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const whole = Number.isInteger(total);
  const amounts = weights.map((weight) => (whole ? Math.floor((weight / sum) * total) : (weight / sum) * total));
  // Whatever rounding left over goes to the last option, so the amounts add up exactly.
  const allocated = amounts.slice(0, -1).reduce((a, b) => a + b, 0);
  amounts[amounts.length - 1] = whole ? total - allocated : Math.max(0, total - allocated);
  const budget: Record<string, number> = {};
  options.forEach((option, index) => {
    budget[String(option)] = amounts[index] as number;
  });
  return budget;
}
