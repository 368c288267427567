// Escrow, credits and release, run for ETH and an ERC-20 alike; fee-on-transfer tokens; re-entrancy
// through a malicious receiver and a malicious token.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { cancel, release } from "../../src/chain";
import { ETH, budgetOf, createJobAs, deployFixture, jobParams, joinAs, keyPair, modelOf, openJob, playRound, publish, type Params } from "./helpers";
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
async function releaseAll(market: OmniMarket, token: string, accounts: Signer[]): Promise<bigint> {
  let total = 0n;
  for (const s of accounts) {
    const who = await s.getAddress();
    const released = await release(market, token, who);
    if (!released) continue;
    await expect(released.tx).to.emit(market, "Released").withArgs(token, who, released.amount);
    total += released.amount;
  }
  return total;
}

function shouldBehaveLikeEscrow(name: string, fixture: typeof ethFixture) {
  describe(`escrow in ${name}`, function () {
    function paramsFor(token: string, overrides: Partial<Params> = {}) {
      return jobParams({ token, rounds: 1, ...overrides });
    }

    it("escrows the budget and every stake", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = paramsFor(token);
      const job = await openJob(market, mo, dos, p);
      expect(await balanceOf(token, job.address)).to.equal(budgetOf(p) + 6n * p.stake);
      const books = await market.jobBooks(job.jobId);
      expect([books.budget, books.stakes]).to.deep.equal([budgetOf(p), 6n * p.stake]);
    });

    it("balances the books of a completed job to the wei and pays every credit out exactly once", async function () {
      const { market, mo, dos, token } = await loadFixture(fixture);
      const p = paramsFor(token);
      const job = await openJob(market, mo, dos, p);
      const dropout = Number((await market.groups(job.jobId))[0][0]);
      await playRound(job, { dropouts: [dropout] });
      await market.finalizeRound(job.jobId, 0n);
      const books = await market.jobBooks(job.jobId);
      expect(books.paid + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
      expect(books.paid).to.equal(3n * p.rewardPerRound); // the other group of 3; the group with a dropout has 2 submitters
      expect(books.slashed).to.equal(p.stake);
      const sent = await releaseAll(market, token, [mo, ...dos.slice(0, 6)]);
      expect(sent).to.equal(books.budget + books.stakes);
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
