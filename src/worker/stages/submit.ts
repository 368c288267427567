// Stage `submitted`: the masked update, chunk by chunk — only with at least two active pairs, since with
// fewer the vector would be open (the contract refuses it and does not slash), and not in a group voided by a
// proven false commitment (refused too).
import { hasBit, popcount, submitMasked, type RoundState } from "../../chain";
import { MIN_ACTIVE_PEERS } from "../../protocol";
import { read, step, type WorkerContext } from "../context";

/** Submits `update` for the round in `state`, or warns once per round that too few peers committed matching seeds. */
export async function submitStage(ctx: WorkerContext, state: RoundState, update: Uint32Array): Promise<void> {
  const { opts, member } = ctx;
  const [active, info] = await read(opts.log, "read peers", () =>
    Promise.all([member.market.activePeers(member.jobId, member.index), member.market.roundInfo(member.jobId)]),
  );
  const group = state.groups.find((g) => g.members.includes(member.index))!;
  if (group.members.some((m) => hasBit(info.convicted, m))) {
    if (ctx.skippedRound !== state.round)
      opts.log.warn("a group peer was convicted of a false commitment; the group is void this round", { round: state.round });
    ctx.skippedRound = state.round;
  } else if (popcount(active) >= MIN_ACTIVE_PEERS) {
    await step(opts.log, "submit", () => submitMasked(member, update), "submitted", { jobId: member.jobId, round: state.round });
  } else if (ctx.skippedRound !== state.round) {
    ctx.skippedRound = state.round;
    opts.log.warn("fewer than two group peers committed matching seeds; not submitting this round", { round: state.round });
  }
}
