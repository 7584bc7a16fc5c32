// What every scorer returns, and what the model-backed ones may ask of the runner.
import type { EvalScore } from '../../api';
import type { AnswerFormat, ModelSpec, Prompts, Sample } from '../../format';
import type { EmbedReply, EvaluateReply } from '../providers/provider';

export type Score = EvalScore;

/** One output of one sample, to be scored. */
export interface ScoreInput {
  sample: Sample;
  output: string;
  /** The prompts the output answered (log-probability scorers score the target after them). */
  prompts: Prompts;
  /** The model under test. */
  model: ModelSpec;
}

/** Calls a scorer may make; each goes through the cache, the scheduler and the job's bill. */
export interface ScoringServices {
  complete(model: ModelSpec, prompts: Prompts, format: AnswerFormat): Promise<string>;
  evaluate(model: ModelSpec, prompt: string, expected: string): Promise<EvaluateReply>;
  embed(model: ModelSpec, text: string): Promise<EmbedReply>;
}

export const score = (value: number | null, answer: string | null, explanation: string | null = null): Score => ({ value, answer, explanation });

/** 1 or 0. */
export const correct = (right: boolean): number => (right ? 1 : 0);
