// Metrics of an eval job from its stored results: per model and scorer, each sample's epochs reduced, then the
// mean ± standard error over samples. A sample whose epochs all failed (or could not be scored) is counted in
// `failed`, never as wrong. Memory grows with samples × models × scorers, not with results.
import type { EvalTask } from '../../format';
import type { Metric, Result } from '../../api';
import { metricOf } from './index';
import { mean, reduceEpochs, standardError } from './metrics';

export function evalMetrics(task: EvalTask, results: Iterable<Result>): Metric[] {
  const tally = new ScoreTally();
  for (const result of results) tally.add(result);
  return tally.metrics(task);
}

/** Results are added one at a time (a store streams them), then reduced to metrics. */
export class ScoreTally {
  /** model → scorer → sample id → values (one per scored epoch) */
  private readonly scored = new Map<string, Map<string, Map<string, number[]>>>();
  /** model → sample ids with any result at all */
  private readonly ran = new Map<string, Set<string>>();

  add(result: Result): void {
    const sample = result.sample_id;
    if (sample === undefined) return;
    let samples = this.ran.get(result.model);
    if (!samples) this.ran.set(result.model, (samples = new Set()));
    samples.add(sample);
    if (!result.scores) return;
    let byScorer = this.scored.get(result.model);
    if (!byScorer) this.scored.set(result.model, (byScorer = new Map()));
    for (const [scorer, verdict] of Object.entries(result.scores)) {
      if (verdict.value === null || !Number.isFinite(verdict.value)) continue;
      let bySample = byScorer.get(scorer);
      if (!bySample) byScorer.set(scorer, (bySample = new Map()));
      let values = bySample.get(sample);
      if (!values) bySample.set(sample, (values = []));
      values.push(verdict.value);
    }
  }

  metrics(task: EvalTask): Metric[] {
    const metrics: Metric[] = [];
    for (const model of task.models) {
      const samples = this.ran.get(model.label) ?? new Set<string>();
      for (const scorer of task.scorers) {
        const bySample = this.scored.get(model.label)?.get(scorer.name) ?? new Map<string, number[]>();
        const values = [...bySample.values()].map((epochs) => reduceEpochs(epochs, task.epochs));
        metrics.push({
          model: model.label,
          scorer: scorer.name,
          metric: metricOf(scorer),
          value: values.length > 0 ? mean(values) : null,
          stderr: standardError(values),
          n: values.length,
          failed: samples.size - values.length,
        });
      }
    }
    return metrics;
  }
}
