// ALIE ("A Little Is Enough"): every attacker sends μ_j + z·σ_j per coordinate, where μ, σ are the
// mean and standard deviation of the honest updates, and z is the largest shift that still hides
// among the honest spread: s = ⌊n/2 + 1⌋ − f honest supporters are needed, z = Φ⁻¹((n − s) / n).
// Paper: Baruch, Baruch, Goldberg, "A Little Is Enough: Circumventing Defenses For Distributed
// Learning", NeurIPS 2019.
import { InvalidInputError } from "../errors";
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter, honestMean } from "./util";

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Φ⁻¹(p), the standard normal quantile, for p in (0, 1). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new InvalidInputError("p", `must be in (0, 1), got ${p}`);
  const tail = (q: number): number =>
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** The paper's z_max for n participants of which f are malicious. */
export function alieZ(n: number, f: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new InvalidInputError("n", `must be an integer ≥ 2, got ${n}`);
  if (!Number.isSafeInteger(f) || f < 1 || f >= n) throw new InvalidInputError("f", `must be an integer in [1, n), got ${f}`);
  const s = Math.floor(n / 2 + 1) - f;
  return normalQuantile((n - s) / n);
}

/** μ + z·σ per coordinate over the known honest updates (z from n and f unless `params.z` is given). */
export function alie(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const z = params.z === undefined ? alieZ(ctx.n, ctx.f) : finiteParameter("z", params.z, 0);
  const mu = honestMean(ctx.honest);
  const variance = new Float64Array(mu.length);
  for (const row of ctx.honest) for (let j = 0; j < mu.length; j++) variance[j] += (row[j] - mu[j]) ** 2;
  return Float64Array.from(mu, (m, j) => m + z * Math.sqrt(variance[j] / ctx.honest.length));
}
