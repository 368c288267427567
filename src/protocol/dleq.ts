// Chaum–Pedersen proofs that a pair's ECDH point is sk_i · PK_j (docs/PROTOCOL.md "Proving a pair seed"),
// checked exactly as contracts/libraries/Dleq.sol checks them.
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from "ethers";
import { InvalidInputError, InvalidPublicKeyError } from "../errors";
import { fromBytes32, toBytes32, type Bytes32 } from "./bytes";
import { babyJub, BABYJUB_BASE8, BABYJUB_L, BABYJUB_P, isValidPublicKey, publicKeyOf, randomScalar, type PublicKey } from "./keys";
import { seedSalt } from "./seeds";

/** keccak256("omnimarket.dleq.v1"), the domain tag of the DLEQ challenge. */
export const DLEQ_TAG: Bytes32 = keccak256(toUtf8Bytes("omnimarket.dleq.v1"));

/** Proof that shared = sk_i · PK_j for PK_i = sk_i · Base8: r1 = k · Base8, r2 = k · PK_j, s = k + c · sk_i mod l. */
export interface SharedPointProof {
  shared: PublicKey;
  r1: PublicKey;
  r2: PublicKey;
  s: bigint;
}

const abi = AbiCoder.defaultAbiCoder();
const UINT256_MAX = (1n << 256n) - 1n;

function assertUint256(value: unknown, field: string): asserts value is bigint {
  if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX) throw new InvalidInputError(field, "must be a uint256 bigint");
}

function assertPoint(point: PublicKey, field: string): void {
  if (!Array.isArray(point) || point.length !== 2) throw new InvalidInputError(field, "must be a point [x, y]");
  assertUint256(point[0], `${field}[0]`);
  assertUint256(point[1], `${field}[1]`);
}

/** The proof context of a job, keccak256(abi.encode(chainId, market, jobId)): the job's HKDF salt. */
export function dleqContext(chainId: bigint, market: string, jobId: bigint): Bytes32 {
  assertUint256(chainId, "chainId");
  assertUint256(jobId, "jobId");
  try {
    getAddress(market);
  } catch (cause) {
    throw new InvalidInputError("market", `must be an address, got ${market}`, { cause });
  }
  return seedSalt({ chainId, market, jobId });
}

/** The challenge c = uint256(keccak256(abi.encode(DLEQ_TAG, context, pkI, pkJ, shared, r1, r2))) mod l. */
export function dleqChallenge(context: Bytes32, pkI: PublicKey, pkJ: PublicKey, shared: PublicKey, r1: PublicKey, r2: PublicKey): bigint {
  const ctx = fromBytes32(toBytes32(context, "context"));
  const points = { pkI, pkJ, shared, r1, r2 };
  for (const [field, point] of Object.entries(points)) assertPoint(point, field);
  const encoded = abi.encode(
    ["bytes32", "bytes32", "uint256[2]", "uint256[2]", "uint256[2]", "uint256[2]", "uint256[2]"],
    [DLEQ_TAG, ctx, pkI, pkJ, shared, r1, r2],
  );
  return BigInt(keccak256(encoded)) % BABYJUB_L;
}

/** Affine Baby Jubjub arithmetic on bigint points, over circomlibjs. */
async function curve() {
  const bj = await babyJub();
  const toF = (p: PublicKey): [Uint8Array, Uint8Array] => [bj.F.e(p[0]), bj.F.e(p[1])];
  const fromF = (p: [Uint8Array, Uint8Array]): PublicKey => [bj.F.toObject(p[0]), bj.F.toObject(p[1])];
  return {
    mul: (p: PublicKey, e: bigint): PublicKey => fromF(bj.mulPointEscalar(toF(p), e)),
    add: (p: PublicKey, q: PublicKey): PublicKey => fromF(bj.addPoint(toF(p), toF(q))),
    /** Canonical coordinates and on the curve (any order, the identity included). */
    isCurvePoint: (p: PublicKey): boolean =>
      Array.isArray(p) &&
      typeof p[0] === "bigint" &&
      typeof p[1] === "bigint" &&
      p[0] >= 0n &&
      p[0] < BABYJUB_P &&
      p[1] >= 0n &&
      p[1] < BABYJUB_P &&
      bj.inCurve(toF(p)),
  };
}

const equal = (p: PublicKey, q: PublicKey): boolean => p[0] === q[0] && p[1] === q[1];

/** A proof of the ECDH point with a peer, under a fresh nonce drawn uniformly from [1, l) by the system CSPRNG. */
export async function proveSharedPoint(secretKey: bigint, ownPublicKey: PublicKey, peerPublicKey: PublicKey, context: Bytes32): Promise<SharedPointProof> {
  const ctx = fromBytes32(toBytes32(context, "context"));
  const own = await publicKeyOf(secretKey); // checks secretKey ∈ [1, l)
  assertPoint(ownPublicKey, "ownPublicKey");
  if (!equal(own, ownPublicKey)) throw new InvalidInputError("ownPublicKey", "must be secretKey · Base8");
  assertPoint(peerPublicKey, "peerPublicKey");
  if (!(await isValidPublicKey(peerPublicKey))) throw new InvalidPublicKeyError("peerPublicKey", peerPublicKey);
  const { mul } = await curve();
  const k = randomScalar();
  const shared = mul(peerPublicKey, secretKey);
  const r1 = mul(BABYJUB_BASE8, k);
  const r2 = mul(peerPublicKey, k);
  const c = dleqChallenge(ctx, own, peerPublicKey, shared, r1, r2);
  return { shared, r1, r2, s: (k + c * secretKey) % BABYJUB_L };
}

/**
 * Whether a proof holds, with the checks of Dleq.verify: shared a valid public key, r1 and r2 canonical curve
 * points, s < l, and s · Base8 = r1 + c · pkI, s · pkJ = r2 + c · shared. pkI and pkJ are the members' keys,
 * which the contract checked at join; a key off the curve fails here.
 */
export async function verifySharedPoint(pkI: PublicKey, pkJ: PublicKey, proof: SharedPointProof, context: Bytes32): Promise<boolean> {
  const ctx = fromBytes32(toBytes32(context, "context"));
  const { shared, r1, r2, s } = proof;
  const { mul, add, isCurvePoint } = await curve();
  if (typeof s !== "bigint" || s < 0n || s >= BABYJUB_L) return false;
  if (!isCurvePoint(r1) || !isCurvePoint(r2) || !isCurvePoint(pkI) || !isCurvePoint(pkJ)) return false;
  if (!(await isValidPublicKey(shared))) return false;
  const c = dleqChallenge(ctx, pkI, pkJ, shared, r1, r2);
  return equal(mul(BABYJUB_BASE8, s), add(r1, mul(pkI, c))) && equal(mul(pkJ, s), add(r2, mul(shared, c)));
}
