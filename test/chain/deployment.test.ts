import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { readDeployment } from "../../src/chain/deployment";
import { InvalidInputError } from "../../src/errors";
import { marketFromDeployment } from "../../src/cli/connect";

describe("chain/deployment", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-deployment-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const address = "0x" + "12".repeat(20);
  const record = {
    network: "localhost",
    chainId: 31337,
    client: "anvil/v1.7.1",
    deployedAt: "2025-01-01T00:00:00.000Z",
    contracts: { OmniMarket: { address, abi: [{ type: "event" }] } },
  };
  const file = (name: string, content: unknown) => {
    const at = path.join(dir, name);
    writeFileSync(at, JSON.stringify(content));
    return at;
  };

  it("reads a deployment record back unchanged", () => {
    expect(readDeployment(file("localhost.json", record))).to.deep.equal(record);
  });

  it("reads a hand-written record with only the chain id and the market address", () => {
    const at = file("minimal.json", { chainId: 1, contracts: { OmniMarket: { address } } });
    expect(marketFromDeployment(at)).to.deep.equal({ market: address, chainId: 1n });
  });

  it("refuses a record without the market, naming --deployment, the file and the field", () => {
    const at = file("no-market.json", { ...record, contracts: {} });
    expect(() => marketFromDeployment(at)).to.throw(
      InvalidInputError,
      `invalid --deployment: ${at}: field "contracts.OmniMarket" is missing (expected object)`,
    );
  });

  it("refuses a chain id written as a string and a market address that is not one", () => {
    expect(() => readDeployment(file("chain-id.json", { ...record, chainId: "31337" }))).to.throw(
      InvalidInputError,
      `field "chainId" expected number, got string`,
    );
    const bad = { ...record, contracts: { OmniMarket: { address: "0x1234" } } };
    expect(() => readDeployment(file("address.json", bad))).to.throw(
      InvalidInputError,
      `field "contracts.OmniMarket.address" expected a 0x-prefixed 20-byte address, got "0x1234"`,
    );
  });
});
