// Creating, publishing, joining and cancelling jobs: every parameter check and every error of these
// entry points.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { cancel } from "../../src/chain";
import { minEligibleGroups, packWords, windowFloors, type WindowFloors } from "../../src/protocol";
import { ETH, Phase, Rule, budgetOf, createJobAs, deployFixture, jobParams, joinAs, keyPair, modelOf, publish, withWindowFloors, type Params } from "./helpers";

/** createJob sent raw with the job's budget, so that a revert keeps its custom error for the matchers. */
const createRaw = (market: Awaited<ReturnType<typeof deployFixture>>["market"], mo: Awaited<ReturnType<typeof deployFixture>>["mo"], p: Params) =>
  market.connect(mo).createJob(p, { value: budgetOf(p) });

/** Each duration parameter with the windowFloors entry that bounds it. */
const WINDOWS: [keyof Params, keyof WindowFloors][] = [
  ["joinDuration", "join"],
  ["commitDuration", "commit"],
  ["submitDuration", "submit"],
  ["revealDuration", "reveal"],
  ["aggregateDuration", "aggregate"],
];

async function publishedFixture() {
  const f = await deployFixture();
  const p = jobParams();
  const jobId = await createJobAs(f.market, f.mo, p);
  await publish(f.market, f.mo, jobId, modelOf(p.paramCount));
  return { ...f, p, jobId };
}

describe("jobs", function () {
  describe("createJob", function () {
    const bad: [keyof Params, Params[keyof Params], bigint][] = [
      ["numDOs", 2, 2n],
      ["numDOs", 129, 129n],
      ["groupSize", 2, 2n],
      ["groupSize", 10, 10n], // more than numDOs = 9
      ["rounds", 0, 0n],
      ["rounds", 1001, 1001n],
      ["paramCount", 0, 0n],
      ["paramCount", (1 << 21) + 1, BigInt((1 << 21) + 1)],
      ["rewardPerRound", 0n, 0n],
      ["stake", 0n, 0n],
      ["joinDuration", 0, 0n],
      ["commitDuration", 0, 0n],
      ["submitDuration", 366 * 86400, BigInt(366 * 86400)],
      ["revealDuration", 0, 0n],
      ["aggregateDuration", 366 * 86400, BigInt(366 * 86400)],
      ["trimBps", 5000, 5000n],
      ["outlierFactorBps", 9999, 9999n],
      ["minProjectionBps", 10001, 10001n],
      ["scaleBits", 31, 31n],
      ["clipNormQ", 0, 0n],
      ["clipNormQ", 429496729, 429496729n], // 5 · (clipNormQ + 1) ≥ 2^31 with n = 9, g = 3
    ];
    for (const [name, value, reported] of bad) {
      it(`refuses ${name} = ${value}`, async function () {
        const { market, mo } = await loadFixture(deployFixture);
        const p = jobParams({ [name]: value });
        // Deliberate fault, sent raw: an invalid parameter.
        await expect(market.connect(mo).createJob(p, { value: budgetOf(p) }))
          .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
          .withArgs(name, reported);
      });
    }

    it("refuses a group size whose dropout pairs cannot fit one aggregation transaction, as leaving too few groups", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      expect(await market.chunkWordsFor(128, 64, Rule.Median)).to.equal(0n);
      // Every group size that leaves 128 DOs the median's 3 groups fits chunks of several words.
      for (let g = 3; g <= 42; g++) expect(await market.chunkWordsFor(128, g, Rule.Median)).to.be.greaterThan(0n);
      // Deliberate fault, sent raw: a group size too large.
      await expect(createRaw(market, mo, jobParams({ numDOs: 128, groupSize: 64 })))
        .to.be.revertedWithCustomError(market, "MarketTooFewGroups")
        .withArgs(2n, 3n);
    });

    it("refuses a trimmed mean that trims nothing", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      // Deliberate fault, sent raw: a trimmed mean with trimBps = 0 is a plain mean.
      await expect(createRaw(market, mo, jobParams({ rule: Rule.TrimmedMean, trimBps: 0 })))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("trimBps", 0n);
    });

    // [rule, trimBps, numDOs, groupSize, groups, groups the rule needs]
    const tooFew: [number, number, number, number, number, number][] = [
      [Rule.Median, 0, 8, 3, 2, 3],
      [Rule.Median, 0, 11, 4, 2, 3],
      [Rule.Median, 4000, 8, 3, 2, 3], // the median ignores trimBps
      [Rule.TrimmedMean, 4000, 8, 3, 2, 3], // ceil(10000 / 4000) = 3
      [Rule.TrimmedMean, 3000, 9, 3, 3, 4],
      [Rule.TrimmedMean, 2000, 14, 3, 4, 5],
      [Rule.TrimmedMean, 1, 128, 3, 42, 10000],
    ];
    for (const [rule, trimBps, numDOs, groupSize, groups, needed] of tooFew) {
      const name = rule === Rule.TrimmedMean ? `trimmed mean of ${trimBps} bps` : trimBps === 0 ? "median" : `median (trimBps ${trimBps} ignored)`;
      const accepted = needed * groupSize <= 128 ? `accepts the fewest DOs that make ${needed} groups` : `no roster makes ${needed} groups`;
      it(`refuses ${numDOs} DOs in groups of ${groupSize} for the ${name}; ${accepted}`, async function () {
        const { market, mo } = await loadFixture(deployFixture);
        expect(minEligibleGroups(rule === Rule.Median ? "median" : "trimmed-mean", trimBps)).to.equal(needed);
        // Deliberate fault, sent raw: too few groups for the rule to resist one bad group.
        await expect(createRaw(market, mo, jobParams({ rule, trimBps, numDOs, groupSize })))
          .to.be.revertedWithCustomError(market, "MarketTooFewGroups")
          .withArgs(BigInt(groups), BigInt(needed));
        if (needed * groupSize > 128) return;
        const jobId = await createJobAs(market, mo, withWindowFloors(jobParams({ rule, trimBps, numDOs: needed * groupSize, groupSize })));
        expect((await market.jobParams(jobId)).numDOs).to.equal(BigInt(needed * groupSize));
      });
    }

    for (const [numDOs, groupSize, paramCount] of [
      [9, 3, 20],
      [128, 3, 1 << 20],
    ]) {
      it(`refuses each window one second below its floor and accepts every window at its floor (n = ${numDOs}, g = ${groupSize}, d = ${paramCount})`, async function () {
        const { market, mo } = await loadFixture(deployFixture);
        const floors = windowFloors(numDOs, groupSize, paramCount);
        const atFloors = jobParams({
          numDOs,
          groupSize,
          paramCount,
          ...Object.fromEntries(WINDOWS.map(([name, floor]) => [name, floors[floor]])),
        });
        for (const [name, floor] of WINDOWS) {
          // Deliberate fault, sent raw: one window a second short, the others at their floors.
          await expect(createRaw(market, mo, { ...atFloors, [name]: floors[floor] - 1 }))
            .to.be.revertedWithCustomError(market, "MarketWindowTooShort")
            .withArgs(name, BigInt(floors[floor] - 1), BigInt(floors[floor]));
        }
        const jobId = await createJobAs(market, mo, atFloors);
        const stored = await market.jobParams(jobId);
        expect(WINDOWS.map(([name]) => stored[name])).to.deep.equal(WINDOWS.map(([, floor]) => BigInt(floors[floor])));
      });
    }

    it("refuses a job whose rounds need more than 8192 aggregation chunks", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const chunkWords = Number(await market.chunkWordsFor(128, 3, Rule.Median));
      const atBound = withWindowFloors(jobParams({ numDOs: 128, groupSize: 3, paramCount: 8 * chunkWords * 8192 }));
      const jobId = await createJobAs(market, mo, atBound);
      expect((await market.jobInfo(jobId)).chunkCount).to.equal(8192n);
      const over = withWindowFloors(jobParams({ numDOs: 128, groupSize: 3, paramCount: 8 * chunkWords * 8192 + 1 }));
      // Deliberate fault, sent raw: one word more makes chunk 8193.
      await expect(createRaw(market, mo, over))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("paramCount", BigInt(over.paramCount));
    });

    it("refuses a token address without code", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ token: await mo.getAddress() });
      // Deliberate fault, sent raw: a token without code.
      await expect(market.connect(mo).createJob(p))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("token", BigInt(await mo.getAddress()));
    });

    it("refuses a budget other than rounds · (numDOs · rewardPerRound + (chunks + 1) · aggregationFee)", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const chunkWords = Number(await market.chunkWordsFor(9, 3, Rule.Median));
      // Three chunks a round (the third of one word), and a fee for each and for finalizeRound.
      const p = jobParams({ paramCount: 8 * (2 * chunkWords + 1), aggregationFee: ethers.parseUnits("3", 12) });
      const budget = 2n * (9n * p.rewardPerRound + 4n * p.aggregationFee);
      expect(budgetOf(p)).to.equal(budget);
      // Deliberate faults, sent raw: one wei short, and the budget without the fees.
      for (const value of [budget - 1n, 18n * p.rewardPerRound]) {
        await expect(market.connect(mo).createJob(p, { value })).to.be.revertedWithCustomError(market, "MarketWrongValue").withArgs(budget, value);
      }
      await expect(market.connect(mo).createJob(p, { value: budget }))
        .to.emit(market, "JobCreated")
        .withArgs(1n, await mo.getAddress(), ETH, p.taskTag, budget, BigInt(chunkWords));
      expect((await market.jobInfo(1n)).chunkCount).to.equal(3n);
      expect((await market.jobBooks(1n)).budget).to.equal(budget);
    });

    it("escrows the budget, derives the sizes and starts in Publishing", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ paramCount: 20 });
      // The call under test, sent raw so that changeEtherBalances sees its transaction and its fee.
      const tx = market.connect(mo).createJob(p, { value: budgetOf(p) });
      const chunkWords = await market.chunkWordsFor(p.numDOs, p.groupSize, Rule.Median);
      await expect(tx)
        .to.emit(market, "JobCreated")
        .withArgs(1n, await mo.getAddress(), ETH, p.taskTag, budgetOf(p), chunkWords);
      await expect(tx).to.changeEtherBalances([mo, market], [-budgetOf(p), budgetOf(p)]);
      const info = await market.jobInfo(1n);
      expect(info.wordCount).to.equal(3n);
      expect(info.chunkCount).to.equal(1n);
      expect(info.owner).to.equal(await mo.getAddress());
      expect((await market.jobParams(1n)).paramCount).to.equal(20n);
      expect(await market.phase(1n)).to.equal(Phase.Publishing);
    });

    it("reports an unknown job", async function () {
      const { market } = await loadFixture(deployFixture);
      await expect(market.phase(9n)).to.be.revertedWithCustomError(market, "MarketUnknownJob").withArgs(9n);
    });
  });

  describe("publishModel", function () {
    async function createdFixture() {
      const f = await deployFixture();
      const p = jobParams({ paramCount: 40 });
      const jobId = await createJobAs(f.market, f.mo, p);
      return { ...f, p, jobId };
    }

    it("extends the hash chain word run by word run and opens Joining at the last word", async function () {
      const { market, mo, jobId, p } = await loadFixture(createdFixture);
      const bytes = packWords(modelOf(p.paramCount));
      const first = bytes.subarray(0, 64);
      const rest = bytes.subarray(64);
      const h1 = ethers.keccak256(ethers.concat([ethers.ZeroHash, ethers.keccak256(first)]));
      // Sent raw on purpose: two runs where the publishModel action would post one.
      await expect(market.connect(mo).publishModel(jobId, 0, first))
        .to.emit(market, "ModelPublished")
        .withArgs(jobId, 0n, 2n, ethers.keccak256(first), h1);
      expect(await market.phase(jobId)).to.equal(Phase.Publishing);
      const h2 = ethers.keccak256(ethers.concat([h1, ethers.keccak256(rest)]));
      await market.connect(mo).publishModel(jobId, 2, rest);
      expect((await market.jobInfo(jobId)).modelHash).to.equal(h2);
      expect(await market.phase(jobId)).to.equal(Phase.Joining);
    });

    it("accepts only the model owner", async function () {
      const { market, dos, jobId } = await loadFixture(createdFixture);
      // Deliberate fault, sent raw: not the model owner.
      await expect(market.connect(dos[0]).publishModel(jobId, 0, ethers.ZeroHash))
        .to.be.revertedWithCustomError(market, "MarketNotOwner")
        .withArgs(jobId, await dos[0].getAddress());
    });

    it("requires consecutive words", async function () {
      const { market, mo, jobId } = await loadFixture(createdFixture);
      // Deliberate fault, sent raw: a gap before the first word.
      await expect(market.connect(mo).publishModel(jobId, 1, ethers.ZeroHash))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedWord")
        .withArgs(jobId, 0n, 1n);
    });

    it("refuses partial, empty or overlong word strings", async function () {
      const { market, mo, jobId } = await loadFixture(createdFixture);
      for (const bytes of ["0x", "0x01", ethers.concat(Array(6).fill(ethers.ZeroHash))]) {
        // Deliberate fault, sent raw: a malformed word string.
        await expect(market.connect(mo).publishModel(jobId, 0, bytes))
          .to.be.revertedWithCustomError(market, "MarketInvalidWordsLength")
          .withArgs(jobId, BigInt(ethers.dataLength(bytes)));
      }
    });

    it("refuses posts once the model is complete", async function () {
      const { market, mo, jobId } = await loadFixture(publishedFixture);
      // Deliberately out of phase, sent raw.
      await expect(market.connect(mo).publishModel(jobId, 3, ethers.ZeroHash))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Joining, Phase.Publishing);
    });
  });

  describe("join", function () {
    it("refuses joins while the model is being published", async function () {
      const { market, mo, dos } = await loadFixture(deployFixture);
      const p = jobParams();
      const jobId = await createJobAs(market, mo, p);
      const { publicKey } = await keyPair(0);
      // Deliberately out of phase, sent raw.
      await expect(market.connect(dos[0]).join(jobId, publicKey[0], publicKey[1], { value: p.stake }))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Publishing, Phase.Joining);
    });

    it("records the roster and seals it at n, opening round 0", async function () {
      const { market, dos, jobId, p } = await loadFixture(publishedFixture);
      const { publicKey } = await keyPair(0);
      await expect(joinAs(market, dos, jobId, 0))
        .to.emit(market, "Joined")
        .withArgs(jobId, await dos[0].getAddress(), 0n, publicKey[0], publicKey[1]);
      expect(await market.member(jobId, 0)).to.deep.equal([await dos[0].getAddress(), publicKey[0], publicKey[1]]);
      expect(await market.memberIndex(jobId, await dos[0].getAddress())).to.equal(0n);
      for (let i = 1; i < p.numDOs - 1; i++) await joinAs(market, dos, jobId, i);
      const sealing = await joinAs(market, dos, jobId, p.numDOs - 1);
      // Round 0's groups are drawn from the hash of the sealing join's block.
      await expect(sealing)
        .to.emit(market, "RoundOpened")
        .withArgs(jobId, 0n, BigInt(sealing.blockNumber), (1n << BigInt(p.numDOs)) - 1n);
      expect((await market.roundInfo(jobId)).drawBlock).to.equal(BigInt(sealing.blockNumber));
      expect(await market.phase(jobId)).to.equal(Phase.Commit);
      expect((await market.roundInfo(jobId)).members).to.equal((1n << BigInt(p.numDOs)) - 1n);
      expect((await market.jobBooks(jobId)).stakes).to.equal(BigInt(p.numDOs) * p.stake);
    });

    it("shows no groups and no commitments before the roster seals", async function () {
      const { market, jobId } = await loadFixture(publishedFixture);
      expect(await market.groups(jobId)).to.deep.equal([]);
      expect(await market.commitment(jobId, 0, 1)).to.equal(ethers.ZeroHash);
      expect((await market.roundInfo(jobId)).members).to.equal(0n);
    });

    it("refuses a second join by the same account", async function () {
      const { market, dos, jobId, p } = await loadFixture(publishedFixture);
      await joinAs(market, dos, jobId, 0);
      const { publicKey } = await keyPair(0);
      // Deliberate fault, sent raw: the same account again.
      await expect(market.connect(dos[0]).join(jobId, publicKey[0], publicKey[1], { value: p.stake }))
        .to.be.revertedWithCustomError(market, "MarketAlreadyJoined")
        .withArgs(jobId, await dos[0].getAddress());
    });

    it("refuses keys off the curve, the identity, non-canonical and small-order points", async function () {
      const { market, dos, jobId, p } = await loadFixture(publishedFixture);
      const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
      const { publicKey } = await keyPair(0);
      const bad: [bigint, bigint][] = [
        [1n, 2n], // off the curve
        [0n, 1n], // identity
        [0n, P - 1n], // order 2
        [publicKey[0] + P, publicKey[1]], // non-canonical
      ];
      for (const [x, y] of bad) {
        // Deliberate fault, sent raw: an invalid key.
        await expect(market.connect(dos[0]).join(jobId, x, y, { value: p.stake }))
          .to.be.revertedWithCustomError(market, "MarketInvalidKey")
          .withArgs(x, y);
      }
    });

    it("refuses a stake other than the job's", async function () {
      const { market, dos, jobId, p } = await loadFixture(publishedFixture);
      const { publicKey } = await keyPair(0);
      // Deliberate fault, sent raw: one wei too much.
      await expect(market.connect(dos[0]).join(jobId, publicKey[0], publicKey[1], { value: p.stake + 1n }))
        .to.be.revertedWithCustomError(market, "MarketWrongValue")
        .withArgs(p.stake, p.stake + 1n);
    });

    it("reports an account that is not on the roster", async function () {
      const { market, dos, jobId } = await loadFixture(publishedFixture);
      await expect(market.memberIndex(jobId, await dos[0].getAddress()))
        .to.be.revertedWithCustomError(market, "MarketNotMember")
        .withArgs(jobId, await dos[0].getAddress());
    });
  });

  describe("cancel", function () {
    it("is refused before the join deadline", async function () {
      const { market, jobId } = await loadFixture(publishedFixture);
      // Deliberately out of phase, sent raw.
      await expect(market.cancel(jobId)).to.be.revertedWithCustomError(market, "MarketUnexpectedPhase").withArgs(jobId, Phase.Joining, Phase.Cancelled);
    });

    it("credits the budget and the joiners' stakes once the roster missed the deadline", async function () {
      const { market, mo, dos, jobId, p } = await loadFixture(publishedFixture);
      await joinAs(market, dos, jobId, 0);
      await joinAs(market, dos, jobId, 1);
      await time.increaseTo((await market.jobInfo(jobId)).joinDeadline + 1n);
      expect(await market.phase(jobId)).to.equal(Phase.Cancelled);
      const { publicKey } = await keyPair(2);
      // Deliberately out of phase, sent raw.
      await expect(market.connect(dos[2]).join(jobId, publicKey[0], publicKey[1], { value: p.stake }))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Cancelled, Phase.Joining);
      const cancelled = await cancel({ market, jobId });
      await expect(cancelled.tx)
        .to.emit(market, "JobCancelled")
        .withArgs(jobId, budgetOf(p), 2n * p.stake);
      expect([cancelled.refunded, cancelled.stakesReturned]).to.deep.equal([budgetOf(p), 2n * p.stake]);
      expect(await market.releasable(ETH, await mo.getAddress())).to.equal(budgetOf(p));
      expect(await market.releasable(ETH, await dos[1].getAddress())).to.equal(p.stake);
      // Deliberate fault, sent raw: a second cancel.
      await expect(market.cancel(jobId)).to.be.revertedWithCustomError(market, "MarketAlreadySettled").withArgs(jobId);
      expect(await market.phase(jobId)).to.equal(Phase.Cancelled);
    });

    it("cancels a job whose model was never fully posted", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams();
      const jobId = await createJobAs(market, mo, p);
      await time.increaseTo((await market.jobInfo(jobId)).joinDeadline + 1n);
      // Deliberately out of phase, sent raw.
      await expect(market.connect(mo).publishModel(jobId, 0, ethers.ZeroHash))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Cancelled, Phase.Publishing);
      await expect((await cancel({ market, jobId })).tx)
        .to.emit(market, "JobCancelled")
        .withArgs(jobId, budgetOf(p), 0n);
    });
  });
});
