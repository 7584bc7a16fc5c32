// An eval's metrics as the CLI shows them: per model and scorer, the value ± standard error, n and failures.
import type { Metric } from '../api';
import { count, table } from './format';

export function metricsTable(metrics: readonly Metric[]): string {
  const rows = metrics.map((m) => [
    m.model,
    m.scorer,
    m.metric,
    m.value === null ? '—' : m.value.toFixed(3),
    m.stderr === null ? '—' : `± ${m.stderr.toFixed(3)}`,
    count(m.n),
    count(m.failed),
  ]);
  return table(['model', 'scorer', 'metric', 'value', 'stderr', 'n', 'failed'], rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right']);
}
