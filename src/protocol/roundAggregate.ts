// The contract's integer computation for one round (docs/PROTOCOL.md "Aggregation of a round"):
// group means truncated toward zero, the job's rule across eligible groups per element (or the certified
// geometric median or Multi-Krum over whole vectors, geoMedian.ts and multiKrum.ts), each group's squared distance to the aggregate and
// dot product with it, and the inlier test: distance against the median distance, projection
// (dot / aggNorm) against minProjectionBps.
import { InvalidInputError } from "../errors";
import { assertOnChainRule, bigintMedian, onChainRuleOfSorted, truncDiv, type OnChainRule } from "./onChainRules";
import { BPS, MIN_GROUP_SUBMITTERS } from "./constants";
import { unmaskGroupSum, type RevealedSeed } from "./mask";
import { dotExact, squaredDistanceExact } from "./exact";
import { certifyGeoMedian, geoMedianWeights, gramMatrix, weightedAggregate } from "./geoMedian";
import { multiKrumWeights } from "./multiKrum";

/** The default outlier factor: squared distance at most 4× the median (distance at most 2×). */
export const DEFAULT_OUTLIER_FACTOR_BPS = 40000n;
/** The default projection bound: a group mean's projection on the aggregate at least 1/2. */
export const DEFAULT_MIN_PROJECTION_BPS = 5000n;

/** An eligible group given by its already unmasked lane-wise sum. */
export interface GroupSum {
  submitters: number;
  sum: Uint32Array;
}

/** An eligible group given by its submitters' masked vectors and the seeds revealed for dropped members. */
export interface MaskedGroup {
  masked: readonly Uint32Array[];
  reveals: readonly RevealedSeed[];
}

/** The outcome of a round, as the contract computes it. */
export interface RoundAggregateResult {
  /** Per eligible group: int32(sum) / submitters, truncated toward zero. */
  means: Int32Array[];
  /** The rule's result per lane, as uint32(int32). */
  aggregate: Uint32Array;
  /** Per eligible group: Σ (mean − agg)^2 over all lanes. */
  dists: bigint[];
  /** The rule's median of the distances. */
  medianDist: bigint;
  /** Per eligible group: Σ mean · agg over all lanes (signed). */
  dots: bigint[];
  /** Σ agg^2 over all lanes. */
  aggNorm: bigint;
  /** Per eligible group: 10000 · dist ≤ outlierFactorBps · medianDist and (minProjectionBps > 0 only)
   * 10000 · dot ≥ minProjectionBps · aggNorm. */
  inliers: boolean[];
  /** Per eligible group: the chunk whose running Σ sum² took it over the norm bound, Infinity if none (an
   * excluded group is not counted from that chunk on, not scored, and no inlier). */
  excludedAt: number[];
  /** The chunk that left fewer groups within the bound than the rule needs (Infinity if none): the round
   * has no aggregate. */
  voidedAt: number;
  /** Gram rules: the uint32 weight of each counted group, ascending (the geometric median's certified weights, Multi-Krum's choice; absent otherwise). */
  weights?: number[];
}

/** int32(sum) / submitters per lane, truncated toward zero. */
export function groupMean(sum: Uint32Array, submitters: number): Int32Array {
  if (!Number.isSafeInteger(submitters) || submitters < MIN_GROUP_SUBMITTERS) {
    throw new InvalidInputError("submitters", `must be an integer ≥ ${MIN_GROUP_SUBMITTERS}, got ${submitters}`);
  }
  const mean = new Int32Array(sum.length);
  for (let i = 0; i < sum.length; i++) mean[i] = truncDiv(sum[i] | 0, submitters);
  return mean;
}

/** inlierFlags' input: per eligible group its distance and dot product, the aggregate's norm and the bounds. */
export interface InlierFlagsParameters {
  dists: readonly bigint[];
  dots: readonly bigint[];
  aggNorm: bigint;
  outlierFactorBps?: bigint;
  /** 0 disables the projection test. */
  minProjectionBps?: bigint;
}

/**
 * Which groups are inliers: 10000 · dist_k ≤ outlierFactorBps · median(dists) and, unless minProjectionBps
 * is 0, 10000 · dot_k ≥ minProjectionBps · aggNorm (the group mean's projection on the aggregate,
 * dot_k / aggNorm, is at least minProjectionBps / 10000).
 */
export function inlierFlags(params: InlierFlagsParameters): boolean[] {
  const { dists, dots, aggNorm } = params;
  const outlierFactorBps = params.outlierFactorBps ?? DEFAULT_OUTLIER_FACTOR_BPS;
  const minProjectionBps = params.minProjectionBps ?? DEFAULT_MIN_PROJECTION_BPS;
  if (typeof outlierFactorBps !== "bigint" || outlierFactorBps < 0n) throw new InvalidInputError("outlierFactorBps", "must be a non-negative bigint");
  if (typeof minProjectionBps !== "bigint" || minProjectionBps < 0n || minProjectionBps > BigInt(BPS)) {
    throw new InvalidInputError("minProjectionBps", `must be a bigint in [0, ${BPS}]`);
  }
  if (typeof aggNorm !== "bigint" || aggNorm < 0n) throw new InvalidInputError("aggNorm", "must be a non-negative bigint");
  if (dots.length !== dists.length) throw new InvalidInputError("dots", `has ${dots.length} entries, expected ${dists.length}`);
  const med = bigintMedian(dists);
  const bound = minProjectionBps * aggNorm;
  const bps = BigInt(BPS);
  return dists.map((dist, q) => bps * dist <= outlierFactorBps * med && (minProjectionBps === 0n || bps * dots[q] >= bound));
}

/** The contract's norm bound on group sums (docs/PROTOCOL.md "The norm bound"). */
export interface NormBound {
  /** Per submitter: a group of m submitters is over the bound when Σ sum² > (m · normSlack)² (see normSlack). */
  normSlack: bigint;
  /** Lanes per aggregation chunk (8 · chunkWords): the bound is checked on the running total after each chunk. */
  chunkLanes: number;
  /** Fewest groups the rule needs: with fewer within the bound the round is void. */
  minGroups: number;
}

/** ceil(√x) for a non-negative safe integer, exactly. */
export function ceilSqrt(x: number): number {
  if (!Number.isSafeInteger(x) || x < 0) throw new InvalidInputError("x", `must be a non-negative safe integer, got ${x}`);
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while (r * r < x) r++;
  return r;
}

/**
 * The norm bound's slack per submitter, clipNormQ + ceil(√paramCount): an honest quantized update is its
 * scaled clipped update (L2 norm ≤ clipNormQ) plus a rounding error below 1 per element (L2 norm < √d), so
 * m honest submitters' sum has norm below m times this, whatever their data.
 */
export function normSlack(clipNormQ: number | bigint, paramCount: number): bigint {
  return BigInt(clipNormQ) + BigInt(ceilSqrt(paramCount));
}

/** Per group, the chunk whose running Σ sum² first took it over the bound (Infinity: never). */
export function overBoundChunks(groups: readonly GroupSum[], bound: NormBound): number[] {
  const lanes = groups[0]?.sum.length ?? 0;
  if (!Number.isSafeInteger(bound.chunkLanes) || bound.chunkLanes < 1)
    throw new InvalidInputError("chunkLanes", `must be a positive integer, got ${bound.chunkLanes}`);
  const totals = groups.map(() => 0n);
  const over = groups.map(() => Infinity);
  for (let c = 0; c * bound.chunkLanes < lanes; c++) {
    const [lo, hi] = [c * bound.chunkLanes, Math.min((c + 1) * bound.chunkLanes, lanes)];
    groups.forEach((g, k) => {
      if (over[k] !== Infinity) return;
      const slice = new Int32Array(g.sum.buffer, g.sum.byteOffset, g.sum.length).subarray(lo, hi);
      totals[k] += dotExact(slice, slice);
      const limit = BigInt(g.submitters) * bound.normSlack;
      if (totals[k] > limit * limit) over[k] = c;
    });
  }
  return over;
}

/**
 * The round's aggregate, distances, dots and inliers from the eligible groups' unmasked sums (ascending group
 * order). With `bound`, as the contract: chunk by chunk, a group whose running Σ sum² goes over the bound is
 * excluded from that chunk on; each chunk's lanes are ruled over the groups still within it; only groups
 * never over it are scored (the others get 0 distance and dot and are no inliers); and when fewer than
 * `minGroups` remain the round is void (aggregate 0, no inliers).
 */
export function aggregateGroupSums(
  groups: readonly GroupSum[],
  rule: OnChainRule,
  outlierFactorBps: bigint = DEFAULT_OUTLIER_FACTOR_BPS,
  minProjectionBps: bigint = DEFAULT_MIN_PROJECTION_BPS,
  bound?: NormBound,
): RoundAggregateResult {
  assertOnChainRule(rule);
  if (groups.length === 0) throw new InvalidInputError("groups", "no eligible group to aggregate");
  const lanes = groups[0].sum.length;
  groups.forEach((g, k) => {
    if (g.sum.length !== lanes) throw new InvalidInputError(`groups[${k}].sum`, `has ${g.sum.length} lanes, expected ${lanes}`);
  });
  const means = groups.map((g) => groupMean(g.sum, g.submitters));
  const excludedAt = bound ? overBoundChunks(groups, bound) : groups.map(() => Infinity);
  const chunkLanes = bound?.chunkLanes ?? Math.max(lanes, 1);
  const agg = new Int32Array(lanes);
  let voidedAt = Infinity;
  for (let c = 0; c * chunkLanes < lanes; c++) {
    const within = means.filter((_, k) => excludedAt[k] > c);
    if (bound && within.length < bound.minGroups) {
      voidedAt = c;
      break;
    }
    if (rule.rule === "geomedian" || rule.rule === "multi-krum") continue;
    const column = new Int32Array(within.length);
    for (let i = c * chunkLanes; i < Math.min((c + 1) * chunkLanes, lanes); i++) {
      for (let k = 0; k < within.length; k++) column[k] = within[k][i];
      agg[i] = onChainRuleOfSorted(column.sort(), rule);
    }
  }
  if (voidedAt !== Infinity) {
    const zeros = groups.map(() => 0n);
    const none = groups.map(() => false);
    return { means, aggregate: new Uint32Array(lanes), dists: zeros, medianDist: 0n, dots: zeros, aggNorm: 0n, inliers: none, excludedAt, voidedAt };
  }
  const counted = excludedAt.flatMap((c, k) => (c === Infinity ? [k] : []));
  if (rule.rule === "geomedian" || rule.rule === "multi-krum") return gramResult(rule.rule, means, counted, excludedAt, outlierFactorBps, minProjectionBps);
  const scored = scoreGroups(
    counted.map((k) => means[k]),
    agg,
    outlierFactorBps,
    minProjectionBps,
  );
  const dists = groups.map(() => 0n);
  const dots = groups.map(() => 0n);
  const inliers = groups.map(() => false);
  counted.forEach((k, u) => {
    [dists[k], dots[k], inliers[k]] = [scored.dists[u], scored.dots[u], scored.inliers[u]];
  });
  return { means, aggregate: new Uint32Array(agg.buffer), dists, medianDist: scored.medianDist, dots, aggNorm: scored.aggNorm, inliers, excludedAt, voidedAt };
}

/**
 * A round under a Gram rule: weights for the groups never over the bound from their Gram matrix (the geometric
 * median's by geoMedianWeights, which the contract certifies; Multi-Krum's choice, which it makes itself), the
 * aggregate they define, and the distances, dots and norm of the certificate's formulas, scored as the contract does.
 */
function gramResult(
  rule: "geomedian" | "multi-krum",
  means: Int32Array[],
  counted: number[],
  excludedAt: number[],
  outlierFactorBps: bigint,
  minProjectionBps: bigint,
): RoundAggregateResult {
  const kept = counted.map((k) => means[k]);
  const gram = gramMatrix(kept);
  const weights = rule === "geomedian" ? geoMedianWeights(gram) : multiKrumWeights(gram);
  const c = certifyGeoMedian(gram, weights);
  const flags = inlierFlags({ dists: c.dists, dots: c.dots, aggNorm: c.aggNorm, outlierFactorBps, minProjectionBps });
  const dists = means.map(() => 0n);
  const dots = means.map(() => 0n);
  const inliers = means.map(() => false);
  counted.forEach((k, u) => {
    [dists[k], dots[k], inliers[k]] = [c.dists[u], c.dots[u], flags[u]];
  });
  const aggregate = weightedAggregate(kept, weights);
  return { means, aggregate, dists, medianDist: bigintMedian(c.dists), dots, aggNorm: c.aggNorm, inliers, excludedAt, voidedAt: Infinity, weights };
}

/** The groups' distances to an aggregate, dot products with it, its norm and the inlier flags, exactly as the contract computes them. */
export function scoreGroups(
  means: readonly Int32Array[],
  agg: Int32Array,
  outlierFactorBps: bigint = DEFAULT_OUTLIER_FACTOR_BPS,
  minProjectionBps: bigint = DEFAULT_MIN_PROJECTION_BPS,
): Pick<RoundAggregateResult, "dists" | "medianDist" | "dots" | "aggNorm" | "inliers"> {
  const dists = means.map((mean) => squaredDistanceExact(mean, agg));
  const dots = means.map((mean) => dotExact(mean, agg));
  const aggNorm = dotExact(agg, agg);
  return { dists, medianDist: bigintMedian(dists), dots, aggNorm, inliers: inlierFlags({ dists, dots, aggNorm, outlierFactorBps, minProjectionBps }) };
}

/** roundAggregate's input: eligible groups (sums or masked vectors + reveals), the rule and the inlier bounds. */
export interface RoundAggregateParameters {
  groups: readonly (GroupSum | MaskedGroup)[];
  rule: OnChainRule;
  outlierFactorBps?: bigint;
  /** Default DEFAULT_MIN_PROJECTION_BPS; 0 disables the projection test. */
  minProjectionBps?: bigint;
  /** Global index of the first word of the vectors (masks depend on it); default 0. */
  firstWord?: number;
  /** The contract's norm bound; without it no group is excluded. */
  bound?: NormBound;
}

/** The round's outcome, unmasking masked groups first (see aggregateGroupSums). */
export async function roundAggregate(params: RoundAggregateParameters): Promise<RoundAggregateResult> {
  const sums = await Promise.all(
    params.groups.map(async (g): Promise<GroupSum> =>
      "sum" in g ? g : { submitters: g.masked.length, sum: await unmaskGroupSum({ masked: g.masked, reveals: g.reveals, firstWord: params.firstWord }) },
    ),
  );
  return aggregateGroupSums(sums, params.rule, params.outlierFactorBps, params.minProjectionBps, params.bound);
}
