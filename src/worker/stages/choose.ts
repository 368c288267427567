// Before joining: which job this worker works on (the one given, the one saved before a restart, one this
// account already joined, or the newest open job that matches its filter), and whether a job named by
// --job is for this worker's task and model.
import { decodeBytes32String, getAddress } from "ethers";
import { WorkerSetupError } from "../../errors";
import type { OmniMarket } from "../../chain";
import type { JobParams, WorkerOptions } from "../context";
import { findJob, findJoinedJob } from "../findJob";
import { withChainRetry } from "../retry";
import { readWorkerState } from "../stateFile";
import { rosterIndex } from "./join";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The job to work on: the one given, the one saved before a restart, one this account already joined, or the newest matching open job. */
export async function chooseJob(opts: WorkerOptions, market: OmniMarket, chainId: bigint, account: string): Promise<bigint> {
  const log = opts.log;
  const count = await withChainRetry("read jobs", () => market.jobCount(), log);
  if (opts.jobId !== undefined) {
    if (opts.jobId < 1n || opts.jobId > count) throw new WorkerSetupError(`unknown job ${opts.jobId} on market ${opts.market}`);
    return opts.jobId;
  }
  const saved = readWorkerState(opts.stateDir);
  if (saved && getAddress(saved.market) === getAddress(opts.market) && BigInt(saved.chainId) === chainId) {
    const jobId = BigInt(saved.jobId);
    // A local chain restarted at the same address can hold another job under that id, or none.
    if (jobId >= 1n && jobId <= count && (await rosterIndex(market, jobId, account, log)) !== undefined) return jobId;
    log.warn("the state file names a job this account is not on the roster of; ignoring it", { jobId });
  }
  const joined = await withChainRetry("find joined job", () => findJoinedJob(market, opts.filter, account), log);
  if (joined !== undefined) {
    log.info("found a running job this account joined", { jobId: joined });
    return joined;
  }
  for (;;) {
    const jobId = await withChainRetry("find job", () => findJob(market, opts.filter), log);
    if (jobId !== undefined) return jobId;
    await sleep(opts.pollMs);
  }
}

/** Refuses a job named by --job that is for another task or model architecture than this worker's. */
export function checkJobFits(opts: WorkerOptions, jobId: bigint, params: JobParams): void {
  const tag = (hex: string) => {
    try {
      return JSON.stringify(decodeBytes32String(hex));
    } catch {
      return hex;
    }
  };
  if (params.taskTag !== opts.filter.taskTag) {
    throw new WorkerSetupError(`job ${jobId} is for task ${tag(params.taskTag)}, this worker's --task is ${tag(opts.filter.taskTag)}`);
  }
  if (params.modelCommitment !== opts.filter.modelCommitment) {
    throw new WorkerSetupError(
      `job ${jobId} is for another model architecture (commitment ${params.modelCommitment}) than this worker trains (${opts.filter.modelCommitment})`,
    );
  }
}
