// The datasets behind a job's task tag, and the model owner's own training data for a job.
import { InvalidArgumentError } from "commander";
import { InvalidInputError, MlError } from "../../../errors";
import { loadFashionMnist, loadMnist, loadLocalData, type Dataset, type Split } from "../../../ml";
import type { JobRecord } from "../../../owner/jobFolder";

const TASKS: Record<string, (opts: { split: Split; limit?: number }) => Dataset> = {
  mnist: loadMnist,
  "fashion-mnist": loadFashionMnist,
};

/** A task tag with a known dataset. */
export function taskOption(value: string): string {
  if (!(value in TASKS)) throw new InvalidArgumentError(`must be one of ${Object.keys(TASKS).join(", ")}`);
  return value;
}

/** The first `limit` samples (all when undefined) of a split of the task's dataset. */
export function taskData(task: string, split: Split, limit?: number): Dataset {
  return TASKS[task]({ split, limit });
}

/** Runs `load`, turning an ML error (bad model or data files) into an input error that names `flag`. */
export async function loadInput<T>(flag: string, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof MlError) throw new InvalidInputError(flag, error.shortMessage, { cause: error });
    throw error;
  }
}

/** The owner's data: the shard folder given, else the training slice it pretrained on. */
export async function ownerData(record: JobRecord, shard: string | undefined): Promise<Dataset> {
  if (shard) return loadInput("--data", () => loadLocalData(shard));
  if (record.pretrainSamples === undefined) {
    throw new InvalidInputError("--data", "the model was not pretrained by `omni job create`; name the owner's shard folder");
  }
  return taskData(record.task, "train", record.pretrainSamples);
}
