// The norm bound on group sums (docs/PROTOCOL.md "The norm bound"): a group whose unmasked sum has
// Σ sum² > (submitters · (clipNormQ + ceil(√paramCount)))² over the chunks so far — which no group of
// honest, clipped members can reach — is excluded from the rule from that chunk on and is not paid. The
// attacker's view: scaling, Gaussian noise or model replacement need a large norm; each case here is one
// that moved or poisoned the aggregate before the bound.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { aggregationData, readRoundState } from "../../src/chain";
import { aggregateGroupSums, unpackWords } from "../../src/protocol";
import {
  ETH,
  VoidReason,
  Rule,
  aggregateAll,
  commitAll,
  deployFixture,
  eventsIn,
  groupsOf,
  jobParams,
  openJob,
  plainGroupSums,
  playRound,
  referenceRound,
  revealAll,
  submitAll,
  updateOf,
  updatesFor,
  type Params,
} from "./helpers";

const bit = (k: number) => 1n << BigInt(k);

async function twelveFixture() {
  const f = await deployFixture();
  return { ...f, job: await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 12, rounds: 1, outlierFactorBps: 1_000_000 })) };
}

describe("the norm bound on group sums", () => {
  it("excludes a group with a scaled member from the rule and does not pay it, and the aggregate is the honest groups' median", async function () {
    const { job } = await loadFixture(twelveFixture);
    const groups = await groupsOf(job);
    const attacker = groups[3][0];
    const updates = updatesFor(job, new Map([[attacker, updateOf(job.p.paramCount, attacker, 0n).map((v) => (v | 0) * 1000)]]));
    const played = await playRound(job, { updates });
    const over = await eventsIn(job, played.chunks[0], "GroupsOverBound");
    expect(over.map((e) => [e.args.chunkIndex, e.args.groups])).to.deep.equal([[0n, bit(3)]]);
    await job.market.finalizeRound(job.jobId, 0n);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect(result.eligibleGroups).to.equal(15n);
    expect(result.excludedGroups).to.equal(bit(3));
    expect(result.inlierGroups & bit(3)).to.equal(0n);
    const expected = await referenceRound(job, groups, updates);
    expect(expected.excludedAt).to.deep.equal([Infinity, Infinity, Infinity, 0]);
    expect(unpackWords(played.aggregate, job.p.paramCount)).to.deep.equal(expected.aggregate);
    // The same as the median of the three honest groups alone.
    const honest = aggregateGroupSums(plainGroupSums(groups.slice(0, 3), updates), { rule: "median" });
    expect(expected.aggregate).to.deep.equal(honest.aggregate);
    for (const i of groups[3]) expect(await job.market.releasable(ETH, await job.dos[i].getAddress())).to.equal(job.p.stake);
  });

  it("puts the bound exactly at submitters · (clipNormQ + ceil(√paramCount)), sum² equal to its square within it", async function () {
    const f = await loadFixture(deployFixture);
    // clipNormQ 100 and 20 parameters: ceil(√20) = 5, so a group of 3 may sum to norm 3 · 105 = 315.
    const p: Params = jobParams({ numDOs: 12, rounds: 1, clipNormQ: 100, outlierFactorBps: 1_000_000, minProjectionBps: 0 });
    const job = await openJob(f.market, f.mo, f.dos, p);
    const groups = await groupsOf(job);
    const single = (value: number) => Uint32Array.from({ length: p.paramCount }, (_, e) => (e === 0 ? value >>> 0 : 0));
    const updates = updatesFor(job, new Map(groups.flat().map((i) => [i, i === groups[1][0] ? single(315) : i === groups[2][0] ? single(-316) : single(0)])));
    await playRound(job, { updates });
    await job.market.finalizeRound(job.jobId, 0n);
    expect((await job.market.roundResult(job.jobId, 0n)).excludedGroups).to.equal(bit(2));
    expect((await referenceRound(job, groups, updates)).excludedAt).to.deep.equal([Infinity, Infinity, 0, Infinity]);
  });

  it("bounds the running total over the chunks: a group that saves its norm for a later chunk is excluded from that chunk on and posts nothing after", async function () {
    const f = await loadFixture(deployFixture);
    const chunkWords = Number(await f.market.chunkWordsFor(12, 3, Rule.Median));
    const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 12, rounds: 1, paramCount: 8 * chunkWords * 3, outlierFactorBps: 1_000_000 }));
    const groups = await groupsOf(job);
    const attacker = groups[1][2];
    const lanes = 8 * chunkWords;
    // Honest-sized in chunk 0; scaled in chunk 1, which takes the running total over the bound.
    const poisoned = updateOf(job.p.paramCount, attacker, 0n).map((v, e) => (e >= lanes && e < 2 * lanes ? ((v | 0) * 1000) >>> 0 : v));
    const updates = updatesFor(job, new Map([[attacker, poisoned]]));
    await commitAll(job);
    const masked = await submitAll(job, { updates });
    await revealAll(job);
    const state = await readRoundState(job.market, job.jobId);
    await job.market.aggregateChunk(job.jobId, 0n, 0, aggregationData(state, masked, 0));
    await expect(job.market.aggregateChunk(job.jobId, 0n, 1, aggregationData(state, masked, 1)))
      .to.emit(job.market, "GroupsOverBound")
      .withArgs(job.jobId, 0n, 1n, bit(1));
    expect((await job.market.roundInfo(job.jobId)).excludedGroups).to.equal(bit(1));
    // Chunk 2 carries no slice of the excluded group: the layout that still holds it is refused.
    const withIt = aggregationData(state, masked, 2, 0n);
    const without = aggregationData(state, masked, 2, bit(1));
    await expect(job.market.aggregateChunk(job.jobId, 0n, 2, withIt))
      .to.be.revertedWithCustomError(job.market, "MarketInvalidDataLength")
      .withArgs(job.jobId, (without.length - 2) / 2, (withIt.length - 2) / 2);
    const rest = await aggregateAll(job, masked);
    await job.market.finalizeRound(job.jobId, 0n);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect(result.excludedGroups).to.equal(bit(1));
    const expected = await referenceRound(job, groups, updates);
    expect(expected.excludedAt).to.deep.equal([Infinity, 1, Infinity, Infinity]);
    expect(rest.chunks).to.have.length(1);
    expect(result.aggregateHash).to.not.equal("0x" + "00".repeat(32));
  });

  it("voids the round at once when the groups left within the bound are too few for the rule, paying nobody", async function () {
    const f = await loadFixture(deployFixture);
    const chunkWords = Number(await f.market.chunkWordsFor(9, 3, Rule.Median));
    const job = await openJob(f.market, f.mo, f.dos, jobParams({ rounds: 2, paramCount: 8 * chunkWords * 2 }));
    const groups = await groupsOf(job);
    const attacker = groups[0][1];
    const updates = updatesFor(job, new Map([[attacker, updateOf(job.p.paramCount, attacker, 0n).map((v) => (v | 0) * 1000)]]));
    const played = await playRound(job, { updates });
    // aggregateChunks stops after the chunk that left two groups: it aggregated nothing.
    expect(played.chunks).to.have.length(1);
    expect(played.aggregate).to.have.length(0);
    const state = await readRoundState(job.market, job.jobId);
    await expect(job.market.aggregateChunk(job.jobId, 0n, 1, aggregationData(state, played.masked, 1)))
      .to.be.revertedWithCustomError(job.market, "MarketTooFewEligibleGroups")
      .withArgs(job.jobId, 0n, 2n, 3n);
    // Before the aggregation deadline: the round cannot be aggregated, so finalizeRound settles it now.
    const finalized = job.market.finalizeRound(job.jobId, 0n);
    await expect(finalized).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0n, VoidReason.TooFewEligibleGroups);
    const result = await job.market.roundResult(job.jobId, 0n);
    expect([result.excludedGroups, result.inlierGroups, result.aggregateHash]).to.deep.equal([bit(0), 0n, "0x" + "00".repeat(32)]);
    expect((await job.market.jobBooks(job.jobId)).paid).to.equal(0n);
    // The job moves on, and the new round counts every group again.
    const next = await job.market.roundInfo(job.jobId);
    expect([next.index, next.excludedGroups]).to.deep.equal([1n, 0n]);
  });
});
