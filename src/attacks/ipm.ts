// Inner-product manipulation (IPM): send −ε times the mean of the honest updates, so the aggregate's
// inner product with the true gradient turns negative. Paper: Xie, Koyejo, Gupta, "Fall of Empires:
// Breaking Byzantine-tolerant SGD by Inner Product Manipulation", UAI 2020 (ε = 0.1 beats median and
// Krum; large ε such as 100 beats the mean). Default ε = 0.1.
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter, honestMean } from "./util";

/** −epsilon · mean(honest) (default ε = 0.1). */
export function ipm(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const epsilon = finiteParameter("epsilon", params.epsilon, 0.1);
  return Float64Array.from(honestMean(ctx.honest), (x) => -epsilon * x);
}
