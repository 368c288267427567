// The public model on-chain: int32 values at scale 2^scaleBits (docs/PROTOCOL.md "Public model"),
// and the commitment to the public architecture that data owners check before joining.
import { keccak256, toUtf8Bytes } from "ethers";
import { InvalidInputError } from "../errors";
import type { ModelConfig } from "../ml";

const INT32_MAX = 2 ** 31 - 1;

/** Encodes float weights as uint32(int32(round(w · 2^scaleBits))); refuses weights that do not fit int32. */
export function encodeModel(weights: ArrayLike<number>, scaleBits: number): Uint32Array {
  const scale = 2 ** scaleBits;
  const out = new Uint32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const v = Math.round(weights[i] * scale);
    if (!Number.isFinite(v) || Math.abs(v) > INT32_MAX) {
      throw new InvalidInputError("weights", `weight ${i} = ${weights[i]} does not fit int32 at scale 2^${scaleBits}`);
    }
    out[i] = v >>> 0;
  }
  return out;
}

/** The commitment to a public architecture: keccak256 of its JSON with keys in a fixed order. */
export function architectureCommitment(config: ModelConfig): string {
  const canonical = JSON.stringify(config, Object.keys(config).sort());
  return keccak256(toUtf8Bytes(canonical));
}
