// The one seeded random generator: the eval's repeatable shuffle, the test model's answers and latencies, and the
// mock provider's and the simulation's replays all draw from it, so a seed means the same sequence everywhere.

/** mulberry32: small, fast, well spread; not for security. Numbers in [0, 1). */
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
