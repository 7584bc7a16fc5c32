// The few tests that compare two runs: Pearson's chi-square for categories, Welch's t for numbers, and a paired
// difference with its standard error. The p-values use the regularized incomplete gamma and beta functions
// (continued fractions, as in Numerical Recipes §6.2 and §6.4). Pure: no I/O.

export interface TestResult {
  test: 'chi-square' | 'welch-t';
  statistic: number;
  df: number;
  p: number;
}

/** Chi-square test of independence on a table of counts (rows: categories, columns: the two runs). */
export function chiSquare(table: readonly (readonly number[])[]): TestResult | null {
  const rows = table.filter((row) => row.some((n) => n > 0));
  const columns = rows[0]?.length ?? 0;
  if (rows.length < 2 || columns < 2) return null;
  const rowSums = rows.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: columns }, (_, j) => rows.reduce((a, row) => a + (row[j] ?? 0), 0));
  if (colSums.some((n) => n === 0)) return null;
  const total = rowSums.reduce((a, b) => a + b, 0);
  let statistic = 0;
  rows.forEach((row, i) =>
    row.forEach((observed, j) => {
      const expected = (rowSums[i]! * colSums[j]!) / total;
      statistic += (observed - expected) ** 2 / expected;
    }),
  );
  const df = (rows.length - 1) * (columns - 1);
  return { test: 'chi-square', statistic, df, p: gammaQ(df / 2, statistic / 2) };
}

/** Welch's t-test of two means with unequal variances. */
export function welchT(a: readonly number[], b: readonly number[]): TestResult | null {
  if (a.length < 2 || b.length < 2) return null;
  const [ma, va] = meanVariance(a);
  const [mb, vb] = meanVariance(b);
  const sa = va / a.length;
  const sb = vb / b.length;
  if (sa + sb === 0) return null;
  const statistic = (ma - mb) / Math.sqrt(sa + sb);
  const df = (sa + sb) ** 2 / (sa ** 2 / (a.length - 1) + sb ** 2 / (b.length - 1));
  return { test: 'welch-t', statistic, df, p: betaI(df / 2, 0.5, df / (df + statistic * statistic)) };
}

/** The mean of paired differences a[i] - b[i] and its standard error. */
export function pairedDifference(differences: readonly number[]): { mean: number; stderr: number | null; n: number } {
  const n = differences.length;
  if (n === 0) return { mean: NaN, stderr: null, n };
  const [mean, variance] = meanVariance(differences);
  return { mean, stderr: n > 1 ? Math.sqrt(variance / n) : null, n };
}

export function meanVariance(values: readonly number[]): [number, number] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return [mean, variance];
}

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let series = 1.000000000190015;
  for (const coefficient of c) series += coefficient / ++y;
  return -tmp + Math.log((2.5066282746310007 * series) / x);
}

/** The regularized upper incomplete gamma function Q(a, x): the chi-square survival function at 2x with 2a df. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularized incomplete beta function I_x(a, b). With a = df/2, b = 1/2, x = df/(df+t²) it is t's two-sided p. */
export function betaI(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}
