// Groups in the simulation: the protocol's assignment (src/protocol/groups.ts assignGroups, a keccak
// Fisher–Yates over the round's randomness) with randomness derived from a seed instead of PREVRANDAO;
// how many groups a set of malicious DOs contaminates (exactly in expectation, and by Monte Carlo over
// the same assignment); and how many contaminated groups each rule tolerates.
import { InvalidInputError } from "../../src/errors";
import { toBeHex } from "ethers";
import { assignGroups, roundRandomness } from "../../src/protocol/groups";
import { multiKrumF, type RuleName } from "./simAggregate";

// The simulated market's address and job id: only their role as inputs of the round randomness matters.
const SIM_MARKET = "0x00000000000000000000000000000000000051a7";
const SIM_JOB = 1n;
const MONTE_CARLO_JOB = 2n;

/** The round's groups of the `active` roster indices (ascending; prevrandao replaced by `seed`). */
export function roundGroups(seed: number, round: number, active: readonly number[], groupSize: number): number[][] {
  return assignGroups(roundRandomness(toBeHex(seed, 32), SIM_MARKET, SIM_JOB, BigInt(round)), active, groupSize);
}

/** How many groups hold at least one member of `malicious`. */
export function contaminatedCount(groups: readonly (readonly number[])[], malicious: ReadonlySet<number>): number {
  return groups.filter((g) => g.some((i) => malicious.has(i))).length;
}

/** The group sizes of n members in groups of g: m = ⌊n/g⌋ groups, n mod m of them one larger. */
export function groupSizes(n: number, g: number): number[] {
  const m = Math.floor(n / g);
  if (!Number.isInteger(n) || !Number.isInteger(g) || g < 1 || m < 1) throw new InvalidInputError("groupSize", `needs 1 ≤ g ≤ n, got n=${n}, g=${g}`);
  return Array.from({ length: m }, (_, k) => Math.floor(n / m) + (k < n % m ? 1 : 0));
}

// C(n − k, s) / C(n, s): the chance that a given group of s members holds none of k malicious among n.
function cleanProbability(n: number, k: number, s: number): number {
  let p = 1;
  for (let j = 0; j < s; j++) p *= Math.max(0, n - k - j) / (n - j);
  return p;
}

/** Expected contaminated groups under a uniformly random assignment: Σ_groups 1 − C(n−k, s)/C(n, s). */
export function expectedContaminated(n: number, g: number, k: number): number {
  return groupSizes(n, g).reduce((a, s) => a + 1 - cleanProbability(n, k, s), 0);
}

/** The usual approximation m · (1 − (1 − k/n)^g) (independent membership). */
export function approxContaminated(n: number, g: number, k: number): number {
  return Math.floor(n / g) * (1 - (1 - k / n) ** g);
}

/**
 * Contaminated-group counts over `trials` assignments (assignGroups with per-trial randomness) when the
 * first k roster indices are malicious: counts[k][c] = number of trials with c contaminated groups.
 */
export function contaminationMonteCarlo(n: number, g: number, trials: number, seed: number): number[][] {
  const m = Math.floor(n / g);
  const counts = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const active = Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < trials; t++) {
    const groups = assignGroups(roundRandomness(toBeHex(seed, 32), SIM_MARKET, MONTE_CARLO_JOB, BigInt(t)), active, g);
    const groupOf = new Array<number>(n);
    groups.forEach((members, q) => members.forEach((i) => (groupOf[i] = q)));
    const hit = new Set<number>();
    for (let k = 0; k <= n; k++) {
      if (k > 0) hit.add(groupOf[k - 1]);
      counts[k][hit.size]++;
    }
  }
  return counts;
}

/** P(at most `tolerated` contaminated groups) for each k, from Monte Carlo counts. */
export function probabilityWithin(counts: readonly number[][], tolerated: number): number[] {
  return counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.slice(0, tolerated + 1).reduce((a, b) => a + b, 0) / total;
  });
}

/** The largest k whose probability is at least `level` (probabilities fall with k), or 0. */
export function largestWithProbability(probabilities: readonly number[], level: number): number {
  let best = 0;
  probabilities.forEach((p, k) => {
    if (p >= level) best = k;
  });
  return best;
}

/**
 * Contaminated groups a rule tolerates among m group means (null: the rule cannot run on m means):
 * mean 0; median and geomedian ⌊(m−1)/2⌋ (fewer than half); trimmed mean b = ⌊m·trimBps/10000⌋;
 * Multi-Krum its f, the largest with m > 2f + 2.
 */
export function toleratedGroups(rule: RuleName, m: number, trimBps: number): number | null {
  if (rule === "mean") return 0;
  if (rule === "median" || rule === "geomedian") return Math.floor((m - 1) / 2);
  if (rule === "trimmed-mean") return Math.floor((m * trimBps) / 10000);
  return m > 2 ? multiKrumF(m) : null;
}
