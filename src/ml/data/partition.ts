// Splits a dataset between data owners: iid, Dirichlet(α) label skew (Hsu et al. 2019,
// "Measuring the effects of non-identical data distribution"), or label-sorted shards per
// client (McMahan et al. 2017, FedAvg). Every sample goes to exactly one client; same seed, same split.
import { MlConfigError } from "../../errors";
import { createRng, type Rng } from "../rng";
import { selectSamples, type Dataset } from "./dataset";

/** How to split: iid, label skew drawn from Dirichlet(alpha), or k label-sorted shards per client. */
export type PartitionScheme = { kind: "iid" } | { kind: "dirichlet"; alpha: number; minPerClient?: number } | { kind: "shards"; shardsPerClient: number };

/** Options of the partitioner. */
export interface PartitionOptions {
  seed: number;
}

/** Dirichlet draws are repeated (up to this many times) until every client has minPerClient samples. */
const DIRICHLET_ATTEMPTS = 100;

function iid(n: number, clients: number, rng: Rng): number[][] {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return Array.from({ length: clients }, (_, c) => order.slice(Math.floor((c * n) / clients), Math.floor(((c + 1) * n) / clients)));
}

function byClass(labels: Uint8Array, numClasses: number, rng: Rng): number[][] {
  const classes: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => classes[y].push(i));
  return classes.map((idx) => rng.shuffle(idx));
}

function dirichlet(labels: Uint8Array, numClasses: number, clients: number, alpha: number, minPer: number, rng: Rng): number[][] {
  for (let attempt = 0; attempt < DIRICHLET_ATTEMPTS; attempt++) {
    const parts: number[][] = Array.from({ length: clients }, () => []);
    for (const idx of byClass(labels, numClasses, rng)) {
      const p = rng.dirichlet(alpha, clients);
      let start = 0;
      let cumulative = 0;
      for (let c = 0; c < clients; c++) {
        cumulative += p[c];
        const end = c === clients - 1 ? idx.length : Math.round(cumulative * idx.length);
        for (let k = start; k < end; k++) parts[c].push(idx[k]);
        start = Math.max(start, end);
      }
    }
    if (parts.every((part) => part.length >= minPer)) return parts.map((part) => rng.shuffle(part));
  }
  throw new MlConfigError(`dirichlet partition: no draw in ${DIRICHLET_ATTEMPTS} attempts gave every client ${minPer} samples`, {
    details: `n=${labels.length}, clients=${clients}, alpha=${alpha}; lower minPerClient or raise alpha`,
  });
}

function shards(labels: Uint8Array, clients: number, perClient: number, rng: Rng): number[][] {
  const order = Array.from({ length: labels.length }, (_, i) => i);
  rng.shuffle(order);
  order.sort((a, b) => labels[a] - labels[b]);
  const count = clients * perClient;
  const shardIds = rng.shuffle(Array.from({ length: count }, (_, s) => s));
  return Array.from({ length: clients }, (_, c) => {
    const mine: number[] = [];
    for (const s of shardIds.slice(c * perClient, (c + 1) * perClient)) {
      const lo = Math.floor((s * order.length) / count);
      const hi = Math.floor(((s + 1) * order.length) / count);
      for (let k = lo; k < hi; k++) mine.push(order[k]);
    }
    return rng.shuffle(mine);
  });
}

/** Assigns every sample index to exactly one of `clients` clients according to the scheme. */
export function partitionIndices(labels: Uint8Array, numClasses: number, clients: number, scheme: PartitionScheme, opts: PartitionOptions): number[][] {
  if (!Number.isInteger(clients) || clients < 1) throw new MlConfigError(`clients must be a positive integer, got ${clients}`);
  const rng = createRng(opts.seed);
  switch (scheme.kind) {
    case "iid":
      return iid(labels.length, clients, rng);
    case "dirichlet":
      if (!(scheme.alpha > 0)) throw new MlConfigError(`dirichlet alpha must be positive, got ${scheme.alpha}`);
      return dirichlet(labels, numClasses, clients, scheme.alpha, scheme.minPerClient ?? 1, rng);
    case "shards":
      if (!Number.isInteger(scheme.shardsPerClient) || scheme.shardsPerClient < 1) {
        throw new MlConfigError(`shardsPerClient must be a positive integer, got ${scheme.shardsPerClient}`);
      }
      return shards(labels, clients, scheme.shardsPerClient, rng);
  }
}

/** Splits a dataset into one Dataset per client (see partitionIndices). */
export function partitionDataset(ds: Dataset, clients: number, scheme: PartitionScheme, opts: PartitionOptions): Dataset[] {
  return partitionIndices(ds.labels, ds.numClasses, clients, scheme, opts).map((idx) => selectSamples(ds, idx));
}
