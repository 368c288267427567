// Norm clipping: scale each update down to L2 norm at most τ, then average. The same clip is the
// first step of quantization (src/protocol/quantize.ts). Bounds the influence of any single update
// to τ / n; it is a standard defence against scaling / model-replacement attacks (Sun, Kairouz,
// Suresh, McMahan, "Can You Really Backdoor Federated Learning?", 2019).
import { InvalidInputError } from "../errors";
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { toRows } from "./validate";
import { average, l2Norm } from "./vectorMath";

/** x scaled by min(1, bound / ‖x‖₂) (a new array; x is not modified). */
export function clipToNorm(x: Float64Array, bound: number): Float64Array {
  if (!Number.isFinite(bound) || bound < 0) throw new InvalidInputError("bound", `must be finite and non-negative, got ${bound}`);
  const norm = l2Norm(x);
  const out = Float64Array.from(x);
  if (norm > bound) {
    const factor = bound / norm;
    for (let i = 0; i < out.length; i++) out[i] *= factor;
  }
  return out;
}

/** The mean of the updates after clipping each to norm `opts.tau` (required, > 0). */
export function normClippedMean(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const rows = toRows(updates);
  const tau = opts.tau;
  if (tau === undefined || !Number.isFinite(tau) || tau <= 0) throw new InvalidInputError("tau", `must be a positive number, got ${tau}`);
  return average(rows.map((row) => clipToNorm(row, tau)));
}

/** Norm clipping then mean, behind the Aggregator interface. */
export const normClippingAggregator: Aggregator = { name: "norm-clipping", aggregate: normClippedMean };
