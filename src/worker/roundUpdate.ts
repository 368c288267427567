// The quantized update of one round, computed once and kept on disk, so a restarted worker
// resubmits exactly the vector it began submitting (masks are deterministic given the update).
import { existsSync, readFileSync } from "fs";
import { setTimeout as sleep } from "timers/promises";
import path from "path";
import { dequantize, quantize } from "../protocol";
import type { RoundState } from "../chain";
import { writeFileAtomic } from "../infra/files";
import type { DataOwnerTrainer } from "./trainer";

/**
 * The file holding a round's update (little-endian uint32 lanes). Its name carries the round's randomness,
 * which is new for every round of every job on every chain, so a state folder reused after a redeploy never
 * hands back an update trained for another job.
 */
export function updateFile(stateDir: string, jobId: bigint, round: Pick<RoundState, "round" | "randomness">): string {
  return path.join(stateDir, `job-${jobId}`, `round-${round.round}-${round.randomness.slice(2, 18)}.update`);
}

/** The update saved in `file` when it holds exactly `paramCount` lanes; undefined when it is missing or of another size. */
export function readSavedUpdate(file: string, paramCount: number): Uint32Array | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  // A file of another length is not this job's update (or not an update at all): train again.
  if (bytes.byteLength !== 4 * paramCount) return undefined;
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * Test mode (an omniscient attacker): the updates other workers saved for this round of the job in their state
 * folders `dirs`, dequantized; polls until every folder has one or `waitMs` passed, then returns those found.
 */
export async function peerUpdates(
  dirs: readonly string[],
  jobId: bigint,
  round: Pick<RoundState, "round" | "randomness">,
  params: Pick<UpdateParameters, "paramCount" | "scaleBits">,
  waitMs: number,
  pollMs = 500,
): Promise<Float64Array[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = dirs.map((d) => readSavedUpdate(updateFile(d, jobId, round), Number(params.paramCount)));
    if (found.every((u) => u !== undefined) || Date.now() >= deadline) {
      return found.filter((u): u is Uint32Array => u !== undefined).map((u) => dequantize(u, Number(params.scaleBits)));
    }
    await sleep(pollMs);
  }
}

/** The widest clip bound quantize accepts for one update ((2^31 − 2) quantized units): no clipping at all. */
export const UNCLIPPED_NORM_Q = 2 ** 31 - 2;

/** What roundUpdate needs to know about the job: its size and quantization. */
export interface UpdateParameters {
  paramCount: bigint;
  scaleBits: bigint;
  clipNormQ: bigint;
}

/**
 * The round's quantized update: read back if already saved, else trained from the round's public model
 * (fetched by `publicModel`, which the caller retries) and saved atomically. `trained` says which. `groupSize`
 * (the member's group this round) is what a test-mode attacker knows of its group; `peersRead` how many of the
 * other workers' updates an omniscient attacker read.
 */
export async function roundUpdate(
  jobId: bigint,
  round: Pick<RoundState, "round" | "randomness">,
  params: UpdateParameters,
  trainer: DataOwnerTrainer,
  stateDir: string,
  publicModel: () => Promise<Uint32Array>,
  groupSize?: number,
): Promise<{ update: Uint32Array; trained: boolean; file: string; peersRead?: number }> {
  const file = updateFile(stateDir, jobId, round);
  const saved = readSavedUpdate(file, Number(params.paramCount));
  if (saved) return { update: saved, trained: false, file };
  const model = await publicModel();
  const clipNorm = Number(params.clipNormQ) / 2 ** Number(params.scaleBits);
  const folders = trainer.peerFolders;
  let peersRead: number | undefined;
  const peers =
    folders &&
    (async () => {
      const found = await peerUpdates(folders.dirs, jobId, round, params, folders.waitMs);
      peersRead = found.length;
      return found;
    });
  const update = await trainer.update(model, Number(params.scaleBits), round.round, { groupSize, clipNorm, peers });
  // An unclipping attacker (test mode) takes the widest norm quantize accepts: nothing it sends is clipped.
  const clipNormQ = trainer.clips ? Number(params.clipNormQ) : UNCLIPPED_NORM_Q;
  const q = quantize(update, { scaleBits: Number(params.scaleBits), clipNormQ });
  writeFileAtomic(file, new Uint8Array(q.buffer, q.byteOffset, q.byteLength));
  return { update: q, trained: true, file, peersRead };
}
