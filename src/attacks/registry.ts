// Every attack by name: update attacks share one signature; label-flip transforms data instead.
import { UnknownRuleError } from "../errors";
import { alie } from "./alie";
import { freeRider } from "./freeRider";
import { gaussianNoise } from "./gaussianNoise";
import { ipm } from "./ipm";
import { labelFlip } from "./labelFlip";
import { scaling } from "./scaling";
import { signFlip } from "./signFlip";
import type { UpdateAttack } from "./types";

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
});

/** The attack registered under `name`, or UnknownRuleError listing the known names. */
export function getAttack(name: string): AttackEntry {
  const entry = Object.prototype.hasOwnProperty.call(attacks, name) ? attacks[name] : undefined;
  if (entry === undefined) throw new UnknownRuleError("attack", name, Object.keys(attacks));
  return entry;
}
