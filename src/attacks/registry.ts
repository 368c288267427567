// Every attack by name: update attacks share one signature; label-flip transforms data instead.
import { InvalidInputError, UnknownRuleError } from "../errors";
import { bounded, staleFreeRider } from "./adaptive";
import { alie } from "./alie";
import { freeRider } from "./freeRider";
import { gaussianNoise } from "./gaussianNoise";
import { ipm } from "./ipm";
import { labelFlip } from "./labelFlip";
import { scaling } from "./scaling";
import { signFlip } from "./signFlip";
import type { AttackContext, AttackParameters, UpdateAttack } from "./types";
import { finiteParameter } from "./util";

/** A registered attack: on the update sent, or on the training labels. */
export type AttackEntry = { kind: "update"; apply: UpdateAttack } | { kind: "data"; apply: typeof labelFlip };

/** The registered attacks, keyed by name. */
export const attacks: Readonly<Record<string, AttackEntry>> = Object.freeze({
  "sign-flip": { kind: "update", apply: signFlip },
  scaling: { kind: "update", apply: scaling },
  gaussian: { kind: "update", apply: gaussianNoise },
  alie: { kind: "update", apply: alie },
  ipm: { kind: "update", apply: ipm },
  "free-rider": { kind: "update", apply: freeRider },
  "label-flip": { kind: "data", apply: labelFlip },
  bounded: { kind: "update", apply: bounded },
  "stale-free-rider": { kind: "update", apply: staleFreeRider },
  intermittent: { kind: "update", apply: intermittent },
});

/**
 * Behaves (sends its own update) in rounds r with r mod period = 0 (period default 5), and runs the update
 * attack `base` (default "scaling") in the others, with the same parameters: a record with a clean round is
 * never convicted.
 */
export function intermittent(ctx: AttackContext, params: AttackParameters = {}): Float64Array {
  const period = finiteParameter("period", params.period, 5);
  if (!Number.isInteger(period) || period < 1) throw new InvalidInputError("period", `must be a positive integer, got ${period}`);
  if (ctx.round === undefined) throw new InvalidInputError("round", "the intermittent attack needs the round");
  const base = getAttack(params.base ?? "scaling");
  if (base.kind !== "update" || base.apply === intermittent)
    throw new InvalidInputError("base", `must be an update attack other than intermittent, got ${params.base}`);
  return ctx.round % period === 0 ? Float64Array.from(ctx.own) : base.apply(ctx, params);
}

/** The attack registered under `name`, or UnknownRuleError listing the known names. */
export function getAttack(name: string): AttackEntry {
  const entry = Object.prototype.hasOwnProperty.call(attacks, name) ? attacks[name] : undefined;
  if (entry === undefined) throw new UnknownRuleError("attack", name, Object.keys(attacks));
  return entry;
}
