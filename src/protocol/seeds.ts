// Pair seeds and their commitments (docs/PROTOCOL.md "Keys, seeds and commitments").
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { AbiCoder, concat, getAddress, getBytes, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import { InvalidInputError } from "../errors";
import { fromBytes32, toBytes32, type Bytes32 } from "./bytes";
import { ecdhSharedX, type PublicKey } from "./keys";

/** Where a round lives: chain, market contract, job and round number. */
export interface RoundContext {
  chainId: bigint;
  market: string;
  jobId: bigint;
  round: bigint;
}

/** keccak256("omnimarket.seed.v1"), the domain tag of seed commitments. */
export const SEED_TAG: Bytes32 = keccak256(toUtf8Bytes("omnimarket.seed.v1"));
/** The fixed prefix of the HKDF info string. */
export const SEED_INFO_PREFIX = "omnimarket/v1/mask-seed";

const abi = AbiCoder.defaultAbiCoder();
const UINT256_MAX = (1n << 256n) - 1n;

function assertPair(lo: number, hi: number): void {
  if (!Number.isSafeInteger(lo) || lo < 0) throw new InvalidInputError("lo", `must be a roster index, got ${lo}`);
  if (!Number.isSafeInteger(hi) || hi <= lo) throw new InvalidInputError("hi", `must be a roster index above lo = ${lo}, got ${hi}`);
}

function assertContext(ctx: RoundContext): void {
  for (const field of ["chainId", "jobId", "round"] as const) {
    const v = ctx[field];
    if (typeof v !== "bigint" || v < 0n || v > UINT256_MAX) throw new InvalidInputError(field, "must be a uint256 bigint");
  }
  try {
    getAddress(ctx.market);
  } catch (cause) {
    throw new InvalidInputError("market", `must be an address, got ${ctx.market}`, { cause });
  }
}

/** HKDF-SHA256 (RFC 5869) extract-and-expand to `length` bytes; the one HKDF call of the protocol. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(sha256, ikm, salt, info, length);
}

/** HKDF salt: keccak256(abi.encode(chainId, market, jobId)). */
export function seedSalt(ctx: Omit<RoundContext, "round">): Bytes32 {
  return keccak256(abi.encode(["uint256", "address", "uint256"], [ctx.chainId, ctx.market, ctx.jobId]));
}

/** The pair seed from the ECDH x coordinate: HKDF-SHA256(ikm = x as 32 bytes, salt, info, 32). */
export function pairSeed(sharedX: bigint, ctx: RoundContext, lo: number, hi: number): Bytes32 {
  assertContext(ctx);
  assertPair(lo, hi);
  if (typeof sharedX !== "bigint" || sharedX < 0n || sharedX > UINT256_MAX) throw new InvalidInputError("sharedX", "must be a uint256 bigint");
  const ikm = getBytes(toBeHex(sharedX, 32));
  const info = concat([toUtf8Bytes(SEED_INFO_PREFIX), abi.encode(["uint256", "uint256", "uint256"], [ctx.round, lo, hi])]);
  return fromBytes32(hkdfSha256(ikm, getBytes(seedSalt(ctx)), getBytes(info), 32));
}

/** The pair seed between roster indices selfIndex and peerIndex, from own secret key and the peer's public key. */
export async function pairSeedFromKeys(secretKey: bigint, peerPublicKey: PublicKey, ctx: RoundContext, selfIndex: number, peerIndex: number): Promise<Bytes32> {
  const sharedX = await ecdhSharedX(secretKey, peerPublicKey);
  return pairSeed(sharedX, ctx, Math.min(selfIndex, peerIndex), Math.max(selfIndex, peerIndex));
}

/** keccak256(abi.encode(SEED_TAG, chainId, market, jobId, r, lo, hi, seed)). */
export function seedCommitment(ctx: RoundContext, lo: number, hi: number, seed: Bytes32 | Uint8Array): Bytes32 {
  assertContext(ctx);
  assertPair(lo, hi);
  return keccak256(
    abi.encode(
      ["bytes32", "uint256", "address", "uint256", "uint256", "uint256", "uint256", "bytes32"],
      [SEED_TAG, ctx.chainId, ctx.market, ctx.jobId, ctx.round, lo, hi, toBytes32(seed, "seed")],
    ),
  );
}
