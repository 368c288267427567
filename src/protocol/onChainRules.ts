// The on-chain rules over int32 group means, exactly as docs/PROTOCOL.md "Aggregation of a round":
// median (even count: midpoint truncated toward zero) and trimmed mean with trimBps (b = floor(e·trimBps
// / 10000) dropped at each end, mean truncated toward zero). Integer versions of Yin et al., ICML 2018
// ("Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates"). Sums are exact (no
// int32 overflow), as in the contract's wider integer arithmetic.
import { InvalidInputError, TooFewUpdatesError } from "../errors";
import { sortedMedian } from "../aggregation/median";
import { BPS, MAX_TRIM_BPS } from "./constants";

/** An on-chain rule that works per lane. */
export type CoordinateRule = { rule: "median" } | { rule: "trimmed-mean"; trimBps: number };
/** A job's on-chain rule: per lane, or over whole vectors from the Gram matrix (geoMedian.ts, multiKrum.ts). */
export type OnChainRule = CoordinateRule | { rule: "geomedian" } | { rule: "multi-krum" };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** a / b truncated toward zero, exact for |a| < 2^53 and b ≥ 1. */
export function truncDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** Checks the rule's parameters (trimBps an integer in [0, 5000)). */
export function assertOnChainRule(rule: OnChainRule): void {
  if (rule.rule === "median" || rule.rule === "geomedian" || rule.rule === "multi-krum") return;
  if (rule.rule !== "trimmed-mean")
    throw new InvalidInputError("rule", `must be median, trimmed-mean, geomedian or multi-krum, got ${(rule as { rule: string }).rule}`);
  if (!Number.isInteger(rule.trimBps) || rule.trimBps < 0 || rule.trimBps >= MAX_TRIM_BPS) {
    throw new InvalidInputError("trimBps", `must be an integer in [0, ${MAX_TRIM_BPS}), got ${rule.trimBps}`);
  }
}

/** The rule applied to an ascending-sorted column of int32 values (no validation: the hot path). */
export function onChainRuleOfSorted(sorted: Int32Array, rule: CoordinateRule): number {
  if (rule.rule === "median") return sortedMedian(sorted, (low, high) => truncDiv(low + high, 2));
  const e = sorted.length;
  const b = Math.floor((e * rule.trimBps) / BPS);
  let sum = 0;
  for (let k = b; k < e - b; k++) sum += sorted[k];
  return truncDiv(sum, e - 2 * b);
}

/** The on-chain rule over a list of int32 values (any order); the result is an int32. */
export function onChainRule(values: ArrayLike<number>, rule: CoordinateRule): number {
  assertOnChainRule(rule);
  const name = (rule as OnChainRule).rule;
  if (name === "geomedian" || name === "multi-krum") throw new InvalidInputError("rule", `${name} is not a per-lane rule`);
  if (values.length === 0) throw new TooFewUpdatesError(rule.rule, 0, "at least 1");
  const column = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) throw new InvalidInputError(`values[${k}]`, `must be an int32, got ${v}`);
    column[k] = v;
  }
  return onChainRuleOfSorted(column.sort(), rule);
}

/** The on-chain median of non-negative bigints (the inlier test's median distance). */
export function bigintMedian(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new TooFewUpdatesError("median", 0, "at least 1");
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sortedMedian(sorted, (low, high) => (low + high) / 2n);
}
