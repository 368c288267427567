// Coordinate-wise trimmed mean: drop the k = floor(β·n) largest and smallest values per coordinate
// and average the rest.
// Paper: Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
// Statistical Rates", ICML 2018. Stays within the honest range per coordinate while f ≤ k.
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { numberOption, toRows } from "./validate";
import { perCoordinate } from "./vectorMath";

/** The β-trimmed mean per coordinate (`opts.beta` in [0, 0.5), default 0.1). */
export function trimmedMean(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const rows = toRows(updates);
  const beta = numberOption("beta", opts.beta, 0.1, 0, 0.5);
  const k = Math.floor(beta * rows.length);
  return perCoordinate(rows, (sorted) => {
    let sum = 0;
    for (let r = k; r < sorted.length - k; r++) sum += sorted[r];
    return sum / (sorted.length - 2 * k);
  });
}

/** Trimmed mean behind the Aggregator interface. */
export const trimmedMeanAggregator: Aggregator = { name: "trimmed-mean", aggregate: trimmedMean };
