// Shared checks and statistics for the attacks.
import { InvalidInputError } from "../errors";
import { toRows } from "../aggregation/validate";
import { average } from "../aggregation/vectorMath";

/** A finite number parameter (or its default). */
export function finiteParameter(field: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidInputError(field, `must be a finite number, got ${v}`);
  return v;
}

/** The mean of the honest updates the attacker knows (validated, non-empty, same length). */
export function honestMean(honest: readonly Float64Array[]): Float64Array {
  return average(toRows(honest));
}
