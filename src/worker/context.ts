// What every stage of the worker's loop works with, built once when the worker has joined: its options,
// its membership, the job's parameters, the trainer, the public model followed round by round, and the
// helpers that retry a read, log a stage, and run one protocol step.
import { BaseError } from "../errors";
import { ContractRevertError } from "../errors/chain";
import type { Wallet } from "ethers";
import type { Logger, SignerSource } from "../infra";
import type { Member, OmniMarket, PublicModelTracker } from "../chain";
import type { AggregationWatch } from "./aggregationWatch";
import type { JobFilter } from "./findJob";
import type { JobPolicy } from "./jobPolicy";
import { withChainRetry } from "./retry";
import { stageMessage, type WorkerStage } from "./stages/names";
import type { DataOwnerTrainer } from "./trainer";

/** Everything a worker needs to run. */
export interface WorkerOptions {
  rpcUrl: string;
  market: string;
  /** The chain id the market lives on; a node on another chain is refused. */
  chainId?: bigint;
  signer: SignerSource;
  stateDir: string;
  filter: JobFilter;
  /** What a job must satisfy before this worker stakes on it; each limit not given is DEFAULT_JOB_POLICY's. */
  policy?: Partial<JobPolicy>;
  /** Join this job instead of searching (it must still be for the filter's task and model). */
  jobId?: bigint;
  /** Builds the trainer once the job is known (`numDOs` sizes the omniscience-free attack models). */
  trainer: (job: { numDOs: number }) => Promise<DataOwnerTrainer>;
  pollMs: number;
  /** How long aggregation may make no progress before a member that is not designated aggregates the round itself. */
  aggregatorDelayMs: number;
  log: Logger;
}

/** The job's parameters as the market returns them. */
export type JobParams = Awaited<ReturnType<OmniMarket["jobParams"]>>;

/** A joined worker's view of its job, shared by the stages of the loop. */
export interface WorkerContext {
  opts: WorkerOptions;
  member: Member;
  params: JobParams;
  trainer: DataOwnerTrainer;
  account: string;
  /** The account's wallet, connected to the node (it pays for the blocks the worker makes, src/worker/stalledClock.ts). */
  wallet: Wallet;
  /** How long wall time may be past a deadline the chain has not reached before the worker makes a block (clockGraceSeconds). */
  clockGraceSeconds: number;
  models: PublicModelTracker;
  aggregation: AggregationWatch;
  /** The last round in which the worker could not submit (warned once per round). */
  skippedRound?: number;
  /** The last round whose mismatched pairs the worker disputed. */
  disputedRound?: number;
}

/** `fn`, retried while the node cannot be reached. */
export function read<T>(log: Logger, what: string, fn: () => Promise<T>): Promise<T> {
  return withChainRetry(what, fn, log);
}

/** Logs that the worker completed `stage` (see src/worker/stages/names.ts). */
export function logStage(log: Logger, stage: WorkerStage, details: Record<string, unknown>): void {
  log.info(stageMessage(stage), details);
}

/**
 * Runs one protocol step, retried while the node cannot be reached, and logs `done` when it did something
 * (an action returns null when there was nothing to do). A revert (another party may have moved the job on,
 * or an earlier attempt whose answer was lost went through) or any other failure the project names (say, a
 * submission the aggregator cannot read back) is logged and the loop re-reads the chain.
 */
export async function step(
  log: Logger,
  name: string,
  action: () => Promise<unknown>,
  done?: WorkerStage,
  details: Record<string, unknown> = {},
): Promise<void> {
  try {
    const result = await withChainRetry(name, action, log);
    if (result !== null && done) logStage(log, done, details);
  } catch (error) {
    if (error instanceof ContractRevertError) log.warn(`${name} reverted; re-reading the chain`, { ...details, error: error.errorName });
    else if (error instanceof BaseError) log.warn(`${name} failed; re-reading the chain`, { ...details, error: error.shortMessage });
    else throw error;
  }
}
