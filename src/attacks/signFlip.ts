// Sign-flip: send −λ · g instead of the honest update g. A common baseline in the robust-aggregation
// literature (e.g. Karimireddy et al., ICML 2021; Allen-Zhu et al. 2021); λ = 1 by default (pure
// reversal); larger λ combines it with scaling.
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter } from "./util";

/** −scale · own (scale λ, default 1). */
export function signFlip(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const scale = finiteParameter("scale", params.scale, 1);
  return Float64Array.from(ctx.own, (x) => -scale * x);
}
