// Packing of uint32 vectors into 256-bit ABI words (8 lanes per word, lane 0 least significant)
// and lane-wise ring arithmetic mod 2^32, as fixed in docs/PROTOCOL.md "Numbers".
import { InvalidInputError } from "../errors";

/** Lanes per 256-bit word. */
export const LANES_PER_WORD = 8;
/** Bytes per ABI word. */
export const WORD_BYTES = 32;

/** Number of words W = ceil(d / 8) that a vector of d elements occupies. */
export function wordCount(d: number): number {
  if (!Number.isSafeInteger(d) || d < 0) throw new InvalidInputError("d", `must be a non-negative integer, got ${d}`);
  return Math.ceil(d / LANES_PER_WORD);
}

/** Packs uint32 lanes into W·32 big-endian bytes; lanes past the end of `values` are zero. */
export function packWords(values: Uint32Array): Uint8Array {
  const words = wordCount(values.length);
  const bytes = new Uint8Array(words * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  for (let e = 0; e < values.length; e++) {
    const w = e >>> 3;
    const lane = e & 7;
    // Lane t sits at bits [32t, 32t + 32): the last 4 bytes of the word hold lane 0.
    view.setUint32(w * WORD_BYTES + 28 - 4 * lane, values[e]);
  }
  return bytes;
}

/** Unpacks the first d lanes from big-endian packed words. */
export function unpackWords(bytes: Uint8Array, d: number): Uint32Array {
  const words = wordCount(d);
  if (bytes.length < words * WORD_BYTES) {
    throw new InvalidInputError("bytes", `holds ${bytes.length} bytes, need ${words * WORD_BYTES} for d = ${d}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Uint32Array(d);
  for (let e = 0; e < d; e++) values[e] = view.getUint32((e >>> 3) * WORD_BYTES + 28 - 4 * (e & 7));
  return values;
}

/** The bytes of chunk `chunkIndex` (words [k·C, min((k+1)·C, W))) of a packed vector. */
export function chunkBytes(bytes: Uint8Array, chunkIndex: number, chunkWords: number): Uint8Array {
  if (!Number.isSafeInteger(chunkWords) || chunkWords < 1) {
    throw new InvalidInputError("chunkWords", `must be a positive integer, got ${chunkWords}`);
  }
  if (bytes.length % WORD_BYTES !== 0) throw new InvalidInputError("bytes", "length is not a multiple of 32");
  const totalWords = bytes.length / WORD_BYTES;
  const chunks = Math.ceil(totalWords / chunkWords);
  if (!Number.isSafeInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= chunks) {
    throw new InvalidInputError("chunkIndex", `must be in [0, ${chunks}), got ${chunkIndex}`);
  }
  const start = chunkIndex * chunkWords;
  const end = Math.min(start + chunkWords, totalWords);
  return bytes.subarray(start * WORD_BYTES, end * WORD_BYTES);
}

/** Splits packed bytes into 0x-prefixed 32-byte hex words. */
export function toHexWords(bytes: Uint8Array): string[] {
  const words: string[] = [];
  for (let o = 0; o < bytes.length; o += WORD_BYTES) {
    words.push("0x" + Buffer.from(bytes.subarray(o, o + WORD_BYTES)).toString("hex"));
  }
  return words;
}

function assertSameLength(target: Uint32Array, source: Uint32Array): void {
  if (target.length !== source.length) {
    throw new InvalidInputError("source", `has ${source.length} lanes, target has ${target.length}`);
  }
}

/** target += source lane by lane, mod 2^32 (in place; returns target). */
export function addLanes(target: Uint32Array, source: Uint32Array): Uint32Array {
  assertSameLength(target, source);
  // Uint32Array stores ToUint32 of the exact double sum, i.e. the sum mod 2^32.
  for (let i = 0; i < target.length; i++) target[i] += source[i];
  return target;
}

/** target −= source lane by lane, mod 2^32 (in place; returns target). */
export function subLanes(target: Uint32Array, source: Uint32Array): Uint32Array {
  assertSameLength(target, source);
  for (let i = 0; i < target.length; i++) target[i] -= source[i];
  return target;
}
