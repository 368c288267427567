// The quantized update of one round, computed once and kept on disk, so a restarted worker
// resubmits exactly the vector it began submitting (masks are deterministic given the update).
import { existsSync, readFileSync } from "fs";
import path from "path";
import { quantize } from "../protocol";
import { fetchPublicModel, type OmniMarket } from "../chain";
import { writeFileAtomic } from "./files";
import type { DataOwnerTrainer } from "./trainer";

/** The file holding job `jobId`'s round `round` update (little-endian uint32 lanes). */
export function updateFile(stateDir: string, jobId: bigint, round: number): string {
  return path.join(stateDir, `job-${jobId}`, `round-${round}.update`);
}

/** The round's quantized update: read back if already computed, else trained from the chain's public model and saved. */
export async function roundUpdate(
  market: OmniMarket,
  jobId: bigint,
  round: number,
  trainer: DataOwnerTrainer,
  stateDir: string,
): Promise<Uint32Array> {
  const file = updateFile(stateDir, jobId, round);
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const params = await market.jobParams(jobId);
  const model = await fetchPublicModel(market, jobId, round);
  const update = await trainer.update(model, Number(params.scaleBits), round);
  const q = quantize(update, { scaleBits: Number(params.scaleBits), clipNormQ: Number(params.clipNormQ) });
  writeFileAtomic(file, new Uint8Array(q.buffer));
  return q;
}
