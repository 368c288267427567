// Stage `aggregated`: the designated aggregator (the round's lowest submitter) aggregates at once; any other
// member takes over only when aggregation has stood still for a whole delay (src/worker/aggregationWatch.ts).
import { aggregateRound, type RoundState } from "../../chain";
import { step, type WorkerContext } from "../context";

/** Whether `index` is the round's designated aggregator: the submitter with the lowest roster index. */
export function isDesignatedAggregator(state: RoundState, index: number): boolean {
  const submitters = state.groups.flatMap((g) => g.submitters);
  return submitters.length > 0 && Math.min(...submitters) === index;
}

/** Aggregates and finalizes the round in `state` when it is due from this member. */
export async function aggregateStage(ctx: WorkerContext, state: RoundState): Promise<void> {
  const { opts, member, aggregation } = ctx;
  if (!aggregation.due(state.round, state.chunksAggregated, isDesignatedAggregator(state, member.index))) return;
  await step(opts.log, "aggregate", () => aggregateRound(member.market, member.jobId), "aggregated", { jobId: member.jobId, round: state.round });
  aggregation.attempted();
}
