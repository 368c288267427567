// Hostile counterparties: ETH receivers and ERC-20 tokens that misbehave when the market funds a job, takes
// a stake or pays out; members that act through a contract (whose masked words the market refuses); and
// round participants that vanish, lie about a seed or send malformed submissions. Each is refused with its
// own custom error; where a round participant misbehaves, the rest of the job runs to completion and
// everyone else is paid, in ETH and in an ERC-20 alike, what it slashed burned.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setCode, time } from "@nomicfoundation/hardhat-network-helpers";
import { Interface, MaxUint256 } from "ethers";
import { OmniMarket__factory } from "../../typechain-types";
import { aggregateRound, cancel, maskedUpdate, pairSeeds, release, seedCommitments, submitMasked } from "../../src/chain";
import { chunkBytes, seedCommitment } from "../../src/protocol";
import {
  BURN_ADDRESS,
  ETH,
  Phase,
  SlashReason,
  Rule,
  aggregateAll,
  assetBalance,
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
  releaseAll,
  revealAll,
  submitAll,
  updateOf,
  type Job,
} from "./helpers";

/** Calldata of the market call `name(args)`. */
function encode(name: string, args: unknown[]): string {
  return OMNI.encodeFunctionData(name, args);
}
const OMNI = new Interface(OmniMarket__factory.abi);

/** HostileERC20.Mode */
const Mode = { Normal: 0, ReturnFalse: 1, Revert: 2, Fee: 3 } as const;
const GUARD = "ReentrancyGuardReentrantCall";

/**
 * A one-round job of 12 DOs (four groups of 3) whose member 0 is a HostileReceiver acting through `forward`,
 * with the Job the helpers drive; the round is open. The receiver's own calls go through `forward`, which the
 * actions cannot send, so the test sends what the actions' building blocks compute for it.
 */
async function receiverJob() {
  const f = await deployFixture();
  const receiver = await ethers.deployContract("HostileReceiver", [f.address]);
  // An outlier bound loose enough that every honest group of the uncorrelated test updates is paid, whatever the draw.
  const p = jobParams({ numDOs: 12, rounds: 1, outlierFactorBps: 1_000_000 });
  const jobId = await createJobAs(f.market, f.mo, p);
  const model = modelOf(p.paramCount);
  await publish(f.market, f.mo, jobId, model);
  const keys = await Promise.all(Array.from({ length: p.numDOs }, (_, i) => keyPair(i)));
  await receiver.forward(encode("join", [jobId, ...keys[0].publicKey]), { value: p.stake });
  for (let i = 1; i < p.numDOs; i++) await joinAs(f.market, f.dos, jobId, i);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const members = keys.map((k, index) => ({
    market: index === 0 ? f.market : f.market.connect(f.dos[index]),
    jobId,
    index,
    secretKey: k.secretKey,
    sharedX: new Map(),
  }));
  const job: Job = { market: f.market, address: f.address, jobId, p, mo: f.mo, dos: f.dos, keys, chainId, model, members };
  return { ...f, receiver, job, who: await receiver.getAddress() };
}

/**
 * The receiver job with its round played and the job completed: the receiver never commits (a contract
 * cannot send its masked words, see "masked words relayed through a contract"), so it is ejected and keeps
 * its stake less the missed-commit forfeit, which is what it is owed; its two group peers are left with one
 * active pair each and cannot submit; the other three groups are aggregated from calldata and paid.
 */
async function receiverFixture() {
  const f = await receiverJob();
  const { job } = f;
  const { market, jobId, p } = job;
  await commitAll(job, { noCommit: [0] });
  await passDeadline((await market.roundInfo(jobId)).commitDeadline);
  await submitAll(job);
  await passDeadline((await market.roundInfo(jobId)).submitDeadline);
  await aggregateRound(market, jobId);
  expect(await market.phase(jobId)).to.equal(Phase.Completed);
  return { ...f, owed: p.stake - missedCommitForfeit(p) };
}

/** A market and a HostileERC20 that behaves until told otherwise, held and approved by the MO and the DOs. */
async function hostileTokenFixture() {
  const f = await deployFixture();
  const token = await ethers.deployContract("HostileERC20");
  for (const s of [f.mo, ...f.dos]) {
    await token.mint(await s.getAddress(), ethers.parseEther("1000"));
    await token.connect(s).approve(f.address, MaxUint256);
  }
  const tokenAddress = await token.getAddress();
  return { ...f, token, tokenAddress, p: jobParams({ token: tokenAddress, rounds: 1 }) };
}

/** A hostile-token job cancelled with DOs 0 and 1 on the roster: the MO is owed the budget, each DO its stake. */
async function cancelledTokenJobFixture() {
  const f = await hostileTokenFixture();
  const jobId = await createJobAs(f.market, f.mo, f.p);
  await publish(f.market, f.mo, jobId, modelOf(f.p.paramCount));
  for (const i of [0, 1]) await joinAs(f.market, f.dos, jobId, i);
  await time.increaseTo((await f.market.jobInfo(jobId)).joinDeadline + 1n);
  await cancel({ market: f.market, jobId });
  return { ...f, jobId };
}

async function ethFixture() {
  return { ...(await deployFixture()), token: ETH };
}

async function erc20Fixture() {
  const f = await deployFixture();
  const token = await ethers.deployContract("MockERC20");
  for (const s of [f.mo, ...f.dos]) await token.mint(await s.getAddress(), ethers.parseEther("1000"));
  return { ...f, token: await token.getAddress() };
}

function shouldBehaveLikeAJobThatOutlivesItsHostileMembers(name: string, fixture: typeof ethFixture) {
  describe(`hostile round participants, paid in ${name}`, function () {
    /** 16 DOs in four groups of 4, two rounds: a group keeps 3 submitters after one dropout, and the job
     * keeps three groups after two members are slashed. */
    async function sixteenFixture() {
      const f = await fixture();
      const job = await openJob(f.market, f.mo, f.dos, jobParams({ token: f.token, numDOs: 16, groupSize: 4, rounds: 2 }));
      return { ...f, job };
    }

    /** One round of 12 DOs in three groups of 4 whose vectors take two chunks; a second, 9-DO job in its
     * submit phase whose roster leaves out DOs 9 to 11. */
    async function twoChunkFixture() {
      const f = await fixture();
      const chunkWords = Number(await f.market.chunkWordsFor(12, 4, Rule.Median));
      const p = jobParams({ token: f.token, numDOs: 12, groupSize: 4, rounds: 1, paramCount: 8 * (chunkWords + 2) - 3 });
      const job = await openJob(f.market, f.mo, f.dos, p);
      const other = await openJob(f.market, f.mo, f.dos, jobParams({ token: f.token, rounds: 1 }));
      await commitAll(other);
      return { ...f, job, other, chunkWords };
    }

    async function expectPaid(job: Job, token: string, accounts: { index: number; rewards: bigint }[]) {
      for (const { index, rewards } of accounts) {
        expect(await job.market.releasable(token, await job.dos[index].getAddress()), `DO ${index}`).to.equal(job.p.stake + rewards * job.p.rewardPerRound);
      }
    }

    it("slashes a DO that commits and vanishes, removes its masks, burns its stake, and pays every other DO for both rounds", async function () {
      const { job, token, mo, dos } = await loadFixture(sixteenFixture);
      const { market, jobId, p } = job;
      const vanisher = (await groupsOf(job))[0][0];
      const r0 = await playRound(job, { dropouts: [vanisher] });
      // Its three group peers revealed the seeds they share with it, so its masks cancel out of their sum.
      expect(r0.reveals.map((r) => r.dropped)).to.deep.equal([vanisher, vanisher, vanisher]);
      expect(r0.eligible).to.deep.equal([0, 1, 2, 3]);
      await expect(market.finalizeRound(jobId, 0n)).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, vanisher, SlashReason.MissedSubmission, p.stake);
      expect((await market.roundInfo(jobId)).members).to.equal(0xffffn ^ (1n << BigInt(vanisher)));
      // Round 1: the 15 members left, in three groups of 5.
      expect((await groupsOf(job)).map((g) => g.length)).to.deep.equal([5, 5, 5]);
      await playRound(job);
      const paid = 30n * p.rewardPerRound;
      await expect(market.finalizeRound(jobId, 1n))
        .to.emit(market, "JobCompleted")
        .withArgs(jobId, paid, budgetOf(p) - paid, p.stake, 15n * p.stake);
      await expectPaid(
        job,
        token,
        Array.from({ length: 16 }, (_, i) => i)
          .filter((i) => i !== vanisher)
          .map((index) => ({ index, rewards: 2n })),
      );
      expect(await market.releasable(token, await dos[vanisher].getAddress())).to.equal(0n);
      // The slashed stake is burned, not credited to the MO.
      expect(await market.releasable(token, await mo.getAddress())).to.equal(budgetOf(p) - paid);
      expect(await market.releasable(token, BURN_ADDRESS)).to.equal(p.stake);
      const accounts = [...(await Promise.all([mo, ...dos.slice(0, 16)].map((s) => s.getAddress()))), BURN_ADDRESS];
      expect(await releaseAll(market, token, accounts)).to.equal(budgetOf(p) + 16n * p.stake);
      expect(await assetBalance(token, job.address)).to.equal(0n);
    });

    it("identifies and slashes a DO whose reveal contradicts its commitment, and pays the others", async function () {
      const { job, token, mo } = await loadFixture(sixteenFixture);
      const { market, jobId, p, dos } = job;
      const groups = await commitAll(job);
      const [dropout, liar] = groups[0];
      const masked = await submitAll(job, { dropouts: [dropout] });
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      const lie = ethers.id("not the seed");
      const ctx = { chainId: job.chainId, market: job.address, jobId, round: 0n };
      const [lo, hi] = [Math.min(dropout, liar), Math.max(dropout, liar)];
      const [seed] = await pairSeeds(job.members[liar], 0, [dropout]);
      // The liar's own commitment is what convicts it: the honest seed opens it, the lie does not.
      expect(await market.commitment(jobId, liar, dropout)).to.equal(seedCommitment(ctx, lo, hi, seed));
      expect(seedCommitment(ctx, lo, hi, lie)).to.not.equal(await market.commitment(jobId, liar, dropout));
      // Deliberate fault, sent raw: the lie.
      await expect(market.connect(dos[liar]).revealSeeds(jobId, 0n, [dropout], [lie]))
        .to.emit(market, "SeedContradicted")
        .withArgs(jobId, 0n, liar, dropout);
      await revealAll(job, { silent: [liar] });
      expect(await market.phase(jobId)).to.equal(Phase.Aggregate);
      const { eligible } = await aggregateAll(job, masked);
      expect(eligible).to.deep.equal([1, 2, 3]);
      const tx = market.finalizeRound(jobId, 0n);
      await expect(tx).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, liar, SlashReason.ContradictedSeed, p.stake);
      await expect(tx).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, dropout, SlashReason.MissedSubmission, p.stake);
      // Round 1: the 14 members left, in three groups, all honest.
      expect((await groupsOf(job)).map((g) => g.length)).to.deep.equal([5, 5, 4]);
      await playRound(job);
      await market.finalizeRound(jobId, 1n);
      const paid = 26n * p.rewardPerRound;
      expect((await market.jobBooks(jobId)).paid).to.equal(paid);
      await expectPaid(job, token, [
        ...groups.slice(1).flatMap((g) => g.map((index) => ({ index, rewards: 2n }))),
        ...groups[0].slice(2).map((index) => ({ index, rewards: 1n })),
      ]);
      for (const i of [dropout, liar]) expect(await market.releasable(token, await dos[i].getAddress())).to.equal(0n);
      expect(await market.releasable(token, await mo.getAddress())).to.equal(budgetOf(p) - paid);
      expect(await market.releasable(token, BURN_ADDRESS)).to.equal(2n * p.stake);
    });

    it("refuses malformed submissions with their own errors and pays everyone who submitted in time", async function () {
      const { job, other, chunkWords, token, mo, signers } = await loadFixture(twoChunkFixture);
      const { market, jobId, p, dos } = job;
      const groups = await commitAll(job);
      const [late] = groups[0];
      const member = groups[1][0];
      const update = updateOf(p.paramCount, member, 0n);
      const { packed: full } = await maskedUpdate(job.members[member], update);
      const [chunk0, chunk1] = [chunkBytes(full, 0, chunkWords), chunkBytes(full, 1, chunkWords)];
      // Deliberate faults, sent raw: malformed, out-of-order, repeated and misdirected chunks of an honest
      // vector; its first chunk alone, raw too, so that the order checks have something to refuse.
      const from = market.connect(dos[member]);
      const wrongLength = (bytes: Uint8Array | string) =>
        expect(from.submitMasked(jobId, 0n, 0n, bytes))
          .to.be.revertedWithCustomError(market, "MarketInvalidWordsLength")
          .withArgs(jobId, ethers.dataLength(bytes));
      await wrongLength(chunk0.subarray(32)); // a word short
      await wrongLength(ethers.concat([chunk0, "0x00"])); // not whole words
      await wrongLength(ethers.concat([full, ethers.ZeroHash])); // both chunks and a third that does not exist
      await expect(from.submitMasked(jobId, 0n, 1n, chunk1))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 0n, 1n);
      await expect(from.submitMasked(jobId, 0n, 0n, chunk0))
        .to.emit(market, "MaskedChunksSubmitted")
        .withArgs(jobId, 0n, member, 0n, 1n);
      await expect(from.submitMasked(jobId, 0n, 0n, chunk0))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 1n, 0n);
      // The rest of the honest vector, from its first unsubmitted chunk.
      await submitMasked(job.members[member], update);
      await expect(from.submitMasked(jobId, 0n, 2n, chunk1))
        .to.be.revertedWithCustomError(market, "MarketInvalidWordsLength")
        .withArgs(jobId, chunk1.length);
      await expect(from.submitMasked(jobId, 0n, 1n, chunk1))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedChunk")
        .withArgs(jobId, 2n, 1n);
      await expect(from.submitMasked(jobId, 1n, 0n, chunk0))
        .to.be.revertedWithCustomError(market, "MarketWrongRound")
        .withArgs(jobId, 0n, 1n);
      const outsider = signers[0];
      await expect(market.connect(outsider).submitMasked(jobId, 0n, 0n, chunk0))
        .to.be.revertedWithCustomError(market, "MarketNotMember")
        .withArgs(jobId, await outsider.getAddress());
      // DO 11 is on this job's roster but not on the other job's, which is also taking submissions.
      expect(await market.phase(other.jobId)).to.equal(Phase.Submit);
      await expect(market.connect(dos[11]).submitMasked(other.jobId, 0n, 0n, chunk0))
        .to.be.revertedWithCustomError(market, "MarketNotMember")
        .withArgs(other.jobId, await dos[11].getAddress());
      await expect(from.submitMasked(other.jobId + 1n, 0n, 0n, chunk0))
        .to.be.revertedWithCustomError(market, "MarketUnknownJob")
        .withArgs(other.jobId + 1n);
      // A member that posts its first chunk and misses the deadline for the second (deliberately, sent raw).
      const { packed: lateFull } = await maskedUpdate(job.members[late], updateOf(p.paramCount, late, 0n));
      await market.connect(dos[late]).submitMasked(jobId, 0n, 0n, chunkBytes(lateFull, 0, chunkWords));
      const masked = await submitAll(job, { dropouts: [late, member] });
      expect(masked.get(member)).to.deep.equal(full);
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      await expect(market.connect(dos[late]).submitMasked(jobId, 0n, 1n, chunkBytes(lateFull, 1, chunkWords)))
        .to.be.revertedWithCustomError(market, "MarketUnexpectedPhase")
        .withArgs(jobId, Phase.Reveal, Phase.Submit);
      await revealAll(job);
      const { eligible } = await aggregateAll(job, masked);
      expect(eligible).to.deep.equal([0, 1, 2]);
      await expect(market.finalizeRound(jobId, 0n)).to.emit(market, "MemberSlashed").withArgs(jobId, 0n, late, SlashReason.MissedSubmission, p.stake);
      await expectPaid(
        job,
        token,
        groups
          .flat()
          .filter((i) => i !== late)
          .map((index) => ({ index, rewards: 1n })),
      );
      expect(await market.releasable(token, await dos[late].getAddress())).to.equal(0n);
      expect(await market.releasable(token, await mo.getAddress())).to.equal(budgetOf(p) - 11n * p.rewardPerRound);
      expect(await market.releasable(token, BURN_ADDRESS)).to.equal(p.stake);
    });
  });
}

describe("hostile counterparties", function () {
  describe("ETH receivers", function () {
    const reentries: [string, (who: string, mo: string, jobId: bigint) => [string, unknown[]]][] = [
      ["release its own credit again", (who) => ["release", [ETH, who]]],
      ["release the MO's credit", (_who, mo) => ["release", [ETH, mo]]],
      ["finalize the finished round", (_who, _mo, jobId) => ["finalizeRound", [jobId, 0n]]],
    ];
    for (const [what, payload] of reentries) {
      it(`pays a receiver that tries to ${what} from its receive hook once, and refuses the re-entry`, async function () {
        const { market, receiver, who, owed, mo, job } = await loadFixture(receiverFixture);
        const moAddress = await mo.getAddress();
        const moCredit = await market.releasable(ETH, moAddress);
        const [fn, args] = payload(who, moAddress, job.jobId);
        await receiver.setOnPayment(encode(fn, args), false);
        // Deliberate fault, the release sent raw: the receiver re-enters from its receive hook.
        await expect(market.release(ETH, who)).to.changeEtherBalances([receiver, market], [owed, -owed]);
        expect(await receiver.payments()).to.equal(1n);
        expect(await receiver.lastRevert()).to.equal(market.interface.getError(GUARD)!.selector);
        expect(await market.releasable(ETH, moAddress)).to.equal(moCredit);
        await expect(market.release(ETH, who)).to.be.revertedWithCustomError(market, "MarketNothingToRelease").withArgs(ETH, who);
      });
    }

    it("keeps the credit of a receiver that refuses ETH and holds up nobody else", async function () {
      const { market, receiver, who, owed, mo, dos, job } = await loadFixture(receiverFixture);
      await receiver.setOnPayment("0x", true);
      // Deliberate fault, the releases to the receiver sent raw: it refuses ETH, then accepts it.
      await expect(market.release(ETH, who)).to.be.revertedWithCustomError(market, "FailedCall").withArgs();
      expect(await market.releasable(ETH, who)).to.equal(owed);
      const others = [...(await Promise.all([mo, ...dos.slice(1, job.p.numDOs)].map((s) => s.getAddress()))), BURN_ADDRESS];
      await releaseAll(market, ETH, others);
      expect(await ethers.provider.getBalance(job.address)).to.equal(owed);
      await receiver.setOnPayment("0x", false);
      await expect(market.release(ETH, who)).to.changeEtherBalance(receiver, owed);
      expect(await ethers.provider.getBalance(job.address)).to.equal(0n);
    });
  });

  describe("masked words relayed through a contract", function () {
    /** The receiver job with every member committed (the receiver through `forward`): the submit phase is open. */
    async function committedFixture() {
      const f = await receiverJob();
      await commitAll(f.job, { noCommit: [0] });
      await f.receiver.forward(encode("commitSeeds", [f.job.jobId, 0n, (await seedCommitments(f.job.members[0])).commitments]));
      expect(await f.market.phase(f.job.jobId)).to.equal(Phase.Submit);
      return f;
    }

    it("refuses the masked words a member relays through a contract, and slashes it as a dropout while the other groups are paid", async function () {
      const { market, receiver, who, job, dos } = await loadFixture(committedFixture);
      const { jobId, p } = job;
      const own = (await maskedUpdate(job.members[0], updateOf(p.paramCount, 0, 0n))).packed;
      // Its words would not be the calldata of a transaction to the market, where aggregators read them.
      await expect(receiver.forward(encode("submitMasked", [jobId, 0n, 0n, own])))
        .to.be.revertedWithCustomError(market, "MarketSubmitterNotDirect")
        .withArgs(jobId, who);
      expect(await market.chunksSubmitted(jobId, 0n)).to.equal(0n);
      await submitAll(job, { dropouts: [0] });
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);
      // Its group keeps two submitters, too few to be eligible; the other three groups are aggregated from
      // the calldata of their members' own transactions.
      const groups = await groupsOf(job);
      const mine = groups.findIndex((g) => g.includes(0));
      const { finalize } = (await aggregateRound(market, jobId))!;
      const receipt = await ethers.provider.getTransactionReceipt(finalize.hash);
      const [result] = receipt!.logs.map((l) => market.interface.parseLog(l)).filter((e) => e?.name === "RoundFinalized");
      expect(result!.args.eligibleGroups).to.equal(15n ^ (1n << BigInt(mine)));
      expect((await market.jobInfo(jobId)).slashedMembers).to.equal(1n);
      expect(await market.releasable(ETH, who)).to.equal(0n);
      expect(await market.releasable(ETH, BURN_ADDRESS)).to.equal(p.stake);
      for (const i of groups.filter((_, k) => k !== mine).flat()) {
        expect(await market.releasable(ETH, await dos[i].getAddress()), `DO ${i}`).to.equal(p.stake + p.rewardPerRound);
      }
    });

    it("refuses the masked words of an account with code even in its own transaction (an EIP-7702 delegation)", async function () {
      const { market, job, dos } = await loadFixture(committedFixture);
      const { jobId, p } = job;
      const i = (await groupsOf(job)).flat().find((m) => m !== 0)!;
      const account = await dos[i].getAddress();
      const { packed } = await maskedUpdate(job.members[i], updateOf(p.paramCount, i, 0n));
      // The account delegates to the market's code (0xef0100 ‖ address): it is still tx.origin, but has code.
      await setCode(account, ethers.concat(["0xef0100", job.address]));
      await expect(market.connect(dos[i]).submitMasked(jobId, 0n, 0n, packed))
        .to.be.revertedWithCustomError(market, "MarketSubmitterNotDirect")
        .withArgs(jobId, account);
      // Without the delegation the same words are taken.
      await setCode(account, "0x");
      await expect(market.connect(dos[i]).submitMasked(jobId, 0n, 0n, packed)).to.emit(market, "MaskedChunksSubmitted");
    });
  });

  describe("ERC-20 tokens", function () {
    const cases = [
      { mode: Mode.ReturnFalse, what: "returns false", turned: "returning false" },
      { mode: Mode.Revert, what: "reverts", turned: "reverting" },
      { mode: Mode.Fee, what: "takes a fee", turned: "taking a fee" },
    ];

    /** The revert a transfer of `amount` from `from` to `to` causes in the token's current mode. */
    function refusal(f: Awaited<ReturnType<typeof hostileTokenFixture>>, mode: number, from: string, to: string, amount: bigint) {
      return async (tx: Promise<unknown>) => {
        if (mode === Mode.ReturnFalse) {
          await expect(tx).to.be.revertedWithCustomError(f.market, "SafeERC20FailedOperation").withArgs(f.tokenAddress);
        } else if (mode === Mode.Revert) {
          await expect(tx).to.be.revertedWithCustomError(f.token, "HostileTokenRefused").withArgs(from, to, amount);
        } else {
          await expect(tx)
            .to.be.revertedWithCustomError(f.market, "MarketFeeOnTransfer")
            .withArgs(f.tokenAddress, amount, amount - amount / 100n);
        }
      };
    }

    for (const { mode, what, turned } of cases) {
      it(`refuses to fund a job with a token that ${what} and escrows nothing`, async function () {
        const f = await loadFixture(hostileTokenFixture);
        await f.token.setModes(Mode.Normal, mode);
        const mo = await f.mo.getAddress();
        // Deliberate fault, sent raw: the token refuses the budget's transfer.
        await refusal(f, mode, mo, f.address, budgetOf(f.p))(f.market.connect(f.mo).createJob(f.p));
        expect(await f.market.jobCount()).to.equal(0n);
        expect(await f.token.balanceOf(f.address)).to.equal(0n);
      });

      it(`refuses a stake in a token that turned to ${turned}, and the job still cancels and refunds`, async function () {
        const f = await loadFixture(hostileTokenFixture);
        const jobId = await createJobAs(f.market, f.mo, f.p);
        await publish(f.market, f.mo, jobId, modelOf(f.p.paramCount));
        await f.token.setModes(Mode.Normal, mode);
        const { publicKey } = await keyPair(0);
        const joiner = await f.dos[0].getAddress();
        // Deliberate fault, sent raw: the token refuses the stake's transfer.
        await refusal(f, mode, joiner, f.address, f.p.stake)(f.market.connect(f.dos[0]).join(jobId, publicKey[0], publicKey[1]));
        expect((await f.market.jobInfo(jobId)).joined).to.equal(0n);
        await time.increaseTo((await f.market.jobInfo(jobId)).joinDeadline + 1n);
        await expect((await cancel({ market: f.market, jobId })).tx)
          .to.emit(f.market, "JobCancelled")
          .withArgs(jobId, budgetOf(f.p), 0n);
        const mo = await f.mo.getAddress();
        const before = await f.token.balanceOf(mo);
        await release(f.market, f.tokenAddress, mo);
        expect(await f.token.balanceOf(mo)).to.equal(before + budgetOf(f.p));
      });
    }

    for (const { mode, what } of cases.slice(0, 2)) {
      it(`keeps the credit when a release in a token that ${what} fails, and pays it in full later`, async function () {
        const f = await loadFixture(cancelledTokenJobFixture);
        const holder = await f.dos[0].getAddress();
        const held = await f.token.balanceOf(f.address);
        await f.token.setModes(mode, Mode.Normal);
        // Deliberate fault, the releases sent raw: the token refuses the transfer, then behaves again.
        await refusal(f, mode, f.address, holder, f.p.stake)(f.market.release(f.tokenAddress, holder));
        expect(await f.market.releasable(f.tokenAddress, holder)).to.equal(f.p.stake);
        expect(await f.token.balanceOf(f.address)).to.equal(held);
        await f.token.setModes(Mode.Normal, Mode.Normal);
        await expect(f.market.release(f.tokenAddress, holder)).to.changeTokenBalances(f.token, [holder, f.address], [f.p.stake, -f.p.stake]);
      });
    }

    it("pays a release in a token that turned to taking a fee, and the market still holds exactly what it owes", async function () {
      const f = await loadFixture(cancelledTokenJobFixture);
      const holder = await f.dos[0].getAddress();
      await f.token.setModes(Mode.Fee, Mode.Normal);
      const before = await f.token.balanceOf(holder);
      // Deliberate fault, sent raw: the token takes a fee from the release.
      await expect(f.market.release(f.tokenAddress, holder)).to.emit(f.market, "Released").withArgs(f.tokenAddress, holder, f.p.stake);
      // The fee comes out of what the DO receives, not out of what the market holds for the others.
      expect(await f.token.balanceOf(holder)).to.equal(before + f.p.stake - f.p.stake / 100n);
      const owed =
        (await f.market.releasable(f.tokenAddress, await f.mo.getAddress())) + (await f.market.releasable(f.tokenAddress, await f.dos[1].getAddress()));
      expect(owed).to.equal(budgetOf(f.p) + f.p.stake);
      expect(await f.token.balanceOf(f.address)).to.equal(owed);
    });

    it("refuses a token that re-enters the market while a stake is pulled, and the join still completes", async function () {
      const { market, mo, dos, address } = await loadFixture(deployFixture);
      const token = await ethers.deployContract("ReentrantERC20");
      for (const s of [mo, dos[0]]) await token.mint(await s.getAddress(), ethers.parseEther("10"));
      const p = jobParams({ token: await token.getAddress() });
      const jobId = await createJobAs(market, mo, p);
      await publish(market, mo, jobId, modelOf(p.paramCount));
      const { publicKey } = await keyPair(1);
      await token.arm(address, encode("join", [jobId, publicKey[0], publicKey[1]]));
      await expect(joinAs(market, dos, jobId, 0))
        .to.emit(market, "Joined")
        .withArgs(jobId, await dos[0].getAddress(), 0n, ...(await keyPair(0)).publicKey);
      expect(await token.lastRevert()).to.equal(market.interface.getError(GUARD)!.selector);
      expect((await market.jobInfo(jobId)).joined).to.equal(1n);
      expect(await token.balanceOf(address)).to.equal(budgetOf(p) + p.stake);
    });
  });

  shouldBehaveLikeAJobThatOutlivesItsHostileMembers("ETH", ethFixture);
  shouldBehaveLikeAJobThatOutlivesItsHostileMembers("an ERC-20", erc20Fixture);
});
