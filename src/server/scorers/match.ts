// match: the target at the beginning, end or anywhere of the output (or all of it), as text or as a number.
import type { MatchScorer } from '../../format';
import { asNumber, clip, normalizeText, numbersIn } from './normalize';
import { correct, score, type Score, type ScoreInput } from './score';

/** Floating-point slack on top of the tolerance, so 0.1 + 0.2 matches 0.3. */
const EPSILON = 1e-9;

export function scoreMatch(spec: MatchScorer, input: ScoreInput): Score {
  return spec.numeric ? numeric(spec, input) : textual(spec, input);
}

function numeric(spec: MatchScorer, { output, sample }: ScoreInput): Score {
  const numbers = numbersIn(output);
  const candidates =
    spec.location === 'begin'
      ? numbers.slice(0, 1)
      : spec.location === 'end'
        ? numbers.slice(-1)
        : spec.location === 'exact'
          ? [asNumber(output)].filter((n): n is number => n !== null)
          : numbers;
  const targets = sample.target.map(asNumber).filter((n): n is number => n !== null);
  if (candidates.length === 0) return score(0, null, 'no number in the output');
  const hit = candidates.find((n) => targets.some((t) => Math.abs(n - t) <= spec.tolerance + EPSILON * Math.max(1, Math.abs(t))));
  const answer = String(hit ?? candidates[candidates.length - 1]);
  return score(correct(hit !== undefined), answer, `${answer} vs ${targets.join(' or ')}${spec.tolerance > 0 ? ` (± ${spec.tolerance})` : ''}`);
}

function textual(spec: MatchScorer, { output, sample }: ScoreInput): Score {
  const text = normalizeText(output, spec.ignore_case);
  const found = sample.target.find((target) => {
    const wanted = normalizeText(target, spec.ignore_case);
    if (wanted === '') return false;
    switch (spec.location) {
      case 'begin':
        return text.startsWith(wanted);
      case 'end':
        return text.endsWith(wanted);
      case 'any':
        return text.includes(wanted);
      case 'exact':
        return text === wanted;
    }
  });
  return score(correct(found !== undefined), found ?? clip(output.trim(), 80));
}
