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
}

/** An attack on the update: returns the malicious update to submit. */
export type UpdateAttack = (ctx: AttackContext, params?: AttackParameters) => Float64Array;
