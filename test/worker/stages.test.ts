import { expect } from "chai";
import { createLogger } from "../../src/infra/log";
import { WORKER_STAGES, parseStageLine, stageMessage } from "../../src/worker/stages/names";

/** The lines a logger writes while `write` runs. */
function captured(write: () => void): string[] {
  const original = process.stderr.write;
  const lines: string[] = [];
  process.stderr.write = ((chunk: string) => (lines.push(chunk.trimEnd()), true)) as typeof process.stderr.write;
  try {
    write();
  } finally {
    process.stderr.write = original;
  }
  return lines;
}

describe("worker/stages", () => {
  it("lists the stages in protocol order", () => {
    expect(WORKER_STAGES).to.deep.equal(["joined", "committed", "trained", "submitted", "revealed", "aggregated", "released"]);
  });

  it("reads back the stage, round and details of every stage line the logger writes", () => {
    const log = createLogger("worker do-0", "info");
    const lines = captured(() => WORKER_STAGES.forEach((stage, i) => log.info(stageMessage(stage), { jobId: 3n, round: i, releasedWei: 10n ** 18n })));
    expect(lines.map((line) => parseStageLine(line)?.stage)).to.deep.equal([...WORKER_STAGES]);
    expect(parseStageLine(lines[4])).to.deep.include({ stage: "revealed", round: 4 });
    expect(parseStageLine(lines[6])!.details).to.deep.equal({ jobId: '"3"', round: "6", releasedWei: '"1000000000000000000"' });
  });

  it("reads no stage from other lines, even those starting with a stage's word", () => {
    const log = createLogger("worker do-0", "debug");
    const lines = captured(() => {
      log.info("trained epoch", { phase: "head", epoch: "1/1" });
      log.warn("stage committed reverted; re-reading the chain");
      log.info("stage finished", { round: 0 });
      log.info("resuming", { jobId: 1n, index: 0 });
    });
    expect(lines.map(parseStageLine)).to.deep.equal([undefined, undefined, undefined, undefined]);
  });
});
