// Stage `submitted`: the masked update, chunk by chunk — only with at least two active pairs, since with
// fewer the vector would be open (the contract refuses it and does not slash).
import { popcount, submitMasked, type RoundState } from "../../chain";
import { MIN_ACTIVE_PEERS } from "../../protocol";
import { read, step, type WorkerContext } from "../context";

/** Submits `update` for the round in `state`, or warns once per round that too few peers committed matching seeds. */
export async function submitStage(ctx: WorkerContext, state: RoundState, update: Uint32Array): Promise<void> {
  const { opts, member } = ctx;
  const active = await read(opts.log, "read peers", () => member.market.activePeers(member.jobId, member.index));
  if (popcount(active) >= MIN_ACTIVE_PEERS) {
    await step(opts.log, "submit", () => submitMasked(member, update), "submitted", { jobId: member.jobId, round: state.round });
  } else if (ctx.skippedRound !== state.round) {
    ctx.skippedRound = state.round;
    opts.log.warn("fewer than two group peers committed matching seeds; not submitting this round", { round: state.round });
  }
}
