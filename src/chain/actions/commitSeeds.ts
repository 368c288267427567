// Data owner, commit phase: one commitment per group peer, ascending by the peer's roster index.
import { seedCommitment, type Bytes32 } from "../../protocol";
import { readRoundState } from "../roundState";
import { send, type TxCost } from "../txs";
import { groupOf, pairSeeds, roundContext, type Member } from "./member";

/** The member's commitments for the current round, in the order commitSeeds sends them. */
export async function seedCommitments(member: Member): Promise<{ round: number; commitments: Bytes32[] }> {
  const state = await readRoundState(member.market, member.jobId);
  const lists = state.groups.map((g) => g.members);
  const peers = groupOf(lists, member.index).filter((m) => m !== member.index);
  const ctx = await roundContext(member.market, member.jobId, state.round);
  const seeds = await pairSeeds(member, state.round, peers);
  const commitments = peers.map((peer, k) => seedCommitment(ctx, Math.min(peer, member.index), Math.max(peer, member.index), seeds[k]));
  return { round: state.round, commitments };
}

/** Commits the member's pair seeds for the current round; returns the cost. */
export async function commitSeeds(member: Member): Promise<TxCost> {
  const { round, commitments } = await seedCommitments(member);
  return send("commitSeeds", (o) => member.market.commitSeeds(member.jobId, round, commitments, o));
}
