// Label transformations used by data-poisoning experiments.
import { MlConfigError } from "../errors";

/** The label-flip attack: maps every label y to numClasses − 1 − y (returns a new array). */
export function flipLabels(labels: Uint8Array, numClasses: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new MlConfigError(`flipLabels: label ${labels[i]} at index ${i} is not below numClasses ${numClasses}`);
    }
    out[i] = numClasses - 1 - labels[i];
  }
  return out;
}
