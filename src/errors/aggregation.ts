// Errors of the robust aggregation rules.
import { BaseError } from "./base";

/** The rule needs more updates than it was given (e.g. Krum needs n > 2f + 2). */
export class TooFewUpdatesError extends BaseError {
  override name = "TooFewUpdatesError";

  constructor(rule: string, given: number, required: string) {
    super(`${rule} needs ${required} updates, got ${given}`, { details: { rule, given, required } });
  }
}

/** No aggregation rule or attack is registered under this name. */
export class UnknownRuleError extends BaseError {
  override name = "UnknownRuleError";

  constructor(kind: "rule" | "attack", name: string, known: readonly string[]) {
    super(`unknown ${kind} "${name}" (known: ${known.join(", ")})`, { details: { kind, name, known } });
  }
}
