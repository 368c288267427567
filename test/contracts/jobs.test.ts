// Creating, publishing, joining and cancelling jobs: every parameter check and every error of these
// entry points.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { cancel } from "../../src/chain";
import { packWords } from "../../src/protocol";
import { ETH, Phase, budgetOf, createJobAs, deployFixture, jobParams, joinAs, keyPair, modelOf, publish, type Params } from "./helpers";

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
      ["groupSize", 7, 7n],
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
      ["trimBps", 5000, 5000n],
      ["outlierFactorBps", 9999, 9999n],
      ["minProjectionBps", 10001, 10001n],
      ["scaleBits", 31, 31n],
      ["clipNormQ", 0, 0n],
      ["clipNormQ", 429496729, 429496729n], // 5 · (clipNormQ + 1) ≥ 2^31 with n = 6, g = 3
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

    it("refuses a group size whose dropout pairs cannot fit one aggregation transaction", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ numDOs: 128, groupSize: 64 });
      expect(await market.chunkWordsFor(128, 61)).to.be.greaterThan(0n);
      // Deliberate fault, sent raw: a group size too large.
      await expect(market.connect(mo).createJob(p, { value: budgetOf(p) }))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("groupSize", 64n);
    });

    it("refuses a token address without code", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ token: await mo.getAddress() });
      // Deliberate fault, sent raw: a token without code.
      await expect(market.connect(mo).createJob(p))
        .to.be.revertedWithCustomError(market, "MarketInvalidParameter")
        .withArgs("token", BigInt(await mo.getAddress()));
    });

    it("refuses a budget other than numDOs · rounds · rewardPerRound", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams();
      // Deliberate fault, sent raw: one wei short.
      await expect(market.connect(mo).createJob(p, { value: budgetOf(p) - 1n }))
        .to.be.revertedWithCustomError(market, "MarketWrongValue")
        .withArgs(budgetOf(p), budgetOf(p) - 1n);
    });

    it("escrows the budget, derives the sizes and starts in Publishing", async function () {
      const { market, mo } = await loadFixture(deployFixture);
      const p = jobParams({ paramCount: 20 });
      // The call under test, sent raw so that changeEtherBalances sees its transaction and its fee.
      const tx = market.connect(mo).createJob(p, { value: budgetOf(p) });
      const chunkWords = await market.chunkWordsFor(p.numDOs, p.groupSize);
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
      await expect(joinAs(market, dos, jobId, p.numDOs - 1)).to.emit(market, "RoundOpened");
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
