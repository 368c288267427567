// Domain separation. A pair seed is HKDF-SHA256 with salt keccak256(abi.encode(chainId, market, jobId)) and
// info "omnimarket/v1/mask-seed" ‖ abi.encode(round, lo, hi); its commitment is keccak256 over SEED_TAG,
// the chain id, the market, the job, the round, the pair and the seed, and the market recomputes it with
// block.chainid and its own address; a pair's masks are the keccak stream of its seed. Every seed,
// commitment and mask therefore belongs to one chain, deployment, job, round and pair: a commitment, a
// reveal or a submission replayed from another one is refused with the market's own error, cannot activate
// a pair, is convicted as contradicting at the reveal, or unmasks to noise.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { aggregationData, commitSeeds, readRoundState, seedCommitments } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { ecdhSharedX, maskVector, pairSeed, packWords, seedCommitment, unmaskGroupSum, type RoundContext } from "../../src/protocol";
import {
  Phase,
  SlashReason,
  aggregateAll,
  commitAll,
  deployFixture,
  groupsOf,
  jobParams,
  keyPair,
  openJob,
  passDeadline,
  playRound,
  revealAll,
  submitAll,
  updateOf,
  type Job,
} from "./helpers";

/** 5 DOs in one group (g = 4), two rounds: after one dropout 4 submitters remain, who must reveal. */
const FIVE = jobParams({ numDOs: 5, groupSize: 4, rounds: 2 });

/** A market with no job yet; tests open identical jobs (same DOs, keys and roster order) as they need them. */
async function marketFixture() {
  const f = await deployFixture();
  return { ...f, open: () => openJob(f.market, f.mo, f.dos, FIVE) };
}

function contextOf(job: Job, round: bigint): RoundContext {
  return { chainId: job.chainId, market: job.address, jobId: job.jobId, round };
}

const sharedX = new Map<string, bigint>();
/** The pair seed of roster indices i and j derived for `ctx` (the job's own context or a foreign one). */
async function seedFor(job: Job, ctx: RoundContext, i: number, j: number): Promise<string> {
  const [lo, hi] = i < j ? [i, j] : [j, i];
  let x = sharedX.get(`${lo}:${hi}`);
  if (x === undefined) {
    x = await ecdhSharedX(job.keys[lo].secretKey, job.keys[hi].publicKey);
    sharedX.set(`${lo}:${hi}`, x);
  }
  return pairSeed(x, ctx, lo, hi);
}

async function commitmentFor(job: Job, ctx: RoundContext, i: number, j: number): Promise<string> {
  return seedCommitment(ctx, Math.min(i, j), Math.max(i, j), await seedFor(job, ctx, i, j));
}

/**
 * Plays the job's current round (one group) up to its reveals with every seed and commitment made for
 * `ctx` — a replay when ctx is not the job's own context: every member commits, `dropout` vanishes, the
 * others submit vectors masked with those seeds and reveal the seed that opens their commitment. The calls
 * are raw on purpose: the actions derive seeds for the job's own context only, and the fault is the context.
 */
async function playWithSeedsOf(job: Job, ctx: RoundContext, dropout: number) {
  const { market, jobId, dos, p } = job;
  const round = BigInt((await market.roundInfo(jobId)).index);
  const [group] = await groupsOf(job);
  for (const i of group) {
    const commitments = await Promise.all(group.filter((j) => j !== i).map((j) => commitmentFor(job, ctx, i, j)));
    await market.connect(dos[i]).commitSeeds(jobId, round, commitments);
  }
  const masked = new Map<number, Uint8Array>();
  for (const i of group.filter((m) => m !== dropout)) {
    const peers = await Promise.all(group.filter((j) => j !== i).map(async (j) => ({ index: j, seed: await seedFor(job, ctx, i, j) })));
    masked.set(i, packWords(await maskVector(updateOf(p.paramCount, i, round), i, peers)));
    await market.connect(dos[i]).submitMasked(jobId, round, 0n, masked.get(i)!);
  }
  await passDeadline((await market.roundInfo(jobId)).submitDeadline);
  expect(await market.phase(jobId)).to.equal(Phase.Reveal);
  const reveals: ContractTransactionResponse[] = [];
  const revealers = group.filter((m) => m !== dropout);
  for (const i of revealers) reveals.push(await market.connect(dos[i]).revealSeeds(jobId, round, [dropout], [await seedFor(job, ctx, i, dropout)]));
  return { round, group, masked, reveals, revealers };
}

/** Expects each reveal to be convicted as contradicting, and finalizeRound to slash every revealer for it. */
async function expectConvicted(job: Job, played: Awaited<ReturnType<typeof playWithSeedsOf>>, dropout: number) {
  const { market, jobId, p } = job;
  for (const [t, i] of played.revealers.entries()) {
    await expect(played.reveals[t]).to.emit(market, "SeedContradicted").withArgs(jobId, played.round, i, dropout);
  }
  // With every revealer contradicted no group is eligible: the round finalizes at once.
  const finalized = market.finalizeRound(jobId, played.round);
  for (const i of played.revealers) {
    await expect(finalized).to.emit(market, "MemberSlashed").withArgs(jobId, played.round, i, SlashReason.ContradictedSeed, p.stake);
  }
}

/** Expects the reveals to open their commitments (no contradiction) and the round to aggregate. */
async function expectOpened(job: Job, played: Awaited<ReturnType<typeof playWithSeedsOf>>) {
  for (const tx of played.reveals) await expect(tx).not.to.emit(job.market, "SeedContradicted");
  expect((await job.market.roundInfo(job.jobId)).contradicted).to.equal(0n);
  const { eligible } = await aggregateAll(job, played.masked);
  expect(eligible).to.deep.equal([0]);
}

describe("domain separation", function () {
  describe("what a seed and its commitment are bound to", function () {
    const market = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const base: RoundContext = { chainId: 31337n, market, jobId: 1n, round: 0n };
    const contexts: [string, RoundContext, number, number][] = [
      ["the base context", base, 0, 1],
      ["another chain", { ...base, chainId: 1n }, 0, 1],
      ["another market", { ...base, market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }, 0, 1],
      ["another job", { ...base, jobId: 2n }, 0, 1],
      ["another round", { ...base, round: 1n }, 0, 1],
      ["another pair", base, 0, 2],
    ];

    it("derives a different pair seed, commitment and mask stream for every chain, market, job, round and pair", async function () {
      const x = await ecdhSharedX((await keyPair(0)).secretKey, (await keyPair(1)).publicKey);
      const seeds = contexts.map(([, ctx, lo, hi]) => pairSeed(x, ctx, lo, hi));
      expect(new Set(seeds).size).to.equal(contexts.length);
      const commitments = contexts.map(([, ctx, lo, hi], k) => seedCommitment(ctx, lo, hi, seeds[k]));
      expect(new Set(commitments).size).to.equal(contexts.length);
      // One seed committed under each context: the commitment alone already differs.
      expect(new Set(contexts.map(([, ctx, lo, hi]) => seedCommitment(ctx, lo, hi, seeds[0]))).size).to.equal(contexts.length);
      const masks = await Promise.all(seeds.map(async (seed) => (await maskVector(new Uint32Array(8), 0, [{ index: 1, seed }])).join(",")));
      expect(new Set(masks).size).to.equal(contexts.length);
    });

    it("computes in the contract the same commitment, with the chain id and the market address as inputs", async function () {
      const harness = await ethers.deployContract("ProtocolHarness");
      const seed = ethers.id("a seed");
      const onChain = await Promise.all(contexts.map(([, ctx, lo, hi]) => harness.seedCommitment(ctx.chainId, ctx.market, ctx.jobId, ctx.round, lo, hi, seed)));
      expect(onChain).to.deep.equal(contexts.map(([, ctx, lo, hi]) => seedCommitment(ctx, lo, hi, seed)));
      expect(new Set(onChain).size).to.equal(contexts.length);
    });
  });

  describe("replayed commitments and reveals", function () {
    it("convicts a commitment replayed from another job: the seed that opens it there contradicts it here", async function () {
      const { open } = await loadFixture(marketFixture);
      const a = await open();
      const own = await playWithSeedsOf(a, contextOf(a, 0n), 4);
      await expectOpened(a, own);
      const b = await open();
      const replayed = await playWithSeedsOf(b, contextOf(a, 0n), 4);
      await expectConvicted(b, replayed, 4);
    });

    it("convicts a commitment replayed from another deployment of the market", async function () {
      const { open, signers, mo, dos } = await loadFixture(marketFixture);
      const other = await deployMarket(signers[0]);
      const there = await openJob(other.market, mo, dos, FIVE);
      const own = await playWithSeedsOf(there, contextOf(there, 0n), 4);
      await expectOpened(there, own);
      const a = await open();
      expect(a.jobId).to.equal(there.jobId);
      const replayed = await playWithSeedsOf(a, contextOf(there, 0n), 4);
      await expectConvicted(a, replayed, 4);
    });

    it("convicts a commitment replayed from an earlier round of the same job", async function () {
      const a = await (await loadFixture(marketFixture)).open();
      const first = await playWithSeedsOf(a, contextOf(a, 0n), 4);
      await expectOpened(a, first);
      await a.market.finalizeRound(a.jobId, 0n);
      expect((await a.market.roundInfo(a.jobId)).index).to.equal(1n);
      // Round 1: members 0–3; member 3 vanishes, and the others reveal round 0's seeds with it.
      const replayed = await playWithSeedsOf(a, contextOf(a, 0n), 3);
      await expectConvicted(a, replayed, 3);
    });

    it("convicts a commitment made for another chain id: the market checks against block.chainid", async function () {
      const a = await (await loadFixture(marketFixture)).open();
      expect(a.chainId).to.equal(31337n);
      const replayed = await playWithSeedsOf(a, { ...contextOf(a, 0n), chainId: 1n }, 4);
      await expectConvicted(a, replayed, 4);
    });

    it("activates no pair for a commitment replayed by one side only", async function () {
      const { open } = await loadFixture(marketFixture);
      const [a, b] = [await open(), await open()];
      const [group] = await groupsOf(b);
      // Member 0 replays into job b the commitments it would make in job a (a deliberate fault, sent raw); its
      // peers commit for job b.
      const replayed = await Promise.all(group.slice(1).map((j) => commitmentFor(a, contextOf(a, 0n), 0, j)));
      await b.market.connect(b.dos[0]).commitSeeds(b.jobId, 0n, replayed);
      await commitAll(b, { noCommit: [0] });
      expect(await b.market.activePeers(b.jobId, 0)).to.equal(0n);
      // Deliberate fault, sent raw: a member without active pairs submits.
      await expect(b.market.connect(b.dos[0]).submitMasked(b.jobId, 0n, 0n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(b.market, "MarketTooFewActivePeers")
        .withArgs(b.jobId, 0n, 0n, 0n);
    });
  });

  describe("replayed submissions", function () {
    it("refuses every call made for an earlier round, and an earlier round's aggregation data, with their own errors", async function () {
      const job = await (await loadFixture(marketFixture)).open();
      const { market, jobId, dos } = job;
      const r0 = await playRound(job);
      const data0 = ethers.getBytes(aggregationData(await readRoundState(market, jobId), r0.masked, 0));
      const { commitments: commitments0 } = await seedCommitments(job.members[4]);
      await market.finalizeRound(jobId, 0n);
      const wrongRound = (tx: Promise<unknown>) => expect(tx).to.be.revertedWithCustomError(market, "MarketWrongRound").withArgs(jobId, 1n, 0n);
      // Every replayed call below is a deliberate fault, sent raw.

      // Commit: round 0's call is refused; round 0's commitments sent for round 1 activate nothing.
      await wrongRound(market.connect(dos[4]).commitSeeds(jobId, 0n, commitments0));
      await market.connect(dos[4]).commitSeeds(jobId, 1n, commitments0);
      await commitAll(job, { noCommit: [4] });
      expect(await market.activePeers(jobId, 4)).to.equal(0n);
      expect(await market.activePeers(jobId, 0)).to.equal(0b1110n);

      // Submit: the replayer may not submit; round 0's call is refused; member 3 vanishes.
      await expect(market.connect(dos[4]).submitMasked(jobId, 1n, 0n, r0.masked.get(4)!))
        .to.be.revertedWithCustomError(market, "MarketTooFewActivePeers")
        .withArgs(jobId, 1n, 4n, 0n);
      await wrongRound(market.connect(dos[0]).submitMasked(jobId, 0n, 0n, r0.masked.get(0)!));
      const masked = await submitAll(job, { dropouts: [3] });
      expect([...masked.keys()].sort()).to.deep.equal([0, 1, 2]);
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);

      // Reveal: round 0's call is refused.
      await wrongRound(market.connect(dos[0]).revealSeeds(jobId, 0n, [3], [ethers.ZeroHash]));
      await revealAll(job);

      // Aggregate: round 0's calls are refused, and so are round 0's slices sent for round 1.
      const data1 = aggregationData(await readRoundState(market, jobId), masked, 0);
      await wrongRound(market.aggregateChunk(jobId, 0n, 0n, data1));
      const sliceBytes = ethers.dataLength(data1) / 3;
      await expect(market.aggregateChunk(jobId, 1n, 0n, data0.subarray(0, 3 * sliceBytes)))
        .to.be.revertedWithCustomError(market, "MarketChunkHashMismatch")
        .withArgs(jobId, 0n, 0n);
      await wrongRound(market.finalizeRound(jobId, 0n));
      await aggregateAll(job, masked);
      const tx = market.finalizeRound(jobId, 1n);
      await expect(tx).to.emit(market, "JobCompleted");
      await expect(tx).to.emit(market, "MemberSlashed").withArgs(jobId, 1n, 3n, SlashReason.MissedSubmission, job.p.stake);
      expect((await market.jobInfo(jobId)).slashedMembers).to.equal(1n << 3n);
    });

    it("unmasks a vector masked for another job, round, deployment or chain to noise, not to its update", async function () {
      const a = await (await loadFixture(marketFixture)).open();
      const d = 64;
      const own = contextOf(a, 0n);
      const members = [0, 1, 2];
      const updates = members.map((i) => updateOf(d, i, 0n));
      const maskedFor = async (i: number, ctx: RoundContext) =>
        maskVector(updates[i], i, await Promise.all(members.filter((j) => j !== i).map(async (j) => ({ index: j, seed: await seedFor(a, ctx, i, j) }))));
      const expected = new Uint32Array(d);
      for (const u of updates) for (let e = 0; e < d; e++) expected[e] = (expected[e] + u[e]) >>> 0;
      const honest = await Promise.all(members.map((i) => maskedFor(i, own)));
      expect(Array.from(await unmaskGroupSum({ masked: honest, reveals: [] })).slice(0, d)).to.deep.equal(Array.from(expected));
      for (const foreign of [
        { ...own, jobId: own.jobId + 1n },
        { ...own, round: 1n },
        { ...own, market: ethers.ZeroAddress },
        { ...own, chainId: 1n },
      ]) {
        const replayed = [await maskedFor(0, foreign), ...honest.slice(1)];
        const sum = (await unmaskGroupSum({ masked: replayed, reveals: [] })).slice(0, d);
        // Member 0's foreign masks cancel nothing: the sum is off in (nearly) every element.
        const off = Array.from(sum).filter((v, e) => v !== expected[e]).length;
        expect(off, `replayed from ${JSON.stringify(foreign, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`).to.be.greaterThan(d - 2);
      }
    });
  });

  describe("views across rounds", function () {
    it("reports no commitment for a member that has not committed in the current round", async function () {
      // Regression: commitment() read the reused slots without checking the round, and so reported a
      // member's previous-round commitment as made in the current round.
      const job = await (await loadFixture(marketFixture)).open();
      const { market, jobId } = job;
      const r0 = await playRound(job);
      const [group] = r0.groups;
      expect(await market.commitment(jobId, group[0], group[1])).to.not.equal(ethers.ZeroHash);
      await market.finalizeRound(jobId, 0n);
      for (const i of group) for (const j of group) expect(await market.commitment(jobId, i, j)).to.equal(ethers.ZeroHash);
      const [group1] = await groupsOf(job);
      const { commitments: mine } = await seedCommitments(job.members[group1[0]]);
      await commitSeeds(job.members[group1[0]]);
      expect(await market.commitment(jobId, group1[0], group1[1])).to.equal(mine[0]);
      expect(await market.commitment(jobId, group1[1], group1[0])).to.equal(ethers.ZeroHash);
    });
  });
});
