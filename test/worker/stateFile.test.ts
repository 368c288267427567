import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { InvalidInputError } from "../../src/errors";
import { STATE_FILE, readWorkerState, writeWorkerState } from "../../src/worker/stateFile";

describe("worker/stateFile", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-state-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const market = "0x" + "11".repeat(20);

  it("records the job and reads it back unchanged, ids as decimal strings", () => {
    const state = path.join(dir, "ok");
    writeWorkerState(state, { jobId: 2n ** 70n, market, chainId: 31337n });
    const read = readWorkerState(state)!;
    expect(read).to.deep.equal({ jobId: (2n ** 70n).toString(), market, chainId: "31337" });
    expect(BigInt(read.jobId)).to.equal(2n ** 70n);
    expect(JSON.parse(readFileSync(path.join(state, STATE_FILE), "utf8"))).to.deep.equal(read);
  });

  it("reads nothing from a folder without a state file", () => {
    expect(readWorkerState(path.join(dir, "none"))).to.equal(undefined);
  });

  it("refuses a state file whose chain id is a number, naming --state, the file and the field", () => {
    const state = path.join(dir, "bad");
    writeWorkerState(state, { jobId: 1n, market, chainId: 1n });
    const file = path.join(state, STATE_FILE);
    writeFileSync(file, JSON.stringify({ jobId: "1", market, chainId: 31337 }));
    expect(() => readWorkerState(state)).to.throw(InvalidInputError, `invalid --state: ${file}: field "chainId" expected string, got number`);
  });
});
