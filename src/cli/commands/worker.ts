// `omni worker`: run a data owner's worker against any EVM JSON-RPC endpoint until its job ends.
import { Command, InvalidArgumentError, Option } from "commander";
import { InvalidInputError } from "../../errors";
import { encodeBytes32String } from "ethers";
import { DEFAULT_MODEL_CONFIG } from "../../ml";
import { architectureCommitment } from "../../owner/modelCodec";
import { createLogger } from "../../infra";
import { DataOwnerTrainer, progressReporter, runWorker } from "../../worker";
import { fail } from "../io";
import { chainOptions, marketLocation } from "../connect";
import { addressOption, bigintOption, integerOption, numberOption } from "../options";
import { DEFAULT_RECIPE } from "../../worker/recipe";
import { DEFAULT_JOB_POLICY } from "../../worker/jobPolicy";

/** A non-negative finite number (a policy limit). */
function limitOption(value: string): number {
  const n = numberOption(value);
  if (n < 0) throw new InvalidArgumentError("must be a non-negative number");
  return n;
}

/** Collects a repeated address option. */
function addressList(value: string, previous: string[]): string[] {
  return [...previous, addressOption(value)];
}

interface WorkerFlags {
  rpc: string;
  deployment: string;
  market?: string;
  keystore?: string;
  data: string;
  state: string;
  task: string;
  minReward: bigint;
  job?: bigint;
  minWindowS: number;
  maxStakeRatio: number;
  maxJobHours: number;
  maxParams: number;
  token: string[];
  epochs: number;
  batchSize: number;
  lr: number;
  headEpochs: number;
  headLr: number;
  attack?: string;
  attackScale?: number;
  attackSigma?: number;
  attackEpsilon?: number;
  omniscient: string[];
  omniscientWaitMs: number;
  malicious: number;
  pollMs: number;
  aggregatorDelayMs: number;
  seed: number;
}

/** Runs the worker with the parsed flags and prints its summary as one JSON line. */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  try {
    if (flags.omniscient.length > 0 && !flags.attack) throw new InvalidInputError("omniscient", "is a test-mode option of an attacker: it needs --attack NAME");
    const log = createLogger(`worker ${flags.data.split("/").pop()}`);
    const fromFile = marketLocation(flags);
    const summary = await runWorker({
      rpcUrl: flags.rpc,
      market: fromFile.market,
      chainId: fromFile.chainId,
      signer: { keystore: flags.keystore },
      stateDir: flags.state,
      filter: {
        taskTag: encodeBytes32String(flags.task),
        modelCommitment: architectureCommitment(DEFAULT_MODEL_CONFIG),
        minRewardWei: flags.minReward,
      },
      policy: {
        minWindowSeconds: flags.minWindowS,
        maxStakeToRewardRatio: flags.maxStakeRatio,
        maxJobHours: flags.maxJobHours,
        maxParams: flags.maxParams,
        tokens: flags.token,
      },
      jobId: flags.job,
      pollMs: flags.pollMs,
      aggregatorDelayMs: flags.aggregatorDelayMs,
      log,
      trainer: ({ numDOs }) =>
        DataOwnerTrainer.create({
          shardDir: flags.data,
          model: DEFAULT_MODEL_CONFIG,
          epochs: flags.epochs,
          batchSize: flags.batchSize,
          lr: flags.lr,
          headEpochs: flags.headEpochs,
          headLr: flags.headLr,
          seed: flags.seed,
          attack: flags.attack
            ? {
                name: flags.attack,
                params: { scale: flags.attackScale, sigma: flags.attackSigma, epsilon: flags.attackEpsilon },
                n: numDOs,
                f: flags.malicious,
                peers: flags.omniscient,
                peerWaitMs: flags.omniscientWaitMs,
              }
            : undefined,
          onProgress: progressReporter(log),
        }),
    });
    process.stdout.write(JSON.stringify({ ...summary, jobId: summary.jobId.toString(), releasedWei: summary.releasedWei.toString() }) + "\n");
  } catch (error) {
    fail("worker", error);
  }
}

/** Registers `omni worker`. */
export function registerWorker(program: Command): void {
  chainOptions(program.command("worker").description("run a data owner's worker: join a matching job, train on local data, submit masked updates, get paid"))
    .requiredOption("--data <dir>", "the data owner's data: a shard folder (IDX images and labels) or a CSV file (label, then 784 pixels per line)")
    .requiredOption("--state <dir>", "folder for the worker's crash-safe state")
    .option("--task <tag>", "task tag of the jobs to join", "mnist")
    // The default's description is given: commander prints defaults with JSON.stringify, which refuses a bigint.
    .addOption(new Option("--min-reward <wei>", "smallest reward per round worth joining").argParser(bigintOption).default(0n, "0"))
    .option("--job <id>", "join this job instead of searching", bigintOption)
    .option(
      "--min-window-s <s>",
      "refuse a job with a phase window shorter than this many seconds (or below the contract's floor for the job, or too short for this worker's own submission)",
      integerOption,
      DEFAULT_JOB_POLICY.minWindowSeconds,
    )
    .option(
      "--max-stake-ratio <x>",
      "refuse a job whose stake is more than this many times the most it pays a member (rounds × reward per round); a slashed stake is burned",
      limitOption,
      DEFAULT_JOB_POLICY.maxStakeToRewardRatio,
    )
    .option("--max-job-hours <h>", "refuse a job whose rounds' windows add up to more than this many hours", limitOption, DEFAULT_JOB_POLICY.maxJobHours)
    .option("--max-params <n>", "refuse a job whose model has more public parameters than this", integerOption, DEFAULT_JOB_POLICY.maxParams)
    .addOption(new Option("--token <erc20>", "also join jobs paid in this ERC-20 (repeatable)").argParser(addressList).default([], "ETH only"))
    .option("--epochs <n>", "local epochs per round", integerOption, DEFAULT_RECIPE.epochs)
    .option("--batch-size <n>", "local batch size", integerOption, DEFAULT_RECIPE.batchSize)
    .option("--lr <x>", "local learning rate", numberOption, DEFAULT_RECIPE.lr)
    .option("--head-epochs <n>", "epochs training the local head alone first", integerOption, DEFAULT_RECIPE.headEpochs)
    .option("--head-lr <x>", "learning rate of the head-only epochs", numberOption, DEFAULT_RECIPE.headLr)
    .option(
      "--attack <name>",
      "test mode: behave as this attack (sign-flip, scaling, gaussian, alie, ipm, label-flip, free-rider, stale-free-rider, bounded, intermittent)",
    )
    .option("--attack-scale <x>", "λ of sign-flip and scaling", numberOption)
    .option("--attack-sigma <x>", "σ of gaussian", numberOption)
    .option("--attack-epsilon <x>", "ε of ipm", numberOption)
    .option("--malicious <n>", "number of attackers assumed by alie", integerOption, 1)
    .addOption(
      new Option("--omniscient <dirs>", "test mode: state folders (comma-separated) of other workers whose saved updates the attacker reads each round")
        .argParser((v: string) => v.split(",").filter((d) => d.length > 0))
        .default([], "none"),
    )
    .option("--omniscient-wait-ms <n>", "how long an omniscient attacker waits for those updates", integerOption, 120_000)
    .option("--poll-ms <n>", "chain polling interval", integerOption, 500)
    .option(
      "--aggregator-delay-ms <n>",
      "how long aggregation may make no progress before this member takes over from the designated one",
      integerOption,
      60_000,
    )
    .option("--seed <n>", "seed of local shuffles and head initialisation", integerOption, 1)
    .action(workerCommand);
}
