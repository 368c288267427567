// Stage `released`: once the job has completed or been cancelled, settle a cancelled job nobody settled yet
// and release the account's credit (anyone may release it; if someone did first, nothing is left).
import { Phase, cancel, phaseName, release } from "../../chain";
import { ContractRevertError } from "../../errors/chain";
import { logStage, read, step, type WorkerContext } from "../context";

/** What a finished worker reports. */
export interface WorkerSummary {
  jobId: bigint;
  account: string;
  index: number;
  releasedWei: bigint;
  finalPhase: string;
}

/** Settles (when cancelled) and releases; returns the summary of the finished job. */
export async function releaseStage(ctx: WorkerContext, phase: number): Promise<WorkerSummary> {
  const { opts, member, params, account } = ctx;
  const { market, jobId, index } = member;
  const log = opts.log;
  if (phase === Phase.Cancelled && !(await read(log, "read job", () => market.jobInfo(jobId))).closed) {
    await step(log, "cancel", () => cancel({ market, jobId }));
  }
  const paid = await read(log, "release", () => release(market, params.token, account)).catch((error: unknown) => {
    if (error instanceof ContractRevertError && error.errorName === "MarketNothingToRelease") return null;
    throw error;
  });
  const releasedWei = paid?.amount ?? 0n;
  logStage(log, "released", { jobId, phase: phaseName(phase), releasedWei });
  return { jobId, account, index, releasedWei, finalPhase: phaseName(phase) };
}
