import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { hkdfSha256, pairSeed, pairSeedFromKeys, publicKeyOf, SEED_TAG, seedCommitment } from "../../src/protocol";

const ctx = { chainId: 31337n, market: "0x5fbdb2315678afecb367f032d93f642f64180aa3", jobId: 1n, round: 0n };
const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));

describe("protocol/seeds", () => {
  it("computes RFC 5869 test case 1 through the protocol's HKDF call", () => {
    const okm = hkdfSha256(hex("0b".repeat(22)), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(Buffer.from(okm).toString("hex")).to.equal("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });

  it('uses keccak256("omnimarket.seed.v1") as the commitment tag', () => {
    expect(SEED_TAG).to.equal(keccak256(toUtf8Bytes("omnimarket.seed.v1")));
  });

  it("gives both members of a pair the same seed", async () => {
    const [pk2, pk5] = await Promise.all([publicKeyOf(2n), publicKeyOf(5n)]);
    expect(await pairSeedFromKeys(2n, pk5, ctx, 1, 4)).to.equal(await pairSeedFromKeys(5n, pk2, ctx, 4, 1));
  });

  it("separates seeds by chain, market, job, round and pair", () => {
    const base = pairSeed(123n, ctx, 0, 1);
    const variants = [
      pairSeed(123n, { ...ctx, chainId: 1n }, 0, 1),
      pairSeed(123n, { ...ctx, market: "0x0000000000000000000000000000000000000001" }, 0, 1),
      pairSeed(123n, { ...ctx, jobId: 2n }, 0, 1),
      pairSeed(123n, { ...ctx, round: 1n }, 0, 1),
      pairSeed(123n, ctx, 0, 2),
    ];
    expect(new Set([base, ...variants]).size).to.equal(6);
  });

  it("commits to a seed under its context and pair", () => {
    const seed = pairSeed(9n, ctx, 0, 1);
    expect(seedCommitment(ctx, 0, 1, seed)).to.match(/^0x[0-9a-f]{64}$/);
    expect(seedCommitment(ctx, 0, 1, seed)).not.to.equal(seedCommitment({ ...ctx, round: 1n }, 0, 1, seed));
    expect(() => seedCommitment(ctx, 1, 1, seed)).to.throw(/hi/);
  });
});
