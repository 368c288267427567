// Data owner, reveal phase: reveal the seeds shared with dropped peers of its group, when required.
import { readRoundState } from "../roundState";
import { send, type TxCost } from "../txs";
import { pairSeeds, type Member } from "./member";

/** The dropped peers this member must reveal its seeds with this round (empty when none). */
export async function requiredReveals(member: Member): Promise<{ round: number; peers: number[] }> {
  const state = await readRoundState(member.market, member.jobId);
  const group = state.groups.find((g) => g.members.includes(member.index));
  return { round: state.round, peers: group?.requiredReveals.get(member.index) ?? [] };
}

/** Reveals the member's required seeds; returns the cost, or null when nothing is required. */
export async function revealSeeds(member: Member): Promise<TxCost | null> {
  const { round, peers } = await requiredReveals(member);
  if (peers.length === 0) return null;
  const seeds = await pairSeeds(member, round, peers);
  return send("revealSeeds", (o) => member.market.revealSeeds(member.jobId, round, peers, seeds, o));
}
