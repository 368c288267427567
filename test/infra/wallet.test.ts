import { expect } from "chai";
import { JsonRpcProvider, Wallet, encryptKeystoreJsonSync } from "ethers";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { KeyLoadError } from "../../src/errors";
import { loadWallet } from "../../src/infra/wallet";

describe("infra/wallet", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-identity-"));
  // A provider that is never asked anything: loadWallet only attaches it.
  const provider = new JsonRpcProvider("http://127.0.0.1:9", undefined, { staticNetwork: true });
  const account = new Wallet(Wallet.createRandom().privateKey);
  const keystore = path.join(dir, "key.json");
  writeFileSync(keystore, encryptKeystoreJsonSync(account, "correct horse", { scrypt: { N: 1024 } }));

  after(() => {
    provider.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens an encrypted keystore with its password", async () => {
    const wallet = await loadWallet({ keystore, password: "correct horse" }, provider);
    expect(wallet.address).to.equal(account.address);
  });

  it("names the keystore and not the key when the password is wrong", async () => {
    const error = await loadWallet({ keystore, password: "wrong" }, provider).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(KeyLoadError);
    expect((error as Error).message)
      .to.contain(keystore)
      .and.contain("wrong password");
    expect((error as Error).message).not.to.contain(account.privateKey.slice(2, 12));
  });

  it("refuses to start without a key and says how to give one", async () => {
    const saved = process.env.PRIVATE_KEY;
    delete process.env.PRIVATE_KEY;
    try {
      const error = await loadWallet({}, provider).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(KeyLoadError);
      expect((error as Error).message).to.contain("PRIVATE_KEY");
    } finally {
      if (saved !== undefined) process.env.PRIVATE_KEY = saved;
    }
  });

  it("rejects a malformed private key without echoing it", async () => {
    const error = await loadWallet({ privateKey: "0x1234nothex" }, provider).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(KeyLoadError);
    expect((error as Error).message).not.to.contain("1234nothex");
  });
});
