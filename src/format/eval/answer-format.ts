// What kind of answer an eval call expects, as a hint to the built-in `test` model (real models read the prompt).
// The test model answers at chance — a real baseline: a random letter for choices, a random small number or a
// plausible word for open answers, and a random grade with a line of reasoning for a grader's prompt.

export type AnswerFormat = { kind: 'choice'; letters: string[] } | { kind: 'open'; numeric: boolean } | { kind: 'grade'; grades: string[] };

const WORDS = ['Paris', 'blue', 'yes', 'no', 'photosynthesis', 'seven', 'the moon', 'water', 'Shakespeare', 'gravity'];
const REASONS = [
  'The submission addresses the task but I am checking it against the criterion step by step.',
  'Comparing the submission with the criterion, the key facts are what matter here.',
  'Reading the submission carefully, I weigh whether it states the expected answer.',
];

export function sampleEvalReply(format: AnswerFormat, random: () => number): string {
  switch (format.kind) {
    case 'choice':
      return `ANSWER: ${pick(format.letters, random)}`;
    case 'open':
      return format.numeric ? String(Math.floor(random() * 21)) : pick(WORDS, random);
    case 'grade':
      return `${pick(REASONS, random)}\nGRADE: ${pick(format.grades, random)}`;
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] ?? (items[0] as T);
}
