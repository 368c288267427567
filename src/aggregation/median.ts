// Coordinate-wise median.
// Paper: Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
// Statistical Rates", ICML 2018. Per coordinate it stays within the honest range while fewer than
// half of the updates are malicious (f < n / 2).
import type { Aggregator, Updates } from "./types";
import { toRows } from "./validate";
import { perCoordinate } from "./vectorMath";

/** The middle of a sorted list: v[(n−1)/2] for odd n, midpoint(v[n/2−1], v[n/2]) for even n. */
export function sortedMedian<T>(sorted: ArrayLike<T>, midpoint: (low: T, high: T) => T): T {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : midpoint(sorted[n / 2 - 1], sorted[n / 2]);
}

/** The median of a sorted float column (mean of the two middle values for an even count). */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  return sortedMedian(sorted, (low, high) => (low + high) / 2);
}

/** The coordinate-wise median of the updates. */
export function coordinateMedian(updates: Updates): Float64Array {
  return perCoordinate(toRows(updates), medianOfSorted);
}

/** Coordinate-wise median behind the Aggregator interface. */
export const medianAggregator: Aggregator = { name: "median", aggregate: (updates) => coordinateMedian(updates) };
