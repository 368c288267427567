// Before joining: which job this worker works on (the one given, the one saved before a restart, one this
// account already joined, or the newest open job that matches its filter and its policy), and whether a
// job named by --job is for this worker's task and model and, unless it joined already, fits its policy.
import { decodeBytes32String, getAddress } from "ethers";
import { WorkerSetupError } from "../../errors";
import type { OmniMarket } from "../../chain";
import type { JobParams, WorkerOptions } from "../context";
import { findJob, findJoinedJob } from "../findJob";
import { assessJob, jobPolicy, type JobShapeInfo } from "../jobPolicy";
import { withChainRetry } from "../retry";
import { readWorkerState } from "../stateFile";
import { rosterIndex } from "./join";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The job to work on: the one given (refused, before any stake moves, when it does not fit the policy and
 * this account has not joined it), the one saved before a restart, one this account already joined, or the
 * newest matching open job that fits the policy.
 */
export async function chooseJob(opts: WorkerOptions, market: OmniMarket, chainId: bigint, account: string): Promise<bigint> {
  const log = opts.log;
  const policy = jobPolicy(opts.policy);
  const count = await withChainRetry("read jobs", () => market.jobCount(), log);
  if (opts.jobId !== undefined) {
    const jobId = opts.jobId;
    if (jobId < 1n || jobId > count) throw new WorkerSetupError(`unknown job ${jobId} on market ${opts.market}`);
    const joined = (await rosterIndex(market, jobId, account, log)) !== undefined;
    if (!joined) {
      const [params, info] = await withChainRetry("read job", () => Promise.all([market.jobParams(jobId), market.jobInfo(jobId)]), log);
      checkJobFits(opts, jobId, params, { info, joined });
    }
    return jobId;
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
  const refused = new Set<bigint>();
  for (;;) {
    const jobId = await withChainRetry("find job", () => findJob(market, opts.filter, { policy, log, refused }), log);
    if (jobId !== undefined) return jobId;
    await sleep(opts.pollMs);
  }
}

/** What checkJobFits knows of the job beyond its parameters. */
export interface JobFitFacts {
  /** The job's jobInfo (its words and chunks); derived from the parameters when absent. */
  info?: JobShapeInfo;
  /** Whether this account is on the roster already: then the policy no longer applies (leaving forfeits the stake). */
  joined: boolean;
}

/**
 * Refuses a job named by --job that is for another task or model architecture than this worker's, and,
 * given `facts` of a job this account has not joined, one that fails the worker's policy (every reason
 * listed). Without `facts` membership is unknown and only the task and model are checked: chooseJob has
 * applied the policy already, and a member must never be made to leave.
 */
export function checkJobFits(opts: WorkerOptions, jobId: bigint, params: JobParams, facts?: JobFitFacts): void {
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
  if (!facts || facts.joined) return;
  const reasons = assessJob(params, facts.info, jobPolicy(opts.policy));
  if (reasons.length > 0) {
    throw new WorkerSetupError(`job ${jobId} does not fit this worker's policy: ${reasons.join("; ")}`, { details: { jobId, reasons } });
  }
}
