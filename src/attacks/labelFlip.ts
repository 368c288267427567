// Label flipping, a data-poisoning attack: train on y → numClasses − 1 − y.
// Paper: Tolpegin, Truex, Gursoy, Liu, "Data Poisoning Attacks Against Federated Learning Systems",
// ESORICS 2020 (earlier: Biggio, Nelson, Laskov, ICML 2012).
import { InvalidInputError } from "../errors";

/** The flipped labels numClasses − 1 − y (each y an integer in [0, numClasses)). */
export function labelFlip(labels: ArrayLike<number>, numClasses: number): Int32Array {
  if (!Number.isSafeInteger(numClasses) || numClasses < 2) throw new InvalidInputError("numClasses", `must be an integer ≥ 2, got ${numClasses}`);
  return Int32Array.from({ length: labels.length }, (_, k) => {
    const y = labels[k];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new InvalidInputError(`labels[${k}]`, `must be an integer in [0, ${numClasses}), got ${y}`);
    return numClasses - 1 - y;
  });
}
