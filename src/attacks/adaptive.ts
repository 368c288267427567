// Attacks that know the market's mechanisms (docs/AGGREGATION.md, "The attacks"):
// - bounded: the honest mean's direction reversed, at the largest norm that keeps the attacker's group
//   sum within the contract's norm bound (so the group is never excluded and no record counts it over);
// - stale free-rider: replays the previous round's aggregate, slightly perturbed, so its group mean
//   points roughly where the honest ones do without training;
// - intermittent (in the registry, as it wraps another attack): behaves in some rounds to keep its record
//   clear and attacks in the others.
import { InvalidInputError } from "../errors";
import { secureRng } from "../protocol/rng";
import { standardNormal } from "./gaussianNoise";
import type { AttackContext, AttackParameters } from "./types";
import { finiteParameter, honestMean } from "./util";

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * −λ · u with u the unit direction of the honest mean and λ the largest norm such that the group sum
 * (its honest members' updates minus λ · u from each of its attackers) stays within (1 − margin) of the
 * bound. Without the group's updates (not omniscient) λ is the clip norm groupBound / groupSize, which no
 * group of clipped members can take over the bound.
 */
export function bounded(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const margin = finiteParameter("margin", params.margin, 0.02);
  if (margin < 0 || margin >= 1) throw new InvalidInputError("margin", `must be in [0, 1), got ${margin}`);
  if (ctx.groupBound === undefined || !(ctx.groupBound > 0)) throw new InvalidInputError("groupBound", "the bounded attack needs the group's norm bound");
  const mean = honestMean(ctx.honest.length > 0 ? ctx.honest : [ctx.own]);
  const norm = Math.sqrt(dot(mean, mean));
  if (norm === 0) return new Float64Array(ctx.own.length);
  const u = Float64Array.from(mean, (x) => x / norm);
  const attackers = ctx.groupAttackers ?? 1;
  let lambda: number;
  if (ctx.group === undefined) {
    const size = ctx.groupSize;
    if (size === undefined || size < 1) throw new InvalidInputError("groupSize", "the bounded attack needs the group size without the group's updates");
    lambda = ctx.groupBound / size;
  } else {
    // ‖S − t·u‖ ≤ B: t = u·S + √((u·S)² − ‖S‖² + B²), split over the group's attackers.
    const sum = new Float64Array(ctx.own.length);
    for (const h of ctx.group) h.forEach((x, e) => (sum[e] += x));
    const us = dot(u, sum);
    const limit = ctx.groupBound * (1 - margin);
    const disc = us * us - dot(sum, sum) + limit * limit;
    lambda = Math.max(0, disc >= 0 ? us + Math.sqrt(disc) : us) / attackers;
  }
  return Float64Array.from(u, (x) => -lambda * x);
}

/** The previous round's aggregate (zero in round 0) plus N(0, (scale · rms)²) noise per element (scale default 0.05). */
export function staleFreeRider(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const scale = finiteParameter("scale", params.scale, 0.05);
  const last = ctx.lastAggregate ?? new Float64Array(ctx.own.length);
  if (last.length !== ctx.own.length) throw new InvalidInputError("lastAggregate", `must have length ${ctx.own.length}, got ${last.length}`);
  const rms = Math.sqrt(dot(last, last) / Math.max(1, last.length));
  const rng = ctx.rng ?? secureRng();
  return Float64Array.from(last, (x) => x + scale * rms * standardNormal(rng));
}
