// Multi-Krum, chosen on-chain (docs/PROTOCOL.md "Multi-Krum"): the chunks leave the counted groups' Gram matrix
// as under the geometric median, and finalizeRound itself picks the e − f group means of lowest Krum score, so
// nobody proposes anything and nothing can be proposed wrong. The attacker's view: a group that pushes its mean
// far from the others is left out of the aggregate and not paid; an aggregator cannot slip in weights of its
// own; a job with too few groups for the rule to presume even one bad is refused.
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fetchRoundAggregate } from "../../src/chain";
import { gramMatrix, groupMean, multiKrumWeights } from "../../src/protocol";
import {
  ETH,
  Rule,
  budgetOf,
  createJobAs,
  deployFixture,
  flippedUpdates,
  groupsOf,
  jobParams,
  openJob,
  plainGroupSums,
  playRound,
  referenceRound,
  withWindowFloors,
} from "./helpers";

const bit = (k: number) => 1n << BigInt(k);

async function multiKrumFixture() {
  const f = await deployFixture();
  const chunkWords = Number(await f.market.chunkWordsFor(15, 3, Rule.MultiKrum));
  // A full chunk and part of a second: the Gram matrix is summed across chunks.
  const p = jobParams({ numDOs: 15, rounds: 2, rule: Rule.MultiKrum, paramCount: 8 * chunkWords + 13, outlierFactorBps: 40000 });
  return { ...f, job: await openJob(f.market, f.mo, f.dos, p) };
}

describe("Multi-Krum, chosen on-chain", () => {
  it("leaves a group far from the others out of the aggregate and its pay, takes no weights, and the aggregate rebuilt from chain data is the reference's", async function () {
    const { job } = await loadFixture(multiKrumFixture);
    const groups = await groupsOf(job);
    expect(groups).to.have.length(5);
    const { updates } = flippedUpdates(job, groups[3]);
    const played = await playRound(job, { updates });
    expect(played.chunks).to.have.length(2);
    expect(played.aggregate).to.have.length(0);
    const [counted, gram] = await job.market.roundGram(job.jobId);
    expect(counted).to.equal(31n);
    const means = plainGroupSums(groups, updates).map((g) => groupMean(g.sum, g.submitters));
    expect([...gram]).to.deep.equal(gramMatrix(means));
    const expected = await referenceRound(job, groups, updates);
    // f = ⌊(5 − 3) / 2⌋ = 1: the four means of lowest score, which leaves out the flipped group.
    expect(expected.weights).to.deep.equal([1, 1, 1, 0, 1]);
    expect(multiKrumWeights(gram)).to.deep.equal(expected.weights);
    // The choice is the contract's: an aggregator's weights are refused.
    await expect(job.market.finalizeCertifiedRound(job.jobId, 0n, [1, 1, 1, 1, 1]))
      .to.be.revertedWithCustomError(job.market, "MarketWeightsLength")
      .withArgs(job.jobId, 0n, 5n);
    await expect(job.market.finalizeRound(job.jobId, 0n))
      .to.emit(job.market, "RoundFinalized")
      .withArgs(job.jobId, 0n, anyValue, 31n, 0n, 31n & ~bit(3), expected.dists, expected.dots, expected.aggNorm);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect(result.weights.map(Number)).to.deep.equal(expected.weights);
    expect(await fetchRoundAggregate(job.market, job.jobId, 0)).to.deep.equal(expected.aggregate);
    for (const i of groups[3]) expect(await job.market.releasable(ETH, await job.dos[i].getAddress())).to.equal(0n);
    expect((await job.market.jobBooks(job.jobId)).paid).to.equal(12n * job.p.rewardPerRound);
  });

  it("takes jobs of 5 to 16 groups", async function () {
    const { market, mo } = await loadFixture(deployFixture);
    const p = (numDOs: number) => withWindowFloors(jobParams({ numDOs, rule: Rule.MultiKrum }));
    // Deliberate faults, sent raw: 14 DOs in groups of 3 make 4 groups, 51 make 17.
    await expect(market.connect(mo).createJob(p(14), { value: budgetOf(p(14)) }))
      .to.be.revertedWithCustomError(market, "MarketTooFewGroups")
      .withArgs(4n, 5n);
    await expect(market.connect(mo).createJob(p(51), { value: budgetOf(p(51)) }))
      .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
      .withArgs("numDOs", 51n);
    await createJobAs(market, mo, p(15));
    await createJobAs(market, mo, p(50));
  });
});
