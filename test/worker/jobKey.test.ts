import { expect } from "chai";
import { Wallet } from "ethers";
import { isValidPublicKey } from "../../src/protocol";
import { jobKeyPair } from "../../src/worker/jobKey";

describe("worker/jobKey", () => {
  const account = new Wallet(Wallet.createRandom().privateKey);

  it("derives the same valid job key after a restart and a different one per job, market and chain", async () => {
    const wallet = new Wallet(account.privateKey);
    const market = "0x" + "11".repeat(20);
    const a = await jobKeyPair(wallet, 31337n, market, 1n);
    expect((await jobKeyPair(wallet, 31337n, market, 1n)).secretKey).to.equal(a.secretKey);
    expect(await isValidPublicKey(a.publicKey)).to.equal(true);
    const others = await Promise.all([
      jobKeyPair(wallet, 31337n, market, 2n),
      jobKeyPair(wallet, 1n, market, 1n),
      jobKeyPair(wallet, 31337n, "0x" + "22".repeat(20), 1n),
    ]);
    for (const other of others) expect(other.secretKey).not.to.equal(a.secretKey);
  });
});
