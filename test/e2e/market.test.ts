// The market end to end on each local chain client (anvil and a `hardhat node`): the model owner and nine
// data-owner worker processes (three groups of three, the fewest the median admits) running one round of a
// small job.
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { CHAIN_CLIENTS } from "../../src/devnet/localNode";
import { runMarket, type MarketRunReport } from "../../src/devnet/runMarket";

for (const chain of CHAIN_CLIENTS)
  describe(`market end to end (${chain}, worker processes)`, function () {
    this.timeout(300_000);
    const reportDir = mkdtempSync(path.join(os.tmpdir(), "omni-e2e-"));
    let report: MarketRunReport;

    before(async function () {
      report = await runMarket({
        dataOwners: 9,
        groupSize: 3,
        rounds: 1,
        chain,
        malicious: 0,
        reportDir,
        recipe: {
          ownerSamples: 300,
          samplesPerDataOwner: 400,
          minSamplesPerDataOwner: 50,
          testSamples: 1000,
          finetune: { ...DEMO_RECIPE.finetune, epochs: 2 },
        },
        workerArgs: ["--head-epochs", "1"],
        say: () => undefined,
      });
    });

    // A failed run keeps its folder: the error names the worker logs inside it.
    after(() => {
      if (report) rmSync(reportDir, { recursive: true, force: true });
    });

    // Whether every group is an inlier depends on the draw and the data: with Dirichlet(0.5) shards a group's
    // mean can fall short of the projection bound (minProjectionBps) and go unpaid. What holds either way:
    // every group is eligible, the inlier groups' members are paid, nobody is slashed, and the rest is refunded.
    it("finalizes the round with its three groups eligible, at least one of them an inlier", function () {
      expect(report.config.chain).to.equal(chain);
      expect(report.rounds).to.have.length(1);
      const [row] = report.rounds;
      expect(row).to.include({ round: 0, eligibleGroups: 3 });
      expect(row.inlierGroups, `squared distances ${row.distances.join(", ")}, median ${row.medianDistance}`).to.be.within(1, 3);
      expect(Number(row.gasUsed)).to.be.greaterThan(0);
    });

    it("pays the members of the inlier groups their reward and returns every stake", function () {
      const reward = BigInt(DEMO_RECIPE.terms.rewardPerRound);
      const paid = Object.values(report.payoutsWei).map(BigInt);
      expect(paid).to.have.length(9);
      const rewarded = paid.filter((amount) => amount > 0n);
      expect(rewarded).to.have.length(3 * report.rounds[0].inlierGroups);
      for (const amount of rewarded) expect(amount).to.equal(reward);
      expect(BigInt(report.rounds[0].paidWei)).to.equal(BigInt(rewarded.length) * reward);
      expect(BigInt(report.stakesReturnedWei)).to.equal(9n * BigInt(DEMO_RECIPE.terms.stake));
      expect(report.checks.honestUnpaidRounds).to.have.length(9 - rewarded.length);
    });

    it("balances the books to the wei: the unpaid rewards go back to the owner, nothing is slashed", function () {
      expect(report.checks.booksBalance).to.equal(true);
      const unpaid = 9 - 3 * report.rounds[0].inlierGroups;
      expect(report.refundedWei).to.equal((BigInt(unpaid) * BigInt(DEMO_RECIPE.terms.rewardPerRound)).toString());
      expect(report.slashedWei).to.equal("0");
    });

    it("evaluates the model owner's model before and after the round and writes the report", function () {
      expect(report.initialAccuracy).to.be.within(0, 1);
      expect(report.finalAccuracy).to.be.within(0, 1);
      for (const file of ["report.json", "report.md", "chart.svg"]) expect(existsSync(path.join(reportDir, file)), file).to.equal(true);
    });
  });
