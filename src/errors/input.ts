// Errors for values that callers pass in: each names the offending field.
import { BaseError, type BaseErrorOptions } from "./base";

/** A caller-supplied value is malformed or out of range; `field` names it. */
export class InvalidInputError extends BaseError {
  override name = "InvalidInputError";
  readonly field: string;

  constructor(field: string, problem: string, options: BaseErrorOptions = {}) {
    super(`invalid ${field}: ${problem}`, { ...options, details: { field, ...options.details } });
    this.field = field;
  }
}
