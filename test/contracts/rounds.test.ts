// Rounds: commit, submit, reveal, aggregate and finalize — phases, deadlines, every error path,
// slashing, outliers, and jobs where DOs vanish.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { aggregationData, readRoundState, requiredReveals } from "../../src/chain";
import {
  ETH,
  Phase,
  aggregateAll,
  SlashReason,
  budgetOf,
  commitAll,
  deployFixture,
  eligibleGroupsOf,
  groupsOf,
  jobParams,
  openJob,
  passDeadline,
  playRound,
  revealAll,
  submitAll,
  updateOf,
} from "./helpers";

async function sixFixture() {
  const f = await deployFixture();
  const job = await openJob(f.market, f.mo, f.dos, jobParams());
  return { ...f, job };
}

/** 8 DOs in two groups of 4, so a group keeps 3 submitters after a dropout. */
async function eightFixture() {
  const f = await deployFixture();
  const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 8, groupSize: 4, rounds: 2 }));
  return { ...f, job };
}

/** Eight DOs, round 0 committed, member groups[0][0] dropped: the round sits in Reveal. */
async function revealFixture() {
  const f = await eightFixture();
  const { job } = f;
  const groups = await commitAll(job);
  const dropout = groups[0][0];
  const masked = await submitAll(job, { dropouts: [dropout] });
  await passDeadline((await job.market.roundInfo(job.jobId)).submitDeadline);
  return { ...f, groups, dropout, masked };
}

/** Honest updates along a common direction with member noise about as large as the signal (as on real
 * data); a sign-flipper sends the negation of its honest update. */
function alignedUpdates(d: number, members: number[], flippers: number[] = []): Map<number, Uint32Array> {
  const updates = new Map<number, Uint32Array>();
  for (const i of members) {
    const v = new Uint32Array(d);
    for (let e = 0; e < d; e++) {
      const signal = (((e * 37) % 17) - 8) * 100;
      const noise = (((e + 1) * (i + 5) * 7919 + i * 104729) % 2001) - 1000;
      v[e] = (flippers.includes(i) ? -(signal + noise) : signal + noise) >>> 0;
    }
    updates.set(i, v);
  }
  return updates;
}

/** As the demo: 15 DOs in five groups of 3, one round, the projection test at 5000 bps, 256 parameters. */
async function projectionFixture() {
  const f = await deployFixture();
  const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 15, groupSize: 3, rounds: 1, paramCount: 256, minProjectionBps: 5000 }));
  return { ...f, job };
}

describe("rounds", function () {
  describe("commitSeeds", function () {
    it("moves to Submit as soon as every member committed", async function () {
      const { job } = await loadFixture(sixFixture);
      await commitAll(job);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Submit);
      const info = await job.market.roundInfo(job.jobId);
      expect(info.committed).to.equal(63n);
      const [group] = await groupsOf(job);
      expect(await job.market.activePeers(job.jobId, group[0])).to.equal((1n << BigInt(group[1])) | (1n << BigInt(group[2])));
    });

    it("rejects another round, a non-member, a wrong count and a second commit", async function () {
      const { job, signers } = await loadFixture(sixFixture);
      const { market, jobId, dos } = job;
      // Deliberate faults, sent raw: another round, a non-member, a wrong count, a second commit.
      await expect(market.connect(dos[0]).commitSeeds(jobId, 1n, []))
        .to.be.revertedWithCustomError(market, "MarketWrongRound")
        .withArgs(jobId, 0n, 1n);
      await expect(market.connect(signers[0]).commitSeeds(jobId, 0n, []))
        .to.be.revertedWithCustomError(market, "MarketNotMember")
        .withArgs(jobId, await signers[0].getAddress());
      await expect(market.connect(dos[0]).commitSeeds(jobId, 0n, [ethers.ZeroHash]))
        .to.be.revertedWithCustomError(market, "MarketWrongCommitmentCount")
        .withArgs(jobId, 2n, 1n);
      await market.connect(dos[0]).commitSeeds(jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]);
      await expect(market.connect(dos[0]).commitSeeds(jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]))
        .to.be.revertedWithCustomError(market, "MarketAlreadyCommitted")
        .withArgs(jobId, 0n, 0n);
    });

    it("activates only pairs whose two commitments agree", async function () {
      const { job } = await loadFixture(sixFixture);
      const { market, jobId, dos } = job;
      const [group] = await groupsOf(job);
      const [a, b, c] = group;
      // Deliberately made-up commitments, sent raw: c's commitment for a disagrees with a's.
      await market.connect(dos[a]).commitSeeds(jobId, 0n, [ethers.id("ab"), ethers.id("ac")]);
      await market.connect(dos[b]).commitSeeds(jobId, 0n, [ethers.id("ab"), ethers.id("bc")]);
      await market.connect(dos[c]).commitSeeds(jobId, 0n, [ethers.id("other"), ethers.id("bc")]);
      expect(await market.activePeers(jobId, a)).to.equal(1n << BigInt(b));
      expect(await market.activePeers(jobId, c)).to.equal(1n << BigInt(b));
      expect(await market.commitment(jobId, c, a)).to.equal(ethers.id("other"));
    });

    it("closes at the commit deadline", async function () {
      const { job } = await loadFixture(sixFixture);
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      // Deliberately out of phase, sent raw.
      await expect(job.market.connect(job.dos[0]).commitSeeds(job.jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]))
        .to.be.revertedWithCustomError(job.market, "MarketUnexpectedPhase")
        .withArgs(job.jobId, Phase.Aggregate, Phase.Commit);
    });
  });

  describe("submitMasked", function () {
    it("stores chunk hashes and skips Reveal when nobody dropped", async function () {
      const { job } = await loadFixture(sixFixture);
      await commitAll(job);
      const masked = await submitAll(job);
      expect(await job.market.chunksSubmitted(job.jobId, 0)).to.equal(1n);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Aggregate);
      expect(masked.size).to.equal(6);
    });

    it("rejects a member that did not commit, an out-of-order chunk and ragged lengths", async function () {
      const { job } = await loadFixture(sixFixture);
      const { market, jobId, dos } = job;
      const groups = await commitAll(job, { noCommit: [5] });
      // Deliberate faults, sent raw: out of phase, not committed, an out-of-order chunk, ragged lengths.
      await expect(market.connect(dos[0]).submitMasked(jobId, 0n, 0, "0x"))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Commit, Phase.Submit);
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      await expect(market.connect(dos[5]).submitMasked(jobId, 0n, 0, "0x"))
        .to.be.revertedWithCustomError(market, "MarketNotCommitted")
        .withArgs(jobId, 0n, 5n);
      // A member of the other group (two masking peers) meets the chunk and length checks.
      const ok = groups.find((g) => !g.includes(5))![0];
      await expect(market.connect(dos[ok]).submitMasked(jobId, 0n, 1, "0x"))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 0n, 1n);
      for (const bytes of ["0x", ethers.concat([ethers.ZeroHash, ethers.ZeroHash]), ethers.concat(Array(4).fill(ethers.ZeroHash))]) {
        await expect(market.connect(dos[ok]).submitMasked(jobId, 0n, 0, bytes))
          .to.be.revertedWithCustomError(market, "MarketInvalidWordsLength")
          .withArgs(jobId, BigInt(ethers.dataLength(bytes)));
      }
      expect(groups.flat().length).to.equal(6);
    });

    it("refuses a member left with one masking peer, and does not slash it for not submitting", async function () {
      const { job } = await loadFixture(sixFixture);
      const { market, jobId, dos } = job;
      const groups = await commitAll(job, { noCommit: [5] });
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      const lonely = groups.find((g) => g.includes(5))!.filter((m) => m !== 5);
      for (const i of lonely) {
        // Its only mask would be shared with one peer, who could then read its update: a deliberate raw
        // submission, which the worker would not send.
        await expect(market.connect(dos[i]).submitMasked(jobId, 0n, 0, "0x"))
          .to.be.revertedWithCustomError(market, "MarketTooFewActivePeers")
          .withArgs(jobId, 0n, i, 1n);
      }
      const masked = await submitAll(job);
      expect([...masked.keys()].sort()).to.deep.equal(
        groups
          .find((g) => !g.includes(5))!
          .slice()
          .sort(),
      );
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      await aggregateAll(job, masked);
      await expect(market.finalizeRound(jobId, 0n)).not.to.emit(market, "MemberSlashed");
      expect((await market.jobInfo(jobId)).slashedMembers).to.equal(0n);
    });
  });

  describe("revealSeeds", function () {
    it("requires reveals only from submitters with an active pair to a dropped member", async function () {
      const { job, groups, dropout } = await loadFixture(revealFixture);
      const { market, jobId, dos } = job;
      expect(await market.phase(jobId)).to.equal(Phase.Reveal);
      expect((await market.roundInfo(jobId)).requiredReveals).to.equal(3n);
      // Deliberate faults, sent raw: a non-submitter, nothing to reveal, the wrong peers.
      await expect(market.connect(dos[dropout]).revealSeeds(jobId, 0n, [], []))
        .to.be.revertedWithCustomError(market, "MarketNotSubmitter")
        .withArgs(jobId, 0n, BigInt(dropout));
      const other = groups[1][0];
      await expect(market.connect(dos[other]).revealSeeds(jobId, 0n, [], []))
        .to.be.revertedWithCustomError(market, "MarketNothingToReveal")
        .withArgs(jobId, 0n, BigInt(other));
      const revealer = groups[0][1];
      const expectedBits = 1n << BigInt(dropout);
      await expect(market.connect(dos[revealer]).revealSeeds(jobId, 0n, [groups[0][2]], [ethers.ZeroHash]))
        .to.be.revertedWithCustomError(market, "MarketRevealMismatch")
        .withArgs(jobId, BigInt(revealer), expectedBits, 1n << BigInt(groups[0][2]));
      await expect(market.connect(dos[revealer]).revealSeeds(jobId, 0n, [dropout], []))
        .to.be.revertedWithCustomError(market, "MarketRevealMismatch")
        .withArgs(jobId, BigInt(revealer), expectedBits, expectedBits);
    });

    it("moves to Aggregate once every required reveal is in and refuses a second reveal", async function () {
      const { job, groups } = await loadFixture(revealFixture);
      const { market, jobId, dos } = job;
      await revealAll(job);
      expect(await market.phase(jobId)).to.equal(Phase.Aggregate);
      const revealer = groups[0][1];
      // Deliberately out of phase, sent raw.
      await expect(market.connect(dos[revealer]).revealSeeds(jobId, 0n, [], []))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Aggregate, Phase.Reveal);
    });

    it("refuses a second reveal by the same member", async function () {
      const { job, groups } = await loadFixture(revealFixture);
      const revealer = groups[0][1];
      const { peers: targets } = await requiredReveals(job.members[revealer]);
      // Deliberate faults, sent raw: a made-up seed, then a second reveal.
      await job.market.connect(job.dos[revealer]).revealSeeds(job.jobId, 0n, targets, [ethers.ZeroHash]);
      await expect(job.market.connect(job.dos[revealer]).revealSeeds(job.jobId, 0n, targets, [ethers.ZeroHash]))
        .to.be.revertedWithCustomError(job.market, "MarketAlreadyRevealed")
        .withArgs(job.jobId, 0n, BigInt(revealer));
    });

    it("marks a contradicting revealer without reverting and makes its group ineligible", async function () {
      const { job, groups, dropout } = await loadFixture(revealFixture);
      const liar = groups[0][1];
      // Deliberate fault, sent raw: a seed that contradicts the liar's commitment.
      await expect(job.market.connect(job.dos[liar]).revealSeeds(job.jobId, 0n, [dropout], [ethers.id("lie")]))
        .to.emit(job.market, "SeedContradicted")
        .withArgs(job.jobId, 0n, BigInt(liar), BigInt(dropout));
      expect((await job.market.roundInfo(job.jobId)).contradicted).to.equal(1n << BigInt(liar));
      await revealAll(job, { silent: [liar] });
      expect(await eligibleGroupsOf(job)).to.deep.equal([1]);
    });

    it("slashes a silent revealer at the reveal deadline", async function () {
      const { job, groups, masked, dropout } = await loadFixture(revealFixture);
      const silent = groups[0][1];
      await revealAll(job, { silent: [silent] });
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Reveal);
      await passDeadline((await job.market.roundInfo(job.jobId)).revealDeadline);
      expect(await eligibleGroupsOf(job)).to.deep.equal([1]);
      await aggregateAll(job, masked);
      const tx = job.market.finalizeRound(job.jobId, 0n);
      await expect(tx).to.emit(job.market, "MemberSlashed").withArgs(job.jobId, 0n, silent, SlashReason.MissedReveal, job.p.stake);
      await expect(tx).to.emit(job.market, "MemberSlashed").withArgs(job.jobId, 0n, dropout, SlashReason.MissedSubmission, job.p.stake);
      expect((await job.market.roundResult(job.jobId, 0n)).eligibleGroups).to.equal(2n);
    });
  });

  describe("aggregateChunk", function () {
    it("rejects calls before Aggregate, a wrong chunk, a wrong length and a tampered slice", async function () {
      const { job } = await loadFixture(sixFixture);
      const { market, jobId } = job;
      const groups = await commitAll(job);
      // Deliberate faults, sent raw: out of phase, another round, a wrong chunk, a short and a tampered slice.
      await expect(market.aggregateChunk(jobId, 0n, 0, "0x"))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Submit, Phase.Aggregate);
      const masked = await submitAll(job);
      const data = aggregationData(await readRoundState(market, jobId), masked, 0);
      await expect(market.aggregateChunk(jobId, 1n, 0, data))
        .to.be.revertedWithCustomError(market, "MarketWrongRound")
        .withArgs(jobId, 0n, 1n);
      await expect(market.aggregateChunk(jobId, 0n, 1, data))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 0n, 1n);
      await expect(market.aggregateChunk(jobId, 0n, 0, ethers.dataSlice(data, 32)))
        .to.be.revertedWithCustomError(market, "MarketInvalidDataLength")
        .withArgs(jobId, BigInt(ethers.dataLength(data)), BigInt(ethers.dataLength(data) - 32));
      const tampered = ethers.getBytes(data);
      tampered[100] ^= 1; // inside the second slice (3 words = 96 bytes each)
      await expect(market.aggregateChunk(jobId, 0n, 0, tampered))
        .to.be.revertedWithCustomError(market, "MarketChunkHashMismatch")
        .withArgs(jobId, BigInt(groups[0][1]), 0n);
      await expect(market.finalizeRound(jobId, 0n)).to.be.revertedWithCustomError(market, "MarketAggregationIncomplete").withArgs(jobId, 0n, 0n, 1n);
      await aggregateAll(job, masked);
      await expect(market.aggregateChunk(jobId, 0n, 1, data))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 1n, 1n);
    });

    it("refuses to aggregate a round without an eligible group", async function () {
      const { job } = await loadFixture(sixFixture);
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      // Deliberate fault, sent raw: nobody committed, so no group is eligible.
      await expect(job.market.aggregateChunk(job.jobId, 0n, 0, "0x"))
        .to.be.revertedWithCustomError(job.market, "MarketNoEligibleGroup")
        .withArgs(job.jobId, 0n);
    });

    it("keeps the groups chunk 0 found eligible through the later chunks and finalizeRound", async function () {
      const f = await deployFixture();
      // Eight DOs in two groups of 4, one round, two chunks (the second of one word).
      const paramCount = 8 * (Number(await f.market.chunkWordsFor(8, 4)) + 1);
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 8, groupSize: 4, rounds: 1, paramCount }));
      const { market, jobId, dos } = job;
      const groups = await commitAll(job);
      const masked = await submitAll(job, { dropouts: [groups[0][0]] });
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      const silent = groups[0][1];
      await revealAll(job, { silent: [silent] });
      await passDeadline((await market.roundInfo(jobId)).revealDeadline);
      const state = await readRoundState(market, jobId);
      expect(state.groups.map((g) => g.eligible)).to.deep.equal([false, true]);
      const targets = state.groups[0].requiredReveals.get(silent)!;
      await market.aggregateChunk(jobId, 0n, 0, aggregationData(state, masked, 0));
      // Aggregate refuses the missing reveal, so group 0 stays ineligible for the rest of the round.
      // Deliberate fault: a reveal after its phase.
      await expect(
        market.connect(dos[silent]).revealSeeds(
          jobId,
          0n,
          targets,
          targets.map(() => ethers.ZeroHash),
        ),
      )
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Aggregate, Phase.Reveal);
      await expect(market.finalizeRound(jobId, 0n)).to.be.revertedWithCustomError(market, "MarketAggregationIncomplete").withArgs(jobId, 0n, 1n, 2n);
      const chunk1 = aggregationData(state, masked, 1);
      // Deliberate faults: the wrong round, then chunk 1 with the ineligible group's slices as well.
      await expect(market.aggregateChunk(jobId, 1n, 1, chunk1))
        .to.be.revertedWithCustomError(market, "MarketWrongRound")
        .withArgs(jobId, 0n, 1n);
      const bothGroups = aggregationData({ ...state, groups: state.groups.map((g) => ({ ...g, eligible: true })) }, masked, 1);
      await expect(market.aggregateChunk(jobId, 0n, 1, bothGroups))
        .to.be.revertedWithCustomError(market, "MarketInvalidDataLength")
        .withArgs(jobId, ethers.dataLength(chunk1), ethers.dataLength(bothGroups));
      await market.aggregateChunk(jobId, 0n, 1, chunk1);
      await expect(market.finalizeRound(jobId, 0n)).to.emit(market, "JobCompleted");
      expect((await market.roundResult(jobId, 0n)).eligibleGroups).to.equal(2n);
      // The completed job's round has every chunk aggregated: both calls derive the phase again.
      await expect(market.aggregateChunk(jobId, 0n, 2, chunk1))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Completed, Phase.Aggregate);
      await expect(market.finalizeRound(jobId, 0n))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Completed, Phase.Aggregate);
    });
  });

  describe("finalizeRound", function () {
    it("opens the next round with new groups after an honest round and pays every submitter", async function () {
      const { job } = await loadFixture(sixFixture);
      await playRound(job);
      await expect(job.market.finalizeRound(job.jobId, 0n)).to.emit(job.market, "RoundOpened");
      const info = await job.market.roundInfo(job.jobId);
      expect(info.index).to.equal(1n);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Commit);
      expect(await job.market.releasable(ETH, await job.dos[0].getAddress())).to.equal(job.p.rewardPerRound);
      expect((await job.market.roundResult(job.jobId, 0n)).inlierGroups).to.equal(3n);
      // Deliberate fault, sent raw: the round is finalized already.
      await expect(job.market.finalizeRound(job.jobId, 0n))
        .to.be.revertedWithCustomError(job.market, "MarketUnexpectedPhase")
        .withArgs(job.jobId, Phase.Commit, Phase.Aggregate);
    });

    it("does not pay an outlier group", async function () {
      const f = await loadFixture(deployFixture);
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 9, groupSize: 3, rounds: 1 }));
      const groups = await groupsOf(job);
      const updates = new Map<number, Uint32Array>();
      for (const i of groups[2])
        updates.set(
          i,
          updateOf(job.p.paramCount, i, 0n).map((v) => (v | 0) * 1000),
        );
      await playRound(job, { updates });
      await job.market.finalizeRound(job.jobId, 0n);
      const result = await job.market.roundResult(job.jobId, 0n);
      expect(result.eligibleGroups).to.equal(7n);
      expect(result.inlierGroups).to.equal(3n);
      expect(await job.market.releasable(ETH, await job.dos[groups[2][0]].getAddress())).to.equal(job.p.stake);
      expect(await job.market.releasable(ETH, await job.dos[groups[0][0]].getAddress())).to.equal(job.p.stake + job.p.rewardPerRound);
    });

    it("keeps every group of a clean round with a common direction an inlier under the projection test", async function () {
      const { job } = await loadFixture(projectionFixture);
      const groups = await groupsOf(job);
      await playRound(job, { updates: alignedUpdates(job.p.paramCount, groups.flat()) });
      const receipt = (await (await job.market.finalizeRound(job.jobId, 0n)).wait())!;
      const finalized = receipt.logs.map((l) => job.market.interface.parseLog(l)).find((l) => l?.name === "RoundFinalized")!;
      const result = await job.market.roundResult(job.jobId, 0n);
      expect(result.eligibleGroups).to.equal(31n);
      expect(result.inlierGroups).to.equal(31n);
      expect(finalized.args.aggNorm).to.equal(result.aggNorm);
      expect(result.aggNorm).to.be.greaterThan(0n);
      for (const dot of finalized.args.dots) expect(10000n * dot).to.be.at.least(5000n * result.aggNorm);
      expect((await job.market.jobBooks(job.jobId)).paid).to.equal(15n * job.p.rewardPerRound);
    });

    it("does not pay a group with a sign-flipped member: its projection on the aggregate is about 1/3", async function () {
      const { job } = await loadFixture(projectionFixture);
      const groups = await groupsOf(job);
      const flipper = groups[2][1];
      await playRound(job, { updates: alignedUpdates(job.p.paramCount, groups.flat(), [flipper]) });
      const receipt = (await (await job.market.finalizeRound(job.jobId, 0n)).wait())!;
      const finalized = receipt.logs.map((l) => job.market.interface.parseLog(l)).find((l) => l?.name === "RoundFinalized")!;
      const result = await job.market.roundResult(job.jobId, 0n);
      const [dists, dots] = [finalized.args.distances as bigint[], finalized.args.dots as bigint[]];
      // The distance test alone would pay the group; its projection is what excludes it.
      expect(10000n * dists[2]).to.be.at.most(40000n * result.medianDistance);
      const projection = Number(dots[2]) / Number(result.aggNorm);
      expect(projection).to.be.within(0.2, 0.5);
      expect(await job.market.groupDot(job.jobId, 2)).to.equal(dots[2]);
      expect(result.eligibleGroups).to.equal(31n);
      expect(result.inlierGroups).to.equal(31n ^ 4n);
      for (const i of groups[2]) expect(await job.market.releasable(ETH, await job.dos[i].getAddress())).to.equal(job.p.stake);
      expect(await job.market.releasable(ETH, await job.dos[groups[0][0]].getAddress())).to.equal(job.p.stake + job.p.rewardPerRound);
      expect((await job.market.jobBooks(job.jobId)).paid).to.equal(12n * job.p.rewardPerRound);
    });

    it("completes the job with a full refund when the DOs vanish, and non-committers keep their stake", async function () {
      const { job } = await loadFixture(sixFixture);
      const { market, jobId, p, mo } = job;
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      expect(await market.phase(jobId)).to.equal(Phase.Aggregate);
      await expect(market.finalizeRound(jobId, 0n))
        .to.emit(market, "JobCompleted")
        .withArgs(jobId, 0n, budgetOf(p), 0n, 6n * p.stake);
      expect(await market.phase(jobId)).to.equal(Phase.Completed);
      expect(await market.releasable(ETH, await mo.getAddress())).to.equal(budgetOf(p));
    });

    it("completes the job when fewer than g members are left for another round", async function () {
      const { job } = await loadFixture(eightFixture);
      const groups = await groupsOf(job);
      // All of group 0 and one member of group 1 commit and drop: 5 slashed, 3 left, g = 4.
      await playRound(job, { dropouts: [...groups[0], groups[1][0]] });
      await expect(job.market.finalizeRound(job.jobId, 0n)).to.emit(job.market, "JobCompleted");
      const books = await job.market.jobBooks(job.jobId);
      expect(books.slashed).to.equal(5n * job.p.stake);
      expect(books.paid).to.equal(3n * job.p.rewardPerRound);
      expect(books.paid + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    });

    it("keeps ejected members out of later rounds", async function () {
      const { job } = await loadFixture(eightFixture);
      const groups = await groupsOf(job);
      const dropout = groups[0][0];
      await playRound(job, { dropouts: [dropout] });
      await job.market.finalizeRound(job.jobId, 0n);
      expect((await job.market.roundInfo(job.jobId)).members).to.equal(255n ^ (1n << BigInt(dropout)));
      // Deliberate fault, sent raw: an ejected member tries to commit.
      await expect(job.market.connect(job.dos[dropout]).commitSeeds(job.jobId, 1n, []))
        .to.be.revertedWithCustomError(job.market, "MarketNotRoundMember")
        .withArgs(job.jobId, 1n, BigInt(dropout));
    });
  });
});
