// The data-owner worker: finds and joins a job, then for every round commits, trains, submits,
// reveals for dropped peers and aggregates when due, and finally releases its pay. The chain is
// the source of truth: after a crash the worker re-reads it and carries on from where it stands.
// A phase whose deadline passed while the chain made no block is moved on by the worker itself
// (src/worker/stalledClock.ts).
// Every chain request is retried while the node cannot be reached (src/worker/retry.ts); each stage
// lives in its own file under src/worker/stages/.
import { ZeroHash } from "ethers";
import { WorkerSetupError } from "../errors";
import { Phase, PublicModelTracker, clockGraceSeconds, connectMarket, hasBit, readRoundState, tickClock, waitForBlockAfter } from "../chain";
import { removeTemporaries } from "../infra";
import { AggregationWatch } from "./aggregationWatch";
import { read, type WorkerContext, type WorkerOptions } from "./context";
import { withChainRetry } from "./retry";
import { moveStalledClock } from "./stalledClock";
import {
  aggregateStage,
  checkJobFits,
  chooseJob,
  commitStage,
  disputeStage,
  joinOrResume,
  releaseStage,
  revealStage,
  submitStage,
  trainStage,
  type WorkerSummary,
} from "./stages";

export type { WorkerOptions } from "./context";
export type { WorkerSummary } from "./stages";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects to the market as the worker's account, every request retried while the node cannot be reached. */
function connect(opts: WorkerOptions) {
  const log = opts.log;
  return connectMarket({
    rpcUrl: opts.rpcUrl,
    market: opts.market,
    chainId: opts.chainId,
    signer: opts.signer,
    request: (what, call) => withChainRetry(what, call, log),
  });
}

/** Runs the worker until its job completes or is cancelled; returns what it was paid out. */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const log = opts.log;
  for (const file of removeTemporaries(opts.stateDir)) log.warn("removed a temporary file left by a killed worker", { file });
  const { provider, wallet, market, chainId } = await connect(opts);
  try {
    const chosen = await chooseJob(opts, market, chainId, wallet.address);
    const params = await read(log, "read job", () => market.jobParams(chosen));
    if (opts.jobId !== undefined) checkJobFits(opts, chosen, params);
    // Load and check the local data before any stake moves: bad data must not leave a stake behind.
    const trainer = await opts.trainer({ numDOs: Number(params.numDOs) });
    if (trainer.publicSize !== Number(params.paramCount)) {
      throw new WorkerSetupError(`job ${chosen} has ${params.paramCount} public parameters, this worker's model has ${trainer.publicSize}`);
    }
    const member = await joinOrResume(opts, wallet, market, chainId, chosen, params);
    const ctx: WorkerContext = {
      opts,
      member,
      params,
      trainer,
      account: wallet.address,
      wallet,
      clockGraceSeconds: clockGraceSeconds(chainId),
      models: new PublicModelTracker(market, chosen),
      aggregation: new AggregationWatch(opts.aggregatorDelayMs),
    };
    return await playRounds(ctx);
  } finally {
    provider.destroy();
  }
}

/** The protocol loop: acts on what the chain says until the job ends, then releases the account's credit. */
async function playRounds(ctx: WorkerContext): Promise<WorkerSummary> {
  const { opts, member } = ctx;
  const { market, jobId, index } = member;
  const log = opts.log;
  for (;;) {
    const phase = Number(await read(log, "read phase", () => market.phase(jobId)));
    if (phase === Phase.Completed || phase === Phase.Cancelled) return releaseStage(ctx, phase);
    if (phase !== Phase.Aggregate) ctx.aggregation.reset();
    // Acting in a phase whose deadline wall time has passed would only revert once the chain catches up: move it first.
    if (await moveStalledClock(ctx, phase)) continue;
    if (phase >= Phase.Commit) {
      const state = await read(log, "read round", () => readRoundState(market, jobId));
      const committed = hasBit(state.committed, index);
      if (state.randomness === ZeroHash) {
        // The round's groups are drawn from the hash of the block that opened it: wait for (or make) the next one.
        log.info("waiting for a block after the one that opened the round (its hash draws the groups)", { round: state.round });
        await waitForBlockAfter(market.runner!.provider!, state.drawBlock, () => tickClock(ctx.wallet), { graceSeconds: ctx.clockGraceSeconds });
        continue;
      } else if (!state.groups.some((g) => g.members.includes(index))) {
        log.warn("not a member of this round (ejected); waiting for the job to end", { round: state.round });
      } else if (phase === Phase.Commit && !committed) {
        await commitStage(ctx, state);
      } else if ((phase === Phase.Commit || phase === Phase.Submit) && committed && !hasBit(state.submitted, index)) {
        if (phase === Phase.Submit) await disputeStage(ctx, state);
        const update = await trainStage(ctx, state);
        if (phase === Phase.Submit) await submitStage(ctx, state, update);
      } else if (phase === Phase.Reveal && !hasBit(state.revealed, index)) {
        await revealStage(ctx, state);
      } else if (phase === Phase.Aggregate) {
        await aggregateStage(ctx, state);
      }
    }
    await sleep(opts.pollMs);
  }
}
