// Data for the in-process market simulation, laid out as the demo lays it out (src/devnet/runMarket.ts):
// the train split is shuffled with the recipe's seed, the model owner (MO) owns the first `ownerSamples`
// samples, the next `poolSize` are split among the data owners (DOs) iid or with Dirichlet label skew.
// The MO never sees the DOs' samples and no test image is trained on.
import { classCounts, createRng, loadFashionMnist, loadMnist, partitionDataset, selectSamples, type Dataset, type PartitionScheme } from "../../src/ml";
import { InvalidInputError } from "../../src/errors";

/** The datasets the benchmarks use. */
export type DatasetName = "mnist" | "fashion-mnist";

/** How the DO pool is split: iid, or Dirichlet(alpha) label skew. */
export type SplitSpec = { kind: "iid" } | { kind: "dirichlet"; alpha: number };

/** A dataset's train and test splits. */
export interface DatasetSplits {
  name: DatasetName;
  train: Dataset;
  test: Dataset;
}

/** What the MO and the DOs hold. */
export interface MarketData {
  own: Dataset;
  shards: Dataset[];
}

/** Options of marketData. */
export interface MarketDataOptions {
  dataOwners: number;
  /** Train samples split among the DOs (disjoint from the MO's). */
  poolSize: number;
  split: SplitSpec;
  ownerSamples: number;
  /** Smallest shard a Dirichlet split may give (the partitioner redraws until every DO has this many). */
  minPerDataOwner: number;
  seed: number;
}

/** Loads a dataset's train and test splits; `testLimit` keeps the first samples of the test split. */
export function loadSplits(name: DatasetName, testLimit?: number): DatasetSplits {
  if (name === "mnist") return { name, train: loadMnist({ split: "train" }), test: loadMnist({ split: "test", limit: testLimit }) };
  if (name === "fashion-mnist") {
    return { name, train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test", limit: testLimit }) };
  }
  throw new InvalidInputError("dataset", `must be mnist or fashion-mnist, got ${String(name)}`);
}

/** A short label of a split, e.g. "iid" or "dirichlet-0.5". */
export function splitLabel(split: SplitSpec): string {
  return split.kind === "iid" ? "iid" : `dirichlet-${split.alpha}`;
}

/** The MO's slice and the DOs' shards, drawn as the demo draws them. */
export function marketData(train: Dataset, opts: MarketDataOptions): MarketData {
  if (opts.ownerSamples + opts.poolSize > train.n) {
    throw new InvalidInputError("poolSize", `${opts.ownerSamples} MO samples + ${opts.poolSize} DO samples exceed the ${train.n} train samples`);
  }
  const order = createRng(opts.seed).shuffle(Array.from({ length: train.n }, (_, i) => i));
  const own = selectSamples(train, order.slice(0, opts.ownerSamples));
  const pool = selectSamples(train, order.slice(opts.ownerSamples, opts.ownerSamples + opts.poolSize));
  const scheme: PartitionScheme =
    opts.split.kind === "iid" ? { kind: "iid" } : { kind: "dirichlet", alpha: opts.split.alpha, minPerClient: opts.minPerDataOwner };
  return { own, shards: partitionDataset(pool, opts.dataOwners, scheme, { seed: opts.seed }) };
}

/** Sizes and class counts of the shards, for the result file. */
export function describeShards(shards: readonly Dataset[]): { n: number; classCounts: number[] }[] {
  return shards.map((s) => ({ n: s.n, classCounts: classCounts(s) }));
}
