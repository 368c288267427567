// A phase that stalls because the chain makes no block: on a node that mines only when a transaction arrives,
// a phase whose deadline passed in wall time lasts until someone sends one, and the block that finally comes
// can lie past the next phase's deadline too — a member that had every reason to reveal in time would then be
// slashed for a window it never saw. So while the worker waits for a phase to end, it makes that block itself
// once the deadline has passed by the chain's grace (nudgeClock: a 0-value transaction to itself). On a chain
// whose blocks keep coming nothing is sent.
import { nudgeClock, phaseDeadline, phaseName } from "../chain";
import { read, type WorkerContext } from "./context";
import { withChainRetry } from "./retry";

/** Nudges the chain past the deadline of `phase` when wall time passed it and the chain did not; returns whether a block was made. */
export async function moveStalledClock(ctx: WorkerContext, phase: number): Promise<boolean> {
  const { opts, member } = ctx;
  const log = opts.log;
  const deadline = await read(log, "read deadline", () => phaseDeadline(member.market, member.jobId, phase));
  if (deadline === undefined) return false;
  const tx = await withChainRetry("nudge clock", () => nudgeClock({ signer: ctx.wallet, deadline, graceSeconds: ctx.clockGraceSeconds }), log);
  if (tx) log.info("the chain made no block past the deadline; sent one", { phase: phaseName(phase), deadline, block: tx.blockNumber });
  return tx !== null;
}
