// Errors of the masking protocol: keys, seeds and group sums.
import { BaseError } from "./base";

/** A Baby Jubjub public key is off the curve, the identity, or outside the prime-order subgroup. */
export class InvalidPublicKeyError extends BaseError {
  override name = "InvalidPublicKeyError";

  constructor(field: string, key: readonly [bigint, bigint]) {
    super(`invalid Baby Jubjub public key in ${field}`, { details: { field, x: key[0].toString(), y: key[1].toString() } });
  }
}

/** A group sum cannot be unmasked: the inputs do not describe a consistent group. */
export class UnmaskError extends BaseError {
  override name = "UnmaskError";

  constructor(problem: string, details: Record<string, unknown> = {}) {
    super(`cannot unmask group sum: ${problem}`, { details });
  }
}

/** Weiszfeld's algorithm found no uint32 weights the contract's geometric-median certificate accepts. */
export class GeoMedianCertificateError extends BaseError {
  override name = "GeoMedianCertificateError";

  constructor(groups: number, iterations: number) {
    super(`no geometric-median certificate found for ${groups} groups in ${iterations} iterations`, { details: { groups, iterations } });
  }
}
