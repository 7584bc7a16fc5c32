// Randomness of the mock provider's replies, drawn from the seeded generator (src/random) so that the mock and the
// simulation replay the same run for the same seed.

/** A Pareto-tailed multiplier ≥ 1 with probability `p`, else 1: most calls are quick, a few are very slow. */
export function heavyTail(random: () => number, p: number, alpha = 1.5, cap = 20): number {
  if (random() >= p) return 1;
  return Math.min(cap, (1 - random()) ** (-1 / alpha));
}
