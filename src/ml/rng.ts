// A small seeded PRNG (mulberry32) with the draws the ML layer needs: uniform, integers,
// normal, gamma and Dirichlet variates, and Fisher-Yates shuffles. Same seed, same stream.

/** A deterministic random stream. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal variate (Box-Muller). */
  normal(): number;
  /** Gamma(shape, 1) variate (Marsaglia-Tsang; boosted for shape < 1). */
  gamma(shape: number): number;
  /** A point of the simplex drawn from Dirichlet(alpha, ..., alpha) with k components. */
  dirichlet(alpha: number, k: number): number[];
  /** Shuffles the array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
}

/** Creates a seeded random stream; the seed is any integer (taken modulo 2^32). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const normal = (): number => {
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal();
      const v = Math.pow(1 + c * z, 3);
      if (v <= 0) continue;
      const u = 1 - next();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const dirichlet = (alpha: number, k: number): number[] => {
    const draws = Array.from({ length: k }, () => gamma(alpha));
    const total = draws.reduce((a, b) => a + b, 0);
    return total > 0 ? draws.map((g) => g / total) : draws.map(() => 1 / k);
  };
  const shuffle = <T extends { length: number; [i: number]: unknown }>(items: T): T => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  };
  return { next, int, normal, gamma, dirichlet, shuffle };
}
