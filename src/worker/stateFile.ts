// The worker's state file, <state>/worker.json: which job it joined, on which market and chain, so a
// restarted worker goes back to it.
import path from "path";
import { z } from "zod";
import { addressString, decimalString, readJsonFileIfExists, writeFileAtomic } from "../infra";

/** The state file inside the worker's state folder. */
export const STATE_FILE = "worker.json";

/** The content of worker.json; the bigints (job and chain id) are decimal strings. */
export const workerStateSchema = z.object({ jobId: decimalString, market: addressString, chainId: decimalString });

/** The content of worker.json. */
export type WorkerState = z.infer<typeof workerStateSchema>;

/** Reads <stateDir>/worker.json, or undefined when there is none; a malformed one is an input error on --state. */
export function readWorkerState(stateDir: string): WorkerState | undefined {
  return readJsonFileIfExists(path.join(stateDir, STATE_FILE), workerStateSchema, "--state");
}

/** Records the worker's job in <stateDir>/worker.json atomically. */
export function writeWorkerState(stateDir: string, state: { jobId: bigint; market: string; chainId: bigint }): void {
  writeFileAtomic(path.join(stateDir, STATE_FILE), JSON.stringify({ jobId: state.jobId.toString(), market: state.market, chainId: state.chainId.toString() }));
}
