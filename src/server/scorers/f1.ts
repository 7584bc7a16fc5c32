// f1: word-overlap F1 of output and target (SQuAD's), the best over acceptable targets.
import type { F1Scorer } from '../../format';
import { clip, wordsOf } from './normalize';
import { score, type Score, type ScoreInput } from './score';

export function scoreF1(_spec: F1Scorer, { output, sample }: ScoreInput): Score {
  const words = wordsOf(output);
  let best = 0;
  let bestTarget: string | null = null;
  for (const target of sample.target) {
    const value = f1(words, wordsOf(target));
    if (bestTarget === null || value > best) {
      best = value;
      bestTarget = target;
    }
  }
  return score(best, clip(output.trim(), 80), bestTarget === null ? null : `F1 ${best.toFixed(3)} against "${clip(bestTarget, 60)}"`);
}

export function f1(predicted: readonly string[], expected: readonly string[]): number {
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const word of expected) counts.set(word, (counts.get(word) ?? 0) + 1);
  let common = 0;
  for (const word of predicted) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      common++;
      counts.set(word, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}
