// embedding: the cosine similarity of the output's and the target's embeddings (best over targets), right when
// at or above the threshold. The answer is the similarity itself.
import type { EmbeddingScorer } from '../../format';
import { correct, score, type Score, type ScoreInput, type ScoringServices } from './score';

export async function scoreEmbedding(spec: EmbeddingScorer, input: ScoreInput, services: ScoringServices): Promise<Score> {
  if (input.sample.target.length === 0) return score(null, null, 'the sample has no target');
  const output = (await services.embed(spec.model, input.output)).embedding;
  let best = -Infinity;
  for (const target of input.sample.target) {
    best = Math.max(best, cosine(output, (await services.embed(spec.model, target)).embedding));
  }
  if (!Number.isFinite(best)) return score(null, null, 'an embedding was empty or of a different size');
  return score(correct(best >= spec.threshold), best.toFixed(4), `cosine ${best.toFixed(4)} ${best >= spec.threshold ? '≥' : '<'} ${spec.threshold}`);
}

/** Cosine similarity; NaN for empty or mismatched vectors, or a zero vector. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return Number.NaN;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
}
