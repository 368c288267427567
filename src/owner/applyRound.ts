// Model owner, after a round: set the public part to the chain's model, fine-tune the private
// part on the owner's own data, and evaluate on its held-out test set.
import type * as tf from "@tensorflow/tfjs";
import { dequantize } from "../protocol";
import type { PublicModelTracker } from "../chain";
import { evaluate, finetunePrivate, setPublicWeights, type Dataset, type TrainOptions } from "../ml";

/** Applies the public model that follows round `round` (read through `models`) and returns the test accuracy after fine-tuning. */
export async function applyRound(
  models: PublicModelTracker,
  round: number,
  model: tf.LayersModel,
  own: Dataset,
  test: Dataset,
  finetune: TrainOptions,
): Promise<number> {
  const scaleBits = Number((await models.market.jobParams(models.jobId)).scaleBits);
  const q = await models.at(round + 1);
  setPublicWeights(model, Float32Array.from(dequantize(q, scaleBits)));
  if (finetune.epochs > 0) await finetunePrivate(model, own, finetune);
  return evaluate(model, test);
}
