// Rounds: commit, submit, reveal, aggregate and finalize — phases, deadlines, every error path,
// slashing, outliers, and jobs where DOs vanish.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionReceipt } from "ethers";
import { aggregationData, commitSeeds, readRoundState, requiredReveals } from "../../src/chain";
import { roundRandomness } from "../../src/protocol";
import {
  ETH,
  Phase,
  Rule,
  aggregateAll,
  SlashReason,
  VoidReason,
  budgetOf,
  commitAll,
  deployFixture,
  eligibleGroupsOf,
  groupsOf,
  jobParams,
  missedCommitForfeit,
  openJob,
  passDeadline,
  playRound,
  revealAll,
  submitAll,
  updateOf,
  type Job,
} from "./helpers";

/**
 * An outlier bound loose enough that every honest group is an inlier whatever the draw: the fixtures'
 * updates are uncorrelated, so in groups of 3 or 4 an honest group mean can land several times the median
 * distance from the aggregate, and the groups come from a block hash (they differ from run to run).
 */
const LOOSE_OUTLIER_BPS = 1_000_000;

/** 9 DOs in three groups of 3: the smallest job the median accepts. */
async function nineFixture() {
  const f = await deployFixture();
  const job = await openJob(f.market, f.mo, f.dos, jobParams({ outlierFactorBps: LOOSE_OUTLIER_BPS }));
  return { ...f, job };
}

/** 12 DOs in three groups of 4, so a group keeps 3 submitters after a dropout. */
async function twelveFixture() {
  const f = await deployFixture();
  const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 12, groupSize: 4, rounds: 2, outlierFactorBps: LOOSE_OUTLIER_BPS }));
  return { ...f, job };
}

/** Twelve DOs, round 0 committed, member groups[0][0] dropped: the round sits in Reveal. */
async function revealFixture() {
  const f = await twelveFixture();
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

/** The market's events `name` in a receipt. */
function eventsIn(job: Job, receipt: ContractTransactionReceipt, name: string) {
  return receipt.logs
    .map((log) => job.market.interface.parseLog(log))
    .filter((event) => event?.name === name)
    .map((event) => event!.args);
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
      const { job } = await loadFixture(nineFixture);
      await commitAll(job);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Submit);
      const info = await job.market.roundInfo(job.jobId);
      expect(info.committed).to.equal(511n);
      const [group] = await groupsOf(job);
      expect(await job.market.activePeers(job.jobId, group[0])).to.equal((1n << BigInt(group[1])) | (1n << BigInt(group[2])));
    });

    it("rejects another round, a non-member, a wrong count and a second commit", async function () {
      const { job, signers } = await loadFixture(nineFixture);
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
      const { job } = await loadFixture(nineFixture);
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

    it("stores the draw of the round's opening block at the first commit", async function () {
      const { job } = await loadFixture(nineFixture);
      const { market, jobId } = job;
      const [opened] = await market.queryFilter(market.filters.RoundOpened(jobId, 0n));
      // RoundOpened names the block it was emitted in: the groups come from that block's hash.
      expect(opened.args.drawBlock).to.equal(BigInt(opened.blockNumber));
      expect(opened.args.members).to.equal(511n);
      const [group] = await groupsOf(job);
      const expected = roundRandomness(opened.blockHash, job.address, jobId, 0n);
      expect((await market.roundInfo(jobId)).randomness).to.equal(expected);
      const tx = await commitSeeds(job.members[group[0]]);
      await expect(tx).to.emit(market, "GroupsDrawn").withArgs(jobId, 0n, expected);
      const second = await commitSeeds(job.members[group[1]]);
      await expect(second).not.to.emit(market, "GroupsDrawn");
      const info = await market.roundInfo(jobId);
      expect([info.drawBlock, info.randomness]).to.deep.equal([BigInt(opened.blockNumber), expected]);
    });

    it("refuses every commit once the opening block's hash is more than 256 blocks old", async function () {
      const { job } = await loadFixture(nineFixture);
      const { market, jobId, dos } = job;
      const { drawBlock } = await market.roundInfo(jobId);
      await mine(257);
      expect((await market.roundInfo(jobId)).randomness).to.equal(ethers.ZeroHash);
      expect(await market.groups(jobId)).to.deep.equal([]);
      // Deliberate fault, sent raw: nobody can draw the groups any more.
      await expect(market.connect(dos[0]).commitSeeds(jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]))
        .to.be.revertedWithCustomError(market, "MarketDrawUnavailable")
        .withArgs(jobId, 0n, drawBlock);
      // Nobody committed, so the round passes without an aggregate and at no cost, and the next one is drawn afresh.
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      await expect(market.finalizeRound(jobId, 0n)).to.emit(market, "RoundVoided").withArgs(jobId, 0n, VoidReason.TooFewEligibleGroups);
      expect((await market.jobBooks(jobId)).slashed).to.equal(0n);
      expect((await groupsOf(job)).flat().length).to.equal(9);
    });

    it("closes at the commit deadline", async function () {
      const { job } = await loadFixture(nineFixture);
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      // Deliberately out of phase, sent raw.
      await expect(job.market.connect(job.dos[0]).commitSeeds(job.jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]))
        .to.be.revertedWithCustomError(job.market, "MarketUnexpectedPhase")
        .withArgs(job.jobId, Phase.Aggregate, Phase.Commit);
    });
  });

  describe("submitMasked", function () {
    it("stores chunk hashes and skips Reveal when nobody dropped", async function () {
      const { job } = await loadFixture(nineFixture);
      await commitAll(job);
      const masked = await submitAll(job);
      expect(await job.market.chunksSubmitted(job.jobId, 0)).to.equal(1n);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Aggregate);
      expect(masked.size).to.equal(9);
    });

    it("rejects a member that did not commit, an out-of-order chunk and ragged lengths", async function () {
      const { job } = await loadFixture(nineFixture);
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
      // A member of another group (two masking peers) meets the chunk and length checks.
      const ok = groups.find((g) => !g.includes(5))![0];
      await expect(market.connect(dos[ok]).submitMasked(jobId, 0n, 1, "0x"))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 0n, 1n);
      for (const bytes of ["0x", ethers.concat([ethers.ZeroHash, ethers.ZeroHash]), ethers.concat(Array(4).fill(ethers.ZeroHash))]) {
        await expect(market.connect(dos[ok]).submitMasked(jobId, 0n, 0, bytes))
          .to.be.revertedWithCustomError(market, "MarketInvalidWordsLength")
          .withArgs(jobId, BigInt(ethers.dataLength(bytes)));
      }
      expect(groups.flat().length).to.equal(9);
    });

    it("refuses a member left with one masking peer, and does not slash it for not submitting", async function () {
      const { job } = await loadFixture(nineFixture);
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
      const byIndex = (a: number, b: number) => a - b;
      expect([...masked.keys()].sort(byIndex)).to.deep.equal(
        groups
          .filter((g) => !g.includes(5))
          .flat()
          .sort(byIndex),
      );
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      // Two eligible groups are too few for the median: the round settles without an aggregate.
      expect((await aggregateAll(job, masked)).chunks).to.deep.equal([]);
      const receipt = (await (await market.finalizeRound(jobId, 0n)).wait())!;
      // Only member 5 is charged, for its missed commit; its group peers are not slashed for not submitting.
      expect(eventsIn(job, receipt, "MemberSlashed").map((e) => [e.member, e.reason, e.amount])).to.deep.equal([
        [5n, SlashReason.MissedCommit, missedCommitForfeit(job.p)],
      ]);
      const info = await market.jobInfo(jobId);
      expect([info.slashedMembers, info.absentMembers]).to.deep.equal([0n, 1n << 5n]);
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
      expect(await eligibleGroupsOf(job)).to.deep.equal([1, 2]);
    });

    it("slashes a silent revealer at the reveal deadline", async function () {
      const { job, groups, masked, dropout } = await loadFixture(revealFixture);
      const silent = groups[0][1];
      await revealAll(job, { silent: [silent] });
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Reveal);
      await passDeadline((await job.market.roundInfo(job.jobId)).revealDeadline);
      expect(await eligibleGroupsOf(job)).to.deep.equal([1, 2]);
      // Two eligible groups are too few for the median: the round is void, and its slashes still apply.
      expect((await aggregateAll(job, masked)).chunks).to.deep.equal([]);
      const tx = job.market.finalizeRound(job.jobId, 0n);
      await expect(tx).to.emit(job.market, "MemberSlashed").withArgs(job.jobId, 0n, silent, SlashReason.MissedReveal, job.p.stake);
      await expect(tx).to.emit(job.market, "MemberSlashed").withArgs(job.jobId, 0n, dropout, SlashReason.MissedSubmission, job.p.stake);
      await expect(tx).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0n, VoidReason.TooFewEligibleGroups);
      expect((await job.market.roundResult(job.jobId, 0n)).eligibleGroups).to.equal(6n);
    });
  });

  describe("aggregateChunk", function () {
    it("rejects calls before Aggregate, a wrong chunk, a wrong length and a tampered slice", async function () {
      const { job } = await loadFixture(nineFixture);
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

    it("refuses to aggregate a round with fewer eligible groups than its rule needs", async function () {
      const { job } = await loadFixture(nineFixture);
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      // Deliberate fault, sent raw: nobody committed, so no group is eligible and the median needs 3.
      await expect(job.market.aggregateChunk(job.jobId, 0n, 0, "0x"))
        .to.be.revertedWithCustomError(job.market, "MarketTooFewEligibleGroups")
        .withArgs(job.jobId, 0n, 0n, 3n);
    });

    it("keeps the groups chunk 0 found eligible through the later chunks and finalizeRound", async function () {
      const f = await deployFixture();
      // 16 DOs in four groups of 4 (three stay eligible for the median), one round, two chunks (the second of one word).
      const paramCount = 8 * (Number(await f.market.chunkWordsFor(16, 4, Rule.Median)) + 1);
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 16, groupSize: 4, rounds: 1, paramCount }));
      const { market, jobId, dos } = job;
      const groups = await commitAll(job);
      const masked = await submitAll(job, { dropouts: [groups[0][0]] });
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      const silent = groups[0][1];
      await revealAll(job, { silent: [silent] });
      await passDeadline((await market.roundInfo(jobId)).revealDeadline);
      const state = await readRoundState(market, jobId);
      expect(state.groups.map((g) => g.eligible)).to.deep.equal([false, true, true, true]);
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
      expect((await market.roundResult(jobId, 0n)).eligibleGroups).to.equal(14n);
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
      const { job } = await loadFixture(nineFixture);
      await playRound(job);
      const tx = await job.market.finalizeRound(job.jobId, 0n);
      await expect(tx)
        .to.emit(job.market, "RoundOpened")
        .withArgs(job.jobId, 1n, (await tx.wait())!.blockNumber, 511n);
      const info = await job.market.roundInfo(job.jobId);
      expect(info.index).to.equal(1n);
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Commit);
      expect(await job.market.releasable(ETH, await job.dos[0].getAddress())).to.equal(job.p.rewardPerRound);
      expect((await job.market.roundResult(job.jobId, 0n)).inlierGroups).to.equal(7n);
      expect((await job.market.jobBooks(job.jobId)).paid).to.equal(9n * job.p.rewardPerRound);
      // Deliberate fault, sent raw: the round is finalized already.
      await expect(job.market.finalizeRound(job.jobId, 0n))
        .to.be.revertedWithCustomError(job.market, "MarketUnexpectedPhase")
        .withArgs(job.jobId, Phase.Commit, Phase.Aggregate);
    });

    it("does not pay an outlier group", async function () {
      const f = await loadFixture(deployFixture);
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 9, groupSize: 3, rounds: 1, outlierFactorBps: 40000 }));
      const groups = await groupsOf(job);
      const updates = new Map<number, Uint32Array>();
      // ×20 keeps the group within the norm bound (members' norms about 52,000 against clipNormQ 65,536) but
      // far from the others: its squared distance is about 400 times theirs.
      for (const i of groups[2])
        updates.set(
          i,
          updateOf(job.p.paramCount, i, 0n).map((v) => (v | 0) * 20),
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

    it("voids every round nobody committed to without charging anyone, and completes the job with a full refund when the DOs vanish", async function () {
      const { job } = await loadFixture(nineFixture);
      const { market, jobId, p, mo } = job;
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      expect(await market.phase(jobId)).to.equal(Phase.Aggregate);
      // A void round still counts: with every member left, the job moves on to round 1.
      const first = market.finalizeRound(jobId, 0n);
      await expect(first).to.emit(market, "RoundVoided").withArgs(jobId, 0n, VoidReason.TooFewEligibleGroups);
      await expect(first).to.emit(market, "RoundOpened");
      await expect(first).not.to.emit(market, "MemberSlashed");
      expect((await market.roundInfo(jobId)).members).to.equal(511n);
      await passDeadline((await market.roundInfo(jobId)).commitDeadline);
      const last = market.finalizeRound(jobId, 1n);
      await expect(last).to.emit(market, "RoundVoided").withArgs(jobId, 1n, VoidReason.TooFewEligibleGroups);
      await expect(last)
        .to.emit(market, "JobCompleted")
        .withArgs(jobId, 0n, budgetOf(p), 0n, 9n * p.stake);
      expect(await market.phase(jobId)).to.equal(Phase.Completed);
      expect(await market.releasable(ETH, await mo.getAddress())).to.equal(budgetOf(p));
      expect(await market.releasable(ETH, await job.dos[0].getAddress())).to.equal(p.stake);
    });

    it("voids a round with fewer eligible groups than the rule needs, pays nobody for it and moves on to the next round", async function () {
      const f = await loadFixture(deployFixture);
      // 12 DOs in four groups of 3: a dropout in each of two groups leaves two eligible groups.
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 12 }));
      const { market, jobId, p } = job;
      const groups = await groupsOf(job);
      const dropouts = [groups[0][0], groups[1][0]];
      const { masked, eligible } = await playRound(job, { dropouts });
      expect(eligible).to.deep.equal([2, 3]);
      // Deliberate fault, sent raw: chunk 0 of a round the median cannot aggregate.
      await expect(market.aggregateChunk(jobId, 0n, 0, aggregationData(await readRoundState(market, jobId), masked, 0)))
        .to.be.revertedWithCustomError(market, "MarketTooFewEligibleGroups")
        .withArgs(jobId, 0n, 2n, 3n);
      const tx = market.finalizeRound(jobId, 0n);
      await expect(tx).to.emit(market, "RoundVoided").withArgs(jobId, 0n, VoidReason.TooFewEligibleGroups);
      await expect(tx).not.to.emit(market, "Credited");
      for (const i of dropouts) await expect(tx).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, i, SlashReason.MissedSubmission, p.stake);
      const result = await market.roundResult(jobId, 0n);
      expect([result.aggregateHash, result.eligibleGroups, result.inlierGroups]).to.deep.equal([ethers.ZeroHash, 12n, 0n]);
      expect((await market.jobBooks(jobId)).paid).to.equal(0n);
      // Ten members are left, three groups' worth: round 1 opens without the dropouts.
      const info = await market.roundInfo(jobId);
      expect(info.index).to.equal(1n);
      expect(info.members).to.equal(4095n ^ (1n << BigInt(dropouts[0])) ^ (1n << BigInt(dropouts[1])));
      expect(await market.phase(jobId)).to.equal(Phase.Commit);
    });

    it("settles a round whose aggregation missed its deadline without an aggregate, and moves on", async function () {
      const { job } = await loadFixture(nineFixture);
      const { market, jobId, p } = job;
      await commitAll(job);
      await submitAll(job);
      expect(await market.phase(jobId)).to.equal(Phase.Aggregate);
      const info = await market.roundInfo(jobId);
      expect(info.aggregateDeadline).to.equal(info.revealDeadline + BigInt(p.aggregateDuration));
      // Deliberate fault, sent raw: before the aggregation deadline an unaggregated round cannot be finalized.
      await expect(market.finalizeRound(jobId, 0n)).to.be.revertedWithCustomError(market, "MarketAggregationIncomplete").withArgs(jobId, 0n, 0n, 1n);
      await passDeadline(info.aggregateDeadline);
      const tx = market.finalizeRound(jobId, 0n);
      await expect(tx).to.emit(market, "RoundVoided").withArgs(jobId, 0n, VoidReason.AggregationExpired);
      await expect(tx).not.to.emit(market, "Credited");
      await expect(tx).not.to.emit(market, "MemberSlashed");
      expect((await market.roundResult(jobId, 0n)).aggregateHash).to.equal(ethers.ZeroHash);
      const next = await market.roundInfo(jobId);
      expect([next.index, next.members]).to.deep.equal([1n, 511n]);
    });

    it("completes the job when too few members are left to form the rule's groups in another round", async function () {
      const { job } = await loadFixture(twelveFixture);
      const groups = await groupsOf(job);
      // One member commits and drops: 11 left make two groups of 4, and the median needs 3.
      await playRound(job, { dropouts: [groups[0][0]] });
      await expect(job.market.finalizeRound(job.jobId, 0n)).to.emit(job.market, "JobCompleted");
      expect(job.p.rounds).to.equal(2);
      const books = await job.market.jobBooks(job.jobId);
      expect(books.slashed).to.equal(job.p.stake);
      expect(books.paid).to.equal(11n * job.p.rewardPerRound);
      expect(books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    });

    it("keeps ejected members out of later rounds", async function () {
      const f = await loadFixture(deployFixture);
      // 10 DOs in groups of 3 and 4: after one ejection 9 remain, three groups' worth.
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 10 }));
      const groups = await groupsOf(job);
      const dropout = groups.find((g) => g.length === 4)![0];
      await playRound(job, { dropouts: [dropout] });
      await job.market.finalizeRound(job.jobId, 0n);
      expect((await job.market.roundInfo(job.jobId)).members).to.equal(1023n ^ (1n << BigInt(dropout)));
      // Deliberate fault, sent raw: an ejected member tries to commit.
      await expect(job.market.connect(job.dos[dropout]).commitSeeds(job.jobId, 1n, []))
        .to.be.revertedWithCustomError(job.market, "MarketNotRoundMember")
        .withArgs(job.jobId, 1n, BigInt(dropout));
    });
  });
});
