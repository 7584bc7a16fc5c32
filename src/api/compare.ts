// Two runs side by side (two jobs, or two models of one job): the shape `fieldwork jobs compare --json` prints and
// the panel's Compare tab shows.
import { z } from 'zod';

export const CompareTest = z.object({
  test: z.enum(['chi-square', 'welch-t']),
  statistic: z.number(),
  df: z.number(),
  p: z.number(),
});

export const QuestionComparison = z.object({
  question: z.string(),
  kind: z.enum(['categories', 'numbers', 'text']),
  n: z.tuple([z.number(), z.number()]),
  /** Categories: each answer with its count in either run, in first-seen order. */
  categories: z.array(z.object({ answer: z.string(), counts: z.tuple([z.number(), z.number()]) })),
  /** Numbers: each run's mean. */
  means: z.tuple([z.number(), z.number()]).nullable(),
  /** Null when there is too little to test (fewer than two answers, a single category, no variance). */
  test: CompareTest.nullable(),
});
export type QuestionComparison = z.infer<typeof QuestionComparison>;

/** An eval's scorer on the samples both runs scored: the mean of (a − b) per sample and epoch, with its paired SE. */
export const ScorerComparison = z.object({
  scorer: z.string(),
  means: z.tuple([z.number(), z.number()]),
  difference: z.number(),
  stderr: z.number().nullable(),
  n: z.number(),
});
export type ScorerComparison = z.infer<typeof ScorerComparison>;

export const Comparison = z.object({
  labels: z.tuple([z.string(), z.string()]),
  questions: z.array(QuestionComparison),
  scorers: z.array(ScorerComparison),
});
export type Comparison = z.infer<typeof Comparison>;
