// The quantized update of one round, computed once and kept on disk, so a restarted worker
// resubmits exactly the vector it began submitting (masks are deterministic given the update).
import { existsSync, readFileSync } from "fs";
import path from "path";
import { quantize } from "../protocol";
import { fetchPublicModel, type OmniMarket, type RoundState } from "../chain";
import { writeFileAtomic } from "./files";
import type { DataOwnerTrainer } from "./trainer";

/**
 * The file holding a round's update (little-endian uint32 lanes). Its name carries the round's randomness,
 * which is new for every round of every job on every chain, so a state folder reused after a redeploy never
 * hands back an update trained for another job.
 */
export function updateFile(stateDir: string, jobId: bigint, round: RoundState): string {
  return path.join(stateDir, `job-${jobId}`, `round-${round.round}-${round.randomness.slice(2, 18)}.update`);
}

/** The round's quantized update: read back if already computed, else trained from the chain's public model and saved. */
export async function roundUpdate(
  market: OmniMarket,
  jobId: bigint,
  round: RoundState,
  trainer: DataOwnerTrainer,
  stateDir: string,
): Promise<Uint32Array> {
  const file = updateFile(stateDir, jobId, round);
  const params = await market.jobParams(jobId);
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    const saved = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (saved.length === Number(params.paramCount)) return saved;
  }
  const model = await fetchPublicModel(market, jobId, round.round);
  const update = await trainer.update(model, Number(params.scaleBits), round.round);
  const q = quantize(update, { scaleBits: Number(params.scaleBits), clipNormQ: Number(params.clipNormQ) });
  writeFileAtomic(file, new Uint8Array(q.buffer));
  return q;
}
