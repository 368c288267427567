// What a model-poisoning attack sees and returns.
import type { Rng } from "../protocol/rng";

/** The attacker's view when crafting a malicious update. */
export interface AttackContext {
  /** The update the attacker would send if honest. */
  own: Float64Array;
  /** Honest updates the attacker knows (omniscient attacks such as ALIE and IPM estimate from them). */
  honest: readonly Float64Array[];
  /** Total number of participants n. */
  n: number;
  /** Number of malicious participants f. */
  f: number;
  /** Randomness for noisy attacks (default: a secure source). */
  rng?: Rng;
  /** The round (0-based); attacks that change with the round need it. */
  round?: number;
  /** Omniscient: the updates of the honest members of the attacker's group this round. */
  group?: readonly Float64Array[];
  /** Attackers in the attacker's group, itself included (they share the group's norm budget; default 1). */
  groupAttackers?: number;
  /** The L2 bound the contract puts on the group's sum, in the update's units (group size × clip norm). */
  groupBound?: number;
  /** The group's size (members the bound counts). */
  groupSize?: number;
  /** The previous round's aggregate (the public model's last change); undefined in round 0. */
  lastAggregate?: Float64Array;
}

/** The union of every attack's parameters (each attack reads its own). */
export interface AttackParameters {
  /** Multiplier λ (sign-flip, scaling). */
  scale?: number;
  /** Standard deviation σ (gaussian). */
  sigma?: number;
  /** ε (ipm). */
  epsilon?: number;
  /** Override of the computed z (alie). */
  z?: number;
  /** "zero" or "stale" (free-rider). */
  mode?: "zero" | "stale";
  /** The stale update a free-rider replays. */
  stale?: Float64Array;
  /** Fraction of the bound an attacker leaves unused (bounded; default 0.02). */
  margin?: number;
  /** The attack an intermittent attacker runs when it does not behave (default "scaling"). */
  base?: string;
  /** An intermittent attacker behaves in rounds r with r mod period = 0 (default 5: the first of five). */
  period?: number;
}

/** An attack on the update: returns the malicious update to submit. */
export type UpdateAttack = (ctx: AttackContext, params?: AttackParameters) => Float64Array;
