// choice: the letter the output chose is the target's. The letter is read from "ANSWER: B" (the last one), else
// from an output that is just a letter ("B", "(B)", "B) Canberra"), else from an output that is one option's text.
import { LETTERS, type ChoiceScorer } from '../../format';
import { normalizeText } from './normalize';
import { correct, score, type Score, type ScoreInput } from './score';

export function scoreChoice(_spec: ChoiceScorer, { output, sample }: ScoreInput): Score {
  const choices = sample.choices ?? [];
  const letters = LETTERS.slice(0, choices.length);
  const chosen = chosenLetter(output, choices, letters);
  const wanted = targetLetters(sample.target, choices, letters);
  if (chosen === null) return score(0, null, `no option letter (${letters.join(', ')}) found in the output`);
  const text = choices[letters.indexOf(chosen)];
  return score(correct(wanted.includes(chosen)), chosen, `chose ${chosen}) ${text}; right: ${wanted.join(', ')}`);
}

export function chosenLetter(output: string, choices: readonly string[], letters: readonly string[]): string | null {
  const inRange = (letter: string | undefined) => (letter && letters.includes(letter.toUpperCase()) ? letter.toUpperCase() : null);
  const tagged = [...output.matchAll(/ANSWER\s*[:：]\s*\(?\s*([A-Za-z])\b/gu)].pop();
  if (tagged) return inRange(tagged[1]);
  const lone = /^\s*\(?([A-Za-z])(?:\)|\.|:|\s*$)/u.exec(output.trim());
  if (lone && (lone[0].trim().length > 1 || output.trim().length === 1)) return inRange(lone[1]);
  const text = normalizeText(output);
  const index = choices.findIndex((choice) => normalizeText(choice) === text);
  return index >= 0 ? (letters[index] ?? null) : null;
}

/** Targets as letters: "B", "b" or the option's text. */
export function targetLetters(targets: readonly string[], choices: readonly string[], letters: readonly string[]): string[] {
  return targets.flatMap((target) => {
    const letter = target.trim().toUpperCase();
    if (letter.length === 1 && letters.includes(letter)) return [letter];
    const index = choices.findIndex((choice) => normalizeText(choice) === normalizeText(target));
    return index >= 0 ? [letters[index]!] : [];
  });
}
