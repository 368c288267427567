import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toUtf8Bytes } from "ethers";
import { InvalidInputError, InvalidPublicKeyError } from "../../src/errors";
import {
  BABYJUB_BASE8,
  BABYJUB_L,
  BABYJUB_P,
  DLEQ_TAG,
  dleqChallenge,
  dleqContext,
  ecdhSharedX,
  isValidPublicKey,
  pairSeed,
  proveSharedPoint,
  publicKeyOf,
  seedSalt,
  verifySharedPoint,
  type SharedPointProof,
} from "../../src/protocol";
import { forgeShiftedProof, ORDER_TWO, points } from "./dleqForgery";

const MARKET = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const context = dleqContext(31337n, MARKET, 1n);

describe("protocol/dleq", function () {
  this.timeout(60_000);
  const skI = 0x1234_5678_9abc_def0n;
  const skJ = BABYJUB_L - 12345n;
  let pkI: readonly [bigint, bigint];
  let pkJ: readonly [bigint, bigint];
  let proof: SharedPointProof;

  before(async () => {
    [pkI, pkJ] = await Promise.all([publicKeyOf(skI), publicKeyOf(skJ)]);
    proof = await proveSharedPoint(skI, pkI, pkJ, context);
  });

  it('uses keccak256("omnimarket.dleq.v1") as the challenge tag and the HKDF salt as the context', () => {
    expect(DLEQ_TAG).to.equal(keccak256(toUtf8Bytes("omnimarket.dleq.v1")));
    expect(context).to.equal(seedSalt({ chainId: 31337n, market: MARKET, jobId: 1n }));
  });

  it("a proof verifies, and either member proves the same point, whose x is the ECDH secret", async () => {
    expect(await verifySharedPoint(pkI, pkJ, proof, context)).to.equal(true);
    const other = await proveSharedPoint(skJ, pkJ, pkI, context);
    expect(await verifySharedPoint(pkJ, pkI, other, context)).to.equal(true);
    expect(other.shared).to.deep.equal(proof.shared);
    expect(proof.shared[0]).to.equal(await ecdhSharedX(skI, pkJ));
  });

  it("draws a fresh nonce for every proof", async () => {
    const again = await proveSharedPoint(skI, pkI, pkJ, context);
    expect(again.r1).to.not.deep.equal(proof.r1);
    expect(again.s).to.not.equal(proof.s);
  });

  it("a proof fails with another s, shared point, r1, r2, context or key", async () => {
    const { add } = await points();
    const other = await publicKeyOf(777n);
    const tampered: [string, SharedPointProof, string, readonly [bigint, bigint], readonly [bigint, bigint]][] = [
      ["s + 1", { ...proof, s: (proof.s + 1n) % BABYJUB_L }, context, pkI, pkJ],
      ["shared + Base8", { ...proof, shared: add(proof.shared, BABYJUB_BASE8) }, context, pkI, pkJ],
      ["r1 + pkI", { ...proof, r1: add(proof.r1, pkI) }, context, pkI, pkJ],
      ["r2 + pkJ", { ...proof, r2: add(proof.r2, pkJ) }, context, pkI, pkJ],
      ["another job", proof, dleqContext(31337n, MARKET, 2n), pkI, pkJ],
      ["another chain", proof, dleqContext(1n, MARKET, 1n), pkI, pkJ],
      ["another peer", proof, context, pkI, other],
      ["another prover", proof, context, other, pkJ],
      ["keys swapped", proof, context, pkJ, pkI],
    ];
    for (const [name, p, ctx, i, j] of tampered) expect(await verifySharedPoint(i, j, p, ctx), name).to.equal(false);
  });

  it("a proof fails with s + l, which satisfies the same equations", async () => {
    expect(await verifySharedPoint(pkI, pkJ, { ...proof, s: proof.s + BABYJUB_L }, context)).to.equal(false);
  });

  it("a proof fails with r1 off the curve or with a non-canonical coordinate", async () => {
    expect(await verifySharedPoint(pkI, pkJ, { ...proof, r1: [proof.r1[0], proof.r1[1] + 1n] }, context)).to.equal(false);
    expect(await verifySharedPoint(pkI, pkJ, { ...proof, r2: [proof.r2[0] + BABYJUB_P, proof.r2[1]] }, context)).to.equal(false);
  });

  it("a cheater cannot frame its peer with P + T for T of small order, although the equations hold", async () => {
    const { mul, add, orderEight } = await points();
    for (const [torsion, order] of [
      [ORDER_TWO, 2n],
      [orderEight(), 8n],
    ] as const) {
      const { proof: forged, c } = await forgeShiftedProof(skI, pkI, pkJ, context, torsion, order);
      // The attack works against the equations alone: s·B = r1 + c·pkI and s·pkJ = r2 + c·(P + T).
      expect(add(forged.r1, mul(pkI, c))).to.deep.equal(await publicKeyOf(forged.s));
      expect(add(forged.r2, mul(forged.shared, c))).to.deep.equal(mul(pkJ, forged.s));
      // It would move the seed: P + T has another x.
      const ctx = { chainId: 31337n, market: MARKET, jobId: 1n, round: 0n };
      expect(pairSeed(forged.shared[0], ctx, 0, 1)).to.not.equal(pairSeed(proof.shared[0], ctx, 0, 1));
      // The subgroup check refuses it.
      expect(await isValidPublicKey(forged.shared)).to.equal(false);
      expect(await verifySharedPoint(pkI, pkJ, forged, context)).to.equal(false);
    }
  });

  it("refuses to prove with a secret key out of range, a wrong own key or an invalid peer key", async () => {
    const fails = async (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await fails(proveSharedPoint(0n, pkI, pkJ, context))).to.be.instanceOf(InvalidInputError);
    expect(await fails(proveSharedPoint(BABYJUB_L, pkI, pkJ, context))).to.be.instanceOf(InvalidInputError);
    expect(await fails(proveSharedPoint(skI, pkJ, pkJ, context))).to.be.instanceOf(InvalidInputError);
    expect(await fails(proveSharedPoint(skI, pkI, ORDER_TWO, context))).to.be.instanceOf(InvalidPublicKeyError);
    expect(await fails(proveSharedPoint(skI, pkI, pkJ, "0x1234"))).to.be.instanceOf(InvalidInputError);
  });

  it("the challenge is reduced mod l and refuses coordinates outside uint256", () => {
    expect(dleqChallenge(context, pkI, pkJ, proof.shared, proof.r1, proof.r2) < BABYJUB_L).to.equal(true);
    expect(() => dleqChallenge(context, pkI, pkJ, proof.shared, proof.r1, [-1n, 0n])).to.throw(InvalidInputError, /r2/);
    expect(() => dleqContext(1n, "0x1234", 1n)).to.throw(InvalidInputError, /market/);
  });

  it("fuzz: a proof between random keys verifies, names the ECDH point, and fails with the keys swapped", async () => {
    const scalar = fc.bigInt({ min: 1n, max: BABYJUB_L - 1n });
    await fc.assert(
      fc.asyncProperty(scalar, scalar, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), async (a, b, jobId) => {
        const [pa, pb] = await Promise.all([publicKeyOf(a), publicKeyOf(b)]);
        const ctx = dleqContext(31337n, MARKET, jobId);
        const p = await proveSharedPoint(a, pa, pb, ctx);
        expect(await verifySharedPoint(pa, pb, p, ctx)).to.equal(true);
        expect(p.shared[0]).to.equal(await ecdhSharedX(b, pa));
        if (a !== b) expect(await verifySharedPoint(pb, pa, p, ctx)).to.equal(false);
      }),
      { numRuns: 8 },
    );
  });
});
