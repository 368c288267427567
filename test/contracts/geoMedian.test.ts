// The geometric median, verified on-chain (docs/PROTOCOL.md "The geometric-median certificate"): the chunks
// leave the counted groups' Gram matrix, finalizeCertifiedRound accepts weights only if they certify the
// median of the group means, and the aggregate is rebuilt from chain data. The attacker's view: an
// aggregator who proposes a candidate pulled towards a poisoned group is refused; one who proposes nothing
// cannot stall the round past its deadline; a group that flips the honest direction is not paid.
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fetchRoundAggregate } from "../../src/chain";
import { gramMatrix, groupMean } from "../../src/protocol";
import {
  ETH,
  Rule,
  VoidReason,
  budgetOf,
  createJobAs,
  deployFixture,
  flippedUpdates,
  groupsOf,
  jobParams,
  openJob,
  passDeadline,
  plainGroupSums,
  playRound,
  referenceRound,
  updatesFor,
  withWindowFloors,
} from "./helpers";

const bit = (k: number) => 1n << BigInt(k);

async function geoMedianFixture() {
  const f = await deployFixture();
  const chunkWords = Number(await f.market.chunkWordsFor(12, 3, Rule.GeometricMedian));
  // Two full chunks and part of a third: the Gram matrix is summed across chunks.
  const p = jobParams({ numDOs: 12, rounds: 2, rule: Rule.GeometricMedian, paramCount: 8 * chunkWords * 2 + 13, outlierFactorBps: 40000 });
  return { ...f, job: await openJob(f.market, f.mo, f.dos, p) };
}

describe("the geometric median, verified on-chain", () => {
  it("settles a round with the certified weights: the reference's Gram matrix, weights, distances and aggregate, rebuilt from chain data", async function () {
    const { job } = await loadFixture(geoMedianFixture);
    const groups = await groupsOf(job);
    const updates = updatesFor(job, new Map());
    const played = await playRound(job, { updates });
    expect(played.chunks).to.have.length(3);
    // No per-lane aggregate is emitted; a round that settles with its aggregate needs a certificate.
    expect(played.aggregate).to.have.length(0);
    await expect(job.market.finalizeRound(job.jobId, 0n)).to.be.revertedWithCustomError(job.market, "MarketWeightsLength").withArgs(job.jobId, 4n, 0n);
    const expected = await referenceRound(job, groups, updates);
    const [counted, gram] = await job.market.roundGram(job.jobId);
    expect(counted).to.equal(15n);
    const means = plainGroupSums(groups, updates).map((g) => groupMean(g.sum, g.submitters));
    expect([...gram]).to.deep.equal(gramMatrix(means));
    const weights = expected.weights!;
    await expect(job.market.finalizeCertifiedRound(job.jobId, 0n, weights))
      .to.emit(job.market, "RoundFinalized")
      .withArgs(job.jobId, 0n, anyValue, 15n, 0n, 15n, expected.dists, expected.dots, expected.aggNorm);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect(result.weights.map(Number)).to.deep.equal(weights);
    expect(await fetchRoundAggregate(job.market, job.jobId, 0)).to.deep.equal(expected.aggregate);
    expect((await job.market.jobBooks(job.jobId)).paid).to.equal(12n * job.p.rewardPerRound);
  });

  it("refuses weights that are not a certificate, of the wrong length or zero, and weights under a per-lane rule", async function () {
    const { job, market, mo, dos } = await loadFixture(geoMedianFixture);
    const groups = await groupsOf(job);
    const updates = updatesFor(job, new Map());
    await playRound(job, { updates });
    const weights = (await referenceRound(job, groups, updates)).weights!;
    // A candidate pulled to group 0's mean: the unit vectors to the other three do not cancel.
    await expect(job.market.finalizeCertifiedRound(job.jobId, 0n, [1, 0, 0, 0]))
      .to.be.revertedWithCustomError(job.market, "MarketCertificateRejected")
      .withArgs(job.jobId, 0n, anyValue, ((10n * 1n + 1n) ** 2n * 2n ** 64n) / 100n);
    await expect(job.market.finalizeCertifiedRound(job.jobId, 0n, [0, 0, 0, 0]))
      .to.be.revertedWithCustomError(job.market, "MarketZeroWeights")
      .withArgs(job.jobId, 0n);
    await expect(job.market.finalizeCertifiedRound(job.jobId, 0n, weights.slice(1)))
      .to.be.revertedWithCustomError(job.market, "MarketWeightsLength")
      .withArgs(job.jobId, 4n, 3n);
    await job.market.finalizeCertifiedRound(job.jobId, 0n, weights);
    const median = await openJob(market, mo, dos, jobParams({ rounds: 1 }));
    await playRound(median);
    await expect(median.market.finalizeCertifiedRound(median.jobId, 0n, [1, 1, 1]))
      .to.be.revertedWithCustomError(market, "MarketWeightsLength")
      .withArgs(median.jobId, 0n, 3n);
    await median.market.finalizeCertifiedRound(median.jobId, 0n, []);
  });

  it("settles a round nobody certifies without its aggregate once the aggregation deadline passes, so it cannot stall", async function () {
    const { job } = await loadFixture(geoMedianFixture);
    await playRound(job);
    await passDeadline((await job.market.roundInfo(job.jobId)).aggregateDeadline);
    await expect(job.market.finalizeRound(job.jobId, 0n)).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0n, VoidReason.AggregationExpired);
    expect((await job.market.jobBooks(job.jobId)).paid).to.equal(0n);
    expect((await job.market.roundInfo(job.jobId)).index).to.equal(1n);
  });

  it("does not pay a group that flips the honest direction, and the certified median stays with the honest groups", async function () {
    const { job } = await loadFixture(geoMedianFixture);
    const groups = await groupsOf(job);
    const { direction, updates } = flippedUpdates(job, groups[2]);
    await playRound(job, { updates });
    const expected = await referenceRound(job, groups, updates);
    await job.market.finalizeCertifiedRound(job.jobId, 0n, expected.weights!);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect(result.inlierGroups).to.equal(15n & ~bit(2));
    for (const i of groups[2]) expect(await job.market.releasable(ETH, await job.dos[i].getAddress())).to.equal(0n);
    // The aggregate is within the honest means' spread of the direction, far from its negation.
    const aggregate = new Int32Array((await fetchRoundAggregate(job.market, job.jobId, 0)).buffer);
    const off = aggregate.reduce((s, v, e) => s + (v - (direction[e] | 0)) ** 2, 0);
    const norm = direction.reduce((s, v) => s + (v | 0) ** 2, 0);
    expect(off).to.be.below(norm / 100);
  });

  it("takes jobs of at most 16 groups", async function () {
    const { market, mo } = await loadFixture(deployFixture);
    const p = (numDOs: number) => withWindowFloors(jobParams({ numDOs, rule: Rule.GeometricMedian }));
    // Deliberate fault, sent raw: 51 DOs in groups of 3 make 17 groups.
    await expect(market.connect(mo).createJob(p(51), { value: budgetOf(p(51)) }))
      .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
      .withArgs("numDOs", 51n);
    await createJobAs(market, mo, p(50));
  });
});
