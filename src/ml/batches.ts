// Mini-batches of a Dataset as tensors: a seeded shuffle per epoch, images as [b, h, w, c]
// and labels one-hot as [b, numClasses].
import * as tf from "@tensorflow/tfjs";
import { sampleSize, type Dataset } from "./data/dataset";
import type { Rng } from "./rng";

/** One mini-batch; the caller disposes both tensors. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
}

/** Builds the batch of the given sample indices (copies pixels; labels one-hot). */
export function makeBatch(ds: Dataset, indices: ArrayLike<number>): Batch {
  const size = sampleSize(ds);
  const b = indices.length;
  const pixels = new Float32Array(b * size);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const i = indices[k];
    pixels.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  const x = tf.tensor4d(pixels, [b, ds.height, ds.width, ds.channels]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), ds.numClasses).toFloat() as tf.Tensor2D);
  return { x, y, size: b };
}

/** The sample order of one epoch split into batches (last batch may be smaller). */
export function epochBatches(n: number, batchSize: number, rng?: Rng): number[][] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (rng) rng.shuffle(order);
  const out: number[][] = [];
  for (let start = 0; start < n; start += batchSize) out.push(order.slice(start, start + batchSize));
  return out;
}
