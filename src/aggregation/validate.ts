// Input validation shared by every rule: rectangular, finite rows and sane parameters.
import { InvalidInputError, TooFewUpdatesError } from "../errors";
import type { Updates } from "./types";

/** Checks updates are a non-empty list of equal-length, finite rows, and returns them as Float64Arrays. */
export function toRows(updates: Updates): Float64Array[] {
  if (!Array.isArray(updates) || updates.length === 0) throw new InvalidInputError("updates", "must be a non-empty array of rows");
  const rows: Float64Array[] = [];
  let dim = -1;
  updates.forEach((row: unknown, r: number) => {
    if (!(row instanceof Float64Array) && !Array.isArray(row)) throw new InvalidInputError(`updates[${r}]`, "must be an array of numbers");
    if (dim === -1) dim = row.length;
    if (row.length !== dim) throw new InvalidInputError(`updates[${r}]`, `has length ${row.length}, expected ${dim} (ragged rows)`);
    const values = row instanceof Float64Array ? row : Float64Array.from(row as number[]);
    for (let c = 0; c < values.length; c++) {
      if (typeof (row as ArrayLike<unknown>)[c] !== "number" || !Number.isFinite(values[c])) {
        throw new InvalidInputError(`updates[${r}][${c}]`, `must be a finite number, got ${String((row as ArrayLike<unknown>)[c])}`);
      }
    }
    rows.push(values);
  });
  if (dim === 0) throw new InvalidInputError("updates", "rows must not be empty");
  return rows;
}

/** Throws unless `n` satisfies the rule's minimum (`required` describes it, e.g. "n > 2f + 2"). */
export function requireCount(rule: string, n: number, ok: boolean, required: string): void {
  if (!ok) throw new TooFewUpdatesError(rule, n, required);
}

/** Reads an integer option in [min, max]. */
export function intOption(field: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new InvalidInputError(field, `must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

/** Reads a finite number option in [min, max) (or [min, max] when `inclusiveMax`). */
export function numberOption(field: string, value: number | undefined, fallback: number, min: number, max: number, inclusiveMax = false): number {
  const v = value ?? fallback;
  const below = inclusiveMax ? v <= max : v < max;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || !below) {
    throw new InvalidInputError(field, `must be a number in [${min}, ${max}${inclusiveMax ? "]" : ")"}, got ${v}`);
  }
  return v;
}

/** Reads `weights`: one finite non-negative weight per update with a positive sum (all ones if absent). */
export function weightsOption(weights: readonly number[] | undefined, n: number): Float64Array {
  if (weights === undefined) return new Float64Array(n).fill(1);
  if (!Array.isArray(weights) || weights.length !== n) throw new InvalidInputError("weights", `must have one entry per update (${n})`);
  let total = 0;
  for (const w of weights) {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) throw new InvalidInputError("weights", `must be finite and non-negative, got ${w}`);
    total += w;
  }
  if (total <= 0) throw new InvalidInputError("weights", "must have a positive sum");
  return Float64Array.from(weights);
}
