import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BIN = join(__dirname, "..", "..", "bin", "omni.js");

function omni(args: string[], stdin: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cli/aggregate", () => {
  it("writes the aggregate as a JSON array on stdout", () => {
    const r = omni(["aggregate", "--rule", "median"], "[[1,2],[3,4],[5,7]]");
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal([3, 4]);
  });

  it("passes --f and --m to multi-krum", () => {
    const r = omni(["aggregate", "--rule", "multi-krum", "--f", "1", "--m", "2"], "[[1,2],[2,3],[3,4],[4,5],[100,-100]]");
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.have.length(2);
  });

  const bad: [string, string[], string][] = [
    ["ragged rows", ["--rule", "mean"], "[[1,2],[3]]"],
    ["a non-finite number", ["--rule", "mean"], "[[1,1e999]]"],
    ["a non-number entry", ["--rule", "mean"], '[[1,"x"]]'],
    ["too few rows for the rule", ["--rule", "krum", "--f", "1"], "[[1],[2],[3],[4]]"],
    ["an unknown rule", ["--rule", "nope"], "[[1]]"],
    ["invalid JSON", ["--rule", "mean"], "[[1,2"],
    ["a bad parameter", ["--rule", "trimmed-mean", "--beta", "0.7"], "[[1],[2]]"],
    ["a non-numeric option", ["--rule", "krum", "--f", "x"], "[[1]]"],
  ];
  for (const [what, args, input] of bad) {
    it(`exits with code 2 and one stderr line on ${what}`, () => {
      const r = omni(["aggregate", ...args], input);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal("");
      expect(r.stderr.trim().split("\n")).to.have.length(1);
    });
  }
});
