// Exact integer sums over int32 vectors, as the contract's 256-bit arithmetic computes them, at the speed of
// doubles where they are exact.

/** Σ (a_i − b_i)^2 exactly: small squares add up in a double while it stays below 2^52, then flush. */
export function squaredDistanceExact(a: Int32Array, b: Int32Array): bigint {
  let total = 0n;
  let partial = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = a[i] - b[i];
    if (diff > -67108864 && diff < 67108864) {
      partial += diff * diff;
      if (partial >= 4503599627370496) {
        total += BigInt(partial);
        partial = 0;
      }
    } else {
      total += BigInt(diff) ** 2n;
    }
  }
  return total + BigInt(partial);
}

/** Σ a_i · b_i exactly (signed): products below 2^52 add up in a double while it stays within ±2^52. */
export function dotExact(a: Int32Array, b: Int32Array): bigint {
  let total = 0n;
  let partial = 0;
  for (let i = 0; i < a.length; i++) {
    const product = a[i] * b[i];
    if (product > -4503599627370496 && product < 4503599627370496) {
      partial += product;
      if (partial >= 4503599627370496 || partial <= -4503599627370496) {
        total += BigInt(partial);
        partial = 0;
      }
    } else {
      total += BigInt(a[i]) * BigInt(b[i]);
    }
  }
  return total + BigInt(partial);
}
