// Gaussian attack: send a random vector drawn from N(0, σ² I) instead of the update.
// Paper: Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
// Tolerant Gradient Descent", NeurIPS 2017 (their experiments use σ = 200, our default).
import { InvalidInputError } from "../errors";
import { secureRng, type Rng } from "../protocol/rng";
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter } from "./util";

/** One standard normal sample (Box–Muller). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A vector of N(0, σ²) samples with the update's length (`sigma` default 200). */
export function gaussianNoise(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const sigma = finiteParameter("sigma", params.sigma, 200);
  if (sigma < 0) throw new InvalidInputError("sigma", `must be non-negative, got ${sigma}`);
  const rng = ctx.rng ?? secureRng();
  return Float64Array.from(ctx.own, () => sigma * standardNormal(rng));
}
