// Reads the current round from the chain and derives, exactly as the contract does, who dropped,
// who must reveal and which groups are eligible (docs/PROTOCOL.md "Aggregation of a round").
import { MIN_GROUP_SUBMITTERS } from "../protocol";
import type { OmniMarket } from "./market";
import { phaseName, type PhaseName } from "./market";
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
}

/** Everything about the current round that members and aggregators need. */
export interface RoundState {
  jobId: bigint;
  round: number;
  phase: PhaseName;
  randomness: string;
  groups: GroupStatus[];
  committed: bigint;
  submitted: bigint;
  revealed: bigint;
  contradicted: bigint;
  chunksAggregated: number;
  chunkCount: number;
  chunkWords: number;
  wordCount: number;
}

/** Reads the job's current round and derives group status from it. */
export async function readRoundState(market: OmniMarket, jobId: bigint): Promise<RoundState> {
  return chainCall("read round", async () => {
    const [phase, info, round, groupLists] = await Promise.all([market.phase(jobId), market.jobInfo(jobId), market.roundInfo(jobId), market.groups(jobId)]);
    const groups = groupLists.map((g) => g.map(Number));
    const committed = round.committed;
    const submitted = round.submitted;
    const members = groups.flat();
    const active = new Map<number, bigint>();
    await Promise.all(members.filter((m) => hasBit(committed, m)).map(async (m) => active.set(m, await market.activePeers(jobId, m))));
    return {
      jobId,
      round: Number(round.index),
      phase: phaseName(phase),
      randomness: round.randomness,
      groups: groups.map((list, index) => groupStatus(index, list, committed, submitted, round.revealed, round.contradicted, active)),
      committed,
      submitted,
      revealed: round.revealed,
      contradicted: round.contradicted,
      chunksAggregated: Number(round.chunksAggregated),
      chunkCount: Number(info.chunkCount),
      chunkWords: Number(info.chunkWords),
      wordCount: Number(info.wordCount),
    };
  });
}

function groupStatus(
  index: number,
  members: number[],
  committed: bigint,
  submitted: bigint,
  revealed: bigint,
  contradicted: bigint,
  active: Map<number, bigint>,
): GroupStatus {
  const submitters = members.filter((m) => hasBit(submitted, m));
  const dropped = members.filter((m) => hasBit(committed, m) && !hasBit(submitted, m));
  const requiredReveals = new Map<number, number[]>();
  if (submitters.length >= MIN_GROUP_SUBMITTERS) {
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
    eligible: submitters.length >= MIN_GROUP_SUBMITTERS && revealsDone,
  };
}
