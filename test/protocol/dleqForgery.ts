// A cheater's DLEQ proof for P + T, T a point of small order: the verification equations hold whenever
// c · T = O, so re-drawing the nonce until the challenge is a multiple of T's order makes them hold. Only
// the subgroup check on the shared point refuses it. Shared by the TypeScript and contract tests.
import { babyJub, BABYJUB_BASE8, BABYJUB_L, dleqChallenge, randomScalar, type Bytes32, type PublicKey, type SharedPointProof } from "../../src/protocol";

/** Affine curve operations on bigint points, for building proofs by hand. */
export async function points() {
  const bj = await babyJub();
  const toF = (p: PublicKey): [Uint8Array, Uint8Array] => [bj.F.e(p[0]), bj.F.e(p[1])];
  const fromF = (p: [Uint8Array, Uint8Array]): PublicKey => [bj.F.toObject(p[0]), bj.F.toObject(p[1])];
  return {
    mul: (p: PublicKey, e: bigint): PublicKey => fromF(bj.mulPointEscalar(toF(p), e)),
    add: (p: PublicKey, q: PublicKey): PublicKey => fromF(bj.addPoint(toF(p), toF(q))),
    /** A point of order 8: l · Generator (circomlibjs' Generator has order 8l). */
    orderEight: (): PublicKey => fromF(bj.mulPointEscalar(bj.Generator, BABYJUB_L)),
  };
}

/** (0, −1), the point of order 2: P + T = (−x, −y), so P.x moves to p − P.x. */
export const ORDER_TWO: PublicKey = [0n, 21888242871839275222246405745257275088548364400416034343698204186575808495616n];

/**
 * The cheater (secret key sk, public key pkI) proves shared = sk · pkJ + T, with T of order `order`: honest
 * r1 and r2, nonces re-drawn until order | c, so that c · T = O. Returns the proof and the challenge.
 */
export async function forgeShiftedProof(
  secretKey: bigint,
  pkI: PublicKey,
  pkJ: PublicKey,
  context: Bytes32,
  torsion: PublicKey,
  order: bigint,
): Promise<{ proof: SharedPointProof; c: bigint; tries: number }> {
  const { mul, add } = await points();
  const shared = add(mul(pkJ, secretKey), torsion);
  for (let tries = 1; ; tries++) {
    const k = randomScalar();
    const r1 = mul(BABYJUB_BASE8, k);
    const r2 = mul(pkJ, k);
    const c = dleqChallenge(context, pkI, pkJ, shared, r1, r2);
    if (c % order === 0n) return { proof: { shared, r1, r2, s: (k + c * secretKey) % BABYJUB_L }, c, tries };
  }
}
