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
  VoidReason,
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

/**
 * 13 DOs in groups of 4 (three groups, one of 5), two rounds: after a dropout its group keeps 3 or 4
 * submitters, who must reveal, and the 12 members left still make the median's three groups in round 1.
 */
const THIRTEEN = jobParams({ numDOs: 13, groupSize: 4, rounds: 2 });

/** A market with no job yet; tests open identical jobs (same DOs, keys and roster order) as they need them. */
async function marketFixture() {
  const f = await deployFixture();
  return { ...f, open: () => openJob(f.market, f.mo, f.dos, THIRTEEN) };
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
 * Plays the job's current round up to its reveals with every seed and commitment made for `ctx` — a
 * replay when ctx is not the job's own context: every member of every group commits, the first member of
 * group 0 (the dropout) vanishes, the others submit vectors masked with those seeds, and the dropout's
 * group peers reveal the seed that opens their commitment. The calls are raw on purpose: the actions
 * derive seeds for the job's own context only, and the fault is the context.
 */
async function playWithSeedsOf(job: Job, ctx: RoundContext) {
  const { market, jobId, dos, p } = job;
  const round = BigInt((await market.roundInfo(jobId)).index);
  const groups = await groupsOf(job);
  const [group] = groups;
  const dropout = group[0];
  for (const g of groups) {
    for (const i of g) {
      const commitments = await Promise.all(g.filter((j) => j !== i).map((j) => commitmentFor(job, ctx, i, j)));
      await market.connect(dos[i]).commitSeeds(jobId, round, commitments);
    }
  }
  const masked = new Map<number, Uint8Array>();
  for (const g of groups) {
    for (const i of g.filter((m) => m !== dropout)) {
      const peers = await Promise.all(g.filter((j) => j !== i).map(async (j) => ({ index: j, seed: await seedFor(job, ctx, i, j) })));
      masked.set(i, packWords(await maskVector(updateOf(p.paramCount, i, round), i, peers)));
      await market.connect(dos[i]).submitMasked(jobId, round, 0n, masked.get(i)!);
    }
  }
  await passDeadline((await market.roundInfo(jobId)).submitDeadline);
  expect(await market.phase(jobId)).to.equal(Phase.Reveal);
  const reveals: ContractTransactionResponse[] = [];
  const revealers = group.filter((m) => m !== dropout);
  for (const i of revealers) reveals.push(await market.connect(dos[i]).revealSeeds(jobId, round, [dropout], [await seedFor(job, ctx, i, dropout)]));
  return { round, groups, dropout, masked, reveals, revealers };
}

/** Expects each reveal to be convicted as contradicting, and finalizeRound to slash every revealer for it. */
async function expectConvicted(job: Job, played: Awaited<ReturnType<typeof playWithSeedsOf>>) {
  const { market, jobId, p } = job;
  for (const [t, i] of played.revealers.entries()) {
    await expect(played.reveals[t]).to.emit(market, "SeedContradicted").withArgs(jobId, played.round, i, played.dropout);
  }
  // The convicted group is ineligible, which leaves two groups, too few for the median: the round
  // finalizes at once, without an aggregate.
  const finalized = market.finalizeRound(jobId, played.round);
  await expect(finalized).to.emit(market, "RoundVoided").withArgs(jobId, played.round, VoidReason.TooFewEligibleGroups);
  for (const i of played.revealers) {
    await expect(finalized).to.emit(market, "MemberSlashed").withArgs(jobId, played.round, i, SlashReason.ContradictedSeed, p.stake);
  }
}

/** Expects the reveals to open their commitments (no contradiction) and the round to aggregate. */
async function expectOpened(job: Job, played: Awaited<ReturnType<typeof playWithSeedsOf>>) {
  for (const tx of played.reveals) await expect(tx).not.to.emit(job.market, "SeedContradicted");
  expect((await job.market.roundInfo(job.jobId)).contradicted).to.equal(0n);
  const { eligible } = await aggregateAll(job, played.masked);
  expect(eligible).to.deep.equal([0, 1, 2]);
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
      const own = await playWithSeedsOf(a, contextOf(a, 0n));
      await expectOpened(a, own);
      const b = await open();
      const replayed = await playWithSeedsOf(b, contextOf(a, 0n));
      await expectConvicted(b, replayed);
    });

    it("convicts a commitment replayed from another deployment of the market", async function () {
      const { open, signers, mo, dos } = await loadFixture(marketFixture);
      const other = await deployMarket(signers[0]);
      const there = await openJob(other.market, mo, dos, THIRTEEN);
      const own = await playWithSeedsOf(there, contextOf(there, 0n));
      await expectOpened(there, own);
      const a = await open();
      expect(a.jobId).to.equal(there.jobId);
      const replayed = await playWithSeedsOf(a, contextOf(there, 0n));
      await expectConvicted(a, replayed);
    });

    it("convicts a commitment replayed from an earlier round of the same job", async function () {
      const a = await (await loadFixture(marketFixture)).open();
      const first = await playWithSeedsOf(a, contextOf(a, 0n));
      await expectOpened(a, first);
      await a.market.finalizeRound(a.jobId, 0n);
      expect((await a.market.roundInfo(a.jobId)).index).to.equal(1n);
      // Round 1: the 12 members left, every commitment made with round 0's seeds; a member vanishes, and
      // its group peers reveal round 0's seeds with it.
      const replayed = await playWithSeedsOf(a, contextOf(a, 0n));
      await expectConvicted(a, replayed);
    });

    it("convicts a commitment made for another chain id: the market checks against block.chainid", async function () {
      const a = await (await loadFixture(marketFixture)).open();
      expect(a.chainId).to.equal(31337n);
      const replayed = await playWithSeedsOf(a, { ...contextOf(a, 0n), chainId: 1n });
      await expectConvicted(a, replayed);
    });

    it("activates no pair for a commitment replayed by one side only", async function () {
      const { open } = await loadFixture(marketFixture);
      const [a, b] = [await open(), await open()];
      const group = (await groupsOf(b)).find((g) => g.includes(0))!;
      // Member 0 replays into job b the commitments it would make in job a (a deliberate fault, sent raw); its
      // peers commit for job b.
      const replayed = await Promise.all(group.filter((j) => j !== 0).map((j) => commitmentFor(a, contextOf(a, 0n), 0, j)));
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
      const replayer = 4;
      const r0 = await playRound(job);
      const state0 = await readRoundState(market, jobId);
      const data0 = ethers.getBytes(aggregationData(state0, r0.masked, 0));
      const { commitments: commitments0 } = await seedCommitments(job.members[replayer]);
      await market.finalizeRound(jobId, 0n);
      const wrongRound = (tx: Promise<unknown>) => expect(tx).to.be.revertedWithCustomError(market, "MarketWrongRound").withArgs(jobId, 1n, 0n);
      // Every replayed call below is a deliberate fault, sent raw.

      // Commit: round 0's call is refused; commitments made with round 0's seeds for the replayer's round-1
      // peers (for a peer of both rounds, the very commitment of round 0) activate nothing.
      const groups = await groupsOf(job);
      const group = groups.find((g) => g.includes(replayer))!;
      const peers = group.filter((j) => j !== replayer);
      await wrongRound(market.connect(dos[replayer]).commitSeeds(jobId, 0n, commitments0));
      const replayed = await Promise.all(peers.map((j) => commitmentFor(job, contextOf(job, 0n), replayer, j)));
      await market.connect(dos[replayer]).commitSeeds(jobId, 1n, replayed);
      await commitAll(job, { noCommit: [replayer] });
      expect(await market.activePeers(jobId, replayer)).to.equal(0n);
      const bitsOf = (members: number[]) => members.reduce((bits, j) => bits | (1n << BigInt(j)), 0n);
      expect(await market.activePeers(jobId, peers[0])).to.equal(bitsOf(peers.filter((j) => j !== peers[0])));

      // Submit: the replayer may not submit; round 0's call is refused; a member of another group vanishes.
      await expect(market.connect(dos[replayer]).submitMasked(jobId, 1n, 0n, r0.masked.get(replayer)!))
        .to.be.revertedWithCustomError(market, "MarketTooFewActivePeers")
        .withArgs(jobId, 1n, BigInt(replayer), 0n);
      await wrongRound(market.connect(dos[peers[0]]).submitMasked(jobId, 0n, 0n, r0.masked.get(peers[0])!));
      const dropout = groups.find((g) => !g.includes(replayer))![0];
      const masked = await submitAll(job, { dropouts: [dropout] });
      expect(masked.size).to.equal(11);
      expect(masked.has(replayer) || masked.has(dropout)).to.equal(false);
      await passDeadline((await market.roundInfo(jobId)).submitDeadline);

      // Reveal: round 0's call is refused.
      const revealer = groups.find((g) => g.includes(dropout))!.find((j) => j !== dropout)!;
      await wrongRound(market.connect(dos[revealer]).revealSeeds(jobId, 0n, [dropout], [ethers.ZeroHash]));
      await revealAll(job);

      // Aggregate: round 0's calls are refused, and so are round 0's slices sent for round 1.
      const state1 = await readRoundState(market, jobId);
      const data1 = aggregationData(state1, masked, 0);
      await wrongRound(market.aggregateChunk(jobId, 0n, 0n, data1));
      const firstSubmitter = state1.groups.find((g) => g.eligible)!.submitters[0];
      await expect(market.aggregateChunk(jobId, 1n, 0n, data0.subarray(0, ethers.dataLength(data1))))
        .to.be.revertedWithCustomError(market, "MarketChunkHashMismatch")
        .withArgs(jobId, BigInt(firstSubmitter), 0n);
      await wrongRound(market.finalizeRound(jobId, 0n));
      await aggregateAll(job, masked);
      const tx = market.finalizeRound(jobId, 1n);
      await expect(tx).to.emit(market, "JobCompleted");
      await expect(tx).to.emit(market, "MemberSlashed").withArgs(jobId, 1n, BigInt(dropout), SlashReason.MissedSubmission, job.p.stake);
      // The replayer committed and had no pair to mask with: it is not slashed for not submitting.
      expect((await market.jobInfo(jobId)).slashedMembers).to.equal(1n << BigInt(dropout));
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
