// pattern: a regular expression's capture group is the answer; it is right when it equals a target.
import type { PatternScorer } from '../../format';
import { normalizeText } from './normalize';
import { correct, score, type Score, type ScoreInput } from './score';

const compiled = new Map<string, RegExp>();

export function scorePattern(spec: PatternScorer, { output, sample }: ScoreInput): Score {
  const flags = spec.ignore_case ? 'iu' : 'u';
  const key = `${flags}/${spec.regex}`;
  let regex = compiled.get(key);
  if (!regex) compiled.set(key, (regex = new RegExp(spec.regex, flags)));
  const match = regex.exec(output);
  if (!match) return score(0, null, 'the pattern did not match the output');
  const captured = match[spec.group];
  if (captured === undefined) return score(0, null, `the pattern matched, but group ${spec.group} captured nothing`);
  const answer = normalizeText(captured, spec.ignore_case);
  const right = sample.target.some((target) => normalizeText(target, spec.ignore_case) === answer);
  return score(correct(right), captured);
}
