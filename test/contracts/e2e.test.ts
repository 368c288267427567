// End to end with real masked vectors: keys, HKDF pair seeds, keccak masks and the round aggregate come
// from src/protocol; the on-chain aggregate must equal the TypeScript computation element for element.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { roundAggregate } from "../../src/protocol";
import {
  BURN_ADDRESS,
  ETH,
  Phase,
  SlashReason,
  Rule,
  booksSides,
  budgetOf,
  deployFixture,
  groupsOf,
  jobParams,
  lanesOf,
  openJob,
  playRound,
  updateOf,
  type Job,
  type RoundPlan,
} from "./helpers";

async function e2eFixture() {
  const f = await deployFixture();
  const chunkWords = Number(await f.market.chunkWordsFor(16, 4, Rule.Median));
  // 16 DOs in four groups of 4, so that two groups spoilt in round 0 leave the median three.
  // Two and a bit chunks, so aggregation runs over several transactions and a partial last chunk.
  const p = jobParams({ numDOs: 16, groupSize: 4, rounds: 2, paramCount: 8 * (2 * chunkWords + 3) - 5, minProjectionBps: 5000 });
  const job = await openJob(f.market, f.mo, f.dos, p);
  return { ...f, job };
}

/** Plays the round and checks the chain against roundAggregate; returns the finalize receipt. */
async function playAndCompare(job: Job, round: bigint, plan: RoundPlan) {
  const played = await playRound(job, plan);
  const groups = played.eligible.map((k) => {
    const subs = played.groups[k].filter((i) => played.masked.has(i));
    return {
      masked: subs.map((i) => lanesOf(played.masked.get(i)!)),
      reveals: played.reveals.filter((r) => subs.includes(r.submitter)),
    };
  });
  const expected = await roundAggregate({
    groups,
    rule: { rule: "median" },
    outlierFactorBps: BigInt(job.p.outlierFactorBps),
    minProjectionBps: BigInt(job.p.minProjectionBps),
  });
  expect(Array.from(lanesOf(played.aggregate))).to.deep.equal(Array.from(expected.aggregate));
  const tx = await job.market.finalizeRound(job.jobId, round);
  const receipt = (await tx.wait())!;
  const finalized = receipt.logs.map((l) => job.market.interface.parseLog(l)).find((l) => l?.name === "RoundFinalized")!;
  expect(finalized.args.distances).to.deep.equal(expected.dists);
  expect(finalized.args.dots).to.deep.equal(expected.dots);
  expect(finalized.args.aggNorm).to.equal(expected.aggNorm);
  const result = await job.market.roundResult(job.jobId, round);
  expect(result.medianDistance).to.equal(expected.medianDist);
  expect(result.aggNorm).to.equal(expected.aggNorm);
  const inliers = played.eligible.map((k) => ((finalized.args.inlierGroups >> BigInt(k)) & 1n) === 1n);
  expect(inliers).to.deep.equal(expected.inliers);
  // Every submitter of an inlier group is paid.
  const paidMembers = played.eligible.filter((_, q) => inliers[q]).flatMap((k) => played.groups[k].filter((i) => played.masked.has(i)));
  return { played, receipt, expected, paid: BigInt(paidMembers.length) * job.p.rewardPerRound };
}

describe("end to end with real masked vectors", function () {
  it("a two-round job with a dropout and a lying revealer matches the TypeScript aggregate and balances", async function () {
    const { job, mo } = await loadFixture(e2eFixture);
    const { market, jobId, p } = job;
    const g0 = await groupsOf(job);
    expect(g0.length).to.equal(4);
    const dropout = g0[0][0];
    const otherDropout = g0[1][0];
    const liar = g0[1][1];

    const r0 = await playAndCompare(job, 0n, { dropouts: [dropout, otherDropout], liars: [liar] });
    expect(r0.played.eligible).to.deep.equal([0, 2, 3]);
    await expect(r0.receipt).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, dropout, SlashReason.MissedSubmission, p.stake);
    await expect(r0.receipt).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, liar, SlashReason.ContradictedSeed, p.stake);
    expect((await market.jobInfo(jobId)).slashedMembers).to.equal((1n << BigInt(dropout)) | (1n << BigInt(otherDropout)) | (1n << BigInt(liar)));

    // Round 1: the 13 remaining members in 3 groups, one of them with a dropout again.
    expect(await market.phase(jobId)).to.equal(Phase.Commit);
    const g1 = await groupsOf(job);
    expect(g1.flat().length).to.equal(13);
    const updates = new Map<number, Uint32Array>();
    for (const i of g1.flat()) updates.set(i, updateOf(p.paramCount, i + 100, 1n));
    const r1 = await playAndCompare(job, 1n, { dropouts: [g1[1][0]], updates });
    expect(r1.played.eligible).to.deep.equal([0, 1, 2]);
    await expect(r1.receipt).to.emit(market, "JobCompleted");

    expect(await market.phase(jobId)).to.equal(Phase.Completed);
    const books = await market.jobBooks(jobId);
    expect(books.budget).to.equal(budgetOf(p));
    const [outgoing, incoming] = booksSides(books);
    expect(outgoing).to.equal(incoming);
    expect(books.slashed).to.equal(4n * p.stake);
    // Which eligible groups are inliers depends on the draw; each round pays every submitter of its inliers.
    expect(books.paid).to.equal(r0.paid + r1.paid);
    expect(books.refunded).to.equal(books.budget - books.paid);
    // The MO gets the unspent budget only; what was slashed is burned.
    expect(await market.releasable(ETH, await mo.getAddress())).to.equal(books.refunded);
    expect(await market.releasable(ETH, BURN_ADDRESS)).to.equal(books.slashed);
    expect(await ethers.provider.getBalance(job.address)).to.equal(books.budget + books.stakes);

    // The model of round 1 is derivable from chain data: both hash chains are stored.
    const result0 = await market.roundResult(jobId, 0n);
    expect(result0.aggregateHash).to.not.equal(ethers.ZeroHash);
  });
});
