// The model owner's job folder: job.json (which job, on which market and chain, what has been applied)
// and the full model — private part included, it never goes on-chain — one subfolder per saved version.
// A new version is saved into a new subfolder and becomes current only when job.json, written atomically,
// names it: a crash at any moment leaves a consistent folder.
import path from "path";
import { z } from "zod";
import { InvalidInputError } from "../errors";
import { addressString, decimalString, readJsonFileIfExists, writeFileAtomic } from "../infra";
import type { RoundRow } from "./roundReport";

/** The content of <dir>/job.json. */
export interface JobRecord {
  jobId: string;
  market: string;
  chainId: string;
  task: string;
  /** Subfolder holding the current full model. */
  model: string;
  /** The owner's own data when it pretrained here: the first `pretrainSamples` training samples of `task`. */
  pretrainSamples?: number;
  createdAt: string;
  /** Test accuracy before the first round, measured by the first pull. */
  initialAccuracy?: number;
  /** Rounds applied so far, in order. */
  rounds: RoundRow[];
}

/** The job file inside a job folder. */
export const JOB_FILE = "job.json";

const count = z.number().int().nonnegative();

/** One row of job.json's `rounds`; gas and wei amounts are decimal strings. */
export const roundRowSchema: z.ZodType<RoundRow, z.ZodTypeDef, unknown> = z
  .object({
    round: count,
    accuracy: z.number(),
    gasUsed: decimalString,
    chainMs: z.number(),
    inlierGroups: count,
    eligibleGroups: count,
    // Absent from job.json files written before the norm bound.
    excludedGroups: count.default(0),
    paidWei: decimalString,
    distances: z.array(decimalString),
    medianDistance: decimalString,
  })
  .passthrough();

/** The content of job.json; the job and chain ids are decimal strings, and fields it does not name are kept. */
export const jobRecordSchema: z.ZodType<JobRecord, z.ZodTypeDef, unknown> = z
  .object({
    jobId: decimalString,
    market: addressString,
    chainId: decimalString,
    task: z.string(),
    model: z.string(),
    pretrainSamples: z.number().int().positive().optional(),
    createdAt: z.string(),
    initialAccuracy: z.number().optional(),
    rounds: z.array(roundRowSchema),
  })
  .passthrough();

/** Reads <dir>/job.json, or undefined when the folder holds none; a malformed one is an input error on --dir. */
export function readJobRecord(dir: string): JobRecord | undefined {
  return readJsonFileIfExists(path.join(dir, JOB_FILE), jobRecordSchema, "--dir");
}

/** Reads <dir>/job.json, refusing a folder without one. */
export function requireJobRecord(dir: string): JobRecord {
  const record = readJobRecord(dir);
  if (!record) throw new InvalidInputError("--dir", `${dir} holds no ${JOB_FILE}; create the job with \`omni job create --out ${dir}\``);
  return record;
}

/** Writes <dir>/job.json atomically: the commit point of every change to the folder. */
export function writeJobRecord(dir: string, record: JobRecord): void {
  writeFileAtomic(path.join(dir, JOB_FILE), JSON.stringify(record, null, 2) + "\n");
}
