// A data owner's shard on disk: a folder with the MNIST-style IDX pair and a small JSON note.
//   <dir>/images-idx3-ubyte   IDX unsigned bytes, [n, height, width] (or [n, h, w, channels])
//   <dir>/labels-idx1-ubyte   IDX unsigned bytes, [n]
//   <dir>/shard.json          {"format":"idx","n":..,"numClasses":..,"classCounts":[..]}
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import path from "path";
import { DataFormatError } from "../errors";
import { classCounts, type Dataset } from "./dataset";
import { readCsvDataset } from "./csv";
import { readIdxDataset, writeIdxImages, writeIdxLabels } from "./idx";
import { partitionDataset, type PartitionOptions, type PartitionScheme } from "./partition";

/** File names inside a shard folder. */
export const SHARD_FILES = { images: "images-idx3-ubyte", labels: "labels-idx1-ubyte", meta: "shard.json" } as const;

/** The content of shard.json. */
export interface ShardMeta {
  format: "idx";
  n: number;
  numClasses: number;
  classCounts: number[];
}

/** Writes a dataset as a shard folder (created if missing); returns the folder. */
export function saveShard(dir: string, ds: Dataset): string {
  mkdirSync(dir, { recursive: true });
  writeIdxImages(path.join(dir, SHARD_FILES.images), ds);
  writeIdxLabels(path.join(dir, SHARD_FILES.labels), ds.labels);
  const meta: ShardMeta = { format: "idx", n: ds.n, numClasses: ds.numClasses, classCounts: classCounts(ds) };
  writeFileSync(path.join(dir, SHARD_FILES.meta), `${JSON.stringify(meta)}\n`);
  return dir;
}

function readMeta(file: string): ShardMeta {
  let meta: Partial<ShardMeta>;
  try {
    meta = JSON.parse(readFileSync(file, "utf8")) as Partial<ShardMeta>;
  } catch (err) {
    throw new DataFormatError(file, "cannot parse shard.json", { cause: err });
  }
  if (meta.format !== "idx") throw new DataFormatError(file, `format must be "idx", got ${JSON.stringify(meta.format)}`);
  if (!Number.isInteger(meta.n) || !Number.isInteger(meta.numClasses) || (meta.numClasses as number) < 1) {
    throw new DataFormatError(file, "n and numClasses must be integers");
  }
  return meta as ShardMeta;
}

/** Reads a shard folder written by saveShard, checking the IDX files against shard.json. */
export function loadShard(dir: string): Dataset {
  const metaFile = path.join(dir, SHARD_FILES.meta);
  if (!existsSync(metaFile)) throw new DataFormatError(dir, `not a shard folder: ${SHARD_FILES.meta} is missing`);
  const meta = readMeta(metaFile);
  const ds = readIdxDataset(path.join(dir, SHARD_FILES.images), path.join(dir, SHARD_FILES.labels), meta.numClasses);
  if (ds.n !== meta.n) throw new DataFormatError(metaFile, `says n = ${meta.n} but the IDX files hold ${ds.n} samples`);
  return ds;
}

/** A data owner's local data: a shard folder (IDX pair and shard.json) or a CSV file (label, then pixels). */
export function loadLocalData(location: string): Dataset {
  return location.toLowerCase().endsWith(".csv") ? readCsvDataset(location) : loadShard(location);
}

/** Partitions a dataset and writes shard i to <dir>/do-<i>; returns the shards and their folders. */
export function writeShards(
  dir: string,
  ds: Dataset,
  clients: number,
  scheme: PartitionScheme,
  opts: PartitionOptions,
): { shards: Dataset[]; dirs: string[] } {
  const shards = partitionDataset(ds, clients, scheme, opts);
  const dirs = shards.map((shard, i) => saveShard(path.join(dir, `do-${i}`), shard));
  return { shards, dirs };
}
