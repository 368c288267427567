// Data owner, submit phase: mask the quantized update with the active pairs' seeds and post it
// chunk by chunk (only each chunk's hash is stored on-chain).
import { maskVector, packWords, WORD_BYTES } from "../../protocol";
import { hasBit, readRoundState } from "../roundState";
import { batches, send, type TxCost } from "../txs";
import { groupOf, pairSeeds, type Member } from "./member";

/** The masked vector of the member for the current round, packed (W·32 bytes). */
export async function maskedUpdate(member: Member, quantized: Uint32Array): Promise<{ round: number; packed: Uint8Array }> {
  const state = await readRoundState(member.market, member.jobId);
  const active = await member.market.activePeers(member.jobId, member.index);
  const peers = groupOf(
    state.groups.map((g) => g.members),
    member.index,
  ).filter((m) => hasBit(active, m));
  const seeds = await pairSeeds(member, state.round, peers);
  const masked = await maskVector(
    quantized,
    member.index,
    peers.map((index, k) => ({ index, seed: seeds[k] })),
  );
  return { round: state.round, packed: packWords(masked) };
}

/** Masks and submits the member's quantized update from its first unsubmitted chunk; returns the costs. */
export async function submitMasked(member: Member, quantized: Uint32Array): Promise<TxCost[]> {
  const { market, jobId, index } = member;
  const { round, packed } = await maskedUpdate(member, quantized);
  const info = await market.jobInfo(jobId);
  const chunkWords = Number(info.chunkWords);
  const chunkCount = Number(info.chunkCount);
  const done = Number(await market.chunksSubmitted(jobId, index));
  const txs: TxCost[] = [];
  for (const run of batches(chunkCount - done, chunkWords * WORD_BYTES)) {
    const first = done + run.first;
    const data = packed.subarray(first * chunkWords * WORD_BYTES, Math.min((first + run.count) * chunkWords * WORD_BYTES, packed.length));
    txs.push(await send("submitMasked", (o) => market.submitMasked(jobId, round, first, data, o)));
  }
  return txs;
}
