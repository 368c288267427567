// One round's aggregation as the market runs it, from the DOs' quantized updates:
// 1. each group's lane-wise sum mod 2^32 — what unmasking yields (pair masks cancel exactly in the sum, so
//    they are not applied here); the aggregator never sees an individual update;
// 2. the contract's norm bound: a group whose sum is over it is left out of the rule and unpaid (for every
//    rule, as the market would; with too few groups left the round has no aggregate and pays nobody);
// 3. the rule across the other group means, and which groups are inliers (and so paid).
// mean, median, trimmed mean, the geometric median and Multi-Krum are the contract's rules, computed by
// src/protocol/roundAggregate.ts aggregateGroupSums (test/vectors shows it equals the contract; the geometric
// median with the weights our aggregator certifies, Multi-Krum with the contract's own choice); mean is the
// contract's trimmed mean with trimBps 0.
import { InvalidInputError } from "../../src/errors";
import { krumPresumedBad, type OnChainRule } from "../../src/protocol";
import { aggregateGroupSums, type GroupSum, type NormBound } from "../../src/protocol/roundAggregate";

/** The rules the benchmarks compare. */
export const RULE_NAMES = ["mean", "median", "trimmed-mean", "geomedian", "multi-krum"] as const;
/** A rule the benchmarks compare. */
export type RuleName = (typeof RULE_NAMES)[number];

/** Parameters of the round's aggregation (the job's). */
export interface AggregationParameters {
  scaleBits: number;
  /** trimmed-mean: basis points trimmed at each end. */
  trimBps: number;
  outlierFactorBps: bigint;
  minProjectionBps: bigint;
  /** The contract's norm bound on group sums; without it no group is excluded. */
  bound?: NormBound;
}

/** The outcome of a round's aggregation. */
export interface RoundAggregation {
  /** The aggregate as uint32(int32) lanes, added to the chain's model. */
  aggregate: Uint32Array;
  /** Per group (ascending group order): paid or not. */
  inliers: boolean[];
  /** Per group: over the contract's norm bound (in any chunk). */
  excluded: boolean[];
  /** Whether the round has an aggregate (a void round pays nobody and holds nothing). */
  judged: boolean;
  /** Per group: dot / aggNorm, the group mean's projection on the aggregate. */
  projections: number[];
  /** Per group: squared distance to the aggregate over the median squared distance. */
  distanceRatios: number[];
}

/** The on-chain form of a rule (mean is the trimmed mean that trims nothing). */
export function onChainForm(rule: RuleName, trimBps: number): OnChainRule {
  if (rule === "mean") return { rule: "trimmed-mean", trimBps: 0 };
  if (rule === "median") return { rule: "median" };
  if (rule === "trimmed-mean") return { rule: "trimmed-mean", trimBps };
  return { rule };
}

/** Multi-Krum's f over m group means: the largest f with m > 2f + 2 (0 when m ≤ 4), as the contract presumes. */
export const multiKrumF = krumPresumedBad;

/** Each group's lane-wise sum mod 2^32 of its members' quantized updates (what unmasking reveals). */
export function groupSums(groups: readonly (readonly number[])[], updates: readonly Uint32Array[]): GroupSum[] {
  return groups.map((members) => {
    const sum = new Uint32Array(updates[members[0]].length);
    for (const i of members) {
      const q = updates[i];
      for (let e = 0; e < sum.length; e++) sum[e] = (sum[e] + q[e]) >>> 0;
    }
    return { submitters: members.length, sum };
  });
}

function ratio(numerator: bigint, denominator: bigint): number {
  return denominator === 0n ? (numerator === 0n ? 1 : Infinity) : Number((numerator * 1_000_000n) / denominator) / 1_000_000;
}

/** Aggregates one round's group sums under `rule` and applies the contract's inlier test to every group. */
export function aggregateRound(rule: RuleName, sums: readonly GroupSum[], p: AggregationParameters): RoundAggregation {
  if (!RULE_NAMES.includes(rule)) throw new InvalidInputError("rule", `must be one of ${RULE_NAMES.join(", ")}, got ${String(rule)}`);
  const r = aggregateGroupSums(sums, onChainForm(rule, p.trimBps), p.outlierFactorBps, p.minProjectionBps, p.bound);
  // Over the bound in a chunk the contract aggregates: in a void round, up to the chunk that voided it.
  const excluded = r.excludedAt.map((c) => c !== Infinity && c <= r.voidedAt);
  if (r.voidedAt !== Infinity) return { ...voidRound(r.aggregate.length, sums.length), excluded };
  return {
    excluded,
    aggregate: r.aggregate,
    judged: true,
    inliers: r.inliers,
    projections: r.dots.map((d) => ratio(d, r.aggNorm)),
    distanceRatios: r.dists.map((d) => ratio(d, r.medianDist)),
  };
}

/** A void round: no aggregate (the model stays), nobody paid. */
function voidRound(lanes: number, groups: number): Omit<RoundAggregation, "excluded"> {
  return {
    aggregate: new Uint32Array(lanes),
    judged: false,
    inliers: Array(groups).fill(false),
    projections: Array(groups).fill(0),
    distanceRatios: Array(groups).fill(0),
  };
}
