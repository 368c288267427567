// Free-riding: claim pay without training, by sending a zero update or replaying a stale one.
// Paper: Lin, Du, Liu, "Free-riders in Federated Learning: Attacks and Defenses", arXiv 1911.12560 (2019).
import { InvalidInputError } from "../errors";
import type { AttackContext, AttackParameters } from "./types";

/** A zero vector (mode "zero", default) or a copy of `params.stale` (mode "stale"). */
export function freeRider(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const mode = params.mode ?? "zero";
  if (mode === "zero") return new Float64Array(ctx.own.length);
  if (mode !== "stale") throw new InvalidInputError("mode", `must be "zero" or "stale", got ${String(mode)}`);
  if (params.stale === undefined || params.stale.length !== ctx.own.length) {
    throw new InvalidInputError("stale", `must be an update of length ${ctx.own.length}`);
  }
  return Float64Array.from(params.stale);
}
