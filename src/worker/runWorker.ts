// The data-owner worker: finds and joins a job, then for every round commits, trains, submits,
// reveals for dropped peers and aggregates when due, and finally releases its pay. The chain is
// the source of truth: after a crash the worker re-reads it and carries on from where it stands.
// Every chain request is retried while the node cannot be reached (src/worker/retry.ts).
import { Contract, JsonRpcProvider, Network, ZeroAddress, decodeBytes32String, getAddress, type Wallet } from "ethers";
import path from "path";
import { BaseError, WorkerSetupError } from "../errors";
import { ContractRevertError } from "../errors/chain";
import {
  Phase,
  aggregateRound,
  commitSeeds,
  fetchPublicModel,
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
import { AggregationWatch } from "./aggregationWatch";
import { readJsonIfExists, removeTemporaries, writeFileAtomic } from "./files";
import { findJob, findJoinedJob, type JobFilter } from "./findJob";
import { jobKeyPair, loadWallet, type SignerSource } from "./identity";
import type { Logger } from "./log";
import { withChainRetry } from "./retry";
import { roundUpdate } from "./roundUpdate";
import { stageMessage, type WorkerStage } from "./stages";
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
  /** Join this job instead of searching (it must still be for the filter's task and model). */
  jobId?: bigint;
  /** Builds the trainer once the job is known (`numDOs` sizes the omniscience-free attack models). */
  trainer: (job: { numDOs: number }) => Promise<DataOwnerTrainer>;
  pollMs: number;
  /** How long aggregation may make no progress before a member that is not designated aggregates the round itself. */
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

type JobParams = Awaited<ReturnType<OmniMarket["jobParams"]>>;

/** The state file naming the worker's job, for restarts. */
const STATE_FILE = "worker.json";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Logs that the worker completed `stage` (see src/worker/stages.ts). */
function logStage(log: Logger, stage: WorkerStage, details: Record<string, unknown>): void {
  log.info(stageMessage(stage), details);
}

/** The node's chain id, asked once: a provider pinned to a placeholder network does not retry network detection on its own. */
async function nodeChainId(url: string): Promise<bigint> {
  const probe = new JsonRpcProvider(url, undefined, { staticNetwork: new Network("unknown", 0n) });
  try {
    return BigInt(await probe.send("eth_chainId", []));
  } finally {
    probe.destroy();
  }
}

async function connect(opts: WorkerOptions): Promise<{ provider: JsonRpcProvider; wallet: Wallet; market: OmniMarket; chainId: bigint }> {
  const chainId = await withChainRetry("connect", () => nodeChainId(opts.rpcUrl), opts.log);
  if (opts.chainId !== undefined && chainId !== opts.chainId) {
    throw new WorkerSetupError(`wrong chain: ${opts.rpcUrl} is chain ${chainId}, the market is on chain ${opts.chainId}`);
  }
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: Network.from(chainId), pollingInterval: 250, cacheTimeout: -1 });
  try {
    const wallet = await loadWallet(opts.signer, provider);
    const market = marketAt(getAddress(opts.market), wallet);
    if ((await withChainRetry("connect", () => provider.getCode(opts.market), opts.log)) === "0x") {
      throw new WorkerSetupError(`no contract at ${opts.market} on chain ${chainId}`);
    }
    return { provider, wallet, market, chainId };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

/** The job to work on: the one given, the one saved before a restart, one this account already joined, or the newest matching open job. */
async function chooseJob(opts: WorkerOptions, market: OmniMarket, chainId: bigint, account: string): Promise<bigint> {
  const log = opts.log;
  const count = await withChainRetry("read jobs", () => market.jobCount(), log);
  if (opts.jobId !== undefined) {
    if (opts.jobId < 1n || opts.jobId > count) throw new WorkerSetupError(`unknown job ${opts.jobId} on market ${opts.market}`);
    return opts.jobId;
  }
  const saved = readJsonIfExists<SavedState>(path.join(opts.stateDir, STATE_FILE), "--state");
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
function checkJobFits(opts: WorkerOptions, jobId: bigint, params: JobParams): void {
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
    throw new WorkerSetupError(`job ${jobId} is for another model architecture (commitment ${params.modelCommitment}) than this worker trains (${opts.filter.modelCommitment})`);
  }
}

/** The account's roster index in the job, or undefined when it has not joined. */
async function rosterIndex(market: OmniMarket, jobId: bigint, account: string, log: Logger): Promise<number | undefined> {
  try {
    return Number(await withChainRetry("read roster", () => market.memberIndex(jobId, account), log));
  } catch (error) {
    if (error instanceof ContractRevertError && error.errorName === "MarketNotMember") return undefined;
    throw error;
  }
}

/** Gas bound of a join (measured: about 380,000, most of it the key's subgroup check). */
const JOIN_GAS_BOUND = 500_000n;

/** Refuses to join when the account cannot pay the stake and the join's gas; nothing is sent. */
async function checkFunds(wallet: Wallet, jobId: bigint, params: JobParams, log: Logger): Promise<void> {
  const provider = wallet.provider!;
  const account = wallet.address;
  const [balance, fees] = await withChainRetry("read balance", () => Promise.all([provider.getBalance(account), provider.getFeeData()]), log);
  const short = (what: string, unit: string, needed: bigint, held: bigint) =>
    new WorkerSetupError(`insufficient funds: joining job ${jobId} needs ${what} of ${needed} ${unit}, ${account} holds ${held} (short by ${needed - held} ${unit})`);
  if (params.token === ZeroAddress) {
    if (balance < params.stake) throw short("the stake", "wei", params.stake, balance);
    const needed = params.stake + JOIN_GAS_BOUND * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n);
    if (balance < needed) throw short("the stake and the gas", "wei", needed, balance);
  } else {
    const erc20 = new Contract(params.token, ["function balanceOf(address) view returns (uint256)"], provider);
    const held = (await withChainRetry("read balance", () => erc20.balanceOf(account), log)) as bigint;
    if (held < params.stake) throw short("the stake", `units of ${params.token}`, params.stake, held);
  }
}

/** Joins the job (stake and key), or finds the roster index it already holds; then records the job for restarts. */
async function joinOrResume(opts: WorkerOptions, wallet: Wallet, market: OmniMarket, chainId: bigint, jobId: bigint, params: JobParams): Promise<Member> {
  const log = opts.log;
  const keys = await jobKeyPair(wallet, chainId, opts.market, jobId);
  let index = await rosterIndex(market, jobId, wallet.address, log);
  const resumed = index !== undefined;
  if (index === undefined) {
    try {
      await checkFunds(wallet, jobId, params, log);
      await withChainRetry("join", () => joinJob(market, jobId, keys.publicKey), log);
    } catch (error) {
      // A join whose answer was lost in an outage may have gone through: the retry then reverts.
      // Otherwise another data owner may have filled the roster first: a normal race, not a crash.
      if (!(error instanceof ContractRevertError)) throw error;
      if ((await rosterIndex(market, jobId, wallet.address, log)) === undefined) {
        throw new WorkerSetupError(`cannot join job ${jobId}: ${error.shortMessage}`, { cause: error });
      }
    }
    index = await rosterIndex(market, jobId, wallet.address, log);
    if (index === undefined) throw new WorkerSetupError(`joined job ${jobId} but ${wallet.address} is not on its roster`);
  }
  // Saved only once this account is on the roster, so a failed join never pins a restart to that job.
  writeFileAtomic(path.join(opts.stateDir, STATE_FILE), JSON.stringify({ jobId: jobId.toString(), market: opts.market, chainId: chainId.toString() }));
  if (resumed) log.info("resuming", { jobId, index });
  else logStage(log, "joined", { jobId, index });
  return { market, jobId, index, secretKey: keys.secretKey };
}

/** Runs the worker until its job completes or is cancelled; returns what it was paid out. */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const log = opts.log;
  for (const file of removeTemporaries(opts.stateDir)) log.warn("removed a temporary file left by a killed worker", { file });
  const { provider, wallet, market, chainId } = await connect(opts);
  try {
    const chosen = await chooseJob(opts, market, chainId, wallet.address);
    const params = await withChainRetry("read job", () => market.jobParams(chosen), log);
    if (opts.jobId !== undefined) checkJobFits(opts, chosen, params);
    // Load and check the local data before any stake moves: bad data must not leave a stake behind.
    const trainer = await opts.trainer({ numDOs: Number(params.numDOs) });
    if (trainer.publicSize !== Number(params.paramCount)) {
      throw new WorkerSetupError(`job ${chosen} has ${params.paramCount} public parameters, this worker's model has ${trainer.publicSize}`);
    }
    const member = await joinOrResume(opts, wallet, market, chainId, chosen, params);
    return await playRounds(opts, member, params, trainer, wallet.address);
  } finally {
    provider.destroy();
  }
}

/** The protocol loop: acts on what the chain says until the job ends, then releases the account's credit. */
async function playRounds(opts: WorkerOptions, member: Member, params: JobParams, trainer: DataOwnerTrainer, account: string): Promise<WorkerSummary> {
  const { market, jobId, index } = member;
  const log = opts.log;
  const read = <T>(what: string, fn: () => Promise<T>) => withChainRetry(what, fn, log);
  const aggregation = new AggregationWatch(opts.aggregatorDelayMs);
  let skippedRound: number | undefined;
  for (;;) {
    const phase = Number(await read("read phase", () => market.phase(jobId)));
    if (phase === Phase.Completed || phase === Phase.Cancelled) {
      if (phase === Phase.Cancelled && !(await read("read job", () => market.jobInfo(jobId))).closed) {
        await step(log, "cancel", () => send("cancel", (o) => market.cancel(jobId, o)));
      }
      // Anyone may release an account's credit; if someone did first, there is nothing left to release.
      const paid = await read("release", () => release(market, params.token, account)).catch((error: unknown) => {
        if (error instanceof ContractRevertError && error.errorName === "MarketNothingToRelease") return null;
        throw error;
      });
      const releasedWei = paid?.amount ?? 0n;
      logStage(log, "released", { jobId, phase: phaseName(phase), releasedWei });
      return { jobId, account, index, releasedWei, finalPhase: phaseName(phase) };
    }
    if (phase !== Phase.Aggregate) aggregation.reset();
    if (phase >= Phase.Commit) {
      const state = await read("read round", () => readRoundState(market, jobId));
      const round = { jobId, round: state.round };
      const inRound = state.groups.some((g) => g.members.includes(index));
      if (!inRound) {
        log.warn("not a member of this round (ejected); waiting for the job to end", { round: state.round });
      } else if (phase === Phase.Commit && !hasBit(state.committed, index)) {
        await step(log, "commit", () => commitSeeds(member), "committed", round);
      } else if ((phase === Phase.Commit || phase === Phase.Submit) && hasBit(state.committed, index) && !hasBit(state.submitted, index)) {
        // Train as soon as the commitment is in, so the submit phase only posts.
        const { update, trained } = await roundUpdate(jobId, state, params, trainer, opts.stateDir, () =>
          read("fetch model", () => fetchPublicModel(market, jobId, state.round)),
        );
        if (trained) logStage(log, "trained", round);
        if (phase === Phase.Submit) {
          // With fewer than two masking peers the vector would be open: the contract refuses it and does not slash.
          const active = await read("read peers", () => market.activePeers(jobId, index));
          if (popcount(active) >= 2) await step(log, "submit", () => submitMasked(member, update), "submitted", round);
          else if (skippedRound !== state.round) {
            skippedRound = state.round;
            log.warn("fewer than two group peers committed matching seeds; not submitting this round", { round: state.round });
          }
        }
      } else if (phase === Phase.Reveal && !hasBit(state.revealed, index)) {
        await step(log, "reveal", () => revealSeeds(member), "revealed", round);
      } else if (phase === Phase.Aggregate) {
        const submitters = state.groups.flatMap((g) => g.submitters);
        const designated = submitters.length > 0 && Math.min(...submitters) === index;
        if (aggregation.due(state.round, state.chunksAggregated, designated)) {
          await step(log, "aggregate", () => aggregateRound(market, jobId), "aggregated", round);
          aggregation.attempted();
        }
      }
    }
    await sleep(opts.pollMs);
  }
}

/**
 * Runs one protocol step, retried while the node cannot be reached, and logs `done` when it did something
 * (an action returns null when there was nothing to do). A revert (another party may have moved the job on,
 * or an earlier attempt whose answer was lost went through) or any other failure the project names (say, a
 * submission the aggregator cannot read back) is logged and the loop re-reads the chain.
 */
async function step(log: Logger, name: string, action: () => Promise<unknown>, done?: WorkerStage, details: Record<string, unknown> = {}): Promise<void> {
  try {
    const result = await withChainRetry(name, action, log);
    if (result !== null && done) logStage(log, done, details);
  } catch (error) {
    if (error instanceof ContractRevertError) log.warn(`${name} reverted; re-reading the chain`, { ...details, error: error.errorName });
    else if (error instanceof BaseError) log.warn(`${name} failed; re-reading the chain`, { ...details, error: error.shortMessage });
    else throw error;
  }
}
