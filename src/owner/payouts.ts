// Who was paid for which round, read back from chain events: the basis of the run report's pay columns
// and of the robustness figures (attackers paid, honest members who lost a round's pay).
import { CreditKind, type OmniMarket } from "../chain";

/** Per account: rounds it was rewarded for and the total reward. */
export interface Payouts {
  /** account → total reward in wei. */
  rewardWei: Record<string, bigint>;
  /** account → rounds it was rewarded for. */
  rewardedRounds: Record<string, number[]>;
  /** account → roster index. */
  rosterIndex: Record<string, number>;
}

/** Reads every reward credit of the job and the roster from events. */
export async function readPayouts(market: OmniMarket, jobId: bigint): Promise<Payouts> {
  const payouts: Payouts = { rewardWei: {}, rewardedRounds: {}, rosterIndex: {} };
  for (const e of await market.queryFilter(market.filters.Joined(jobId))) {
    payouts.rosterIndex[e.args.account] = Number(e.args.index);
    payouts.rewardWei[e.args.account] = 0n;
    payouts.rewardedRounds[e.args.account] = [];
  }
  const finalized = new Map<string, number>();
  for (const e of await market.queryFilter(market.filters.RoundFinalized(jobId))) finalized.set(e.transactionHash, Number(e.args.round));
  for (const e of await market.queryFilter(market.filters.Credited(jobId))) {
    if (Number(e.args.kind) !== CreditKind.Reward) continue;
    const account = e.args.account;
    payouts.rewardWei[account] = (payouts.rewardWei[account] ?? 0n) + e.args.amount;
    const round = finalized.get(e.transactionHash);
    if (round !== undefined) (payouts.rewardedRounds[account] ??= []).push(round);
  }
  return payouts;
}

/**
 * The robustness outcome: attackers that earned anything, honest (member, round) pairs left unpaid, an
 * attacker's mean pay as a share of an honest DO's mean pay (null without attackers or honest pay), and the
 * share of honest member-rounds unpaid.
 */
export function payoutOutcome(payouts: Payouts, attackers: ReadonlySet<string>, rounds: number) {
  const accounts = Object.keys(payouts.rosterIndex);
  const attackersPaid = accounts.filter((a) => attackers.has(a) && payouts.rewardWei[a] > 0n);
  const honestUnpaidRounds = accounts
    .filter((a) => !attackers.has(a))
    .flatMap((a) =>
      Array.from({ length: rounds }, (_, r) => r)
        .filter((r) => !payouts.rewardedRounds[a].includes(r))
        .map((round) => ({ account: a, round })),
    );
  const honest = accounts.filter((a) => !attackers.has(a));
  const mean = (list: string[]) => Number(list.reduce((s, a) => s + payouts.rewardWei[a], 0n)) / Math.max(1, list.length);
  const bad = accounts.filter((a) => attackers.has(a));
  const attackerPayShare = bad.length === 0 || mean(honest) === 0 ? null : mean(bad) / mean(honest);
  const honestPayLost = honest.length === 0 || rounds === 0 ? 0 : honestUnpaidRounds.length / (honest.length * rounds);
  return { attackersPaid, honestUnpaidRounds, attackerPayShare, honestPayLost };
}
