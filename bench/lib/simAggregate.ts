// One round's aggregation as the market runs it, from the DOs' quantized updates:
// 1. each group's lane-wise sum mod 2^32 — what unmasking yields (pair masks cancel exactly in the sum, so
//    they are not applied here); the aggregator never sees an individual update;
// 2. the contract's norm bound: a group whose sum is over it is left out of the rule and unpaid (for every
//    rule, as the market would; with too few groups left the round has no aggregate and pays nobody);
// 3. the rule across the other group means, and which groups are inliers (and so paid).
// mean, median, trimmed mean and the geometric median are the contract's rules, computed by
// src/protocol/roundAggregate.ts aggregateGroupSums (test/vectors shows it equals the contract; the geometric
// median with the weights our aggregator certifies); mean is the contract's trimmed mean with trimBps 0.
// multi-krum is not verified on-chain: the float rule of src/aggregation runs on the dequantized group means,
// the result is rounded back to int32 at 2^scaleBits, and the contract's inlier test (src/protocol
// scoreGroups) is applied to the integer means against that aggregate.
import { InvalidInputError } from "../../src/errors";
import { getAggregator } from "../../src/aggregation";
import type { OnChainRule } from "../../src/protocol";
import { aggregateGroupSums, groupMean, overBoundChunks, scoreGroups, type GroupSum, type NormBound } from "../../src/protocol/roundAggregate";

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

/** The on-chain form of an integer rule, or undefined for a rule that only exists off-chain. */
export function onChainForm(rule: RuleName, trimBps: number): OnChainRule | undefined {
  if (rule === "mean") return { rule: "trimmed-mean", trimBps: 0 };
  if (rule === "median") return { rule: "median" };
  if (rule === "trimmed-mean") return { rule: "trimmed-mean", trimBps };
  if (rule === "geomedian") return { rule: "geomedian" };
  return undefined;
}

/** Multi-Krum's f over m group means: the largest f with m > 2f + 2 (0 when m ≤ 4). */
export function multiKrumF(groups: number): number {
  return Math.max(0, Math.floor((groups - 3) / 2));
}

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

// An off-chain float rule over the dequantized group means, rounded back to int32, scored as the contract would.
function floatRule(rule: RuleName, sums: readonly GroupSum[], p: AggregationParameters): { aggregate: Uint32Array } & ReturnType<typeof scoreGroups> {
  const means = sums.map((s) => groupMean(s.sum, s.submitters));
  const scale = 2 ** p.scaleBits;
  const rows = means.map((m) => Float64Array.from(m, (v) => v / scale));
  const opts = rule === "multi-krum" ? { f: multiKrumF(rows.length) } : {};
  const result = getAggregator(rule).aggregate(rows, opts);
  const agg = Int32Array.from(result, (x) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(x * scale))));
  return { aggregate: new Uint32Array(agg.buffer), ...scoreGroups(means, agg, p.outlierFactorBps, p.minProjectionBps) };
}

/** Aggregates one round's group sums under `rule` and applies the contract's inlier test to every group. */
export function aggregateRound(rule: RuleName, sums: readonly GroupSum[], p: AggregationParameters): RoundAggregation {
  if (!RULE_NAMES.includes(rule)) throw new InvalidInputError("rule", `must be one of ${RULE_NAMES.join(", ")}, got ${String(rule)}`);
  const excluded = p.bound ? overBoundChunks(sums, p.bound).map((c) => c !== Infinity) : sums.map(() => false);
  return { ...judge(rule, sums, p), excluded };
}

// The rule and the inlier test (a void round when too few groups are left within the bound).
function judge(rule: RuleName, sums: readonly GroupSum[], p: AggregationParameters): Omit<RoundAggregation, "excluded"> {
  const onChain = onChainForm(rule, p.trimBps);
  if (onChain === undefined && p.bound) {
    // An off-chain rule over the groups the contract's bound keeps (whole vectors: chunking only matters for
    // the on-chain rules, whose earlier chunks keep a group's contribution).
    const kept = overBoundChunks(sums, p.bound).map((c) => c === Infinity);
    const within = sums.filter((_, k) => kept[k]);
    if (within.length < p.bound.minGroups) return voidRound(sums[0].sum.length, sums.length);
    const inner = judge(rule, within, { ...p, bound: undefined });
    const spread = <T>(values: readonly T[], none: T): T[] => {
      let u = 0;
      return kept.map((x) => (x ? values[u++] : none));
    };
    return { ...inner, inliers: spread(inner.inliers, false), projections: spread(inner.projections, 0), distanceRatios: spread(inner.distanceRatios, 0) };
  }
  const r = onChain !== undefined ? aggregateGroupSums(sums, onChain, p.outlierFactorBps, p.minProjectionBps, p.bound) : floatRule(rule, sums, p);
  if ("voidedAt" in r && r.voidedAt !== Infinity) return voidRound(r.aggregate.length, sums.length);
  return {
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
