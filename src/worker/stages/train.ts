// Stage `trained`: the round's quantized update, trained once the commitment is in (so the submit phase only
// posts) and kept on disk, so a restarted worker submits exactly the vector it began with.
import type { RoundState } from "../../chain";
import { logStage, read, type WorkerContext } from "../context";
import { roundUpdate } from "../roundUpdate";

/** The member's update for the round in `state`: read back when saved, else trained on the round's public model. */
export async function trainStage(ctx: WorkerContext, state: RoundState): Promise<Uint32Array> {
  const { opts, member, params, trainer, models } = ctx;
  const groupSize = state.groups.find((g) => g.members.includes(member.index))?.members.length;
  const { update, trained, peersRead } = await roundUpdate(
    member.jobId,
    state,
    params,
    trainer,
    opts.stateDir,
    () => read(opts.log, "fetch model", () => models.at(state.round)),
    groupSize,
  );
  if (trained) logStage(opts.log, "trained", { jobId: member.jobId, round: state.round, ...(peersRead === undefined ? {} : { peersRead }) });
  return update;
}
