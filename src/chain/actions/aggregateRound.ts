// Anyone, aggregate phase: post each chunk's submitter data in the contract's layout, then finalize.
import { concat, type Provider } from "ethers";
import { WORD_BYTES } from "../../protocol";
import { InvalidInputError } from "../../errors";
import type { OmniMarket } from "../market";
import { hasBit, readRoundState, type GroupStatus, type RoundState } from "../roundState";
import { send, type TxCost } from "../txs";
import { fetchSubmissions, type Submissions } from "./fetchSubmissions";
import { finalizeRound } from "./finalizeRound";

/** The eligible groups not in `excluded` (a bitmap over group indices: over the norm bound in an earlier chunk). */
export function countedGroups(state: RoundState, excluded: bigint = state.excludedGroups): GroupStatus[] {
  return state.groups.filter((g) => g.eligible && !hasBit(excluded, g.index));
}

/**
 * The bytes of chunk `k` for aggregateChunk: per counted group ascending (eligible, not over the norm bound
 * in an earlier chunk: `excluded`, by default what the chain said when `state` was read), per submitter
 * ascending.
 */
export function aggregationData(state: RoundState, submissions: Submissions, k: number, excluded: bigint = state.excludedGroups): string {
  const start = k * state.chunkWords * WORD_BYTES;
  const end = Math.min(start + state.chunkWords * WORD_BYTES, state.wordCount * WORD_BYTES);
  const slices: Uint8Array[] = [];
  for (const group of countedGroups(state, excluded)) {
    for (const member of group.submitters) {
      const vector = submissions.get(member);
      if (!vector) throw new InvalidInputError("submissions", `missing the masked vector of member ${member}`);
      slices.push(vector.subarray(start, end));
    }
  }
  return concat(slices);
}

/** aggregateChunks' result: the round and the cost of each chunk posted. */
export interface AggregateChunksReturnType {
  round: number;
  chunks: TxCost[];
}

/**
 * Posts the remaining chunks of the current round's aggregation without finalizing it; returns null when
 * the round is not (or no longer) in its aggregate phase. Submissions are read back from chain calldata
 * unless given (an aggregator that already holds them saves the look-ups).
 */
export async function aggregateChunks(market: OmniMarket, jobId: bigint, given?: Submissions): Promise<AggregateChunksReturnType | null> {
  const state = await readRoundState(market, jobId);
  if (state.phase !== "Aggregate") return null;
  const chunks: TxCost[] = [];
  if (state.aggregable) {
    const submissions = given ?? (await fetchSubmissions(market, jobId, state.round));
    let excluded = state.excludedGroups;
    for (let k = state.chunksAggregated; k < state.chunkCount; k++) {
      // A chunk that leaves fewer groups within the norm bound than the rule needs ends the aggregation.
      if (countedGroups(state, excluded).length < state.minEligible) break;
      const data = aggregationData(state, submissions, k, excluded);
      chunks.push(await send(`aggregateChunk ${k}/${state.chunkCount}`, (o) => market.aggregateChunk(jobId, state.round, k, data, o)));
      excluded = (await market.roundInfo(jobId)).excludedGroups;
    }
  }
  return { round: state.round, chunks };
}

/** aggregateRound's result: the cost of each chunk and of the finalization. */
export interface AggregateRoundReturnType extends AggregateChunksReturnType {
  finalize: TxCost;
}

/**
 * Aggregates the remaining chunks of the current round and finalizes it; returns null when the round is
 * not (or no longer) in its aggregate phase, as when another party finished it first. Submissions as for
 * aggregateChunks. A chunk that cannot be posted after the aggregation deadline does not stop the round:
 * it is finalized without its aggregate.
 */
export async function aggregateRound(market: OmniMarket, jobId: bigint, given?: Submissions): Promise<AggregateRoundReturnType | null> {
  let aggregated: AggregateChunksReturnType | null;
  try {
    aggregated = await aggregateChunks(market, jobId, given);
  } catch (error) {
    // Past the aggregation deadline the round settles without its aggregate: finalize rather than give up.
    const state = await readRoundState(market, jobId);
    const latest = await (market.runner!.provider as Provider).getBlock("latest");
    if (state.phase !== "Aggregate" || !latest || latest.timestamp <= state.aggregateDeadline) throw error;
    aggregated = { round: state.round, chunks: [] };
  }
  if (!aggregated) return null;
  const round = aggregated.round;
  const finalize = await finalizeRound(market, jobId, round);
  return { ...aggregated, finalize };
}
