// Finding a job: one this account already joined and that is still running, else one open for joining,
// for the worker's kind of data and model, paying enough, and that this worker can safely complete (its
// policy: src/worker/jobPolicy.ts).
import type { OmniMarket } from "../chain";
import { Phase, chainCall } from "../chain";
import { ContractRevertError } from "../errors/chain";
import type { Logger } from "../infra";
import { DEFAULT_JOB_POLICY, assessJob, type JobPolicy } from "./jobPolicy";

/** What the worker is willing to join. */
export interface JobFilter {
  taskTag: string;
  modelCommitment: string;
  minRewardWei: bigint;
}

/** How findJob judges and reports the jobs that match the filter. */
export interface FindJobOptions {
  /** What the worker can safely complete; DEFAULT_JOB_POLICY when absent. */
  policy?: JobPolicy;
  /** Told at info level why each refused job was skipped, one line per reason. */
  log?: Logger;
  /** The jobs refused so far: pass the same set on every poll and each refusal is logged once, and its job not read again. */
  refused?: Set<bigint>;
}

/** The newest job in phase Joining that matches the filter and passes the policy, or undefined. */
export async function findJob(market: OmniMarket, filter: JobFilter, opts: FindJobOptions = {}): Promise<bigint | undefined> {
  const refused = opts.refused ?? new Set<bigint>();
  for (let jobId = await market.jobCount(); jobId >= 1n; jobId--) {
    if (refused.has(jobId)) continue;
    if (Number(await market.phase(jobId)) !== Phase.Joining) continue;
    const params = await market.jobParams(jobId);
    if (params.taskTag !== filter.taskTag || params.modelCommitment !== filter.modelCommitment) continue;
    if (params.rewardPerRound < filter.minRewardWei) continue;
    const reasons = assessJob(params, await market.jobInfo(jobId), opts.policy ?? DEFAULT_JOB_POLICY);
    if (reasons.length === 0) return jobId;
    refused.add(jobId);
    for (const reason of reasons) opts.log?.info(`skipping job ${jobId}: ${reason}`, { jobId });
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
