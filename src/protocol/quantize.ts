// Fixed-point encoding of float updates into Z_2^32 (docs/PROTOCOL.md "Quantization"):
// clip to ‖x‖₂ ≤ C = clipNormQ / 2^s, scale by 2^s, round stochastically without bias, encode uint32(int32).
//
// Error bound: after clipping, every element satisfies |dequantize(quantize(x)) − x_clipped| < 2^−s,
// because stochastic rounding moves the scaled value by less than 1 unit. The rounding is unbiased:
// E[q] = 2^s · x_clipped.
import { InvalidInputError, QuantizationOverflowError } from "../errors";
import { clipToNorm } from "../aggregation/normClipping";
import { MAX_SCALE_BITS } from "./constants";
import { secureRng, type Rng } from "./rng";

/** The quantization parameters of a job. */
export interface QuantizationParameters {
  /** s: values are scaled by 2^s. */
  scaleBits: number;
  /** The L2 clip bound in quantized units (float bound C = clipNormQ / 2^s). */
  clipNormQ: number;
}

const INT32_LIMIT = 2 ** 31;

/** Checks s and clipNormQ, and that maxGroupSize · (clipNormQ + 1) < 2^31 so no honest group sum wraps. */
export function assertQuantizationParameters(params: QuantizationParameters, maxGroupSize: number): void {
  const { scaleBits, clipNormQ } = params;
  if (!Number.isInteger(scaleBits) || scaleBits < 0 || scaleBits > MAX_SCALE_BITS) {
    throw new InvalidInputError("scaleBits", `must be an integer in [0, ${MAX_SCALE_BITS}], got ${scaleBits}`);
  }
  if (!Number.isSafeInteger(clipNormQ) || clipNormQ < 0) {
    throw new InvalidInputError("clipNormQ", `must be a non-negative integer, got ${clipNormQ}`);
  }
  if (!Number.isSafeInteger(maxGroupSize) || maxGroupSize < 1) {
    throw new InvalidInputError("maxGroupSize", `must be a positive integer, got ${maxGroupSize}`);
  }
  if (maxGroupSize * (clipNormQ + 1) >= INT32_LIMIT) throw new QuantizationOverflowError(maxGroupSize, clipNormQ);
}

/** The float clip bound C = clipNormQ / 2^s. */
export function clipBound(params: QuantizationParameters): number {
  return params.clipNormQ / 2 ** params.scaleBits;
}

/** Quantizes a float update: clip, scale by 2^s, round stochastically (unbiased) with `rng`, encode uint32. */
export function quantize(x: ArrayLike<number>, params: QuantizationParameters, rng: Rng = secureRng()): Uint32Array {
  assertQuantizationParameters(params, 1);
  const clipped = clipToNorm(Float64Array.from(x), clipBound(params));
  const scale = 2 ** params.scaleBits;
  const q = new Uint32Array(clipped.length);
  for (let i = 0; i < clipped.length; i++) {
    const v = clipped[i] * scale;
    const floor = Math.floor(v);
    // floor(v) + 1 with probability v − floor(v): E[result] = v.
    const rounded = rng() < v - floor ? floor + 1 : floor;
    q[i] = rounded; // Uint32Array stores uint32(int32(rounded)) for |rounded| < 2^31.
  }
  return q;
}

/** Decodes uint32(int32) lanes scaled by 2^s back to floats. */
export function dequantize(q: Uint32Array, scaleBits: number): Float64Array {
  const scale = 2 ** -scaleBits;
  const x = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) x[i] = (q[i] | 0) * scale;
  return x;
}
