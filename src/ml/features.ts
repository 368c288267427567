// Outputs of a stack of frozen layers for a whole dataset, packed as a Dataset so the layers
// above them can be trained for many epochs without re-running the frozen ones.
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "./data/dataset";
import { applyLayers } from "./model";
import { makeBatch } from "./batches";

/** A dataset of features with the real per-sample feature shape (the Dataset view is h=1, w=1, c=size when 1D). */
export interface FeatureSet {
  data: Dataset;
  featureShape: number[];
}

/** Runs the frozen layers over the dataset in batches and keeps their outputs with the labels. */
export function computeFeatures(layers: tf.layers.Layer[], ds: Dataset, batchSize = 500): FeatureSet {
  let featureShape: number[] = [];
  let values: Float32Array = new Float32Array(0);
  for (let start = 0; start < ds.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, ds.n - start) }, (_, k) => start + k);
    const { x, y } = makeBatch(ds, idx);
    const out = tf.tidy(() => applyLayers(layers, x));
    if (start === 0) {
      featureShape = out.shape.slice(1);
      values = new Float32Array(ds.n * (out.size / idx.length));
    }
    values.set(out.dataSync() as Float32Array, start * (out.size / idx.length));
    tf.dispose([x, y, out]);
  }
  const [h, w, c] = featureShape.length === 3 ? featureShape : [1, 1, featureShape.reduce((a, b) => a * b, 1)];
  return { data: { ...ds, images: values, height: h, width: w, channels: c }, featureShape };
}
