// Reads the current round from the chain and derives, exactly as the contract does, who dropped,
// who must reveal and which groups are eligible (docs/PROTOCOL.md "Aggregation of a round").
import { ZeroHash, type Provider } from "ethers";
import { MIN_GROUP_SUBMITTERS, assignGroups, minEligibleGroups, roundRandomness } from "../protocol";
import type { OmniMarket } from "./market";
import { phaseName, ruleName, type PhaseName } from "./market";
import { chainCall } from "./wrap";

/** Whether bit `index` of a uint256 bitmap is set. */
export function hasBit(bitmap: bigint, index: number): boolean {
  return ((bitmap >> BigInt(index)) & 1n) === 1n;
}

/** Number of set bits of a uint256 bitmap. */
export function popcount(bitmap: bigint): number {
  let count = 0;
  for (let x = bitmap; x > 0n; x >>= 1n) count += Number(x & 1n);
  return count;
}

/** One group of the round seen from chain data. */
export interface GroupStatus {
  index: number;
  members: number[];
  submitters: number[];
  dropped: number[];
  /** Submitter → dropped peers it must reveal its seed with (ascending). */
  requiredReveals: Map<number, number[]>;
  eligible: boolean;
  /** A member was proven to have committed a false seed: nobody in the group submits or reveals this round. */
  void: boolean;
}

/** Everything about the current round that members and aggregators need. */
export interface RoundState {
  jobId: bigint;
  round: number;
  phase: PhaseName;
  /** The block whose hash draws the groups (the block that opened the round). */
  drawBlock: number;
  /** ZeroHash until a block after drawBlock exists; then groups are known. */
  randomness: string;
  groups: GroupStatus[];
  committed: bigint;
  submitted: bigint;
  revealed: bigint;
  contradicted: bigint;
  convicted: bigint;
  /** Fewest eligible groups the job's rule needs; with fewer the round settles without an aggregate. */
  minEligible: number;
  /** Whether the round has enough eligible groups to be aggregated. */
  aggregable: boolean;
  /** Unix seconds after which finalizeRound settles an unfinished aggregation without its aggregate. */
  aggregateDeadline: number;
  chunksAggregated: number;
  /** Bitmap over group indices: eligible groups an aggregated chunk found over the norm bound; they post no later chunk. */
  excludedGroups: bigint;
  chunkCount: number;
  chunkWords: number;
  wordCount: number;
}

/** Reads the job's current round and derives group status from it. */
export async function readRoundState(market: OmniMarket, jobId: bigint): Promise<RoundState> {
  return chainCall("read round", async () => {
    const [phase, info, params, round, groupLists] = await Promise.all([
      market.phase(jobId),
      market.jobInfo(jobId),
      market.jobParams(jobId),
      market.roundInfo(jobId),
      market.groups(jobId),
    ]);
    const randomness = round.randomness !== ZeroHash ? round.randomness : await drawnRandomness(market, jobId, round.index, round.drawBlock);
    // The view answers no groups while it runs in the draw block itself; a later block's hash draws them.
    const groups =
      groupLists.length > 0 || randomness === ZeroHash
        ? groupLists.map((g) => g.map(Number))
        : assignGroups(randomness, bitIndices(round.members), Number(params.groupSize));
    const committed = round.committed;
    const submitted = round.submitted;
    const members = groups.flat();
    const active = new Map<number, bigint>();
    await Promise.all(members.filter((m) => hasBit(committed, m)).map(async (m) => active.set(m, await market.activePeers(jobId, m))));
    const statuses = groups.map((list, index) => groupStatus(index, list, round, active));
    const minEligible = minEligibleGroups(ruleName(params.rule) ?? "median", Number(params.trimBps));
    return {
      jobId,
      round: Number(round.index),
      phase: phaseName(phase),
      drawBlock: Number(round.drawBlock),
      randomness,
      groups: statuses,
      committed,
      submitted,
      revealed: round.revealed,
      contradicted: round.contradicted,
      convicted: round.convicted,
      minEligible,
      aggregable: statuses.filter((g) => g.eligible).length >= minEligible,
      aggregateDeadline: Number(round.aggregateDeadline),
      chunksAggregated: Number(round.chunksAggregated),
      excludedGroups: round.excludedGroups,
      chunkCount: Number(info.chunkCount),
      chunkWords: Number(info.chunkWords),
      wordCount: Number(info.wordCount),
    };
  });
}

/** The round's randomness from its draw block's hash, once a later block exists (else ZeroHash). */
async function drawnRandomness(market: OmniMarket, jobId: bigint, round: bigint, drawBlock: bigint): Promise<string> {
  const provider = market.runner!.provider as Provider;
  if (BigInt(await provider.getBlockNumber()) <= drawBlock) return ZeroHash;
  const block = await provider.getBlock(Number(drawBlock));
  if (!block?.hash) return ZeroHash;
  return roundRandomness(block.hash, String(market.target), jobId, round);
}

/** The indices of the set bits of a bitmap, ascending. */
export function bitIndices(bitmap: bigint): number[] {
  const out: number[] = [];
  for (let i = 0, x = bitmap; x > 0n; i++, x >>= 1n) if (x & 1n) out.push(i);
  return out;
}

function groupStatus(
  index: number,
  members: number[],
  round: { committed: bigint; submitted: bigint; revealed: bigint; contradicted: bigint; convicted: bigint },
  active: Map<number, bigint>,
): GroupStatus {
  const { committed, submitted, revealed, contradicted } = round;
  const submitters = members.filter((m) => hasBit(submitted, m));
  const dropped = members.filter((m) => hasBit(committed, m) && !hasBit(submitted, m));
  const isVoid = members.some((m) => hasBit(round.convicted, m));
  const requiredReveals = new Map<number, number[]>();
  if (submitters.length >= MIN_GROUP_SUBMITTERS && !isVoid) {
    for (const s of submitters) {
      const peers = dropped.filter((d) => hasBit(active.get(s) ?? 0n, d));
      if (peers.length > 0) requiredReveals.set(s, peers);
    }
  }
  const revealsDone = [...requiredReveals.keys()].every((s) => hasBit(revealed, s) && !hasBit(contradicted, s));
  return {
    index,
    members,
    submitters,
    dropped,
    requiredReveals,
    eligible: submitters.length >= MIN_GROUP_SUBMITTERS && !isVoid && revealsDone,
    void: isVoid,
  };
}
