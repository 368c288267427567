// Stage `revealed`: the pair seeds shared with dropped peers, when the contract requires them.
import { revealSeeds, type RoundState } from "../../chain";
import { step, type WorkerContext } from "../context";

/** Reveals what the round in `state` requires of the member (revealSeeds sends nothing when nothing is required). */
export function revealStage(ctx: WorkerContext, state: RoundState): Promise<void> {
  return step(ctx.opts.log, "reveal", () => revealSeeds(ctx.member), "revealed", { jobId: ctx.member.jobId, round: state.round });
}
