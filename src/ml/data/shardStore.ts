// A data owner's shard on disk: a folder with the MNIST-style IDX pair and a small JSON note.
//   <dir>/images-idx3-ubyte   IDX unsigned bytes, [n, height, width] (or [n, h, w, channels])
//   <dir>/labels-idx1-ubyte   IDX unsigned bytes, [n]
//   <dir>/shard.json          {"format":"idx","n":..,"numClasses":..,"classCounts":[..]}
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import path from "path";
import { z } from "zod";
import { DataFormatError } from "../../errors";
import { parseJson } from "../../infra/json";
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

/** shard.json as read back: classCounts, which nothing reads, is checked only when present. */
export const shardMetaSchema = z.object({
  format: z.literal("idx"),
  n: z.number().int().nonnegative(),
  numClasses: z.number().int().min(1),
  classCounts: z.array(z.number().int().nonnegative()).optional(),
});

function readMeta(file: string): z.infer<typeof shardMetaSchema> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataFormatError(file, "cannot read shard.json", { cause: err });
  }
  const parsed = parseJson(text, shardMetaSchema);
  if (parsed.ok) return parsed.value;
  if (parsed.syntax) throw new DataFormatError(file, "cannot parse shard.json", { cause: parsed.cause });
  throw new DataFormatError(file, parsed.problem);
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
export function writeShards(dir: string, ds: Dataset, clients: number, scheme: PartitionScheme, opts: PartitionOptions): { shards: Dataset[]; dirs: string[] } {
  const shards = partitionDataset(ds, clients, scheme, opts);
  const dirs = shards.map((shard, i) => saveShard(path.join(dir, `do-${i}`), shard));
  return { shards, dirs };
}
