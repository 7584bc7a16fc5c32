// An eval's metrics: per model and scorer, the metric (accuracy or mean) over samples, with its standard error.
import { z } from 'zod';

/** One scorer's verdict on one output. value null: the scorer could not score it (counted apart, never as wrong). */
export const EvalScore = z.object({
  value: z.number().nullable(),
  /** What the scorer read from the output: the letter, the number, the captured group, the grade. */
  answer: z.string().nullable(),
  /** Why: the grader's reasoning, the similarity, what was compared. */
  explanation: z.string().nullable(),
});
export type EvalScore = z.infer<typeof EvalScore>;

export const Metric = z.object({
  model: z.string(),
  scorer: z.string(),
  metric: z.enum(['accuracy', 'mean']),
  /** Over the n scored samples (each sample's epochs reduced first); null when none was scored. */
  value: z.number().nullable(),
  /** Sample standard deviation / √n; null below two samples. */
  stderr: z.number().nullable(),
  n: z.number().int().nonnegative(),
  /** Samples that ran but could not be scored (their calls failed): not in n, never counted as wrong. */
  failed: z.number().int().nonnegative(),
});
export type Metric = z.infer<typeof Metric>;

/** GET /v1/jobs/{id}/metrics */
export const MetricsReport = z.object({ metrics: z.array(Metric) });
export type MetricsReport = z.infer<typeof MetricsReport>;
