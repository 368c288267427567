// The data-owner worker: finds and joins a job, then for every round commits, trains, submits,
// reveals for dropped peers and aggregates when due, and finally releases its pay. The chain is
// the source of truth: after a crash the worker re-reads it and carries on from where it stands.
import { JsonRpcProvider, getAddress, type Wallet } from "ethers";
import path from "path";
import { BaseError, WorkerSetupError } from "../errors";
import { ContractRevertError } from "../errors/chain";
import {
  Phase,
  aggregateRound,
  commitSeeds,
  chainCall,
  hasBit,
  popcount,
  joinJob,
  marketAt,
  phaseName,
  readRoundState,
  release,
  revealSeeds,
  send,
  submitMasked,
  type Member,
  type OmniMarket,
} from "../chain";
import { readJsonIfExists, writeFileAtomic } from "./files";
import { findJob, type JobFilter } from "./findJob";
import { jobKeyPair, loadWallet, type SignerSource } from "./identity";
import type { Logger } from "./log";
import { withRetry } from "./retry";
import { roundUpdate } from "./roundUpdate";
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
  /** Join this job instead of searching. */
  jobId?: bigint;
  /** Builds the trainer once the job is known (`numDOs` sizes the omniscience-free attack models). */
  trainer: (job: { numDOs: number }) => Promise<DataOwnerTrainer>;
  pollMs: number;
  /** How long a non-designated member waits before aggregating a round itself. */
  aggregatorDelayMs: number;
  log: Logger;
}

/** What a finished worker reports. */
export interface WorkerSummary {
  jobId: bigint;
  account: string;
  index: number;
  releasedWei: bigint;
  finalPhase: string;
}

interface SavedState {
  jobId: string;
  market: string;
  chainId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(opts: WorkerOptions): Promise<{ wallet: Wallet; market: OmniMarket; chainId: bigint }> {
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
  const { chainId } = await withRetry("connect", async () => provider.getNetwork(), opts.log);
  if (opts.chainId !== undefined && chainId !== opts.chainId) {
    throw new WorkerSetupError(`wrong chain: ${opts.rpcUrl} is chain ${chainId}, the market is on chain ${opts.chainId}`);
  }
  const wallet = await loadWallet(opts.signer, provider);
  const market = marketAt(getAddress(opts.market), wallet);
  if ((await provider.getCode(opts.market)) === "0x") throw new WorkerSetupError(`no contract at ${opts.market} on chain ${chainId}`);
  return { wallet, market, chainId };
}

/** The job to work on: the one given, the one saved before a restart, or the newest matching open job. */
async function chooseJob(opts: WorkerOptions, market: OmniMarket, chainId: bigint): Promise<bigint> {
  const saved = readJsonIfExists<SavedState>(path.join(opts.stateDir, "worker.json"));
  let jobId = opts.jobId ?? (saved && saved.market === opts.market && BigInt(saved.chainId) === chainId ? BigInt(saved.jobId) : undefined);
  while (jobId === undefined) {
    jobId = await withRetry("find job", () => findJob(market, opts.filter), opts.log);
    if (jobId === undefined) await sleep(opts.pollMs);
  }
  if (jobId < 1n || jobId > (await market.jobCount())) throw new WorkerSetupError(`unknown job ${jobId} on market ${opts.market}`);
  return jobId;
}

/** The account's roster index in the job, or undefined when it has not joined. */
async function rosterIndex(market: OmniMarket, jobId: bigint, account: string, log: Logger): Promise<number | undefined> {
  try {
    return Number(await withRetry("read roster", () => chainCall("memberIndex", () => market.memberIndex(jobId, account)), log));
  } catch (error) {
    if (error instanceof ContractRevertError && error.errorName === "MarketNotMember") return undefined;
    throw error;
  }
}

/** Joins the job (stake and key), or finds the roster index it already holds; then records the job for restarts. */
async function joinOrResume(opts: WorkerOptions, wallet: Wallet, market: OmniMarket, chainId: bigint, jobId: bigint): Promise<Member> {
  const keys = await jobKeyPair(wallet, chainId, opts.market, jobId);
  let index = await rosterIndex(market, jobId, wallet.address, opts.log);
  if (index === undefined) {
    try {
      await withRetry("join", () => joinJob(market, jobId, keys.publicKey), opts.log);
    } catch (error) {
      // Another data owner may have filled the roster first: a normal race, not a crash.
      if (error instanceof ContractRevertError) throw new WorkerSetupError(`cannot join job ${jobId}: ${error.shortMessage}`, { cause: error });
      throw error;
    }
    index = (await rosterIndex(market, jobId, wallet.address, opts.log))!;
    opts.log.info("joined", { jobId, index });
  } else {
    opts.log.info("resuming", { jobId, index });
  }
  // Saved only once this account is on the roster, so a failed join never pins a restart to that job.
  const stateFile = path.join(opts.stateDir, "worker.json");
  writeFileAtomic(stateFile, JSON.stringify({ jobId: jobId.toString(), market: opts.market, chainId: chainId.toString() }));
  return { market, jobId, index, secretKey: keys.secretKey };
}

/** Runs the worker until its job completes or is cancelled; returns what it was paid out. */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const { wallet, market, chainId } = await connect(opts);
  const chosen = await chooseJob(opts, market, chainId);
  // Load and check the local data before any stake moves: bad data must not leave a stake behind.
  const params = await market.jobParams(chosen);
  const trainer = await opts.trainer({ numDOs: Number(params.numDOs) });
  if (trainer.publicSize !== Number(params.paramCount)) {
    throw new WorkerSetupError(`job ${chosen} has ${params.paramCount} public parameters, this worker's model has ${trainer.publicSize}`);
  }
  const member = await joinOrResume(opts, wallet, market, chainId, chosen);
  const { jobId, index } = member;
  const log = opts.log;
  let aggregateSeenAt: number | undefined;
  let skippedRound: number | undefined;
  for (;;) {
    const phase = Number(await withRetry("read phase", () => market.phase(jobId), log));
    if (phase === Phase.Completed || phase === Phase.Cancelled) {
      if (phase === Phase.Cancelled && !(await market.jobInfo(jobId)).closed) await step(log, "cancel", () => send("cancel", (o) => market.cancel(jobId, o)));
      const token = (await market.jobParams(jobId)).token;
      // Anyone may release an account's credit; if someone did first, there is nothing left to release.
      const paid = await withRetry("release", () => release(market, token, wallet.address), log).catch((error: unknown) => {
        if (error instanceof ContractRevertError && error.errorName === "MarketNothingToRelease") return null;
        throw error;
      });
      log.info("job finished", { jobId, phase: phaseName(phase), releasedWei: paid?.amount ?? 0n });
      return { jobId, account: wallet.address, index, releasedWei: paid?.amount ?? 0n, finalPhase: phaseName(phase) };
    }
    if (phase !== Phase.Aggregate) aggregateSeenAt = undefined;
    if (phase >= Phase.Commit) {
      const state = await withRetry("read round", () => readRoundState(market, jobId), log);
      const inRound = state.groups.some((g) => g.members.includes(index));
      if (!inRound) {
        log.warn("not a member of this round (ejected); waiting for the job to end", { round: state.round });
      } else if (phase === Phase.Commit && !hasBit(state.committed, index)) {
        await step(log, "commit", () => commitSeeds(member), { round: state.round });
      } else if ((phase === Phase.Commit || phase === Phase.Submit) && hasBit(state.committed, index) && !hasBit(state.submitted, index)) {
        // Train as soon as the commitment is in, so the submit phase only posts.
        const q = await roundUpdate(market, jobId, state, trainer, opts.stateDir);
        if (phase === Phase.Submit) {
          // With fewer than two masking peers the vector would be open: the contract refuses it and does not slash.
          const active = await market.activePeers(jobId, index);
          if (popcount(active) >= 2) await step(log, "submit", () => submitMasked(member, q), { round: state.round });
          else if (skippedRound !== state.round) {
            skippedRound = state.round;
            log.warn("fewer than two group peers committed matching seeds; not submitting this round", { round: state.round });
          }
        }
      } else if (phase === Phase.Reveal && !hasBit(state.revealed, index)) {
        await step(log, "reveal", () => revealSeeds(member), { round: state.round });
      } else if (phase === Phase.Aggregate) {
        aggregateSeenAt ??= Date.now();
        const submitters = state.groups.flatMap((g) => g.submitters);
        const designated = submitters.length > 0 && Math.min(...submitters) === index;
        if (designated || Date.now() - aggregateSeenAt > opts.aggregatorDelayMs) {
          await step(log, "aggregate", () => aggregateRound(market, jobId), { round: state.round });
          aggregateSeenAt = Date.now(); // after a failed attempt, wait a whole delay before the next
        }
      }
    }
    await sleep(opts.pollMs);
  }
}

/**
 * Runs one protocol step. A revert (another party may have moved the job on) or any other failure the
 * project names (say, a submission the aggregator cannot read back) is logged and the loop re-reads the chain.
 */
async function step(log: Logger, name: string, action: () => Promise<unknown>, details: Record<string, unknown> = {}): Promise<void> {
  try {
    const result = await withRetry(name, action, log);
    if (result !== null) log.info(name, details);
  } catch (error) {
    if (error instanceof ContractRevertError) log.warn(`${name} reverted; re-reading the chain`, { ...details, error: error.errorName });
    else if (error instanceof BaseError) log.warn(`${name} failed; re-reading the chain`, { ...details, error: error.shortMessage });
    else throw error;
  }
}
