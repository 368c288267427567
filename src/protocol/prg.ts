// The keccak counter mask stream: mask[w] = keccak256(abi.encode(seed, w)), lane t of word w
// being mask element 8w + t (docs/PROTOCOL.md "Mask words"). This is the masking hot path.
import { createKeccak, type IHasher } from "hash-wasm";
import { InvalidInputError } from "../errors";
import { toBytes32, type Bytes32 } from "./bytes";
import { LANES_PER_WORD } from "./packing";

// Writes w as the big-endian uint256 in bytes 32..63 of the abi.encode(seed, w) buffer.
function writeCounter(input: Uint8Array, w: number): void {
  const high = Math.floor(w / 0x1_0000_0000);
  const low = w >>> 0;
  input[56] = high >>> 24;
  input[57] = high >>> 16;
  input[58] = high >>> 8;
  input[59] = high;
  input[60] = low >>> 24;
  input[61] = low >>> 16;
  input[62] = low >>> 8;
  input[63] = low;
}

let hasherPromise: Promise<IHasher> | undefined;

/** The process-wide keccak-256 hasher (WebAssembly, initialised once). */
export function keccakHasher(): Promise<IHasher> {
  hasherPromise ??= createKeccak(256);
  return hasherPromise;
}

/**
 * Adds `sign` · mask lanes for words [firstWord, firstWord + target.length / 8) into `target`
 * (target[0] is lane 0 of word firstWord), mod 2^32, with an already initialised hasher.
 */
export function accumulateMaskWith(hasher: IHasher, target: Uint32Array, seed: Bytes32 | Uint8Array, sign: 1 | -1, firstWord = 0): Uint32Array {
  if (target.length % LANES_PER_WORD !== 0) {
    throw new InvalidInputError("target", `length ${target.length} is not a multiple of ${LANES_PER_WORD}`);
  }
  const words = target.length / LANES_PER_WORD;
  if (!Number.isSafeInteger(firstWord) || firstWord < 0 || !Number.isSafeInteger(firstWord + words)) {
    throw new InvalidInputError("firstWord", `must be a non-negative safe integer, got ${firstWord}`);
  }
  // One 64-byte abi.encode(bytes32 seed, uint256 w) buffer, reused for every word.
  const input = new Uint8Array(64);
  input.set(toBytes32(seed, "seed"), 0);
  for (let k = 0; k < words; k++) {
    writeCounter(input, firstWord + k);
    hasher.init();
    hasher.update(input);
    const d = hasher.digest("binary");
    // Lane t is the big-endian uint32 at bytes [28 − 4t, 32 − 4t) of the digest; Uint32Array
    // stores the exact double result mod 2^32, so += and −= are ring operations.
    let o = k * LANES_PER_WORD;
    if (sign === 1) {
      for (let b = 28; b >= 0; b -= 4) target[o++] += ((d[b] << 24) | (d[b + 1] << 16) | (d[b + 2] << 8) | d[b + 3]) >>> 0;
    } else {
      for (let b = 28; b >= 0; b -= 4) target[o++] -= ((d[b] << 24) | (d[b + 1] << 16) | (d[b + 2] << 8) | d[b + 3]) >>> 0;
    }
  }
  return target;
}

/** Adds `sign` · mask lanes into `target` (see accumulateMaskWith), initialising the hasher if needed. */
export async function accumulateMask(target: Uint32Array, seed: Bytes32 | Uint8Array, sign: 1 | -1, firstWord = 0): Promise<Uint32Array> {
  return accumulateMaskWith(await keccakHasher(), target, seed, sign, firstWord);
}

/** The mask lanes of words [firstWord, firstWord + count) for one pair seed. */
export async function maskWords(seed: Bytes32 | Uint8Array, firstWord: number, count: number): Promise<Uint32Array> {
  if (!Number.isSafeInteger(count) || count < 0) throw new InvalidInputError("count", `must be a non-negative integer, got ${count}`);
  return accumulateMask(new Uint32Array(count * LANES_PER_WORD), seed, 1, firstWord);
}
