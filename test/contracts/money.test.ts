// Escrow, credits, aggregation fees, burns and release, run for ETH and an ERC-20 alike; fee-on-transfer
// tokens; re-entrancy through a malicious receiver and a malicious token.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { aggregationData, cancel, readRoundState, release } from "../../src/chain";
import {
  BURN_ADDRESS,
  CreditKind,
  ETH,
  VoidReason,
  Rule,
  booksSides,
  budgetOf,
  commitAll,
  createJobAs,
  deployFixture,
  groupsOf,
  jobParams,
  joinAs,
  keyPair,
  missedCommitForfeit,
  modelOf,
  openJob,
  passDeadline,
  playRound,
  publish,
  submitAll,
  type Job,
  type Params,
} from "./helpers";
import type { OmniMarket } from "../../typechain-types";

async function balanceOf(token: string, who: string): Promise<bigint> {
  if (token === ETH) return ethers.provider.getBalance(who);
  return (await ethers.getContractAt("MockERC20", token)).balanceOf(who);
}

async function ethFixture() {
  const f = await deployFixture();
  return { ...f, token: ETH };
}

async function erc20Fixture() {
  const f = await deployFixture();
  const token = await ethers.deployContract("MockERC20");
  for (const s of [f.mo, ...f.dos]) await token.mint(await s.getAddress(), ethers.parseEther("1000"));
  return { ...f, token: await token.getAddress() };
}

/** Releases everything credited to each of `accounts` with the release action, checking each Released event; returns the total sent. */
async function releaseAll(market: OmniMarket, token: string, accounts: (Signer | string)[]): Promise<bigint> {
  let total = 0n;
  for (const s of accounts) {
    const who = typeof s === "string" ? s : await s.getAddress();
    const released = await release(market, token, who);
    if (!released) continue;
    await expect(released.tx).to.emit(market, "Released").withArgs(token, who, released.amount);
    total += released.amount;
  }
  return total;
}

/** Sends chunk `k` of the job's current round from `sender`'s account, with the data read back from the chain. */
async function aggregateChunkAs(job: Job, sender: Signer, k: number, masked: Parameters<typeof aggregationData>[1]) {
  const state = await readRoundState(job.market, job.jobId);
  return job.market.connect(sender).aggregateChunk(job.jobId, state.round, k, aggregationData(state, masked, k));
}

function shouldBehaveLikeEscrow(name: string, fixture: typeof ethFixture) {
  describe(`escrow in ${name}`, function () {
    /** One round; an outlier bound loose enough that every honest group of the fixtures' uncorrelated updates is paid, whatever the draw. */
    function paramsFor(token: string, overrides: Partial<Params> = {}) {
      return jobParams({ token, rounds: 1, outlierFactorBps: 1_000_000, ...overrides });
    }

    /** Three chunks a round (the third of one word) and an aggregation fee. */
    async function feeParams(market: OmniMarket, token: string, overrides: Partial<Params> = {}) {
      const chunkWords = Number(await market.chunkWordsFor(9, 3, Rule.Median));
      return paramsFor(token, { paramCount: 8 * (2 * chunkWords + 1), aggregationFee: ethers.parseUnits("3", 12), ...overrides });
    }

    it("escrows the budget and every stake", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = paramsFor(token);
      const job = await openJob(market, mo, dos, p);
      expect(await balanceOf(token, job.address)).to.equal(budgetOf(p) + 9n * p.stake);
      const books = await market.jobBooks(job.jobId);
      expect([books.budget, books.stakes]).to.deep.equal([budgetOf(p), 9n * p.stake]);
    });

    it("balances the books of a completed job to the wei, burns what is slashed and pays every credit out exactly once", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      // 15 DOs in five groups of 3: a dropout in one group and a missed commit in another leave three eligible.
      const p = paramsFor(token, { numDOs: 15 });
      const job = await openJob(market, mo, dos, p);
      const groups = await groupsOf(job);
      const [dropout, absent] = [groups[0][0], groups[1][0]];
      const { eligible } = await playRound(job, { dropouts: [dropout], noCommit: [absent] });
      expect(eligible).to.deep.equal([2, 3, 4]);
      const finalized = market.finalizeRound(job.jobId, 0n);
      const forfeit = missedCommitForfeit(p);
      // Slashed stakes and forfeits go to the burn address, never to the MO.
      await expect(finalized)
        .to.emit(market, "Credited")
        .withArgs(job.jobId, token, BURN_ADDRESS, CreditKind.Burn, p.stake + forfeit);
      await expect(finalized)
        .to.emit(market, "Credited")
        .withArgs(job.jobId, token, await dos[absent].getAddress(), CreditKind.StakeReturn, p.stake - forfeit);
      const books = await market.jobBooks(job.jobId);
      const [outgoing, incoming] = booksSides(books);
      expect(outgoing).to.equal(incoming);
      expect(books.paid).to.equal(9n * p.rewardPerRound); // groups 2, 3 and 4; the others have 2 submitters or fewer
      expect(books.slashed).to.equal(p.stake + forfeit);
      expect(books.fees).to.equal(0n);
      expect(books.refunded).to.equal(books.budget - books.paid);
      expect(books.stakesReturned).to.equal(13n * p.stake + (p.stake - forfeit));
      expect(await market.releasable(token, await mo.getAddress())).to.equal(books.refunded);
      expect(await market.releasable(token, BURN_ADDRESS)).to.equal(books.slashed);
      expect(await market.releasable(token, await dos[dropout].getAddress())).to.equal(0n);
      // The burn address may hold what earlier tests on this chain sent it: count what this release adds.
      const burnedBefore = await balanceOf(token, BURN_ADDRESS);
      const sent = await releaseAll(market, token, [mo, ...dos.slice(0, 15), BURN_ADDRESS]);
      expect(sent).to.equal(books.budget + books.stakes);
      expect((await balanceOf(token, BURN_ADDRESS)) - burnedBefore).to.equal(books.slashed);
      expect(await balanceOf(token, job.address)).to.equal(0n);
      // Deliberate fault, sent raw: nothing is left to release.
      await expect(market.release(token, await dos[0].getAddress()))
        .to.be.revertedWithCustomError(market, "MarketNothingToRelease")
        .withArgs(token, await dos[0].getAddress());
    });

    it("returns budget and stakes of a cancelled job", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = paramsFor(token);
      const jobId = await createJobAs(market, mo, p);
      await publish(market, mo, jobId, modelOf(p.paramCount));
      await joinAs(market, dos, jobId, 0);
      await time.increaseTo((await market.jobInfo(jobId)).joinDeadline + 1n);
      await cancel({ market, jobId });
      const before = await balanceOf(token, await dos[0].getAddress());
      expect(await releaseAll(market, token, [mo, dos[0]])).to.equal(budgetOf(p) + p.stake);
      expect(await balanceOf(token, await dos[0].getAddress())).to.be.greaterThanOrEqual(before + p.stake - ethers.parseEther("0.01"));
      const books = await market.jobBooks(jobId);
      expect(books.refunded + books.stakesReturned).to.equal(books.budget + books.stakes);
    });

    it("lets DOs finish and get paid when the MO vanishes after posting", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = paramsFor(token);
      const job = await openJob(market, mo, dos, p);
      await playRound(job);
      await market.connect(dos[0]).finalizeRound(job.jobId, 0n);
      expect(await market.releasable(token, await dos[3].getAddress())).to.equal(p.stake + p.rewardPerRound);
    });

    it("credits the aggregation fee to the sender of every aggregateChunk and finalizeRound, and balances the books", async function () {
      const { market, mo, dos, token, signers } = await loadFixture(fixture);
      const p = await feeParams(market, token);
      const job = await openJob(market, mo, dos, p);
      await commitAll(job);
      const masked = await submitAll(job);
      // Aggregators from outside the roster: one per chunk, another finalizes.
      const aggregators = [signers[0], dos[10], dos[11]];
      for (const [k, sender] of aggregators.entries()) {
        await expect(aggregateChunkAs(job, sender, k, masked))
          .to.emit(market, "Credited")
          .withArgs(job.jobId, token, await sender.getAddress(), CreditKind.AggregationFee, p.aggregationFee);
      }
      const finalizer = dos[12];
      const finalized = market.connect(finalizer).finalizeRound(job.jobId, 0n);
      await expect(finalized)
        .to.emit(market, "Credited")
        .withArgs(job.jobId, token, await finalizer.getAddress(), CreditKind.AggregationFee, p.aggregationFee);
      await expect(finalized)
        .to.emit(market, "JobCompleted")
        .withArgs(job.jobId, 9n * p.rewardPerRound, 0n, 0n, 9n * p.stake);
      for (const sender of [...aggregators, finalizer]) expect(await market.releasable(token, await sender.getAddress())).to.equal(p.aggregationFee);
      const books = await market.jobBooks(job.jobId);
      expect([books.fees, books.paid, books.refunded]).to.deep.equal([4n * p.aggregationFee, 9n * p.rewardPerRound, 0n]);
      const [outgoing, incoming] = booksSides(books);
      expect(outgoing).to.equal(incoming);
      const sent = await releaseAll(market, token, [mo, ...dos.slice(0, 13), signers[0]]);
      expect(sent).to.equal(books.budget + books.stakes);
      expect(await balanceOf(token, job.address)).to.equal(0n);
    });

    it("refunds to the MO the fees that void rounds leave unspent", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = await feeParams(market, token, { rounds: 2 });
      const job = await openJob(market, mo, dos, p);
      const [aggregator, finalizer] = [dos[10], dos[11]];
      // Round 0: nobody commits; finalizeRound voids it at once and is paid its fee.
      await passDeadline((await market.roundInfo(job.jobId)).commitDeadline);
      const first = market.connect(finalizer).finalizeRound(job.jobId, 0n);
      await expect(first).to.emit(market, "RoundVoided").withArgs(job.jobId, 0n, VoidReason.TooFewEligibleGroups);
      await expect(first)
        .to.emit(market, "Credited")
        .withArgs(job.jobId, token, await finalizer.getAddress(), CreditKind.AggregationFee, p.aggregationFee);
      // Round 1: one chunk of three is aggregated before the aggregation deadline passes.
      await commitAll(job);
      const masked = await submitAll(job);
      await aggregateChunkAs(job, aggregator, 0, masked);
      await passDeadline((await market.roundInfo(job.jobId)).aggregateDeadline);
      const last = market.connect(finalizer).finalizeRound(job.jobId, 1n);
      await expect(last).to.emit(market, "RoundVoided").withArgs(job.jobId, 1n, VoidReason.AggregationExpired);
      const fees = 3n * p.aggregationFee;
      const refunded = budgetOf(p) - fees;
      expect(refunded).to.equal(18n * p.rewardPerRound + 5n * p.aggregationFee);
      await expect(last)
        .to.emit(market, "JobCompleted")
        .withArgs(job.jobId, 0n, refunded, 0n, 9n * p.stake);
      await expect(last)
        .to.emit(market, "Credited")
        .withArgs(job.jobId, token, await mo.getAddress(), CreditKind.OwnerSettlement, refunded);
      const books = await market.jobBooks(job.jobId);
      expect([books.fees, books.paid, books.refunded, books.slashed]).to.deep.equal([fees, 0n, refunded, 0n]);
      const [outgoing, incoming] = booksSides(books);
      expect(outgoing).to.equal(incoming);
      expect(await market.releasable(token, await finalizer.getAddress())).to.equal(2n * p.aggregationFee);
      expect(await market.releasable(token, await aggregator.getAddress())).to.equal(p.aggregationFee);
      const sent = await releaseAll(market, token, [mo, ...dos.slice(0, 12)]);
      expect(sent).to.equal(books.budget + books.stakes);
      expect(await balanceOf(token, job.address)).to.equal(0n);
    });
  });
}

describe("money", function () {
  shouldBehaveLikeEscrow("ETH", ethFixture);
  shouldBehaveLikeEscrow("an ERC-20", erc20Fixture);

  it("refuses ETH sent with an ERC-20 job", async function () {
    const { market, mo, token } = await loadFixture(erc20Fixture);
    const p = jobParams({ token });
    // Deliberate fault, sent raw: ETH with a token job.
    await expect(market.connect(mo).createJob(p, { value: 1n }))
      .to.be.revertedWithCustomError(market, "MarketWrongValue")
      .withArgs(0n, 1n);
  });

  it("refuses a fee-on-transfer token", async function () {
    const { market, mo } = await loadFixture(deployFixture);
    const fee = await ethers.deployContract("FeeOnTransferERC20");
    await fee.mint(await mo.getAddress(), ethers.parseEther("10"));
    const p = jobParams({ token: await fee.getAddress() });
    await fee.connect(mo).approve(await market.getAddress(), budgetOf(p));
    // Deliberate fault, sent raw: a token that takes a fee on transfer.
    await expect(market.connect(mo).createJob(p))
      .to.be.revertedWithCustomError(market, "MarketFeeOnTransfer")
      .withArgs(await fee.getAddress(), budgetOf(p), budgetOf(p) - budgetOf(p) / 100n);
  });

  it("stops a receiver that re-enters release", async function () {
    const { market, mo, dos } = await loadFixture(deployFixture);
    const p = jobParams();
    const jobId = await createJobAs(market, mo, p);
    await publish(market, mo, jobId, modelOf(p.paramCount));
    const attacker = await ethers.deployContract("ReentrantReceiver", [await market.getAddress()]);
    const { publicKey } = await keyPair(0);
    await attacker.join(jobId, publicKey[0], publicKey[1], { value: p.stake });
    await joinAs(market, dos, jobId, 1);
    await time.increaseTo((await market.jobInfo(jobId)).joinDeadline + 1n);
    await cancel({ market, jobId });
    const who = await attacker.getAddress();
    // Deliberate fault, sent raw: the receiver re-enters release.
    await expect(market.release(ETH, who)).to.be.revertedWithCustomError(market, "ReentrancyGuardReentrantCall");
    expect(await market.releasable(ETH, who)).to.equal(p.stake);
    expect(await ethers.provider.getBalance(await market.getAddress())).to.equal(budgetOf(p) + 2n * p.stake);
  });

  it("stops a token that re-enters the market from transferFrom and transfer", async function () {
    const { market, mo, dos } = await loadFixture(deployFixture);
    const token = await ethers.deployContract("ReentrantERC20");
    for (const s of [mo, dos[0]]) await token.mint(await s.getAddress(), ethers.parseEther("10"));
    const tokenAddress = await token.getAddress();
    const p = jobParams({ token: tokenAddress });
    const moAddress = await mo.getAddress();
    const releaseCall = market.interface.encodeFunctionData("release", [tokenAddress, moAddress]);
    await token.arm(await market.getAddress(), releaseCall);
    const guard = market.interface.getError("ReentrancyGuardReentrantCall")!.selector;

    const jobId = await createJobAs(market, mo, p);
    expect(await token.lastRevert()).to.equal(guard);

    await time.increaseTo((await market.jobInfo(jobId)).joinDeadline + 1n);
    await cancel({ market, jobId });
    await release(market, tokenAddress, moAddress);
    expect(await token.lastRevert()).to.equal(guard);
    expect(await token.balanceOf(moAddress)).to.equal(ethers.parseEther("10"));
    expect(await token.balanceOf(await market.getAddress())).to.equal(0n);
  });
});
