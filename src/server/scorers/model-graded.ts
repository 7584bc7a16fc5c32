// model_graded: a grader model reads the rubric (the task, the output, the criterion) and ends with
// "GRADE: C" (correct), "GRADE: P" (partial, when allowed) or "GRADE: I". Its reasoning is the explanation.
// A reply without a grade scores null: the grader failed, the output is not counted wrong.
import type { CompiledEval, ModelGradedScorer } from '../../format';
import { clip } from './normalize';
import { score, type Score, type ScoreInput, type ScoringServices } from './score';

const GRADE = /GRADE\s*[:：]\s*\**\s*([CPI])\b/giu;

export async function scoreModelGraded(
  spec: ModelGradedScorer,
  input: ScoreInput,
  context: { compiled: CompiledEval; scorerIndex: number; sampleIndex: number },
  services: ScoringServices,
): Promise<Score> {
  const prompts = context.compiled.rubricPrompts(context.scorerIndex, context.sampleIndex, input.output);
  const grades = spec.partial_credit ? ['C', 'P', 'I'] : ['C', 'I'];
  const reply = await services.complete(spec.model ?? input.model, prompts, { kind: 'grade', grades });
  return gradeOf(reply, spec.partial_credit);
}

export function gradeOf(reply: string, partialCredit: boolean): Score {
  const grade = [...reply.matchAll(GRADE)].pop();
  const letter = grade?.[1]?.toUpperCase();
  const explanation = clip((grade ? reply.slice(0, grade.index) : reply).trim(), 4000) || null;
  if (letter === 'C') return score(1, 'C', explanation);
  if (letter === 'I') return score(0, 'I', explanation);
  if (letter === 'P' && partialCredit) return score(0.5, 'P', explanation);
  return score(null, letter ?? null, `the grader gave no usable grade: ${clip(reply.trim(), 300)}`);
}
