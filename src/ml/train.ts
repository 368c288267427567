// Training loops: the data owner's round (public part + local head), the model owner's
// fine-tuning of the private part (public part frozen) and its pretraining of the whole model.
// Each call uses a fresh Adam optimiser and a seeded shuffle; loss is softmax cross-entropy on logits.
import * as tf from "@tensorflow/tfjs";
import { withLabels, type Dataset } from "./data/dataset";
import { MlConfigError } from "../errors";
import { makeBatch, epochBatches } from "./batches";
import { computeFeatures } from "./features";
import { applyLayers, privateLayersOf, publicLayersOf } from "./model";
import { publicWeights } from "./publicWeights";
import { createRng } from "./rng";

/** Progress after each batch. */
export interface TrainProgress {
  phase: "head" | "joint" | "private" | "pretrain";
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

/** Hyperparameters shared by every training call. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** Seed of the per-epoch shuffles (default 0). */
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
}

/** Options of a data owner's round. */
export interface TrainPublicOptions extends TrainOptions {
  /** Epochs training the local head alone on frozen public features before the joint epochs. */
  headEpochs?: number;
  /** Learning rate of the head-only epochs (default: lr). */
  headLr?: number;
  /** Labels to train on instead of the dataset's (the label-flip attack hook). */
  labels?: Uint8Array;
}

function trainableVariables(layers: tf.layers.Layer[]): tf.Variable[] {
  return layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
}

function checkOptions(opts: TrainOptions, what: string): void {
  for (const field of ["epochs", "batchSize"] as const) {
    if (!Number.isInteger(opts[field]) || opts[field] < (field === "epochs" ? 0 : 1)) {
      throw new MlConfigError(`${what}: ${field} must be a ${field === "epochs" ? "non-negative" : "positive"} integer, got ${opts[field]}`);
    }
  }
  if (!(opts.lr > 0)) throw new MlConfigError(`${what}: lr must be positive, got ${opts.lr}`);
}

async function fit(
  phase: TrainProgress["phase"],
  forward: (x: tf.Tensor) => tf.Tensor,
  variables: tf.Variable[],
  ds: Dataset,
  opts: TrainOptions,
): Promise<number> {
  const optimizer = tf.train.adam(opts.lr);
  const rng = createRng(opts.seed ?? 0);
  let lastLoss = NaN;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const batches = epochBatches(ds.n, opts.batchSize, rng);
      for (let b = 0; b < batches.length; b++) {
        const { x, y } = makeBatch(ds, batches[b]);
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, true, variables);
        lastLoss = loss ? loss.dataSync()[0] : NaN;
        tf.dispose(loss ? [x, y, loss] : [x, y]);
        opts.onProgress?.({ phase, epoch, epochs: opts.epochs, batch: b, batches: batches.length, loss: lastLoss });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    optimizer.dispose();
  }
  return lastLoss;
}

function reshapeTo(featureShape: number[]): (x: tf.Tensor) => tf.Tensor {
  return (x) => x.reshape([x.shape[0], ...featureShape]);
}

/**
 * A data owner's round: optional head-only epochs on frozen public features, then joint
 * epochs on public part + local head. Returns the update, new − old public weights.
 */
export async function trainPublic(publicPart: tf.LayersModel, head: tf.LayersModel, dataset: Dataset, opts: TrainPublicOptions): Promise<Float32Array> {
  checkOptions(opts, "trainPublic");
  const ds = opts.labels ? withLabels(dataset, opts.labels) : dataset;
  const before = publicWeights(publicPart);
  const headLayers = head.layers;
  if ((opts.headEpochs ?? 0) > 0) {
    const { data, featureShape } = computeFeatures(publicLayersOf(publicPart), ds);
    const toFeatures = reshapeTo(featureShape);
    await fit("head", (x) => applyLayers(headLayers, toFeatures(x)), trainableVariables(headLayers), data, {
      ...opts,
      epochs: opts.headEpochs ?? 0,
      lr: opts.headLr ?? opts.lr,
    });
  }
  const layers = [...publicLayersOf(publicPart), ...headLayers];
  await fit("joint", (x) => applyLayers(layers, x), trainableVariables(layers), ds, opts);
  const after = publicWeights(publicPart);
  for (let i = 0; i < after.length; i++) after[i] -= before[i];
  return after;
}

/** The model owner's fine-tuning: trains the private layers on frozen public features; returns the last loss. */
export async function finetunePrivate(model: tf.LayersModel, dataset: Dataset, opts: TrainOptions): Promise<number> {
  checkOptions(opts, "finetunePrivate");
  const { data, featureShape } = computeFeatures(publicLayersOf(model), dataset);
  const privateLayers = privateLayersOf(model);
  if (privateLayers.length === 0) throw new MlConfigError("finetunePrivate: the model has no private layers");
  const toFeatures = reshapeTo(featureShape);
  return fit("private", (x) => applyLayers(privateLayers, toFeatures(x)), trainableVariables(privateLayers), data, opts);
}

/** Trains every layer of the model (the model owner's pretraining); returns the last loss. */
export async function pretrain(model: tf.LayersModel, dataset: Dataset, opts: TrainOptions): Promise<number> {
  checkOptions(opts, "pretrain");
  const layers = model.layers;
  return fit("pretrain", (x) => applyLayers(layers, x), trainableVariables(layers), dataset, opts);
}
