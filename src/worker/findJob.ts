// Finding a job: one this account already joined and that is still running, else one open for joining,
// for the worker's kind of data and model, paying enough.
import type { OmniMarket } from "../chain";
import { Phase, chainCall } from "../chain";
import { ContractRevertError } from "../errors/chain";

/** What the worker is willing to join. */
export interface JobFilter {
  taskTag: string;
  modelCommitment: string;
  minRewardWei: bigint;
}

/** The newest job in phase Joining that matches the filter, or undefined. */
export async function findJob(market: OmniMarket, filter: JobFilter): Promise<bigint | undefined> {
  for (let jobId = await market.jobCount(); jobId >= 1n; jobId--) {
    if (Number(await market.phase(jobId)) !== Phase.Joining) continue;
    const params = await market.jobParams(jobId);
    if (params.taskTag !== filter.taskTag || params.modelCommitment !== filter.modelCommitment) continue;
    if (params.rewardPerRound >= filter.minRewardWei) return jobId;
  }
  return undefined;
}

/**
 * The newest job matching the filter that `account` is on the roster of and that has not ended, or
 * undefined. A worker that lost its state file (killed between its join and the write, or started on a
 * new folder) finds its stake's job this way instead of leaving it.
 */
export async function findJoinedJob(market: OmniMarket, filter: Omit<JobFilter, "minRewardWei">, account: string): Promise<bigint | undefined> {
  for (let jobId = await market.jobCount(); jobId >= 1n; jobId--) {
    const phase = Number(await market.phase(jobId));
    if (phase < Phase.Joining || phase > Phase.Aggregate) continue;
    const params = await market.jobParams(jobId);
    if (params.taskTag !== filter.taskTag || params.modelCommitment !== filter.modelCommitment) continue;
    try {
      await chainCall("read roster", () => market.memberIndex(jobId, account));
      return jobId;
    } catch (error) {
      if (!(error instanceof ContractRevertError && error.errorName === "MarketNotMember")) throw error;
    }
  }
  return undefined;
}
