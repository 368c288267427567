// The in-memory dataset type shared by loaders, partitioner, training and evaluation, with
// the small operations on it (validate, select by indices, take a prefix, class counts).
import { MlConfigError } from "../../errors";

/** Images as float pixels in [0, 1] (row-major, n × height × width × channels) and integer labels. */
export interface Dataset {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/** Pixels per sample of a dataset. */
export function sampleSize(ds: Pick<Dataset, "height" | "width" | "channels">): number {
  return ds.height * ds.width * ds.channels;
}

/** Throws MlConfigError when the arrays do not match n, the image shape or the class count. */
export function validateDataset(ds: Dataset, what = "dataset"): Dataset {
  const size = sampleSize(ds);
  if (ds.images.length !== ds.n * size) {
    throw new MlConfigError(`${what}: images has ${ds.images.length} values, expected n·h·w·c = ${ds.n * size}`);
  }
  if (ds.labels.length !== ds.n) {
    throw new MlConfigError(`${what}: labels has ${ds.labels.length} entries, expected n = ${ds.n}`);
  }
  for (let i = 0; i < ds.n; i++) {
    if (ds.labels[i] >= ds.numClasses) {
      throw new MlConfigError(`${what}: label ${ds.labels[i]} at index ${i} is not below numClasses ${ds.numClasses}`);
    }
  }
  return ds;
}

/** A new dataset holding the samples at the given indices, in that order (copies the pixels). */
export function selectSamples(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const size = sampleSize(ds);
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new MlConfigError(`sample index ${i} is outside the dataset (n = ${ds.n})`);
    }
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, images, labels, n: indices.length };
}

/** The samples in [start, end) as a view that shares memory with the source. */
export function sliceDataset(ds: Dataset, start: number, end: number): Dataset {
  const lo = Math.max(0, Math.min(start, ds.n));
  const hi = Math.max(lo, Math.min(end, ds.n));
  const size = sampleSize(ds);
  return {
    ...ds,
    images: ds.images.subarray(lo * size, hi * size),
    labels: ds.labels.subarray(lo, hi),
    n: hi - lo,
  };
}

/** The same images with another label array (for example flipped labels); checks the length. */
export function withLabels(ds: Dataset, labels: Uint8Array): Dataset {
  return validateDataset({ ...ds, labels }, "relabelled dataset");
}

/** How many samples of each class the dataset holds. */
export function classCounts(ds: Pick<Dataset, "labels" | "numClasses">): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (const y of ds.labels) counts[y]++;
  return counts;
}
