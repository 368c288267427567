// The small MNIST CNN and its split. Layers whose names start with "pub_" form the PUBLIC part
// (bottom layers: posted on-chain, trained by data owners); layers named "priv_" form the
// PRIVATE part (the classifier head the model owner keeps). The model outputs logits.
import * as tf from "@tensorflow/tfjs";
import { MlConfigError } from "../errors";

/** Architecture of the CNN; JSON-serialisable so a job can carry it next to the weights. */
export interface ModelConfig {
  inputShape: [number, number, number];
  numClasses: number;
  conv1Filters: number;
  conv2Filters: number;
  hiddenUnits: number;
}

/** The default: conv 3×3×8 → pool → conv 3×3×16 → pool → dense 32 | dense 10 (14,410 parameters). */
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  inputShape: [28, 28, 1],
  numClasses: 10,
  conv1Filters: 8,
  conv2Filters: 16,
  hiddenUnits: 32,
};

/** Name prefix of the public layers. */
export const PUBLIC_PREFIX = "pub_";
/** Name prefix of the private layers. */
export const PRIVATE_PREFIX = "priv_";

function init(seed: number, offset: number): tf.serialization.Serializable {
  return tf.initializers.glorotUniform({ seed: seed * 16 + offset });
}

function publicLayers(c: ModelConfig, seed: number): tf.layers.Layer[] {
  return [
    tf.layers.conv2d({
      name: "pub_conv1",
      inputShape: c.inputShape,
      filters: c.conv1Filters,
      kernelSize: 3,
      activation: "relu",
      kernelInitializer: init(seed, 1) as never,
    }),
    tf.layers.maxPooling2d({ name: "pub_pool1", poolSize: 2 }),
    tf.layers.conv2d({
      name: "pub_conv2",
      filters: c.conv2Filters,
      kernelSize: 3,
      activation: "relu",
      kernelInitializer: init(seed, 2) as never,
    }),
    tf.layers.maxPooling2d({ name: "pub_pool2", poolSize: 2 }),
    tf.layers.flatten({ name: "pub_flatten" }),
    tf.layers.dense({ name: "pub_dense", units: c.hiddenUnits, activation: "relu", kernelInitializer: init(seed, 3) as never }),
  ];
}

function privateLayers(c: ModelConfig, seed: number, inputDim?: number): tf.layers.Layer[] {
  return [
    tf.layers.dense({
      name: "priv_logits",
      units: c.numClasses,
      kernelInitializer: init(seed, 4) as never,
      ...(inputDim === undefined ? {} : { inputShape: [inputDim] }),
    }),
  ];
}

function checkConfig(c: ModelConfig): ModelConfig {
  for (const field of ["numClasses", "conv1Filters", "conv2Filters", "hiddenUnits"] as const) {
    if (!Number.isInteger(c[field]) || c[field] < 1) throw new MlConfigError(`model config: ${field} must be a positive integer, got ${c[field]}`);
  }
  if (c.inputShape.length !== 3 || c.inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new MlConfigError(`model config: inputShape must be [height, width, channels], got ${JSON.stringify(c.inputShape)}`);
  }
  return c;
}

/** Builds the model owner's full model: public layers, then private layers (seeded initialisation). */
export function buildModel(config: ModelConfig = DEFAULT_MODEL_CONFIG, seed = 1): tf.Sequential {
  const c = checkConfig(config);
  return tf.sequential({ layers: [...publicLayers(c, seed), ...privateLayers(c, seed)] });
}

/** Builds the public part alone (what a data owner trains); weights are then set from the chain. */
export function buildPublicPart(config: ModelConfig = DEFAULT_MODEL_CONFIG, seed = 1): tf.Sequential {
  return tf.sequential({ layers: publicLayers(checkConfig(config), seed) });
}

/** Builds a data owner's local head: the private layers' shape on top of the public part's output. */
export function buildLocalHead(config: ModelConfig = DEFAULT_MODEL_CONFIG, seed = 1): tf.Sequential {
  const c = checkConfig(config);
  return tf.sequential({ layers: privateLayers(c, seed, c.hiddenUnits) });
}

/** Index of the first private layer of a model (its length when it has none, e.g. a public part). */
export function splitIndex(model: tf.LayersModel): number {
  const layers = model.layers;
  const first = layers.findIndex((l) => !l.name.startsWith(PUBLIC_PREFIX));
  if (first === -1) return layers.length;
  const stray = layers.slice(first).find((l) => l.name.startsWith(PUBLIC_PREFIX));
  if (stray) throw new MlConfigError(`public layer ${stray.name} comes after the first private layer ${layers[first].name}`);
  return first;
}

/** The public layers of a model (all layers before the split index). */
export function publicLayersOf(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.slice(0, splitIndex(model));
}

/** The private layers of a model (from the split index on). */
export function privateLayersOf(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.slice(splitIndex(model));
}

/** Runs the given layers in order on a batch (inference or, inside a gradient tape, training). */
export function applyLayers(layers: tf.layers.Layer[], x: tf.Tensor): tf.Tensor {
  return layers.reduce((h, layer) => layer.apply(h) as tf.Tensor, x);
}
