// Model owner: post a job for a split model — escrow the budget, then publish the quantized public part.
import { encodeBytes32String, type BigNumberish } from "ethers";
import type * as tf from "@tensorflow/tfjs";
import { BaseError } from "../errors";
import { DEFAULT_MIN_PROJECTION_BPS, DEFAULT_OUTLIER_FACTOR_BPS, packWords } from "../protocol";
import { createJob, publishModel, ruleCode, type JobParameters, type JobRuleName, type OmniMarket, type TxCost } from "../chain";
import { publicWeights, type ModelConfig } from "../ml";
import { architectureCommitment, encodeModel } from "./modelCodec";

/** What the model owner decides about a job; the rest is derived from the model. */
export interface JobTerms {
  task: string;
  token: string;
  numDOs: number;
  groupSize: number;
  rounds: number;
  rewardPerRound: BigNumberish;
  stake: BigNumberish;
  /** Seconds of each window; each at least its floor for the job's size (windowFloors). */
  durations: { join: number; commit: number; submit: number; reveal: number; aggregate: number };
  /** Credited per aggregation transaction (aggregateChunk, finalizeRound) to its sender, from the budget; default 0. */
  aggregationFee?: BigNumberish;
  rule: JobRuleName;
  trimBps?: number;
  outlierFactorBps?: number;
  /** Inlier bound on a group mean's projection on the aggregate, in basis points (0 … 10000; 0: none). */
  minProjectionBps?: number;
  scaleBits: number;
  /** L2 clip bound of an update, as a float. */
  clipNorm: number;
}

/** The contract's JobParams for a model and terms. */
export function jobParameters(terms: JobTerms, config: ModelConfig, paramCount: number): JobParameters {
  return {
    taskTag: encodeBytes32String(terms.task),
    modelCommitment: architectureCommitment(config),
    token: terms.token,
    numDOs: terms.numDOs,
    groupSize: terms.groupSize,
    rounds: terms.rounds,
    paramCount,
    rewardPerRound: terms.rewardPerRound,
    stake: terms.stake,
    aggregationFee: terms.aggregationFee ?? 0n,
    joinDuration: terms.durations.join,
    commitDuration: terms.durations.commit,
    submitDuration: terms.durations.submit,
    revealDuration: terms.durations.reveal,
    aggregateDuration: terms.durations.aggregate,
    rule: ruleCode(terms.rule),
    trimBps: terms.trimBps ?? 0,
    outlierFactorBps: terms.outlierFactorBps ?? Number(DEFAULT_OUTLIER_FACTOR_BPS),
    minProjectionBps: terms.minProjectionBps ?? Number(DEFAULT_MIN_PROJECTION_BPS),
    scaleBits: terms.scaleBits,
    clipNormQ: Math.round(terms.clipNorm * 2 ** terms.scaleBits),
  };
}

/** Posts the job and publishes the model's public part; returns the job id and every transaction's cost. */
export async function postJob(market: OmniMarket, model: tf.LayersModel, config: ModelConfig, terms: JobTerms): Promise<{ jobId: bigint; txs: TxCost[] }> {
  const weights = publicWeights(model);
  const packed = packWords(encodeModel(weights, terms.scaleBits));
  const { jobId, txs } = await createJob({ market, params: jobParameters(terms, config, weights.length) });
  try {
    txs.push(...(await publishModel(market, jobId, packed)));
  } catch (cause) {
    // The budget is escrowed already: name the job, so publishing can resume (publishModel continues from
    // the last posted word) or the job can be cancelled for a refund after its join deadline.
    throw new BaseError(`job ${jobId} was created but publishing its model stopped: ${(cause as Error).message}`, {
      details: { jobId: jobId.toString() },
      cause,
    });
  }
  return { jobId, txs };
}
