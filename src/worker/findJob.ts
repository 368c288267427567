// Finding a job to join: open for joining, for the worker's kind of data and model, paying enough.
import type { OmniMarket } from "../chain";
import { Phase } from "../chain";

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
