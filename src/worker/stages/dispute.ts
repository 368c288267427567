// Before submitting: a pair whose two commitments differ is settled with a proof of its shared point, so the
// member that lied is convicted and its group voided before anyone reveals a seed (docs/PROTOCOL.md
// "Proving a pair seed"). Done once per round, at the start of the submit phase, before training.
import { disputeCommitments, type RoundState } from "../../chain";
import { step, type WorkerContext } from "../context";

/** Disputes the member's mismatched pairs of the round in `state`, once per round. */
export async function disputeStage(ctx: WorkerContext, state: RoundState): Promise<void> {
  if (ctx.disputedRound === state.round) return;
  ctx.disputedRound = state.round;
  await step(ctx.opts.log, "dispute", async () => {
    const txs = await disputeCommitments(ctx.member, state);
    if (txs.length > 0) ctx.opts.log.warn("disputed peers' commitments that differ from ours", { round: state.round, disputes: txs.length });
    return txs;
  });
}
