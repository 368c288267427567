// The job shape and window floors of src/protocol/windows.ts equal what the contract computes and enforces.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { chunkWordsFor, minEligibleGroups, windowFloors } from "../../src/protocol";
import { ruleCode } from "../../src/chain";
import { budgetOf, deployFixture, jobParams } from "../contracts/helpers";

describe("job shape and window floors", () => {
  it("chunkWordsFor equals the contract's chunk size over a grid of n and g", async function () {
    const { market } = await loadFixture(deployFixture);
    for (const rule of ["median", "trimmed-mean", "geomedian", "multi-krum"] as const) {
      for (const n of [3, 9, 20, 48, 64, 100, 128]) {
        for (const g of [3, 4, 5, 8, 16, 42, 61]) {
          if (g > n) continue;
          expect(chunkWordsFor(n, g, rule), `${rule}, n = ${n}, g = ${g}`).to.equal(Number(await market.chunkWordsFor(n, g, ruleCode(rule))));
        }
      }
    }
  });

  it("the contract accepts each window at its floor and refuses it one second below", async function () {
    const { market, mo } = await loadFixture(deployFixture);
    for (const [n, g, d] of [
      [9, 3, 20],
      [20, 4, 100_000],
      [100, 5, 1_000_000],
    ]) {
      const floors = windowFloors(n, g, d);
      const at = jobParams({
        numDOs: n,
        groupSize: g,
        paramCount: d,
        joinDuration: floors.join,
        commitDuration: floors.commit,
        submitDuration: floors.submit,
        revealDuration: floors.reveal,
        aggregateDuration: floors.aggregate,
      });
      await expect(market.connect(mo).createJob(at, { value: budgetOf(at) })).to.not.be.reverted;
      for (const [name, key] of [
        ["joinDuration", "join"],
        ["commitDuration", "commit"],
        ["submitDuration", "submit"],
        ["revealDuration", "reveal"],
        ["aggregateDuration", "aggregate"],
      ] as const) {
        const below = { ...at, [name]: floors[key] - 1 };
        await expect(market.connect(mo).createJob(below, { value: budgetOf(below) }))
          .to.be.revertedWithCustomError(market, "MarketWindowTooShort")
          .withArgs(name, floors[key] - 1, floors[key]);
      }
    }
  });

  it("minEligibleGroups asks 3 groups of the median and the geometric median, 5 of Multi-Krum and one trimmed mean at each end of a trimmed mean", () => {
    expect(minEligibleGroups("median", 0)).to.equal(3);
    expect(minEligibleGroups("geomedian", 0)).to.equal(3);
    expect(minEligibleGroups("multi-krum", 0)).to.equal(5);
    expect(minEligibleGroups("trimmed-mean", 2000)).to.equal(5);
    expect(minEligibleGroups("trimmed-mean", 4999)).to.equal(3);
    expect(minEligibleGroups("trimmed-mean", 1000)).to.equal(10);
    expect(minEligibleGroups("trimmed-mean", 1500)).to.equal(7);
  });
});
