// The scorers by type, and the metric each one's values make.
import type { CompiledEval, ScorerSpec } from '../../format';
import type { Metric } from '../../api';
import { scoreChoice } from './choice';
import { scoreEmbedding } from './embedding';
import { scoreExact } from './exact';
import { scoreF1 } from './f1';
import { scoreIncludes } from './includes';
import { scoreLogProbability } from './log-probability';
import { scoreMatch } from './match';
import { scoreModelGraded } from './model-graded';
import { scorePattern } from './pattern';
import type { Score, ScoreInput, ScoringServices } from './score';

export type { Score, ScoreInput, ScoringServices } from './score';

export function runScorer(
  compiled: CompiledEval,
  scorerIndex: number,
  sampleIndex: number,
  input: ScoreInput,
  services: ScoringServices,
): Score | Promise<Score> {
  const spec = compiled.task.scorers[scorerIndex]!;
  switch (spec.type) {
    case 'exact':
      return scoreExact(spec, input);
    case 'includes':
      return scoreIncludes(spec, input);
    case 'match':
      return scoreMatch(spec, input);
    case 'pattern':
      return scorePattern(spec, input);
    case 'choice':
      return scoreChoice(spec, input);
    case 'f1':
      return scoreF1(spec, input);
    case 'model_graded':
      return scoreModelGraded(spec, input, { compiled, scorerIndex, sampleIndex }, services);
    case 'log_probability':
      return scoreLogProbability(spec, input, services);
    case 'embedding':
      return scoreEmbedding(spec, input, services);
  }
}

/** Right-or-wrong scorers make an accuracy; graded ones (F1, log-probabilities) a mean. */
export function metricOf(spec: ScorerSpec): Metric['metric'] {
  if (spec.type === 'f1') return 'mean';
  if (spec.type === 'log_probability' && spec.measure !== 'correct_greedy') return 'mean';
  return 'accuracy';
}
