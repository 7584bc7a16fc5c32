// Which eval samples the samples table shows. Pure, so it is unit-tested without a DOM.
import type { ResultRow } from './messages';

export type SampleFilter = 'wrong-or-failed' | 'wrong' | 'failed' | 'all';

/** Failed: no verdict (the call failed, or no scorer could score it). Wrong: some scorer gave less than full marks. */
export function sampleVerdict(row: ResultRow): 'failed' | 'wrong' | 'right' {
  const scores = row.sample?.scores;
  if (row.status === 'failed' || !scores) return 'failed';
  const values = Object.values(scores).map((s) => s.value);
  if (values.length === 0 || values.every((v) => v === null)) return 'failed';
  return values.some((v) => v !== null && v < 1) ? 'wrong' : 'right';
}

export function filterSamples(rows: readonly ResultRow[], filter: SampleFilter): ResultRow[] {
  if (filter === 'all') return rows.filter((r) => r.sample);
  return rows.filter((r) => {
    if (!r.sample) return false;
    const verdict = sampleVerdict(r);
    return filter === 'wrong-or-failed' ? verdict !== 'right' : verdict === filter;
  });
}
