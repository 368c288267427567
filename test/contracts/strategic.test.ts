// Strategic adversaries: each scenario arranges a party that acts in its own interest against the rules
// (an MO that profits from slashes, colluders that isolate a victim, a joiner that grinds the draw, a silent
// seat that ends a job, an aggregation nobody finishes, a round left with two groups) and asserts the
// property the protocol now gives. Each attack worked against the rules before (docs/SECURITY.md,
// "Strategic adversaries"); the clock scenario (finding 7) lives in test/devnet/clock.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  CreditKind,
  VoidReason,
  aggregationData,
  disputeCommitments,
  fetchRoundAggregate,
  hasBit,
  pairSeeds,
  readRoundState,
  seedCommitments,
} from "../../src/chain";
import { BURN_ADDRESS, maskVector, roundRandomness, subLanes, unpackWords, windowFloors } from "../../src/protocol";
import {
  Phase,
  Rule,
  SlashReason,
  aggregateAll,
  budgetOf,
  commitAll,
  createJobAs,
  deployFixture,
  groupsOf,
  jobParams,
  keyPair,
  openJob,
  passDeadline,
  playRound,
  publish,
  modelOf,
  joinAs,
  submitAll,
  updateOf,
  type Job,
} from "./helpers";

/** createJob sent straight to the contract, so a revert keeps its custom error for the matchers. */
const createRaw = (market: Job["market"], mo: Awaited<ReturnType<typeof deployFixture>>["mo"], p: ReturnType<typeof jobParams>) =>
  market.connect(mo).createJob(p, { value: budgetOf(p) });
const credits = async (job: Job, account: string) => job.market.releasable(job.p.token, account);
const slashEvents = async (job: Job) => (await job.market.queryFilter(job.market.filters.MemberSlashed(job.jobId))).map((e) => e.args);

describe("strategic adversaries", () => {
  describe("finding 1: the model owner cannot take the data owners' stakes", () => {
    it("refuses a one-second window in every phase, naming the floor the job's size needs", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams();
      const floors = windowFloors(p.numDOs, p.groupSize, p.paramCount);
      for (const [name, floor] of [
        ["joinDuration", floors.join],
        ["commitDuration", floors.commit],
        ["submitDuration", floors.submit],
        ["revealDuration", floors.reveal],
        ["aggregateDuration", floors.aggregate],
      ] as const) {
        await expect(createRaw(market, mo, { ...p, [name]: 1 }))
          .to.be.revertedWithCustomError(market, "MarketWindowTooShort")
          .withArgs(name, 1, floor);
        // Every floor covers at least three 12-second blocks.
        expect(floor).to.be.at.least(36);
      }
    });

    it("burns the stakes of seats the model owner funds and drops, so its dropouts cost it those stakes", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ numDOs: 16, groupSize: 4, rounds: 1 }));
      const groups = await groupsOf(job);
      // The MO's own seats: one member of each of two groups, which commit (so honest peers must reveal) and vanish.
      const sybils = [groups[0][0], groups[1][0]];
      await playRound(job, { dropouts: sybils });
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "JobCompleted");
      const books = await job.market.jobBooks(job.jobId);
      expect(books.slashed).to.equal(2n * job.p.stake);
      // The MO is credited its unspent budget and nothing else; the slashed stakes go to the burn address.
      expect(await credits(job, await mo.getAddress())).to.equal(books.refunded);
      expect(books.refunded).to.equal(budgetOf(job.p) - books.paid);
      expect(await credits(job, BURN_ADDRESS)).to.equal(2n * job.p.stake);
      for (const s of sybils) expect(await credits(job, await dos[s].getAddress())).to.equal(0n);
      const burns = await job.market.queryFilter(job.market.filters.Credited(job.jobId, undefined, BURN_ADDRESS));
      expect(burns.map((e) => Number(e.args.kind))).to.deep.equal([CreditKind.Burn]);
    });
  });

  describe("finding 2: colluders cannot isolate an honest member", () => {
    it("convicts colluders that commit false seeds to one member, voids the group, and requires no reveal that would expose the victim", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ numDOs: 16, groupSize: 4, rounds: 1 }));
      const groups = await groupsOf(job);
      const [victim, excluded, c1, c2] = groups[0];
      const colluders = [c1, c2];
      for (const i of groups.flat()) {
        const { round, commitments } = await seedCommitments(job.members[i]);
        if (colluders.includes(i)) {
          // Deliberate fault: garbage only for the pair with the excluded member, true seeds for everyone else.
          const peers = groups[0].filter((m) => m !== i);
          commitments[peers.indexOf(excluded)] = ethers.id(`garbage from ${i}`);
        }
        await job.market.connect(dos[i]).commitSeeds(job.jobId, round, commitments);
      }
      expect(await job.market.activePeers(job.jobId, excluded)).to.equal(1n << BigInt(victim));
      // A careless victim submits before anyone disputed (our worker disputes first and then skips a void group).
      const update = updateOf(job.p.paramCount, victim, 0n);
      const masked = await submitAll(job, { dropouts: [excluded, ...colluders] });
      // The excluded member proves the pair's shared point against each colluder.
      const state = await readRoundState(job.market, job.jobId);
      const disputes = await disputeCommitments(job.members[excluded], state);
      expect(disputes).to.have.length(2);
      const info = await job.market.roundInfo(job.jobId);
      expect(info.convicted).to.equal((1n << BigInt(c1)) | (1n << BigInt(c2)));
      await expect(job.market.connect(dos[c1]).submitMasked(job.jobId, 0, 0, "0x" + "00".repeat(32 * 3)))
        .to.be.revertedWithCustomError(job.market, "MarketGroupVoid")
        .withArgs(job.jobId, 0, 0);
      await passDeadline(info.submitDeadline);
      const after = await readRoundState(job.market, job.jobId);
      expect(after.groups[0].void).to.equal(true);
      expect(after.groups[0].requiredReveals.size).to.equal(0);
      expect(after.phase).to.equal("Aggregate");
      // What the colluders can do with everything public: remove their own masks from the victim's vector.
      const seedsWith = (i: number) => pairSeeds(job.members[i], 0, [victim]);
      const theirMasks = await maskVector(new Uint32Array(job.p.paramCount), victim, [
        { index: c1, seed: (await seedsWith(c1))[0] },
        { index: c2, seed: (await seedsWith(c2))[0] },
      ]);
      const guess = subLanes(unpackWords(masked.get(victim)!, job.p.paramCount), theirMasks.subarray(0, job.p.paramCount));
      expect(Buffer.from(guess.buffer)).to.not.deep.equal(Buffer.from(update.buffer));
      await aggregateAll(job, masked);
      await job.market.finalizeRound(job.jobId, 0);
      const slashed = await slashEvents(job);
      expect(slashed.map((e) => [Number(e.member), Number(e.reason)]).sort()).to.deep.equal(
        colluders.map((c) => [c, Number(SlashReason.FalseCommitment)]).sort(),
      );
      const result = await job.market.roundResult(job.jobId, 0);
      expect(hasBit(result.eligibleGroups, 0)).to.equal(false);
    });

    it("refuses a dispute of a pair whose commitments agree, and a proof for another pair", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ numDOs: 12, groupSize: 4, rounds: 1 }));
      const groups = await commitAll(job);
      const [a, b] = groups[0];
      const state = await readRoundState(job.market, job.jobId);
      expect(state.phase).to.equal("Submit");
      await expect(job.market.connect(dos[a]).disputeCommitment(job.jobId, 0, b, [0, 1], [0, 1], [0, 1], 0))
        .to.be.revertedWithCustomError(job.market, "MarketNoMismatch")
        .withArgs(job.jobId, a, b);
    });
  });

  describe("finding 3: no round can lock the funds", () => {
    it("settles a round nobody finishes aggregating at the aggregation deadline, keeps the model, and moves on", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const chunkWords = Number(await market.chunkWordsFor(9, 3, Rule.Median));
      const job = await openJob(market, mo, dos, jobParams({ rounds: 2, paramCount: 8 * (chunkWords + 4) }));
      await commitAll(job);
      const masked = await submitAll(job);
      const chunk0 = aggregationData(await readRoundState(job.market, job.jobId), masked, 0);
      await job.market.aggregateChunk(job.jobId, 0, 0, chunk0);
      await expect(job.market.finalizeRound(job.jobId, 0)).to.be.revertedWithCustomError(job.market, "MarketAggregationIncomplete");
      await passDeadline((await job.market.roundInfo(job.jobId)).aggregateDeadline);
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0, VoidReason.AggregationExpired);
      // Nobody is paid or slashed for the missing work, the public model is unchanged, and round 1 opens.
      expect((await job.market.jobBooks(job.jobId)).paid).to.equal(0n);
      expect(await slashEvents(job)).to.have.length(0);
      expect(await fetchRoundAggregate(job.market, job.jobId, 0)).to.deep.equal(new Uint32Array(job.p.paramCount));
      expect(await job.market.phase(job.jobId)).to.equal(Phase.Commit);
      expect((await job.market.jobInfo(job.jobId)).round).to.equal(1n);
    });

    it("takes no chunk, and pays no fee, after an expired round completed the job", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const chunkWords = Number(await market.chunkWordsFor(9, 3, Rule.Median));
      const job = await openJob(market, mo, dos, jobParams({ rounds: 1, paramCount: 8 * (chunkWords + 4), aggregationFee: 10n ** 12n }));
      await commitAll(job);
      const masked = await submitAll(job);
      const state = await readRoundState(job.market, job.jobId);
      await job.market.aggregateChunk(job.jobId, 0, 0, aggregationData(state, masked, 0));
      await passDeadline((await job.market.roundInfo(job.jobId)).aggregateDeadline);
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "JobCompleted");
      await expect(job.market.aggregateChunk(job.jobId, 0, 1, aggregationData(state, masked, 1)))
        .to.be.revertedWithCustomError(job.market, "MarketUnexpectedPhase")
        .withArgs(job.jobId, Phase.Completed, Phase.Aggregate);
      const books = await job.market.jobBooks(job.jobId);
      expect(books.fees).to.equal(2n * 10n ** 12n); // chunk 0 and the finalization
      expect(books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    });

    it("refuses a job whose rounds need more than 8192 aggregation transactions", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ numDOs: 128, groupSize: 42, paramCount: 1 << 21, joinDuration: 100_000, submitDuration: 1_000_000, aggregateDuration: 1_000_000 });
      await expect(createRaw(market, mo, p))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("paramCount", 1 << 21);
    });
  });

  describe("finding 4: one group cannot steer a round", () => {
    it("refuses jobs with too few groups for their rule", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      await expect(createRaw(market, mo, jobParams({ numDOs: 6 })))
        .to.be.revertedWithCustomError(market, "MarketTooFewGroups")
        .withArgs(2, 3);
      const trimmed = jobParams({ numDOs: 15, rule: Rule.TrimmedMean, trimBps: 1000 });
      await expect(createRaw(market, mo, trimmed))
        .to.be.revertedWithCustomError(market, "MarketTooFewGroups")
        .withArgs(5, 10);
      await expect(createRaw(market, mo, { ...trimmed, trimBps: 0 }))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("trimBps", 0);
      await expect(createRaw(market, mo, { ...trimmed, trimBps: 2000 })).to.not.be.reverted;
    });

    it("pays nobody and keeps the model when a round is left with two eligible groups, one of them poisoned", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ numDOs: 12, rounds: 2 }));
      const groups = await groupsOf(job);
      const attacker = groups[2][0];
      const huge = new Uint32Array(job.p.paramCount).fill(60_000);
      // A member of groups 0 and 1 drops, so only groups 2 and 3 are eligible: the median of two means is their mean.
      await playRound(job, { dropouts: [groups[0][0], groups[1][0]], updates: new Map([[attacker, huge]]) });
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0, VoidReason.TooFewEligibleGroups);
      expect(await credits(job, await dos[attacker].getAddress())).to.equal(0n);
      expect((await job.market.roundResult(job.jobId, 0)).aggregateHash).to.equal(ethers.ZeroHash);
      expect(await fetchRoundAggregate(job.market, job.jobId, 0)).to.deep.equal(new Uint32Array(job.p.paramCount));
      expect((await job.market.jobInfo(job.jobId)).round).to.equal(1n);
    });
  });

  describe("finding 5: the party that opens a round cannot choose its groups", () => {
    it("gives a joiner that seals the roster only on a favourable draw nothing to condition on, in any block", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const p = jobParams();
      const jobId = await createJobAs(market, mo, p);
      await publish(market, mo, jobId, modelOf(p.paramCount));
      for (let i = 0; i < p.numDOs - 1; i++) await joinAs(market, dos, jobId, i);
      const grinder = await ethers.deployContract("GroupGrinder");
      const key = (await keyPair(p.numDOs - 1)).publicKey;
      for (let attempt = 0; attempt < 20; attempt++) {
        await expect(grinder.joinIfGroupedWith(await market.getAddress(), jobId, key[0], key[1], 0, { value: p.stake }))
          .to.be.revertedWithCustomError(grinder, "GrinderUnfavourable")
          .withArgs(ethers.ZeroHash, 0);
        await mine();
      }
      // A plain join seals it; the groups come from the hash of that block, known only once it is sealed.
      const sealing = await joinAs(market, dos, jobId, p.numDOs - 1);
      const receipt = await ethers.provider.getTransactionReceipt(sealing.hash);
      await expect(market.connect(dos[0]).commitSeeds(jobId, 0, [])).to.be.reverted; // any commit needs a later block
      await mine();
      const info = await market.roundInfo(jobId);
      expect(info.drawBlock).to.equal(BigInt(receipt!.blockNumber));
      expect(info.randomness).to.equal(roundRandomness(receipt!.blockHash, await market.getAddress(), jobId, 0n));
    });
  });

  describe("finding 6: a silent seat cannot end a job for free", () => {
    it("charges each member that does not commit, ejects it and moves on to the next round", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ numDOs: 18, rounds: 2 }));
      const groups = await groupsOf(job);
      const silent = groups.map((g) => g[0]); // one silent seat in each of the six groups: no group can submit
      await commitAll(job, { noCommit: silent });
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      // Every committer is left with one active pair, so nobody may submit; the submit window runs out.
      await passDeadline((await job.market.roundInfo(job.jobId)).submitDeadline);
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "RoundVoided").withArgs(job.jobId, 0, VoidReason.TooFewEligibleGroups);
      const forfeit = 2n * job.p.rewardPerRound < job.p.stake ? 2n * job.p.rewardPerRound : job.p.stake;
      const slashed = await slashEvents(job);
      expect(slashed.map((e) => [Number(e.member), Number(e.reason), e.amount]).sort()).to.deep.equal(
        silent.map((i) => [i, Number(SlashReason.MissedCommit), forfeit]).sort(),
      );
      // The job goes on with the twelve members left, in four groups, and pays them for round 1.
      const info = await job.market.jobInfo(job.jobId);
      expect(info.round).to.equal(1n);
      expect(info.absentMembers).to.equal(silent.reduce((bits, i) => bits | (1n << BigInt(i)), 0n));
      await playRound(job);
      await job.market.finalizeRound(job.jobId, 1);
      const books = await job.market.jobBooks(job.jobId);
      expect(books.paid).to.equal(12n * job.p.rewardPerRound);
      expect(books.slashed).to.equal(6n * forfeit);
      for (const i of silent) expect(await credits(job, await dos[i].getAddress())).to.equal(job.p.stake - forfeit);
      expect(await credits(job, BURN_ADDRESS)).to.equal(6n * forfeit);
    });

    it("costs nobody a round in which nobody committed", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const job = await openJob(market, mo, dos, jobParams({ rounds: 1 }));
      await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
      await expect(job.market.finalizeRound(job.jobId, 0)).to.emit(job.market, "JobCompleted");
      expect(await slashEvents(job)).to.have.length(0);
      expect((await job.market.jobBooks(job.jobId)).stakesReturned).to.equal(9n * job.p.stake);
    });
  });
});
