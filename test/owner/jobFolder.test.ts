import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { InvalidInputError } from "../../src/errors";
import { JOB_FILE, readJobRecord, requireJobRecord, writeJobRecord, type JobRecord } from "../../src/owner/jobFolder";

describe("owner/jobFolder", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "omni-job-folder-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const record: JobRecord = {
    jobId: "7",
    market: "0x" + "aB".repeat(20),
    chainId: "31337",
    task: "mnist",
    model: "model-round-0",
    pretrainSamples: 200,
    createdAt: "2025-01-01T00:00:00.000Z",
    initialAccuracy: 0.61,
    rounds: [
      {
        round: 0,
        accuracy: 0.74,
        gasUsed: "12345678",
        chainMs: 96000,
        inlierGroups: 2,
        eligibleGroups: 2,
        excludedGroups: 0,
        paidWei: "40000000000000000000000",
        distances: ["18446744073709551617", "3"],
        medianDistance: "18446744073709551617",
      },
    ],
  };
  const folder = (name: string, content: unknown) => {
    const dir = path.join(root, name);
    writeJobRecord(dir, record);
    if (content !== undefined) writeFileSync(path.join(dir, JOB_FILE), typeof content === "string" ? content : JSON.stringify(content));
    return dir;
  };

  it("reads job.json back unchanged, wei and gas with every digit and fields it does not name kept", () => {
    const dir = folder("valid", { ...record, note: { by: "hand" } });
    expect(readJobRecord(dir)).to.deep.equal({ ...record, note: { by: "hand" } });
    const again = folder("rewritten", undefined);
    writeJobRecord(again, requireJobRecord(dir));
    expect(JSON.parse(readFileSync(path.join(again, JOB_FILE), "utf8"))).to.deep.equal({ ...record, note: { by: "hand" } });
  });

  it("refuses a job.json whose rounds are not a list, naming the file and the field", () => {
    const dir = folder("rounds", { ...record, rounds: "2" });
    expect(() => readJobRecord(dir)).to.throw(InvalidInputError, `invalid --dir: ${path.join(dir, JOB_FILE)}: field "rounds" expected array, got string`);
  });

  it("refuses a round whose pay is a number, naming its path", () => {
    const dir = folder("paid", { ...record, rounds: [{ ...record.rounds[0], paidWei: 4e22 }] });
    expect(() => readJobRecord(dir)).to.throw(InvalidInputError, `field "rounds[0].paidWei" expected string, got number`);
  });

  it("refuses a job id that is not a decimal integer", () => {
    const dir = folder("job-id", { ...record, jobId: "0x7" });
    expect(() => requireJobRecord(dir)).to.throw(InvalidInputError, `field "jobId" expected a decimal integer, got "0x7"`);
  });

  it("still names a job.json that is not JSON", () => {
    const dir = folder("cut", '{"jobId":"7","mar');
    expect(() => readJobRecord(dir)).to.throw(InvalidInputError, `invalid --dir: ${path.join(dir, JOB_FILE)} is not valid JSON`);
  });
});
