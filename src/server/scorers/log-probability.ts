// log_probability: how likely the model under test finds the target after the prompt, from the provider's
// evaluate endpoint (Aleph Alpha's /evaluate). The best acceptable target counts. The generated output is not read.
import type { LogProbabilityScorer } from '../../format';
import type { EvaluateReply } from '../providers/provider';
import { score, type Score, type ScoreInput, type ScoringServices } from './score';

export async function scoreLogProbability(spec: LogProbabilityScorer, input: ScoreInput, services: ScoringServices): Promise<Score> {
  const prompt = input.prompts.system ? `${input.prompts.system}\n\n${input.prompts.user}` : input.prompts.user;
  let best: { target: string; reply: EvaluateReply } | null = null;
  for (const target of input.sample.target) {
    const reply = await services.evaluate(input.model, prompt, target);
    if (!best || reply.log_probability > best.reply.log_probability) best = { target, reply };
  }
  if (!best) return score(null, null, 'the sample has no target');
  return measured(spec, best.target, best.reply);
}

export function measured(spec: LogProbabilityScorer, target: string, reply: EvaluateReply): Score {
  const facts = [
    `log P = ${reply.log_probability.toFixed(4)}`,
    reply.log_perplexity_per_character === null ? null : `log perplexity per character = ${reply.log_perplexity_per_character.toFixed(4)}`,
    reply.correct_greedy === null ? null : `greedy ${reply.correct_greedy ? 'gives' : 'does not give'} the target`,
  ].filter(Boolean);
  const explanation = `"${target}": ${facts.join('; ')}`;
  switch (spec.measure) {
    case 'log_probability':
      return score(reply.log_probability, target, explanation);
    case 'perplexity':
      return score(reply.log_perplexity_per_character, target, explanation);
    case 'correct_greedy':
      return score(reply.correct_greedy === null ? null : reply.correct_greedy ? 1 : 0, target, explanation);
  }
}
