// Blame across rounds on-chain (docs/PROTOCOL.md "Blame across rounds"): every member's record follows the
// rounds as src/protocol/blame.ts computes it from chain data; pay for a round in an outlier or over-bound
// group is held, not lost, and released at settlement to members the record clears; a member over the bound
// in every round it played is convicted once an honest member's chance of such a run is below 1/1000 —
// ejected from later rounds, its stake and held pay burned. The attacker's view: a member that scales its
// update every round cannot stay in the market, and the honest members it shared groups with lose nothing.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { convictionRounds, emptyRecord, recordRound, settleHeld, type MemberRecord } from "../../src/protocol";
import {
  BURN_ADDRESS,
  CreditKind,
  ETH,
  Phase,
  SlashReason,
  booksSides,
  deployFixture,
  eventsIn,
  groupsOf,
  jobParams,
  openJob,
  playRound,
  updateOf,
} from "./helpers";

const ROUNDS = 8;

async function blameFixture() {
  const f = await deployFixture();
  // 12 DOs in groups of 3 assume 2 colluders: q = 1 − C(9,2)/C(11,2) = 19/55 a round, and 7 rounds in a row
  // over the bound take an honest member's chance below 1/1000.
  const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 12, rounds: ROUNDS }));
  return { ...f, job };
}

const asRecord = (r: { played: bigint; overBound: bigint; clean: bigint; held: bigint; cleared: bigint; evidence: bigint }): MemberRecord => ({
  played: Number(r.played),
  overBound: Number(r.overBound),
  clean: Number(r.clean),
  held: Number(r.held),
  cleared: Number(r.cleared),
  evidence: r.evidence,
});

type BlameJob = Awaited<ReturnType<typeof blameFixture>>["job"];

/**
 * Plays round `round` with member `attacker` scaling its update ×1000 (over the bound), finalizes it, checks that
 * every record on-chain equals the TypeScript mirror, and returns the round's groups and the members convicted.
 */
async function playScalingRound(job: BlameJob, attacker: number, round: number, mirror: MemberRecord[], slashed: Set<number>) {
  const { market } = job;
  const groups = await groupsOf(job);
  const d = job.p.paramCount;
  const updates = new Map(
    groups.flat().map((i) => [i, i === attacker ? updateOf(d, i, BigInt(round)).map((v) => (v | 0) * 1000) : updateOf(d, i, BigInt(round))]),
  );
  await playRound(job, { updates });
  const tx = await (await market.finalizeRound(job.jobId, BigInt(round))).wait();
  const result = await market.roundResult(job.jobId, BigInt(round));
  const bits = (x: bigint) => groups.map((_, k) => ((x >> BigInt(k)) & 1n) === 1n);
  const expected = recordRound(
    mirror,
    {
      groups,
      submitted: new Set(groups.flat()),
      eligible: bits(result.eligibleGroups),
      excluded: bits(result.excludedGroups),
      inliers: bits(result.inlierGroups),
      judged: result.aggregateHash !== ethers.ZeroHash,
      active: groups.flat().length,
    },
    job.p.numDOs,
    slashed,
  );
  const attackerGroup = groups.findIndex((g) => g.includes(attacker));
  if (attackerGroup >= 0) expect(bits(result.excludedGroups)[attackerGroup], `round ${round}: the attacker's group over the bound`).to.equal(true);
  for (let i = 0; i < job.p.numDOs; i++)
    expect(asRecord(await market.memberRecord(job.jobId, i)), `record of ${i} after round ${round}`).to.deep.equal(mirror[i]);
  const convictions = (await eventsIn(job, { hash: tx!.hash } as never, "MemberSlashed")).filter((e) => e.args.reason === SlashReason.Convicted);
  expect(convictions.map((e) => Number(e.args.member))).to.deep.equal(expected.convicted);
  return { groups, result, convicted: expected.convicted };
}

/** The held pay released at settlement, per roster index, from the Credited events; checks it against the mirror's settlement. */
async function releasedAsMirrored(job: BlameJob, mirror: MemberRecord[], slashed: Set<number>) {
  const held = settleHeld(mirror, job.p.rewardPerRound, slashed);
  const credits = await job.market.queryFilter(job.market.filters.Credited(job.jobId));
  const released = credits.filter((e) => e.args.kind === CreditKind.HeldReward);
  const byIndex = await Promise.all(job.dos.slice(0, job.p.numDOs).map((d) => d.getAddress()));
  expect(released.map((e) => [byIndex.indexOf(e.args.account), e.args.amount])).to.deep.equal(
    held.released.flatMap((amount, i) => (amount === 0n ? [] : [[i, amount]])),
  );
  const [outgoing, incoming] = booksSides(await job.market.jobBooks(job.jobId));
  expect(outgoing).to.equal(incoming);
  return { held, credits, byIndex };
}

describe("blame across rounds", () => {
  it("convicts a member that scales its update every round, ejects it, holds and then releases its partners' pay, and balances the books", async function () {
    const { job, market } = await loadFixture(blameFixture);
    expect(convictionRounds(12, 3)).to.equal(7);
    const attacker = 5;
    const n = job.p.numDOs;
    const mirror = Array.from({ length: n }, () => emptyRecord());
    const slashed = new Set<number>();
    let convictedIn: number | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const members = await market.roundInfo(job.jobId).then((r) => r.members);
      expect((members >> BigInt(attacker)) & 1n, `attacker a member of round ${round}`).to.equal(convictedIn === undefined ? 1n : 0n);
      const { convicted } = await playScalingRound(job, attacker, round, mirror, slashed);
      if (convicted.includes(attacker)) convictedIn = round;
    }
    // Convicted after 7 rounds over the bound, and nobody else.
    expect(convictedIn).to.equal(6);
    expect([...slashed]).to.deep.equal([attacker]);
    expect(await market.phase(job.jobId)).to.equal(Phase.Completed);
    expect((await market.jobInfo(job.jobId)).slashedMembers).to.equal(1n << BigInt(attacker));
    // Settlement: held pay as the mirror settles it; the attacker's stake and held pay burned.
    const { held, credits, byIndex } = await releasedAsMirrored(job, mirror, slashed);
    // Every honest member that shared a group with the attacker was held at least once, and got it back.
    expect(credits.some((e) => e.args.kind === CreditKind.HeldReward)).to.equal(true);
    expect(mirror.filter((r, i) => i !== attacker && r.held > 0 && r.cleared === 0)).to.deep.equal([]);
    const books = await market.jobBooks(job.jobId);
    expect(books.slashed).to.equal(job.p.stake + held.burned);
    expect(held.burned).to.equal(BigInt(mirror[attacker].held) * job.p.rewardPerRound);
    const burn = credits.filter((e) => e.args.kind === CreditKind.Burn);
    expect(burn.map((e) => [e.args.account, e.args.amount])).to.deep.equal([[BURN_ADDRESS, books.slashed]]);
    const paidToHonest = credits
      .filter((e) => e.args.kind === CreditKind.Reward || e.args.kind === CreditKind.HeldReward)
      .reduce((s, e) => s + e.args.amount, 0n);
    expect(books.paid).to.equal(paidToHonest);
    // The attacker got nothing but what it never had: no reward, no stake back.
    expect(await market.releasable(ETH, byIndex[attacker])).to.equal(0n);
  });

  it("holds everyone's pay in rounds an over-bound group voids, and releases it at settlement to the members whose groups stayed within the bound", async function () {
    const f = await loadFixture(deployFixture);
    // 9 DOs in 3 groups: a group over the bound leaves 2, fewer than the median's 3, so every round is void.
    const job = await openJob(f.market, f.mo, f.dos, jobParams({ numDOs: 9, rounds: 2 }));
    const attacker = 4;
    const mirror = Array.from({ length: 9 }, () => emptyRecord());
    const slashed = new Set<number>();
    for (let round = 0; round < 2; round++) {
      const { result } = await playScalingRound(job, attacker, round, mirror, slashed);
      expect(result.aggregateHash).to.equal(ethers.ZeroHash);
    }
    expect(slashed.size).to.equal(0);
    const { held } = await releasedAsMirrored(job, mirror, slashed);
    // Nobody was paid at once; every member with a round within the bound (all but the attacker and any partner
    // beside it both times) gets both rounds' pay.
    expect((await f.market.queryFilter(f.market.filters.Credited(job.jobId))).filter((e) => e.args.kind === CreditKind.Reward)).to.deep.equal([]);
    for (let i = 0; i < 9; i++) {
      const cleared = mirror[i].cleared > 0;
      expect(cleared, `member ${i} cleared`).to.equal(mirror[i].overBound < 2);
      expect(held.released[i]).to.equal(cleared ? 2n * job.p.rewardPerRound : 0n);
    }
    // The attacker's held pay goes back to the budget (it was never cleared, and not convicted in 2 rounds).
    expect(mirror[attacker]).to.include({ played: 2, overBound: 2, clean: 0, held: 2, cleared: 0 });
  });
});
