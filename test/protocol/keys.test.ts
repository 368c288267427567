import { expect } from "chai";
import { InvalidPublicKeyError } from "../../src/errors";
import { babyJub, BABYJUB_BASE8, BABYJUB_L, BABYJUB_P, ecdhSharedX, generateKeyPair, isValidPublicKey, publicKeyOf, randomScalar } from "../../src/protocol";

describe("protocol/keys", () => {
  it("generates keys in the prime-order subgroup", async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    expect(secretKey > 0n && secretKey < BABYJUB_L).to.equal(true);
    expect(await isValidPublicKey(publicKey)).to.equal(true);
  });

  it("names circomlibjs Base8 as the generator, 1 · Base8", async () => {
    const bj = await babyJub();
    expect(BABYJUB_BASE8).to.deep.equal([bj.F.toObject(bj.Base8[0]), bj.F.toObject(bj.Base8[1])]);
    expect(await publicKeyOf(1n)).to.deep.equal(BABYJUB_BASE8);
  });

  it("draws random scalars in [1, l), different each time", () => {
    const draws = Array.from({ length: 64 }, randomScalar);
    expect(draws.every((k) => k >= 1n && k < BABYJUB_L)).to.equal(true);
    expect(new Set(draws).size).to.equal(64);
    expect(draws.some((k) => k >= 1n << 250n)).to.equal(true); // the top bit l allows is drawn
  });

  it("derives the same ECDH secret on both sides", async () => {
    const a = await generateKeyPair();
    const b = await generateKeyPair();
    expect(await ecdhSharedX(a.secretKey, b.publicKey)).to.equal(await ecdhSharedX(b.secretKey, a.publicKey));
  });

  it("rejects the identity, off-curve points, low-order points and non-canonical coordinates", async () => {
    const pk = await publicKeyOf(5n);
    expect(await isValidPublicKey([0n, 1n])).to.equal(false);
    expect(await isValidPublicKey([1n, 2n])).to.equal(false);
    expect(await isValidPublicKey([0n, BABYJUB_P - 1n])).to.equal(false);
    expect(await isValidPublicKey([pk[0] + BABYJUB_P, pk[1]])).to.equal(false);
  });

  it("refuses ECDH with an invalid peer key", async () => {
    let caught: unknown;
    await ecdhSharedX(3n, [0n, BABYJUB_P - 1n]).catch((e) => (caught = e));
    expect(caught).to.be.instanceOf(InvalidPublicKeyError);
  });
});
