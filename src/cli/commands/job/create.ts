// `omni job create`: post a training job — escrow the budget, publish the model's public part — and keep
// the full model and job.json in a local job folder.
import { Command, Option } from "commander";
import { ZeroAddress } from "ethers";
import path from "path";
import type * as tf from "@tensorflow/tfjs";
import { BaseError, InvalidInputError } from "../../../errors";
import { DEFAULT_MODEL_CONFIG, buildModel, initBackend, loadModel, pretrain, publicWeights, saveModel } from "../../../ml";
import { MAX_GRAM_GROUPS, MIN_GROUP_SUBMITTERS, assertQuantizationParameters, minEligibleGroups, packWords, usesGram } from "../../../protocol";
import { readJobRecord, writeJobRecord } from "../../../owner/jobFolder";
import { encodeModel } from "../../../owner/modelCodec";
import { jobParameters, postJob, type JobTerms } from "../../../owner/postJob";
import { preflightJob } from "../../../owner/preflight";
import { DEMO_RECIPE } from "../../../owner/recipe";
import { chainOptions, marketLocation, withMarket, type ChainFlags } from "../../connect";
import { fail } from "../../io";
import { addressOption, bigintOption, integerOption, numberOption } from "../../options";
import { loadInput, taskData, taskOption } from "./data";

interface CreateFlags extends ChainFlags {
  model?: string;
  pretrain?: number;
  dataOwners: number;
  groupSize: number;
  rounds: number;
  reward: bigint;
  stake: bigint;
  token: string;
  rule: JobTerms["rule"];
  trimBps: number;
  clipNorm: number;
  scaleBits: number;
  task: string;
  joinS: number;
  commitS: number;
  submitS: number;
  revealS: number;
  aggregateS: number;
  aggregationFee: bigint;
  out: string;
}

/** The first model folder of a job; later versions are saved next to it (see src/owner/jobFolder.ts). */
const FIRST_MODEL = "model";

function check(ok: boolean, flag: string, problem: string): void {
  if (!ok) throw new InvalidInputError(flag, problem);
}

/** The job terms of the flags, each flag checked (before any model is loaded or transaction sent). */
function termsOf(f: CreateFlags): JobTerms {
  check((f.model === undefined) !== (f.pretrain === undefined), "--model", "give exactly one of --model <dir> and --pretrain <samples>");
  check(f.pretrain === undefined || f.pretrain > 0, "--pretrain", "must be at least 1 sample");
  check(
    f.groupSize >= MIN_GROUP_SUBMITTERS,
    "--group-size",
    `must be at least ${MIN_GROUP_SUBMITTERS} (only sums over ${MIN_GROUP_SUBMITTERS}+ data owners are revealed), got ${f.groupSize}`,
  );
  check(f.dataOwners >= f.groupSize, "--data-owners", `must be at least the group size ${f.groupSize}, got ${f.dataOwners}`);
  check(f.rounds > 0, "--rounds", "must be at least 1");
  check(f.reward > 0n, "--reward", "must be above 0 wei");
  check(f.stake > 0n, "--stake", "must be above 0 wei");
  for (const [flag, s] of [
    ["--join-s", f.joinS],
    ["--commit-s", f.commitS],
    ["--submit-s", f.submitS],
    ["--reveal-s", f.revealS],
    ["--aggregate-s", f.aggregateS],
  ] as const) {
    check(s > 0, flag, "must be at least 1 second");
  }
  check(
    f.rule === "trimmed-mean" ? f.trimBps < 5000 : f.trimBps === 0,
    "--trim-bps",
    f.rule === "trimmed-mean" ? `must be below 5000, got ${f.trimBps}` : "applies to --rule trimmed-mean only",
  );
  check(f.rule !== "trimmed-mean" || f.trimBps > 0, "--trim-bps", "must be above 0: a trimmed mean that trims nothing is a mean, which one group steers");
  check(
    !usesGram(f.rule) || Math.floor(f.dataOwners / f.groupSize) <= MAX_GRAM_GROUPS,
    "--data-owners",
    `the ${f.rule} takes at most ${MAX_GRAM_GROUPS} groups; ${f.dataOwners} DOs in groups of ${f.groupSize} make ${Math.floor(f.dataOwners / f.groupSize)}`,
  );
  const needed = minEligibleGroups(f.rule, f.trimBps);
  check(
    Math.floor(f.dataOwners / f.groupSize) >= needed,
    "--data-owners",
    `${f.dataOwners} data owners in groups of ${f.groupSize} make ${Math.floor(f.dataOwners / f.groupSize)} groups; the ${f.rule} needs at least ${needed} to resist one bad group (use at least ${needed * f.groupSize})`,
  );
  check(f.clipNorm > 0, "--clip-norm", `must be above 0, got ${f.clipNorm}`);
  const terms: JobTerms = {
    task: f.task,
    token: f.token,
    numDOs: f.dataOwners,
    groupSize: f.groupSize,
    rounds: f.rounds,
    rewardPerRound: f.reward,
    stake: f.stake,
    aggregationFee: f.aggregationFee,
    durations: { join: f.joinS, commit: f.commitS, submit: f.submitS, reveal: f.revealS, aggregate: f.aggregateS },
    rule: f.rule,
    trimBps: f.trimBps,
    scaleBits: f.scaleBits,
    clipNorm: f.clipNorm,
  };
  // clipNormQ does not depend on the parameter count, so 1 stands in for it before the model is loaded.
  const { clipNormQ } = jobParameters(terms, DEFAULT_MODEL_CONFIG, 1);
  assertQuantizationParameters({ scaleBits: f.scaleBits, clipNormQ: Number(clipNormQ) }, f.groupSize);
  return terms;
}

/** Refuses a model whose tensors are not those of the default CNN, the architecture data owners train (docs/MODEL.md). */
function checkArchitecture(model: tf.LayersModel): void {
  const reference = buildModel(DEFAULT_MODEL_CONFIG);
  try {
    const shape = (w?: tf.LayerVariable) => (w ? `[${w.shape.join(", ")}]` : "none");
    const count = Math.max(model.weights.length, reference.weights.length);
    for (let i = 0; i < count; i++) {
      const [have, want] = [model.weights[i], reference.weights[i]];
      if (shape(have) !== shape(want)) {
        throw new InvalidInputError(
          "--model",
          `tensor ${i} (${have?.originalName ?? "missing"}) has shape ${shape(have)}, the default CNN needs ${shape(want)}`,
        );
      }
    }
  } finally {
    reference.dispose();
  }
}

/** The saved model of --model, or a fresh default model pretrained on the first --pretrain samples of the task. */
async function ownerModel(f: CreateFlags): Promise<tf.LayersModel> {
  await initBackend();
  if (f.model !== undefined) {
    const model = await loadInput("--model", () => loadModel(f.model!));
    checkArchitecture(model);
    return model;
  }
  const model = buildModel(DEFAULT_MODEL_CONFIG, DEMO_RECIPE.seed);
  const own = taskData(f.task, "train", f.pretrain);
  await pretrain(model, own, DEMO_RECIPE.pretrain);
  process.stderr.write(`pretrained the default CNN on the first ${own.n} ${f.task} training samples\n`);
  return model;
}

/** Posts the job and writes the job folder; prints the job id on stdout. */
export async function createCommand(f: CreateFlags): Promise<void> {
  try {
    const terms = termsOf(f);
    const existing = readJobRecord(f.out);
    if (existing) throw new InvalidInputError("--out", `${f.out} already holds job ${existing.jobId}; choose another folder`);
    await withMarket(f, marketLocation(f), true, async ({ market, chainId }) => {
      const model = await ownerModel(f);
      const weights = publicWeights(model);
      await preflightJob(market, jobParameters(terms, DEFAULT_MODEL_CONFIG, weights.length), packWords(encodeModel(weights, terms.scaleBits)));
      // The full model is on disk before any money moves.
      await saveModel(model, path.join(f.out, FIRST_MODEL));
      const record = (jobId: bigint) =>
        writeJobRecord(f.out, {
          jobId: jobId.toString(),
          market: String(market.target),
          chainId: chainId.toString(),
          task: f.task,
          model: FIRST_MODEL,
          pretrainSamples: f.pretrain,
          createdAt: new Date().toISOString(),
          rounds: [],
        });
      const { jobId, txs } = await postJob(market, model, DEFAULT_MODEL_CONFIG, terms).catch((error: unknown) => {
        // The job exists and holds the budget, but its model is not all posted: record it, so the folder
        // names the job whose budget `omni job cancel` returns after the join deadline.
        const created = error instanceof BaseError ? error.details.jobId : undefined;
        if (typeof created !== "string") throw error;
        record(BigInt(created));
        throw new BaseError(
          `${(error as BaseError).shortMessage}; ${path.join(f.out, "job.json")} records job ${created}: after its join deadline \`omni job cancel --dir ${f.out}\` then \`omni job refund --dir ${f.out}\` return the budget`,
          { details: { jobId: created }, cause: error },
        );
      });
      record(jobId);
      const gas = txs.reduce((sum, tx) => sum + tx.gasUsed, 0n);
      process.stderr.write(`job ${jobId} posted in ${txs.length} transactions (${gas} gas); model and job.json in ${f.out}\n`);
      process.stdout.write(`${jobId}\n`);
    });
  } catch (error) {
    fail("job create", error);
  }
}

/** Registers `omni job create`. */
export function registerCreate(job: Command): void {
  const d = DEMO_RECIPE.terms;
  chainOptions(job.command("create").description("post a training job: escrow the budget, publish the model's public part, keep the full model locally"))
    .option("--model <dir>", "a saved model folder (model.json + weights.bin) of the default CNN")
    .option("--pretrain <samples>", "instead of --model: pretrain a fresh default CNN on the first N training samples of the task", integerOption)
    .requiredOption("--data-owners <n>", "roster size n", integerOption)
    .requiredOption("--group-size <g>", "minimum group size (at least 3)", integerOption)
    .requiredOption("--rounds <r>", "training rounds", integerOption)
    .requiredOption("--reward <wei>", "paid per round to every data owner of an inlier group", bigintOption)
    .requiredOption("--stake <wei>", "stake each data owner escrows when joining", bigintOption)
    .option("--aggregation-fee <wei>", "paid from the budget to the sender of each aggregation transaction", bigintOption, 0n)
    .option("--token <erc20>", "pay in this ERC-20 instead of ETH", addressOption, ZeroAddress)
    .addOption(new Option("--rule <rule>", "robust rule across group means").choices(["median", "trimmed-mean", "geomedian", "multi-krum"]).default(d.rule))
    .option("--trim-bps <b>", "trimmed mean: fraction trimmed at each end, in basis points (< 5000)", integerOption, 0)
    .option("--clip-norm <c>", "L2 clip bound of an update", numberOption, d.clipNorm)
    .option("--scale-bits <s>", "fixed-point scale 2^s of the on-chain model and updates", integerOption, d.scaleBits)
    .option("--task <tag>", "task tag data owners match, and the dataset pretraining and evaluation use", taskOption, d.task)
    .option("--join-s <s>", "seconds until the roster must be full", integerOption, d.durations.join)
    .option("--commit-s <s>", "seconds of a round's commit phase", integerOption, d.durations.commit)
    .option("--submit-s <s>", "seconds of a round's submit phase", integerOption, d.durations.submit)
    .option("--reveal-s <s>", "seconds of a round's reveal phase", integerOption, d.durations.reveal)
    .option(
      "--aggregate-s <s>",
      "seconds after the reveal deadline for aggregation; then the round settles without an aggregate",
      integerOption,
      d.durations.aggregate,
    )
    .requiredOption("--out <dir>", "job folder for the full model and job.json (must not hold a job yet)")
    .action(createCommand);
}
