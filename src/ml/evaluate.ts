// Accuracy of a model (logits or probabilities out) on a labelled dataset.
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "./data/dataset";
import { makeBatch } from "./batches";

/** Fraction of samples whose arg-max prediction equals the label (batched inference). */
export function evaluate(model: tf.LayersModel, ds: Dataset, batchSize = 1000): number {
  if (ds.n === 0) return NaN;
  let correct = 0;
  for (let start = 0; start < ds.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, ds.n - start) }, (_, k) => start + k);
    const { x, y } = makeBatch(ds, idx);
    const hits = tf.tidy(() => tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)).sum());
    correct += hits.dataSync()[0];
    tf.dispose([x, y, hits]);
  }
  return correct / ds.n;
}
