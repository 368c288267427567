// Stage `trained`: the round's quantized update, trained once the commitment is in (so the submit phase only
// posts) and kept on disk, so a restarted worker submits exactly the vector it began with.
import type { RoundState } from "../../chain";
import { logStage, read, type WorkerContext } from "../context";
import { roundUpdate } from "../roundUpdate";

/** The member's update for the round in `state`: read back when saved, else trained on the round's public model. */
export async function trainStage(ctx: WorkerContext, state: RoundState): Promise<Uint32Array> {
  const { opts, member, params, trainer, models } = ctx;
  const { update, trained } = await roundUpdate(member.jobId, state, params, trainer, opts.stateDir, () =>
    read(opts.log, "fetch model", () => models.at(state.round)),
  );
  if (trained) logStage(opts.log, "trained", { jobId: member.jobId, round: state.round });
  return update;
}
