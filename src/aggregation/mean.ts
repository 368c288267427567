// Plain averaging, the aggregation step of FedAvg.
// Paper: McMahan, Moore, Ramage, Hampson, Agüera y Arcas, "Communication-Efficient Learning of
// Deep Networks from Decentralized Data", AISTATS 2017. Not robust: one update can move it anywhere.
import type { Aggregator, Updates } from "./types";
import { toRows } from "./validate";
import { average } from "./vectorMath";

/** The coordinate-wise average of the updates. */
export function mean(updates: Updates): Float64Array {
  return average(toRows(updates));
}

/** FedAvg's unweighted mean behind the Aggregator interface. */
export const meanAggregator: Aggregator = { name: "mean", aggregate: (updates) => mean(updates) };
