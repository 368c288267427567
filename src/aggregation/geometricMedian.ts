// Geometric median by the smoothed Weiszfeld algorithm (RFA).
// Paper: Pillutla, Kakade, Harchaoui, "Robust Aggregation for Federated Learning", IEEE Transactions
// on Signal Processing 70, 2022. Minimises Σ α_i max(ν, ‖v − x_i‖); breakdown point 1/2: while the
// malicious weight is below half, the result stays within a bounded distance of the honest updates.
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { intOption, numberOption, toRows, weightsOption } from "./validate";
import { l2Norm, weightedAverage } from "./vectorMath";

function objective(rows: readonly Float64Array[], alphas: Float64Array, v: Float64Array, nu: number): number {
  let total = 0;
  rows.forEach((row, i) => {
    let s = 0;
    for (let k = 0; k < v.length; k++) s += (row[k] - v[k]) ** 2;
    total += alphas[i] * Math.max(nu, Math.sqrt(s));
  });
  return total;
}

/**
 * The smoothed-Weiszfeld geometric median: start at the weighted mean, reweight by α_i / max(ν, ‖v − x_i‖),
 * stop when the objective improves by less than `tolerance` (relative, default 1e-6) or after
 * `maxIterations` (default 100); `smoothing` ν defaults to 1e-6, `weights` α to all ones.
 */
export function geometricMedian(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const rows = toRows(updates);
  const alphas = weightsOption(opts.weights, rows.length);
  const maxIterations = intOption("maxIterations", opts.maxIterations, 100, 1, 1_000_000);
  const tolerance = numberOption("tolerance", opts.tolerance, 1e-6, 0, Infinity);
  const nu = numberOption("smoothing", opts.smoothing, 1e-6, Number.MIN_VALUE, Infinity);
  let v = weightedAverage(rows, alphas);
  let previous = objective(rows, alphas, v, nu);
  for (let it = 0; it < maxIterations; it++) {
    const betas = rows.map((row, i) => {
      const diff = Float64Array.from(row, (x, k) => x - v[k]);
      return alphas[i] / Math.max(nu, l2Norm(diff));
    });
    v = weightedAverage(rows, betas);
    const current = objective(rows, alphas, v, nu);
    if (Math.abs(previous - current) <= tolerance * current) break;
    previous = current;
  }
  return v;
}

/** Geometric median behind the Aggregator interface. */
export const geometricMedianAggregator: Aggregator = { name: "geomedian", aggregate: geometricMedian };
