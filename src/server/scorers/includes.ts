// includes: a target, normalized, appears in the output.
import type { IncludesScorer } from '../../format';
import { normalizeText } from './normalize';
import { correct, score, type Score, type ScoreInput } from './score';

export function scoreIncludes(spec: IncludesScorer, { output, sample }: ScoreInput): Score {
  const text = normalizeText(output, spec.ignore_case);
  const found = sample.target.find((target) => {
    const wanted = normalizeText(target, spec.ignore_case);
    return wanted !== '' && text.includes(wanted);
  });
  return score(correct(found !== undefined), found ?? null, found !== undefined ? `contains "${found}"` : null);
}
