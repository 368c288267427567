// Scaling / model replacement: boost the update by λ so that it survives averaging.
// Paper: Bagdasaryan, Veit, Hua, Estrin, Shmatikov, "How To Backdoor Federated Learning", AISTATS 2020,
// where λ ≈ n / η (participants over server learning rate) replaces the global model. Default λ = 10.
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter } from "./util";

/** scale · own (default λ = 10). */
export function scaling(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const scale = finiteParameter("scale", params.scale, 10);
  return Float64Array.from(ctx.own, (x) => scale * x);
}
