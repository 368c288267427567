import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { ChainRequestError, ContractRevertError } from "../../src/errors/chain";
import { InvalidInputError } from "../../src/errors";
import { readJsonIfExists, removeTemporaries, writeFileAtomic } from "../../src/worker/files";
import { createLogger } from "../../src/worker/log";
import { withChainRetry, withRetry } from "../../src/worker/retry";

const quiet = createLogger("test", "error");
const fast = { maxMs: 1_000, baseDelayMs: 1, maxDelayMs: 5 };

describe("worker/files and worker/retry", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-files-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a file atomically and leaves no temporary file behind", () => {
    const file = path.join(dir, "nested", "state.json");
    writeFileAtomic(file, JSON.stringify({ round: 1 }));
    writeFileAtomic(file, JSON.stringify({ round: 2 }));
    expect(readJsonIfExists<{ round: number }>(file)).to.deep.equal({ round: 2 });
    expect(readdirSync(path.dirname(file))).to.deep.equal(["state.json"]);
  });

  it("reads nothing from a state file that does not exist", () => {
    expect(readJsonIfExists(path.join(dir, "missing.json"))).to.equal(undefined);
    expect(existsSync(path.join(dir, "missing.json"))).to.equal(false);
  });

  it("names the file of a state file that is not JSON", () => {
    const file = path.join(dir, "cut.json");
    writeFileSync(file, '{"jobId":"1","mar');
    const error = (() => {
      try {
        return readJsonIfExists(file, "--state");
      } catch (e) {
        return e;
      }
    })();
    expect(error).to.be.instanceOf(InvalidInputError);
    expect((error as Error).message).to.equal(`invalid --state: ${file} is not valid JSON`);
  });

  it("removes the temporary files a killed writer left and nothing else", () => {
    const state = path.join(dir, "state");
    mkdirSync(path.join(state, "job-1"), { recursive: true });
    writeFileAtomic(path.join(state, "worker.json"), "{}");
    writeFileSync(path.join(state, "job-1", "round-0-ab.update.4242.tmp"), "partial");
    writeFileSync(path.join(state, "worker.json.77.tmp"), "{");
    writeFileSync(path.join(state, "notes.tmp"), "kept: not a writer's temporary");
    expect(removeTemporaries(state).map((f) => path.relative(state, f)).sort()).to.deep.equal(["job-1/round-0-ab.update.4242.tmp", "worker.json.77.tmp"]);
    expect(readdirSync(state).sort()).to.deep.equal(["job-1", "notes.tmp", "worker.json"]);
    expect(removeTemporaries(path.join(dir, "missing"))).to.deep.equal([]);
  });

  it("writes binary content byte for byte", () => {
    const file = path.join(dir, "update.bin");
    writeFileAtomic(file, new Uint8Array([0, 1, 254, 255]));
    expect([...readFileSync(file)]).to.deep.equal([0, 1, 254, 255]);
  });

  it("retries a node that cannot be reached until it answers", async () => {
    let calls = 0;
    const result = await withRetry("read", async () => {
      if (++calls < 3) throw new ChainRequestError("read", "ECONNREFUSED", undefined);
      return "ok";
    }, quiet, fast);
    expect(result).to.equal("ok");
    expect(calls).to.equal(3);
  });

  it("never retries a revert: it is the chain's answer", async () => {
    let calls = 0;
    const error = await withRetry("commit", async () => {
      calls++;
      throw new ContractRevertError("commit", "MarketAlreadyCommitted", [1n, 0n, 2n], undefined);
    }, quiet, fast).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ContractRevertError);
    expect(calls).to.equal(1);
  });

  it("retries a raw connection failure from the RPC library once it is wrapped at the chain boundary", async () => {
    let calls = 0;
    const result = await withChainRetry("read", async () => {
      if (++calls < 3) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
      return "ok";
    }, quiet, fast);
    expect([result, calls]).to.deep.equal(["ok", 3]);
  });

  it("gives up once the retry window has passed", async () => {
    const error = await withRetry("read", async () => {
      throw new ChainRequestError("read", "ECONNREFUSED", undefined);
    }, quiet, { maxMs: 20, baseDelayMs: 5, maxDelayMs: 5 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainRequestError);
  });
});
