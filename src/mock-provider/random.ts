// Seeded randomness: the mock provider and the simulation replay the same run for the same seed.

/** mulberry32: small, fast, well spread; not for security. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Pareto-tailed multiplier ≥ 1 with probability `p`, else 1: most calls are quick, a few are very slow. */
export function heavyTail(random: () => number, p: number, alpha = 1.5, cap = 20): number {
  if (random() >= p) return 1;
  return Math.min(cap, (1 - random()) ** (-1 / alpha));
}
