// The market end to end on each local chain client (anvil and a `hardhat node`): the model owner and four
// data-owner worker processes running one round of a small job.
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
        dataOwners: 4,
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

    it("finalizes the round with its one group as an inlier", function () {
      expect(report.config.chain).to.equal(chain);
      expect(report.rounds).to.have.length(1);
      expect(report.rounds[0]).to.include({ round: 0, eligibleGroups: 1, inlierGroups: 1 });
      expect(Number(report.rounds[0].gasUsed)).to.be.greaterThan(0);
    });

    it("pays every data owner its reward and returns every stake", function () {
      const paid = Object.values(report.payoutsWei).map(BigInt);
      expect(paid).to.have.length(4);
      for (const amount of paid) expect(amount).to.equal(BigInt(DEMO_RECIPE.terms.rewardPerRound));
      expect(BigInt(report.stakesReturnedWei)).to.equal(4n * BigInt(DEMO_RECIPE.terms.stake));
      expect(report.checks.honestUnpaidRounds).to.deep.equal([]);
    });

    it("balances the books to the wei", function () {
      expect(report.checks.booksBalance).to.equal(true);
      expect(report.refundedWei).to.equal("0");
      expect(report.slashedWei).to.equal("0");
    });

    it("evaluates the model owner's model before and after the round and writes the report", function () {
      expect(report.initialAccuracy).to.be.within(0, 1);
      expect(report.finalAccuracy).to.be.within(0, 1);
      for (const file of ["report.json", "report.md", "chart.svg"]) expect(existsSync(path.join(reportDir, file)), file).to.equal(true);
    });
  });
