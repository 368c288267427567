// Weighted averaging, FedAvg's server step with weights n_k / n (local dataset sizes).
// Paper: McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data",
// AISTATS 2017.
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { toRows, weightsOption } from "./validate";
import { weightedAverage } from "./vectorMath";

/** Σ w_k x_k / Σ w_k with `opts.weights` (non-negative, positive sum; all ones if absent). */
export function weightedMean(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const rows = toRows(updates);
  return weightedAverage(rows, weightsOption(opts.weights, rows.length));
}

/** FedAvg's weighted mean behind the Aggregator interface. */
export const weightedMeanAggregator: Aggregator = { name: "weighted-mean", aggregate: weightedMean };
