// Stage `committed`: one commitment per group peer, as soon as the round opens.
import { commitSeeds, type RoundState } from "../../chain";
import { step, type WorkerContext } from "../context";

/** Commits the member's pair seeds for the round in `state`. */
export function commitStage(ctx: WorkerContext, state: RoundState): Promise<void> {
  return step(ctx.opts.log, "commit", () => commitSeeds(ctx.member), "committed", { jobId: ctx.member.jobId, round: state.round });
}
