// Errors of the fixed-point encoding of updates.
import { BaseError } from "./base";

/** A job's parameters would let an honest group sum wrap around 2^31. */
export class QuantizationOverflowError extends BaseError {
  override name = "QuantizationOverflowError";

  constructor(maxGroupSize: number, clipNormQ: bigint | number) {
    super(`maxGroupSize · (clipNormQ + 1) must be below 2^31 (maxGroupSize ${maxGroupSize}, clipNormQ ${clipNormQ})`, {
      details: { maxGroupSize, clipNormQ },
    });
  }
}
