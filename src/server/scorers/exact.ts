// exact: the output, normalized, equals a target.
import type { ExactScorer } from '../../format';
import { normalizeText } from './normalize';
import { correct, score, type Score, type ScoreInput } from './score';

export function scoreExact(spec: ExactScorer, { output, sample }: ScoreInput): Score {
  const answer = normalizeText(output, spec.ignore_case);
  const right = sample.target.some((target) => normalizeText(target, spec.ignore_case) === answer);
  return score(correct(right), output.trim());
}
