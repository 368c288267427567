// The hash chain over posted words (docs/PROTOCOL.md "Hash chains"): h ← keccak256(h ‖ keccak256(words)).
import { concat, keccak256, ZeroHash } from "ethers";
import { toBytes32, type Bytes32 } from "./bytes";
import { chunkBytes, WORD_BYTES } from "./packing";

/** One link: keccak256(previous ‖ keccak256(wordsBytes)). */
export function extendHashChain(previous: Bytes32, wordsBytes: Uint8Array): Bytes32 {
  return keccak256(concat([toBytes32(previous, "previous"), keccak256(wordsBytes)]));
}

/** The chain from bytes32(0) over the packed bytes posted in chunks of `chunkWords` words, in order. */
export function hashChainOfChunks(bytes: Uint8Array, chunkWords: number): Bytes32 {
  const chunks = Math.ceil(bytes.length / WORD_BYTES / chunkWords);
  let h: Bytes32 = ZeroHash;
  for (let k = 0; k < chunks; k++) h = extendHashChain(h, chunkBytes(bytes, k, chunkWords));
  return h;
}
