// Centered clipping: v ← v + (1/n) Σ (x_i − v) · min(1, τ / ‖x_i − v‖), repeated L times.
// Paper: Karimireddy, He, Jaggi, "Learning from History for Byzantine Robust Optimization", ICML 2021.
// The paper starts from the previous round's (momentum) aggregate with L = 1; stateless callers get the
// coordinate-wise median as the start and τ = the median distance of the updates to it.
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { InvalidInputError } from "../errors";
import { medianOfSorted } from "./median";
import { intOption, toRows } from "./validate";
import { l2Norm, perCoordinate, squaredDistance } from "./vectorMath";

/** Centered clipping from `opts.center` (default coordinate median), radius `opts.tau`, `opts.maxIterations` steps (default 3). */
export function centeredClipping(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const rows = toRows(updates);
  const dim = rows[0].length;
  const iterations = intOption("maxIterations", opts.maxIterations, 3, 1, 1_000_000);
  let v: Float64Array;
  if (opts.center !== undefined) {
    v = Float64Array.from(opts.center);
    if (v.length !== dim || v.some((x) => !Number.isFinite(x))) throw new InvalidInputError("center", `must be ${dim} finite numbers`);
  } else {
    v = perCoordinate(rows, medianOfSorted);
  }
  const start = v;
  const tau = opts.tau ?? medianOfSorted(Float64Array.from(rows, (row) => Math.sqrt(squaredDistance(row, start))).sort());
  if (!Number.isFinite(tau) || tau < 0) throw new InvalidInputError("tau", `must be a non-negative number, got ${tau}`);
  for (let it = 0; it < iterations; it++) {
    const step = new Float64Array(dim);
    for (const row of rows) {
      const diff = Float64Array.from(row, (x, k) => x - v[k]);
      const norm = l2Norm(diff);
      const scale = norm > tau ? tau / norm : 1;
      for (let k = 0; k < dim; k++) step[k] += diff[k] * scale;
    }
    v = Float64Array.from(v, (x, k) => x + step[k] / rows.length);
  }
  return v;
}

/** Centered clipping behind the Aggregator interface. */
export const centeredClippingAggregator: Aggregator = { name: "centered-clipping", aggregate: centeredClipping };
