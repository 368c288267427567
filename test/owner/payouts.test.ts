// The demo's pay figures from the chain's Credited events: who among the attackers earned, what share of an
// honest DO's pay an attacker earned, and what share of their pay the honest DOs lost.
import { expect } from "chai";
import { payoutOutcome, type Payouts } from "../../src/owner/payouts";

function payouts(rounds: Record<string, number[]>, reward: bigint, released: Record<string, number> = {}): Payouts {
  const p: Payouts = { rewardPerRound: reward, rewardWei: {}, releasedWei: {}, rewardedRounds: {}, rosterIndex: {} };
  Object.entries(rounds).forEach(([account, paid], i) => {
    p.rosterIndex[account] = i;
    p.rewardedRounds[account] = paid;
    p.releasedWei[account] = BigInt(released[account] ?? 0) * reward;
    p.rewardWei[account] = BigInt(paid.length) * reward + p.releasedWei[account];
  });
  return p;
}

describe("owner/payouts", () => {
  it("gives an attacker's mean pay over an honest DO's and the honest member-rounds lost", () => {
    const p = payouts({ a: [0, 1, 2], b: [0, 2], c: [1], x: [0], y: [] }, 10n);
    const outcome = payoutOutcome(p, new Set(["x", "y"]), 3);
    expect(outcome.attackersPaid).to.deep.equal(["x"]);
    expect(outcome.honestUnpaidRounds).to.deep.equal([
      { account: "b", round: 1 },
      { account: "c", round: 0 },
      { account: "c", round: 2 },
    ]);
    // Attackers average 5 wei, honest DOs 20: a quarter. Honest DOs lost 3 of 9 member-rounds.
    expect(outcome.attackerPayShare).to.equal(0.25);
    expect(outcome.honestPayLost).to.be.closeTo(1 / 3, 1e-12);
  });

  it("counts held pay released at settlement as paid", () => {
    // b's round 1 and c's round 2 were held and released; x's held round was not.
    const p = payouts({ a: [0, 1, 2], b: [0, 2], c: [1], x: [0], y: [] }, 10n, { b: 1, c: 1 });
    const outcome = payoutOutcome(p, new Set(["x", "y"]), 3);
    expect(outcome.honestUnpaidRounds).to.have.length(3);
    // Honest DOs got 3 + 3 + 2 of 9 rounds' pay: they lost 1 of 9; attackers average 5 wei, honest DOs 80 / 3.
    expect(outcome.honestPayLost).to.be.closeTo(1 / 9, 1e-12);
    expect(outcome.attackerPayShare).to.be.closeTo(5 / (80 / 3), 1e-12);
  });

  it("reports no share without attackers, and none when no honest DO was paid", () => {
    expect(payoutOutcome(payouts({ a: [0], b: [0] }, 1n), new Set(), 1).attackerPayShare).to.equal(null);
    expect(payoutOutcome(payouts({ a: [], x: [0] }, 1n), new Set(["x"]), 1).attackerPayShare).to.equal(null);
  });
});
