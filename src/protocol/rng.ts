// Uniform random sources in [0, 1): a cryptographic default and a seedable one for tests.
import { randomFillSync } from "node:crypto";

/** A source of uniform doubles in [0, 1). */
export type Rng = () => number;

/** A cryptographically secure Rng (53-bit doubles from node:crypto, drawn in batches). */
export function secureRng(): Rng {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next + 2 > pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    const high = pool[next++] >>> 5; // 27 bits
    const low = pool[next++] >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
}

/** A deterministic Rng (splitmix32) for reproducible tests and vectors; not for real jobs. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}
