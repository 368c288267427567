// Pairwise masking of a quantized vector and removal of the masks left by dropped members
// (docs/PROTOCOL.md "Masked vector" and "Aggregation of a round", step 2).
import { InvalidInputError, UnmaskError } from "../errors";
import type { Bytes32 } from "./bytes";
import { addLanes, LANES_PER_WORD, wordCount } from "./packing";
import { accumulateMaskWith, keccakHasher } from "./prg";

/** An active pair seen from one member: the peer's roster index and the pair seed. */
export interface PeerSeed {
  index: number;
  seed: Bytes32 | Uint8Array;
}

/** A seed revealed by a submitter for its active pair with a dropped member. */
export interface RevealedSeed {
  submitter: number;
  dropped: number;
  seed: Bytes32 | Uint8Array;
}

function assertIndex(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(field, `must be a roster index, got ${value}`);
}

/**
 * Masks q for member `selfIndex`: y = q + Σ_{j > i} mask_ij − Σ_{j < i} mask_ij (mod 2^32) over the
 * active peers given, from word `firstWord` on; the result has W·8 lanes (padding lanes masked too).
 */
export async function maskVector(q: Uint32Array, selfIndex: number, peers: readonly PeerSeed[], firstWord = 0): Promise<Uint32Array> {
  assertIndex("selfIndex", selfIndex);
  const seen = new Set<number>();
  for (const peer of peers) {
    assertIndex("peers.index", peer.index);
    if (peer.index === selfIndex) throw new InvalidInputError("peers", `contains the member itself (${selfIndex})`);
    if (seen.has(peer.index)) throw new InvalidInputError("peers", `lists peer ${peer.index} twice`);
    seen.add(peer.index);
  }
  const y = new Uint32Array(wordCount(q.length) * LANES_PER_WORD);
  y.set(q);
  const hasher = await keccakHasher();
  for (const peer of peers) accumulateMaskWith(hasher, y, peer.seed, peer.index > selfIndex ? 1 : -1, firstWord);
  return y;
}

/**
 * The lanes to add to a group's masked sum over `words` words from `firstWord` so that the
 * masks shared with dropped members cancel: −mask_ij when j > i, +mask_ij when j < i.
 */
export async function dropoutCorrection(reveals: readonly RevealedSeed[], words: number, firstWord = 0): Promise<Uint32Array> {
  if (!Number.isSafeInteger(words) || words < 0) throw new InvalidInputError("words", `must be a non-negative integer, got ${words}`);
  const correction = new Uint32Array(words * LANES_PER_WORD);
  const seen = new Set<string>();
  const hasher = await keccakHasher();
  for (const { submitter, dropped, seed } of reveals) {
    assertIndex("reveals.submitter", submitter);
    assertIndex("reveals.dropped", dropped);
    if (submitter === dropped) throw new UnmaskError(`member ${submitter} reveals a pair with itself`, { submitter });
    const key = `${submitter}:${dropped}`;
    if (seen.has(key)) throw new UnmaskError(`pair (${submitter}, ${dropped}) revealed twice`, { submitter, dropped });
    seen.add(key);
    accumulateMaskWith(hasher, correction, seed, dropped > submitter ? -1 : 1, firstWord);
  }
  return correction;
}

/** Input of unmaskGroupSum: the submitters' masked vectors (or their lane-wise sum) and the reveals. */
export interface UnmaskGroupSumParameters {
  masked?: readonly Uint32Array[];
  sum?: Uint32Array;
  reveals: readonly RevealedSeed[];
  firstWord?: number;
}

/** The unmasked sum of a group's submitted vectors (W·8 lanes from word firstWord). */
export async function unmaskGroupSum(params: UnmaskGroupSumParameters): Promise<Uint32Array> {
  const { masked, reveals, firstWord = 0 } = params;
  if ((masked === undefined) === (params.sum === undefined)) throw new InvalidInputError("masked/sum", "give exactly one of them");
  let sum: Uint32Array;
  if (masked !== undefined) {
    if (masked.length === 0) throw new UnmaskError("no submitters");
    sum = new Uint32Array(masked[0].length);
    for (const y of masked) addLanes(sum, y);
  } else {
    sum = Uint32Array.from(params.sum!);
  }
  if (sum.length % LANES_PER_WORD !== 0) throw new InvalidInputError("masked", `lane count ${sum.length} is not whole words`);
  return addLanes(sum, await dropoutCorrection(reveals, sum.length / LANES_PER_WORD, firstWord));
}
