// The arithmetic of metrics: epoch reducers per sample, then the mean over samples with its standard error
// (sample standard deviation / √n, as Inspect reports it). Accuracy is the mean of 0/1 values.
import type { Epochs } from '../../format';

/** One sample's epochs → one value. pass_at_k counts an epoch as passed when its value is 1 (or more). */
export function reduceEpochs(values: readonly number[], epochs: Pick<Epochs, 'reducer' | 'k'>): number {
  if (values.length === 0) throw new RangeError('no values to reduce');
  switch (epochs.reducer) {
    case 'mean':
      return mean(values);
    case 'max':
      return Math.max(...values);
    case 'mode':
      return mode(values);
    case 'pass_at_k':
      return passAtK(values.length, values.filter((value) => value >= 1).length, Math.min(epochs.k, values.length));
  }
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** The most frequent value; a tie goes to the one seen first. */
export function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = values[0]!;
  for (const value of values) {
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (count > (counts.get(best) ?? 0)) best = value;
  }
  return best;
}

/** The unbiased pass@k estimator (Chen et al. 2021): 1 − C(n−c, k) / C(n, k), for n tries of which c passed. */
export function passAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** Sample standard deviation / √n; null below two values. */
export function standardError(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - m) ** 2;
  return Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
}
