// The model owner's job folder: job.json (which job, on which market and chain, what has been applied)
// and the full model — private part included, it never goes on-chain — one subfolder per saved version.
// A new version is saved into a new subfolder and becomes current only when job.json, written atomically,
// names it: a crash at any moment leaves a consistent folder.
import path from "path";
import { InvalidInputError } from "../errors";
import { readJsonIfExists, writeFileAtomic } from "../worker/files";
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

/** Reads <dir>/job.json, or undefined when the folder holds none. */
export function readJobRecord(dir: string): JobRecord | undefined {
  try {
    return readJsonIfExists<JobRecord>(path.join(dir, JOB_FILE));
  } catch (cause) {
    throw new InvalidInputError("--dir", `${path.join(dir, JOB_FILE)} is not valid JSON`, { cause });
  }
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
