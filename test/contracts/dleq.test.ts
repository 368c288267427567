// Dleq.sol and PairSeed.sol against the TypeScript protocol core: the contract accepts the proofs
// src/protocol/dleq.ts makes, refuses tampered and forged ones, and derives the pair seed of seeds.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  BABYJUB_BASE8,
  BABYJUB_L,
  BABYJUB_P,
  dleqChallenge,
  dleqContext,
  pairSeed,
  proveSharedPoint,
  publicKeyOf,
  type PublicKey,
  type SharedPointProof,
} from "../../src/protocol";
import { forgeShiftedProof, ORDER_TWO, points } from "../protocol/dleqForgery";
import type { DleqHarness } from "../../typechain-types";

const MARKET = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const CHAIN_ID = 31337n;
const context = dleqContext(CHAIN_ID, MARKET, 1n);

type Pair = [bigint, bigint];
const pt = (p: PublicKey): Pair => [p[0], p[1]];
/** The arguments of DleqHarness.verify. */
const args = (pkI: PublicKey, pkJ: PublicKey, p: SharedPointProof, ctx: string) => [pt(pkI), pt(pkJ), pt(p.shared), pt(p.r1), pt(p.r2), p.s, ctx] as const;

async function harnessFixture(): Promise<{ harness: DleqHarness }> {
  return { harness: await ethers.deployContract("DleqHarness") };
}

describe("Dleq and PairSeed", function () {
  const skI = 0x1234_5678_9abc_def0n;
  const skJ = BABYJUB_L - 12345n;
  let pkI: PublicKey;
  let pkJ: PublicKey;
  let proof: SharedPointProof;

  before(async () => {
    [pkI, pkJ] = await Promise.all([publicKeyOf(skI), publicKeyOf(skJ)]);
    proof = await proveSharedPoint(skI, pkI, pkJ, context);
  });

  it("accepts the proofs TypeScript makes, from either member, in under 700,000 gas", async function () {
    const { harness } = await loadFixture(harnessFixture);
    expect(await harness.verify(...args(pkI, pkJ, proof, context))).to.equal(true);
    const other = await proveSharedPoint(skJ, pkJ, pkI, context);
    expect(await harness.verify(...args(pkJ, pkI, other, context))).to.equal(true);
    const [ok, gas] = await harness.verifyGas(...args(pkI, pkJ, proof, context));
    expect(ok).to.equal(true);
    console.log(`      Dleq.verify: ${gas} gas`);
    expect(gas).to.be.lessThan(700_000n);
  });

  it("computes the challenge TypeScript computes", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const c = dleqChallenge(context, pkI, pkJ, proof.shared, proof.r1, proof.r2);
    expect(await harness.challenge(context, pt(pkI), pt(pkJ), pt(proof.shared), pt(proof.r1), pt(proof.r2))).to.equal(c);
  });

  it("refuses a proof with another s, shared point, r1, r2, context or key", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const { add } = await points();
    const other = await publicKeyOf(777n);
    const tampered: [string, SharedPointProof, string, PublicKey, PublicKey][] = [
      ["s + 1", { ...proof, s: (proof.s + 1n) % BABYJUB_L }, context, pkI, pkJ],
      ["s + l", { ...proof, s: proof.s + BABYJUB_L }, context, pkI, pkJ],
      ["shared + Base8", { ...proof, shared: add(proof.shared, BABYJUB_BASE8) }, context, pkI, pkJ],
      ["shared + T", { ...proof, shared: add(proof.shared, ORDER_TWO) }, context, pkI, pkJ],
      ["r1 + pkI", { ...proof, r1: add(proof.r1, pkI) }, context, pkI, pkJ],
      ["r2 + pkJ", { ...proof, r2: add(proof.r2, pkJ) }, context, pkI, pkJ],
      ["r1 off the curve", { ...proof, r1: [proof.r1[0], proof.r1[1] + 1n] }, context, pkI, pkJ],
      ["r2 with x + p", { ...proof, r2: [proof.r2[0] + BABYJUB_P, proof.r2[1]] }, context, pkI, pkJ],
      ["shared with y + p", { ...proof, shared: [proof.shared[0], proof.shared[1] + BABYJUB_P] }, context, pkI, pkJ],
      ["another job", proof, dleqContext(CHAIN_ID, MARKET, 2n), pkI, pkJ],
      ["another market", proof, dleqContext(CHAIN_ID, "0x0000000000000000000000000000000000000001", 1n), pkI, pkJ],
      ["another peer", proof, context, pkI, other],
      ["another prover", proof, context, other, pkJ],
      ["keys swapped", proof, context, pkJ, pkI],
    ];
    for (const [name, p, ctx, i, j] of tampered) expect(await harness.verify(...args(i, j, p, ctx)), name).to.equal(false);
  });

  it("a cheater cannot frame its honest peer by proving P + T for T of small order", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const { orderEight } = await points();
    for (const [torsion, order] of [
      [ORDER_TWO, 2n],
      [orderEight(), 8n],
    ] as const) {
      // The cheater i re-draws its nonce until the challenge is a multiple of T's order.
      const { proof: forged, c } = await forgeShiftedProof(skI, pkI, pkJ, context, torsion, order);
      const [i, j, shared, r1, r2, s] = args(pkI, pkJ, forged, context);
      expect(await harness.challenge(context, i, j, shared, r1, r2)).to.equal(c);
      // Against the equations alone the forgery passes, and it names another seed than the honest point.
      expect(await harness.equationsHold(i, j, shared, r1, r2, s, c), `order ${order}: equations`).to.equal(true);
      const seed = (x: bigint) => harness.pairSeed(x, CHAIN_ID, MARKET, 1n, 0n, 0n, 1n);
      expect(await seed(forged.shared[0])).to.not.equal(await seed(proof.shared[0]));
      // The subgroup check on the shared point refuses it.
      expect(await harness.verify(i, j, shared, r1, r2, s, context), `order ${order}: verify`).to.equal(false);
    }
  });

  it("fuzz: accepts proofs between random keys", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const scalar = fc.bigInt({ min: 1n, max: BABYJUB_L - 1n });
    await fc.assert(
      fc.asyncProperty(scalar, scalar, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), async (a, b, jobId) => {
        const [pa, pb] = await Promise.all([publicKeyOf(a), publicKeyOf(b)]);
        const ctx = dleqContext(CHAIN_ID, MARKET, jobId);
        const p = await proveSharedPoint(a, pa, pb, ctx);
        expect(await harness.verify(...args(pa, pb, p, ctx))).to.equal(true);
        expect(await harness.verify(...args(pa, pb, { ...p, s: BABYJUB_L - 1n - p.s }, ctx))).to.equal(false);
      }),
      { numRuns: 6 },
    );
  });

  it("fuzz: PairSeed.sol derives the pair seed of src/protocol/seeds.ts", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const u256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.getAddress(ethers.hexlify(b)));
    const pair = fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 1, max: 127 })).map(([lo, d]) => [lo, lo + d] as const);
    await fc.assert(
      fc.asyncProperty(u256, u256, address, u256, u256, pair, async (x, chainId, market, jobId, round, [lo, hi]) => {
        const expected = pairSeed(x, { chainId, market, jobId, round }, lo, hi);
        expect(await harness.pairSeed(x, chainId, market, jobId, round, lo, hi)).to.equal(expected);
      }),
      { numRuns: 60 },
    );
    const [seed, gas] = await harness.pairSeedGas(proof.shared[0], CHAIN_ID, MARKET, 1n, 0n, 0n, 1n);
    expect(seed).to.equal(pairSeed(proof.shared[0], { chainId: CHAIN_ID, market: MARKET, jobId: 1n, round: 0n }, 0, 1));
    console.log(`      PairSeed.pairSeed: ${gas} gas`);
  });
});
