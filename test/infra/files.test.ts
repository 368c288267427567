import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { z } from "zod";
import { InvalidInputError } from "../../src/errors";
import { removeTemporaries, writeFileAtomic } from "../../src/infra/files";
import { readJsonFileIfExists } from "../../src/infra/json";

const roundSchema = z.object({ round: z.number() });

describe("infra/files", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-files-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a file atomically and leaves no temporary file behind", () => {
    const file = path.join(dir, "nested", "state.json");
    writeFileAtomic(file, JSON.stringify({ round: 1 }));
    writeFileAtomic(file, JSON.stringify({ round: 2 }));
    expect(readJsonFileIfExists(file, roundSchema)).to.deep.equal({ round: 2 });
    expect(readdirSync(path.dirname(file))).to.deep.equal(["state.json"]);
  });

  it("reads nothing from a state file that does not exist", () => {
    expect(readJsonFileIfExists(path.join(dir, "missing.json"), roundSchema)).to.equal(undefined);
    expect(existsSync(path.join(dir, "missing.json"))).to.equal(false);
  });

  it("names the file of a state file that is not JSON", () => {
    const file = path.join(dir, "cut.json");
    writeFileSync(file, '{"jobId":"1","mar');
    const error = (() => {
      try {
        return readJsonFileIfExists(file, roundSchema, "--state");
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
    expect(
      removeTemporaries(state)
        .map((f) => path.relative(state, f))
        .sort(),
    ).to.deep.equal(["job-1/round-0-ab.update.4242.tmp", "worker.json.77.tmp"]);
    expect(readdirSync(state).sort()).to.deep.equal(["job-1", "notes.tmp", "worker.json"]);
    expect(removeTemporaries(path.join(dir, "missing"))).to.deep.equal([]);
  });

  it("writes binary content byte for byte", () => {
    const file = path.join(dir, "update.bin");
    writeFileAtomic(file, new Uint8Array([0, 1, 254, 255]));
    expect([...readFileSync(file)]).to.deep.equal([0, 1, 254, 255]);
  });
});
